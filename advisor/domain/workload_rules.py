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
    hourly = re.search(lex.PER_HOUR, t, re.ASCII) if "requests_per_day" not in found else None
    if hourly and re.search(lex.AROUND_THE_CLOCK, t):  # 「24時間稼働、1時間に100件」
        per_hour = number(next(g for g in hourly.groups() if g))
        found["requests_per_day"] = per_hour * 24
        notes.append(
            f"workload: {per_hour:,.0f} an hour around the clock = {per_hour * 24:,.0f} a day"
        )
    if crowd := _crowd(t):
        # 「社員200人が1日5回ずつ」, "40 staff x ~25 queries a day": people x their own requests
        found["requests_per_day"] = crowd
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


_PEOPLE = (
    r"(\d[\d,]*)\s*(?:[a-z]+\s+)?(?:人|名|users?|people|employees|staff|agents|members|engineers|analysts|"
    r"lawyers|students|teachers|nurses|doctors|reps|operators|workers)"
)
_EACH = (
    r"(?<![\d.])(\d[\d,]*)\s*(?:回|件|times|requests?|queries|tickets|questions|calls|chats|prompts|"
    r"messages|emails)"
)
_DAY = r"1日|毎日|一日|a day|per day|daily|each day"


def _crowd(t: str) -> float | None:
    """People times each one's requests a day, said in one stretch of text."""
    people = re.search(_PEOPLE, t)
    if people is None or number(people.group(1)) < 2:
        return None
    rest = t[people.end() : people.end() + 50]
    each = re.search(_EACH, rest)
    if each is None or not re.search(_DAY, rest[: each.end() + 12]):
        return None
    return number(people.group(1)) * number(each.group(1))
