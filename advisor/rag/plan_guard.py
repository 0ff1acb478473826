"""The guard for sentences that explain a plan: every number must be in the plan's facts, every
model named must be in the plan, and comparatives ("cheaper", "more parameters", "larger
context", "better at Japanese", "fits at FP16") must hold in the plan's data."""

from __future__ import annotations

import re
from typing import Any

from advisor.domain.catalog import Catalog
from advisor.rag.guard import Problem, unknown_model_mentions

_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)")
_CITE = re.compile(r"\[\d{1,2}\]")
#: comparative words -> the compare row that decides them
_COMPARATIVES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"more param|larger model|bigger model|パラメータ(?:数)?(?:が|の方が)?(?:多|大)", re.I
        ),
        "params_b",
    ),
    (
        re.compile(r"cheaper|less expensive|lower (?:price|cost)|安い|安価|低コスト|お得", re.I),
        "price",
    ),
    (
        re.compile(
            r"(?:larger|longer|bigger|more) context|context (?:window )?is (?:larger|longer)|コンテキスト(?:長)?(?:が|の方が)?(?:長|大)|文脈(?:が)?長",
            re.I,
        ),
        "context_window",
    ),
    (
        re.compile(
            r"better (?:at|in|for) japanese|stronger (?:at|in) japanese|higher (?:in )?japanese|日本語(?:に|が|の評価が|性能が)?(?:より)?(?:強|高|優|上)",
            re.I,
        ),
        "japanese_score",
    ),
    (
        re.compile(r"less memory|smaller footprint|lighter|メモリ(?:が)?(?:少な|小さ)|軽い", re.I),
        "memory_q4_gb",
    ),
]
_FITS_AT = re.compile(
    r"(?:fits?|runs?) (?:at|in) (fp16|q8|q4)|(fp16|q8|q4)(?:_\w+)?\s*(?:で|なら)(?:も)?(?:動|収ま|載|入)",
    re.I,
)


def _numbers(text: str) -> set[str]:
    return {m.group(1).replace(",", "") for m in _NUMBER.finditer(_CITE.sub(" ", text))}


def _named(sentence: str, catalog: Catalog) -> list[str]:
    return catalog.mentioned(sentence)


#: a sentence about the prompt rather than the question (「この事実を説明するための回答」,
#: "the facts show"): the model talking about its instructions, never shown
_META = re.compile(
    r"事実を(?:説明|まとめ)|説明するための|与えられた(?:事実|情報)|以下の(?:事実|情報)|"
    r"\bthe (?:given |above |provided )?facts (?:show|say|state|above)|\bbased on the (?:given |provided )?facts\b|"
    r"\bhere is (?:an|the|my) (?:answer|explanation)\b",
    re.I,
)


def check_plan_sentence(
    sentence: str,
    plans: list[dict[str, Any]],
    facts_text: str,
    catalog: Catalog,
    allowed_models: set[str],
    question: str,
) -> list[Problem]:
    problems: list[Problem] = []
    if _META.search(sentence):
        problems.append(Problem("meta", "talks about the prompt, not the question"))
    known = _numbers(facts_text) | _numbers(question)
    for n in _numbers(sentence) - known:
        if len(n) > 1 or n not in "0123456789":  # single digits ("1 to 3") are wording
            problems.append(Problem("number", f"{n} is not in the plan"))
    named = _named(sentence, catalog)
    if stray := [m for m in named if m not in allowed_models]:
        problems.append(Problem("unknown_model", f"{', '.join(stray)} is not in the plan"))
    if unknown := unknown_model_mentions(sentence, catalog):
        problems.append(Problem("unknown_model", ", ".join(unknown)))
    rows = {r["key"]: r for p in plans if p.get("kind") == "compare" for r in p["rows"]}
    for pattern, key in _COMPARATIVES:
        if not pattern.search(sentence):
            continue
        winner = _subject(sentence, named)
        row = rows.get(key)
        if row is None or winner is None or row.get("better") != winner:
            problems.append(
                Problem("comparative", f"'{pattern.pattern[:24]}' does not hold in the plan")
            )
    for m in _FITS_AT.finditer(sentence):
        quant = (m.group(1) or m.group(2)).lower()
        fits = [p for p in plans if p.get("kind") == "fit"]
        if not fits or not fits[0]["quants"].get(quant, {}).get("fits"):
            problems.append(Problem("fit", f"'fits at {quant}' does not hold in the plan"))
    return problems


def _subject(sentence: str, named: list[str]) -> str | None:
    """The model a comparative is about: in 'A is cheaper than B' / 「BよりAの方が安い」 it is A;
    otherwise the first model named."""
    if not named:
        return None
    if len(named) == 1:
        return named[0]
    low = sentence.lower()
    than = re.search(r"\bthan\b|より", low)
    if than is None:
        return named[0]
    # the one named right before 'より', or before 'than' in English, loses
    return (
        named[1]
        if "より" in low[: than.end()] and low.find("より") < low.find("の方")
        else named[0]
    )
