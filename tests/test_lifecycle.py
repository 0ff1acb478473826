"""Lifecycle in the recommender: retired models stay out unless named, and then say what
replaces them; a model shutting down within 60 days shows its date and is never ranked first.
A small in-memory catalog, and `today` passed in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advisor.domain.catalog import Catalog, ModelCard
from advisor.domain.filters import SHUTDOWN_WARNING_DAYS, is_retired, shuts_down_soon
from advisor.domain.needs import Needs
from advisor.domain.recommend import recommend

TODAY = dt.date(2026, 11, 28)


def card(model_id: str, **extra: Any) -> ModelCard:
    fields: dict[str, Any] = {
        "id": model_id,
        "name": model_id.upper(),
        "vendor": "Example",
        "family": model_id.split("-")[0],
        "release_date": "2026-01-01",
        "open_weights": False,
        "license": "proprietary",
        "commercial_use": "yes",
        "context_window": 128_000,
        "japanese": "good",
        "use_cases": ["chat"],
        "finetune": ["none"],
        "deployment": "api",
        "price_per_mtok": {"input": 1.0, "output": 4.0},
        "tier": "high",
        "strengths": {"ja": "強み", "en": "strength"},
        "cautions": {"ja": "注意", "en": "caution"},
        "sources": ["https://example.com/models"],
        "as_of": "2026-11-28",
    }
    fields.update(extra)
    return ModelCard.model_validate(fields)


def catalog() -> Catalog:
    return Catalog(
        [
            # the best on paper, but shut down last month; its replacement is outside the catalog
            card(
                "alpha-old",
                tier="frontier",
                deprecated=True,
                shutdown_date="2026-10-23",
                successor="Alpha 2",
                successor_source="https://example.com/deprecations",
                guide_named=True,  # "why not" lists the guide's models
            ),
            # deprecated, API-only, no date: retired too
            card("beta-legacy", tier="frontier", deprecated=True, successor="gamma-soon"),
            # still served, shutting down in 13 days, the strongest of the rest
            card("gamma-soon", tier="frontier", shutdown_date="2026-12-11"),
            card("delta-now", tier="high"),
            card("eps-later", tier="mid", shutdown_date="2027-06-30"),
        ]
    )


def needs(**extra: Any) -> Needs:
    return Needs(deployment="api", **extra)


def test_rules_take_today_as_given() -> None:
    cat = catalog()
    old, soon, later = cat.get("alpha-old"), cat.get("gamma-soon"), cat.get("eps-later")
    assert is_retired(old, TODAY)
    assert is_retired(cat.get("beta-legacy"), TODAY)  # deprecated, API-only, no date
    assert shuts_down_soon(soon, TODAY) and not is_retired(soon, TODAY)
    assert not shuts_down_soon(later, TODAY)
    assert later.shutdown_date is not None
    assert shuts_down_soon(later, later.shutdown_date - dt.timedelta(SHUTDOWN_WARNING_DAYS))
    assert is_retired(soon, dt.date(2026, 12, 12))


def test_retired_models_stay_out_unless_named() -> None:
    result = recommend(needs(), catalog(), top=10, today=TODAY)
    ids = [r.model_id for r in result.recommendations]
    assert "alpha-old" not in ids and "beta-legacy" not in ids
    why = {e.model_id: e.reason for e in result.excluded}
    assert "retired on 2026-10-23" in why["alpha-old"] and "Alpha 2" in why["alpha-old"]
    # past its date, a model that was never flagged deprecated is retired too
    after = recommend(needs(), catalog(), top=10, today=dt.date(2026, 12, 12))
    assert "gamma-soon" not in [r.model_id for r in after.recommendations]


def test_a_named_retired_model_says_so_and_what_replaces_it() -> None:
    result = recommend(needs(models=["alpha-old"]), catalog(), top=10, today=TODAY)
    rec = next(r for r in result.recommendations if r.model_id == "alpha-old")
    assert rec.rank > 1
    assert rec.notice is not None and "retired on 2026-10-23" in rec.notice
    # a successor outside the catalog comes with the page that names it
    assert "Alpha 2" in rec.notice and "https://example.com/deprecations" in rec.notice
    assert rec.notice in rec.criteria["deployment"].reason
    data = result.to_contract()["recommendations"][rec.rank - 1]  # type: ignore[index]
    assert data["deprecated"] is True and data["shutdown_date"] == "2026-10-23"
    assert data["successor"] == "Alpha 2"
    # in Japanese, and a successor inside the catalog is named by its card
    ja = recommend(needs(models=["beta-legacy"], lang="ja"), catalog(), top=10, today=TODAY)
    beta = next(r for r in ja.recommendations if r.model_id == "beta-legacy")
    assert beta.notice is not None and "非推奨" in beta.notice and "GAMMA-SOON" in beta.notice
    # named but ranked below the shortlist: the "why not" list still says it is retired
    short = recommend(needs(models=["alpha-old"]), catalog(), top=1, today=TODAY)
    assert [r.model_id for r in short.recommendations] != ["alpha-old"]
    said = next(e.reason for e in short.excluded if e.model_id == "alpha-old")
    assert said.startswith("ranked ") and "retired on 2026-10-23" in said and "Alpha 2" in said


def test_shutting_down_soon_is_shown_with_its_date_and_never_first() -> None:
    result = recommend(needs(), catalog(), top=10, today=TODAY)
    recs = result.recommendations
    soon = next(r for r in recs if r.model_id == "gamma-soon")
    assert recs[0].model_id == "delta-now"  # gamma scores higher but shuts down in 13 days
    assert soon.rank == 2 and soon.score > recs[0].score
    assert soon.notice == "shuts down on 2026-12-11"
    assert soon.shutdown_date == dt.date(2026, 12, 11) and not soon.deprecated
    later = next(r for r in recs if r.model_id == "eps-later")
    assert later.notice is None and later.shutdown_date == dt.date(2027, 6, 30)
    # further from the date, the rule does not apply
    early = recommend(needs(), catalog(), top=10, today=dt.date(2026, 6, 1))
    assert early.recommendations[0].model_id == "gamma-soon"
    assert early.recommendations[0].notice is None


def test_when_every_candidate_is_ending_the_order_stays() -> None:
    cat = Catalog([card("gamma-soon", shutdown_date="2026-12-11")])
    result = recommend(needs(), cat, top=3, today=TODAY)
    assert [r.model_id for r in result.recommendations] == ["gamma-soon"]


def test_recency_follows_the_date_passed_in() -> None:
    """The accuracy criterion's recency uses `today`, not a year written in the code."""
    cat = Catalog([card("delta-now", release_date="2024-06-01")])
    now = recommend(needs(), cat, today=TODAY).recommendations[0]
    later = recommend(needs(), cat, today=dt.date(2030, 1, 1)).recommendations[0]
    assert later.criteria["accuracy"].score < now.criteria["accuracy"].score
