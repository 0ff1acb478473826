"""The faithfulness guard: what a generated sentence claims, checked against the model cards
before it is shown (numbers, Japanese specialisation, licence and open weights, model names,
language, prompt echo). A sentence with a problem is replaced by the card's own sentence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from advisor.domain.catalog import Catalog, ModelCard

_JA_CHARS = re.compile(r"[ぁ-んァ-ヶ一-龥]")
_KANA = re.compile(r"[ぁ-んァ-ヶ]")

#: family + version names ("GPT-7", "Llama 9 400B"): a model mention the catalog must know
_FAMILY_VERSION = re.compile(
    r"(?<![a-z0-9])(gpt|claude|gemini|llama|mistral|mixtral|qwen|gemma|phi|falcon|deepseek|codellama|starcoder|"
    r"codestral|command|swallow|elyza|plamo|sarashina|calm|llm jp|nllb|m2m|bart|madlad|seamless|o)"
    r"\s*(\d[\w.]*(?:\s+(?:pro|flash|mini|nano|opus|sonnet|haiku|turbo|large|small|\d+(?:\.\d+)?b))?)"
)

# numbers with a unit: what they claim
_PARAMS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:B\b|billion|億)", re.I)
_MEMORY = re.compile(r"(\d+(?:\.\d+)?)\s*(?:GB|GiB|ギガ)", re.I)
_PRICE = re.compile(r"(?:\$\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:ドル|USD|dollars?))", re.I)
_CONTEXT = re.compile(
    r"(\d+(?:[.,]\d+)*)\s*(K|k|M|万|千)?\s*(?:-?\s*tokens?|トークン)"
    r"|(\d+(?:\.\d+)?)\s*(K|k|M)\b(?!\s*(?:B|GB))",
)

_SPECIALISED = re.compile(
    r"日本語(?:に)?特化|日本語専用|Japanese[- ]speciali[sz]ed|speciali[sz]ed (?:in|for) Japanese|"
    r"Japanese[- ]specific|built for Japanese",
    re.I,
)
_OPEN_CLAIM = re.compile(
    r"open[- ]weights?|open[- ]source|weights are (?:public|open|available)|オープン(?:ウェイト|ソース)|"
    r"重み(?:が|を)?公開|ローカルで(?:動|実行|使え)|run(?:s)? locally|self-host",
    re.I,
)
_CLOSED_CLAIM = re.compile(
    r"closed[- ](?:weights?|source|model)|proprietary|API[- ]only|API でのみ|APIのみ|"
    r"重み(?:は|が)?(?:非公開|公開されていない)|クローズド",
    re.I,
)
_NO_COMMERCIAL = re.compile(
    r"商用(?:利用)?(?:は|が)?(?:できない|できません|不可|禁止)|non[- ]commercial|"
    r"not (?:be )?(?:used )?(?:for )?commercial|no commercial use",
    re.I,
)
_COMMERCIAL_OK = re.compile(
    r"商用(?:利用)?(?:も|が|は)?(?:可能|できる|できます|可|OK)|commercial use is (?:allowed|permitted)|"
    r"(?:can|may) be used commercially|allows? commercial use",
    re.I,
)
#: licence names a sentence may state: each must agree with the card's licence
_LICENCES = {
    "apache": re.compile(r"apache", re.I),
    "mit": re.compile(r"(?<![a-z])MIT(?![a-z])"),
    "gemma": re.compile(r"gemma (?:terms|licen[cs]e|利用規約)|gemma terms", re.I),
    "llama": re.compile(
        r"llama [\d.]* ?community licen[cs]e|llama licen[cs]e|llamaライセンス", re.I
    ),
    "cc-by-nc": re.compile(r"cc[- ]by[- ]nc", re.I),
    "openrail": re.compile(r"openrail", re.I),
}


@dataclass(frozen=True)
class Problem:
    kind: str  # number | japanese | licence | open_weights | commercial | unknown_model | language | echo
    detail: str


def unknown_model_mentions(text: str, catalog: Catalog) -> list[str]:
    """Family + version names (e.g. "GPT-7", "Llama 9 400B") that match no catalog card.
    Known names are blanked first; a bare family name ("Claude") is not a model mention."""
    rest = catalog.strip_mentions(text)
    return [f"{m.group(1)} {m.group(2)}".strip() for m in _FAMILY_VERSION.finditer(rest)]


def _close(value: float, allowed: Iterable[float], rel: float = 0.06) -> bool:
    for a in allowed:
        if a and (abs(value - a) <= rel * a or abs(value - a) < 0.051 or round(a) == value):
            return True
    return False


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def _strip_names(text: str, cards: list[ModelCard]) -> str:
    """The sentence without the names of the cards it is about (their digits are no claims)."""
    for card in sorted(cards, key=lambda c: -len(c.name)):
        for name in sorted({card.name, card.id, *card.aliases}, key=len, reverse=True):
            text = re.sub(re.escape(name), " ", text, flags=re.I)
    return text


def _context_values(card: ModelCard) -> list[float]:
    if not card.context_window:
        return []
    cw = float(card.context_window)
    return [cw, cw / 1000, cw / 1024, cw / 1_000_000, cw / 1024 / 1024, cw / 10_000]


def check_sentence(
    sentence: str,
    card: ModelCard | None,
    catalog: Catalog,
    lang: str,
    *,
    stated: str = "",
    extra_numbers: Iterable[float] = (),
    prompt_text: str = "",
    peers: Iterable[ModelCard] = (),
) -> list[Problem]:
    """What in `sentence` (about `card`, the pick it was written for) contradicts the cards.

    Numbers may come from the card(s) named, the pick's card, the user's own text (`stated`) or
    `extra_numbers` (figures the pick's fact line gave, such as memory headroom). A price
    superlative ("the cheapest", "最も高い") must hold among `peers`, the answer's picks."""
    problems: list[Problem] = []
    if card is not None and (bad := _price_superlative(sentence, card, list(peers))):
        problems.append(Problem("comparison", bad))
    named = [catalog.by_id[i] for i in catalog.mentioned(sentence) if i in catalog.by_id]
    cards = list({c.id: c for c in [card, *named] if c is not None}.values())
    for name in unknown_model_mentions(sentence, catalog):
        problems.append(Problem("unknown_model", f"names {name!r}, which the catalog lacks"))
    # language: the asker's, never the other one
    if lang == "ja" and not _JA_CHARS.search(sentence):
        problems.append(Problem("language", "not Japanese"))
    if lang == "en" and _KANA.search(sentence):
        problems.append(Problem("language", "not English"))
    if prompt_text and echoes(sentence, prompt_text):
        problems.append(Problem("echo", "repeats the prompt"))
    rest = _strip_names(sentence, cards)
    user_nums = [_num(m) for m in re.findall(r"\d+(?:[.,]\d+)*", stated)]
    extra = [*extra_numbers, *user_nums]
    if cards:
        params = [v for c in cards for v in (c.params_b, c.active_params_b) if v]
        for m in _PARAMS.finditer(rest):
            v = float(m.group(1))
            if "億" in m.group(0):
                v /= 10
            if not _close(v, [*params, *extra]):
                problems.append(Problem("number", f"parameters {m.group(0)!r}"))
        mem = [float(x) for c in cards if c.params_b for x in _memory_of(c)]
        for m in _MEMORY.finditer(rest):
            if not _close(float(m.group(1)), [*mem, *extra]):
                problems.append(Problem("number", f"memory {m.group(0)!r}"))
        prices = [
            float(v)
            for c in cards
            if c.price_per_mtok
            for v in c.price_per_mtok.model_dump().values()
            if isinstance(v, int | float)
        ]
        for m in _PRICE.finditer(rest):
            v = float(m.group(1) or m.group(2))
            if not _close(v, [*prices, *extra], rel=0.02):
                problems.append(Problem("number", f"price {m.group(0)!r}"))
        ctx = [v for c in cards for v in _context_values(c)]
        for m in _CONTEXT.finditer(rest):
            raw, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            v = _num(raw)
            unit = (unit or "").upper()
            v = {"K": v * 1000, "千": v * 1000, "M": v * 1_000_000, "万": v * 10_000}.get(unit, v)
            if v < 1000:  # "3 tokens per ..." is no context claim
                continue
            before, after = rest[max(0, m.start() - 5) : m.start()], rest[m.end() : m.end() + 3]
            if re.search(r"(?:per|/)\s*$", before) or after.startswith(("あたり", "当たり")):
                continue  # "$0.1 per 1M tokens", "100万トークンあたり": a price's unit
            if not (_close(v, ctx) or _close(v / 1000, ctx) or _close(v, extra)):
                problems.append(Problem("number", f"context {m.group(0)!r}"))
    for c in cards:
        problems.extend(_claims(rest if c is card else sentence, c, len(cards)))
    return problems


def _memory_of(card: ModelCard) -> list[float]:
    from advisor.domain.memory import memory

    assert card.params_b
    return [memory(card, q, 4096).total_gb for q in ("q4", "q8", "fp16")]


def _claims(sentence: str, card: ModelCard, n_cards: int) -> list[Problem]:
    """Japanese specialisation, open weights, commercial use and licence, for `card` (only when
    the sentence is about that card alone: with two cards named, a claim has no clear owner)."""
    if n_cards > 1:
        return []
    out = []
    if _SPECIALISED.search(sentence) and card.japanese.value != "strong":
        out.append(
            Problem("japanese", f"calls {card.name} Japanese-specialised (card: {card.japanese})")
        )
    if (
        _OPEN_CLAIM.search(sentence)
        and not card.open_weights
        and not _CLOSED_CLAIM.search(sentence)
    ):
        out.append(Problem("open_weights", f"says {card.name} has open weights (card: closed)"))
    if _CLOSED_CLAIM.search(sentence) and card.open_weights:
        out.append(Problem("open_weights", f"says {card.name} is closed (card: open weights)"))
    if _NO_COMMERCIAL.search(sentence) and card.commercial_use == "yes":
        out.append(Problem("commercial", f"says no commercial use (card: {card.commercial_use})"))
    elif _COMMERCIAL_OK.search(sentence) and card.commercial_use == "no":
        out.append(
            Problem("commercial", f"says commercial use is fine (card: {card.commercial_use})")
        )
    for key, pat in _LICENCES.items():
        if (
            pat.search(sentence)
            and not pat.search(card.license)
            and key not in card.license.lower()
        ):
            out.append(Problem("licence", f"names a {key} licence (card: {card.license})"))
    return out


def _windows(text: str, n: int) -> set[str]:
    text = re.sub(r"\s+", " ", text)
    return {text[i : i + n] for i in range(max(0, len(text) - n + 1))}


def echoes(sentence: str, prompt_text: str) -> bool:
    """Whether the sentence copies a run of the prompt's fixed wording (12 characters of
    Japanese, 28 of English)."""
    n = 12 if _JA_CHARS.search(sentence) else 28
    if len(sentence) < n:
        return False
    return bool(_windows(sentence, n) & _windows(prompt_text, n))


_CHEAPEST = re.compile(r"cheapest|least expensive|lowest[- ]priced|最も安|一番安|最安", re.I)
_PRICIEST = re.compile(
    r"most expensive|priciest|highest[- ]priced|最も高い|一番高い|最も高価", re.I
)


def _blended(card: ModelCard) -> float | None:
    return card.price_per_mtok.blended if card.price_per_mtok else None


def _price_superlative(sentence: str, card: ModelCard, peers: list[ModelCard]) -> str | None:
    """'X is the cheapest / most expensive' where, among the picks with a price, it is not."""
    mine = _blended(card)
    prices = [b for c in peers if (b := _blended(c)) is not None]
    if mine is None or len(prices) < 2:
        return None
    if _CHEAPEST.search(sentence) and mine > min(prices):
        return "calls it the cheapest of the picks"
    if _PRICIEST.search(sentence) and mine < max(prices):
        return "calls it the most expensive of the picks"
    return None
