"""Where data must stay (a country or region): the residency slot, read from the residency
phrasings, else from a place and a limit on where data may be in the same sentence."""

from __future__ import annotations

import re

from advisor.domain import needs_lexicon as lex


def residency(t: str, found: dict[str, object], notes: list[str]) -> None:
    """A country or region the data must stay in: its own slot; the recommender then admits
    only models that can run locally (no card records an API's region). Read from the
    residency phrasings, else from a place and a limit in the same sentence."""
    code = None
    if m := re.search(lex.RESIDENCY, t, re.ASCII):
        place = next((g for g in m.groups() if g), "") or m.group(0)
        code = _place_code(place, _sentence_at(t, m.start()))
    if code is None:
        code = next(
            (c for s in re.split(r"[。．！？!?;；\n]|\.(?:\s|$)", t) if (c := _limit(s))), None
        )
    if code is None:
        return
    found["residency"] = code
    notes.append(f"residency: data stays in {code}; no API in the catalog records its region")


def _sentence_at(t: str, i: int) -> str:
    start = max(t.rfind(p, 0, i) for p in "。．！？!?\n") + 1
    ends = [e for p in "。．！？!?\n" if (e := t.find(p, i)) != -1]
    return t[start : min(ends, default=len(t))]


def _place_code(place: str, sentence: str) -> str | None:
    """A place's code; a generic one (国内, in-country) takes the country its sentence names,
    else Japan when the word is Japanese."""
    for pattern in (place, sentence):
        if code := next((c for c, p in lex.RESIDENCY_NAMED.items() if re.search(p, pattern)), None):
            return code
    if re.search(lex.RESIDENCY_GENERIC, place) and re.search(r"国内|国外|海外", place):
        return "jp"
    return next((c for c, p in lex.RESIDENCY_PLACES.items() if re.search(p, place)), None)


def _limit(sentence: str) -> str | None:
    """The first named or generic place, when the sentence limits where data may be."""
    if not re.search(lex.RESIDENCY_LIMIT, sentence) or re.search(lex.RESIDENCY_NONE, sentence):
        return None
    m = re.search("|".join([*lex.RESIDENCY_NAMED.values(), lex.RESIDENCY_GENERIC]), sentence)
    if m is None or re.search(lex.RESIDENCY_ALLOWED, sentence[m.end() :]):
        return None
    return _place_code(m.group(0), sentence)
