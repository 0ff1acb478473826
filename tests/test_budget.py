"""Budgets in JPY/USD per month or per request against API prices (advisor/domain/budget.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from advisor.domain.budget import Rate, check
from advisor.domain.catalog import Catalog
from advisor.domain.needs_rules import extract_needs
from advisor.domain.recommend import recommend
from advisor.services import Advisor

pytestmark = pytest.mark.fast

RATE = Rate(150.0, dt.date(2026, 11, 28))


@pytest.fixture(scope="module")
def catalog(core: Advisor) -> Catalog:
    return core.catalog


def test_monthly_yen_budget_says_what_it_buys(catalog: Catalog) -> None:
    needs = extract_needs("日本語のFAQボットをAPIで、予算は月3万円くらい")
    v = check(catalog.get("gpt-6-luna"), needs, RATE)
    assert v is not None and v.cost_usd is None and v.within and not v.hard
    assert "¥30,000" in v.text and "150円/ドル 2026-11-28" in v.text  # the rate and its date


def test_per_request_budget_is_compared(catalog: Catalog) -> None:
    needs = extract_needs("Email replies via API, under $0.0005 per request")
    assert needs.budget_period == "request" and needs.budget_hard
    cheap, dear = catalog.get("glm-5.3-flash"), catalog.get("claude-fable-5.2")
    vc, vd = check(cheap, needs, RATE), check(dear, needs, RATE)
    assert vc is not None and vc.within
    assert vd is not None and not vd.within and "over" in vd.text


def test_hard_limit_excludes_and_soft_limit_only_lowers(catalog: Catalog) -> None:
    hard = extract_needs("Japanese chatbot via API, 10k requests per day, budget under $50 a month")
    res = recommend(hard, catalog, top=5, rate=RATE)
    assert res.recommendations
    for r in res.recommendations:
        v = check(catalog.get(r.model_id), hard, RATE)
        assert v is None or v.within
    soft = extract_needs("Japanese chatbot via API, 10k requests per day, about $50 a month")
    assert not soft.budget_hard
    ids = {r.model_id for r in recommend(soft, catalog, top=40, rate=RATE).recommendations}
    assert any(
        (v := check(catalog.get(i), soft, RATE)) is not None and not v.within for i in ids
    )  # over-budget models stay, lower down


def test_yen_converted_with_the_settings_rate(catalog: Catalog) -> None:
    needs = extract_needs("API、1リクエスト0.1円以内")
    assert needs.budget_usd(150.0) == pytest.approx(0.1 / 150)
    assert needs.budget_usd(100.0) == pytest.approx(0.001)
