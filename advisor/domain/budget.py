"""A stated budget against a model's API price: the cost per request or per month in USD,
whether it is within the budget, and the words that say so. Yen are converted with a rate
from settings, which the reasons name with its date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from advisor.domain.catalog import ModelCard
from advisor.domain.cost import DAYS_PER_MONTH, Workload
from advisor.domain.needs import Needs
from advisor.i18n import t


@dataclass(frozen=True)
class Rate:
    """JPY per USD, and the day it was set."""

    jpy_per_usd: float = 150.0
    as_of: dt.date = dt.date(2026, 11, 28)


@dataclass(frozen=True)
class Verdict:
    cost_usd: float | None  # per request or per month, as the budget is stated; None: unknown
    limit_usd: float
    within: bool
    hard: bool
    text: str


def _fmt(x: float) -> str:
    """'30,000', '0.5', '0.00067': whole amounts with separators, small ones significant."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def _money(needs: Needs, rate: Rate, lang: str) -> str:
    amount, cur = needs.budget_amount or 0, needs.budget_currency
    per = (
        t(lang, "1リクエスト", "request")
        if needs.budget_period == "request"
        else t(lang, "月", "month")
    )
    if cur == "JPY":
        usd = amount / rate.jpy_per_usd
        return t(
            lang,
            f"予算 ¥{_fmt(amount)}/{per}(約${_fmt(usd)}、{rate.jpy_per_usd:g}円/ドル {rate.as_of}時点の設定値)",
            f"budget ¥{_fmt(amount)}/{per} (about ${_fmt(usd)} at ¥{rate.jpy_per_usd:g}/$, "
            f"the settings' rate of {rate.as_of})",
        )
    return t(lang, f"予算 ${_fmt(amount)}/{per}", f"budget ${_fmt(amount)}/{per}")


def check(card: ModelCard, needs: Needs, rate: Rate) -> Verdict | None:
    """The budget against this model's API price; None when no budget is stated or the model
    has no API price (self-hosting on owned hardware is not priced here)."""
    limit = needs.budget_usd(rate.jpy_per_usd)
    if limit is None or card.price_per_mtok is None or not card.via_api:
        return None
    lang = needs.lang
    work = Workload(
        requests_per_day=needs.requests_per_day or 1, input_tokens=needs.tokens_per_request or 1000
    )
    per_request = (
        work.input_tokens * card.price_per_mtok.input
        + work.output_tokens * card.price_per_mtok.output
    ) / 1e6
    money = _money(needs, rate, lang)
    if needs.budget_period == "request":
        cost = per_request
    elif needs.requests_per_day:
        cost = per_request * needs.requests_per_day * DAYS_PER_MONTH
    else:  # a monthly budget and no workload: say what it buys
        per_day = limit / DAYS_PER_MONTH / per_request if per_request else float("inf")
        return Verdict(
            None,
            limit,
            True,
            needs.budget_hard,
            t(
                lang,
                f"{money}で1日約{per_day:,.0f}リクエスト(入力{work.input_tokens:g}+出力{work.output_tokens:g}トークン)まで",
                f"{money} covers about {per_day:,.0f} requests a day "
                f"({work.input_tokens:g} in + {work.output_tokens:g} out tokens)",
            ),
        )
    within = cost <= limit
    word = t(lang, "収まる", "within") if within else t(lang, "超える", "over")
    return Verdict(
        cost,
        limit,
        within,
        needs.budget_hard,
        t(
            lang,
            f"見積 ${_fmt(cost)}: {money}に{word}",
            f"estimate ${_fmt(cost)}: {word} the {money}",
        ),
    )
