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
    for m in re.finditer(lex.RESIDENCY, t, re.ASCII):
        place = next((g for g in m.groups() if g), "") or m.group(0)
        if not _refused(place, t[m.end() :]):
            code = _place_code(place, _sentence_at(t, m.start()))
            break
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
    places = "|".join([*lex.RESIDENCY_NAMED.values(), lex.RESIDENCY_GENERIC])
    for m in re.finditer(places, sentence):
        if re.search(lex.RESIDENCY_ALLOWED, sentence[m.end() :]):
            return None
        if not _refused(m.group(0), sentence[m.end() :]):
            return _place_code(m.group(0), sentence)
    return None


def _refused(place: str, after: str) -> bool:
    """A named place the data must not go to (「アメリカのサーバーは経由しない」): not where it
    must stay. 国外 or "outside" refused means the country itself."""
    if re.search(lex.RESIDENCY_GENERIC, place) or re.search(r"外|outside", place):
        return False
    if re.match(r"\s*(?:以外|の外|外)", after):  # 「日本以外のサーバーは禁止」: Japan is required
        return False
    return (
        re.search(
            lex.RESIDENCY_REFUSED, re.sub(r"^(?:の)?(?:サーバー?|リージョン|クラウド)", "", after)
        )
        is not None
    )
