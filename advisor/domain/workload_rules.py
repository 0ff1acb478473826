"""The workload a text states: requests a day (or a month, or people x their own requests) and
tokens per request ("x 2000 tokens", 「入力3000+出力1000トークン」), for cost estimates."""

from __future__ import annotations

import re

from advisor.domain import needs_lexicon as lex


def number(num: str, unit: str | None = None) -> float:
    """'3万' -> 30000: a figure with its unit (k, 千, 万, m, million)."""
    scale = {"k": 1e3, "千": 1e3, "万": 1e4, "m": 1e6, "million": 1e6}.get(unit or "", 1)
    return float(num.replace(",", "")) * scale


def workload(t: str, found: dict[str, object], notes: list[str]) -> None:
    """Fill requests_per_day and tokens_per_request from normalised text `t`."""
    for key, pattern in (
        ("requests_per_day", lex.PER_DAY),
        ("tokens_per_request", lex.PER_REQUEST),
    ):
        m = re.search(pattern, t, re.ASCII)
        value = number(*[g for g in m.groups() if g][:2]) if m else 0
        if value > 0:  # "0 requests a day" states nothing usable
            found[key] = value
    if "requests_per_day" not in found and (m := re.search(lex.PER_MONTH, t, re.ASCII)):
        value = number(*[g for g in m.groups() if g][:2])
        if value > 0:
            found["requests_per_day"] = round(value / 30, 1)
            notes.append(f"workload: {value:,.0f} requests a month = {value / 30:,.0f} a day")
    crowd = re.search(
        r"(\d[\d,]*)\s*(?:人|名|users?|people|employees|staff)[^\d]{0,12}(?:1日|毎日|一日|a day|per day|daily)?\s*(\d+)\s*(?:回|件|times|requests)",
        t,
    )
    if crowd and re.search(r"1日|毎日|一日|a day|per day|daily", crowd.group(0)):
        # 「社員200人が1日5回ずつ」: people x their own requests a day
        found["requests_per_day"] = number(crowd.group(1)) * number(crowd.group(2))
    few = re.search(
        r"(?:月|毎月)(?:に)?\s*数(十|百|千)\s*(?:件|回|リクエスト)|a few (hundred|thousand) (?:requests|calls)",
        t,
    )
    if "requests_per_day" not in found and few:  # 「月に数百」: a few hundred a month
        per_month = {"十": 30, "百": 300, "千": 3000, "hundred": 300, "thousand": 3000}[
            few.group(1) or few.group(2)
        ]
        if "month" in few.group(0) or "月" in few.group(0):
            found["requests_per_day"] = round(per_month / 30, 1)
            notes.append(f"workload: {per_month:,} requests a month = {per_month / 30:,.0f} a day")
    parts = re.search(rf"入力\s*{lex.NUM}\s*(?:トークン)?\s*[+＋と、,]\s*出力\s*{lex.NUM}", t)
    if parts:  # 「入力3000+出力1000トークン」: the request's size is both
        found["tokens_per_request"] = number(parts.group(1)) + number(parts.group(2))
