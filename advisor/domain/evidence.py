"""Benchmark evidence on model cards, and the Japanese level and accuracy tier derived from it.

Evidence comes from the cards' own `evidence` entries and from
`knowledge/evidence/swallow-v2.yaml` (the Swallow LLM Leaderboard v2, CC BY 4.0, regenerated
by `scripts/import_swallow.py`), attached at load time as entries
{benchmark: swallow-ja-avg | swallow-en-avg | swallow-ja-mtbench, score, source, date}.

Where a card has a Swallow Japanese average, its `japanese` level is derived from it; where it
has both averages, its accuracy `tier` is too. Otherwise the editorial label stays and is
"estimated". Thresholds (chosen from the 68 post-trained models of the leaderboard, data of
2026-05; deciles of the Japanese average 0.26 / 0.40 / 0.44 / 0.46 / 0.50 / 0.52 / 0.55 / 0.58 /
0.63; documented in knowledge/models/README.md):

- `japanese` from the Japanese average: `strong` >= 0.55 (the top ~30 %: GPT-4.1 and
  gpt-oss-120b level and above), `good` >= 0.40 (down to the 20th percentile), `basic` below.
  `none` is never derived: a model scored on Japanese tasks does produce Japanese.
- `tier` from the mean of the Japanese and English averages: `high` >= 0.65 (about the top
  fifth), `mid` >= 0.40, `light` below. `frontier` is never derived (the leaderboard lacks most
  of today's top API models); an editorial `frontier` stays when the mean is >= 0.65.

For ranking, `japanese_strength` and `accuracy_strength` scale the scores continuously. An
estimated label counts as the lower edge of its evidence band, so an unmeasured claim never
outranks a measured model of the same band; for an unmeasured open-weight model, the Japanese
average its size and release date predict (`ja_estimate`; the labels explain little of the
measured spread) lowers that value where it is lower, and never raises it (API models, whose
size is undisclosed, could not be treated alike).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, HttpUrl, ValidationError

from advisor.domain import ja_estimate
from advisor.domain.catalog import Catalog, Evidence, Japanese, ModelCard, Tier
from advisor.errors import DataError, safe_yaml

JA_AVG = "swallow-ja-avg"
EN_AVG = "swallow-en-avg"
JA_MTBENCH = "swallow-ja-mtbench"
SWALLOW_FILE = "swallow-v2.yaml"

#: lower bounds of the Japanese levels on the Swallow Japanese average
JA_STRONG, JA_GOOD = 0.55, 0.40
#: lower bounds of the accuracy tiers on the mean of the Swallow Japanese and English averages
TIER_HIGH, TIER_MID = 0.65, 0.40

#: Japanese average -> 0..1 for ranking: 0.10 -> 0, 0.25 -> 0.25, 0.40 -> 0.5, 0.55 -> 0.75, 0.70 -> 1
_JA_FLOOR, _JA_TOP = 0.10, 0.70
#: the value an estimated Japanese label counts as (the lower edge of its band, on that scale)
_JA_ESTIMATE = {"strong": 0.75, "good": 0.5, "basic": 0.25, "none": 0.0}
#: the strength at the lower edge of the `good` band (Swallow ja avg 0.40)
GOOD_STRENGTH = _JA_ESTIMATE["good"]
#: ja/en mean -> 0..1 for ranking, as knots (light < 0.40 <= mid < 0.65 <= high); the
#: leaderboard's best (about 0.79) stays below an editorial frontier label (0.75 + size)
_ACC_KNOTS = ((0.15, 0.0), (0.40, 0.25), (0.65, 0.5), (0.80, 0.75), (0.95, 1.0))

Basis = Literal["evidence", "estimated"]


class SwallowModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    leaderboard_id: str
    leaderboard_name: str
    reasoning: str = "N/A"
    ja_avg: float | None = None
    en_avg: float | None = None
    ja_mtbench: float | None = None
    note: str | None = None


class SwallowDataset(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    version: str
    date: dt.date
    licence: str
    licence_url: HttpUrl
    copyright: str
    attribution: str
    page: HttpUrl
    page_ja: HttpUrl
    about: HttpUrl
    data: HttpUrl
    post_trained_models: int
    ja_avg_deciles: list[float]


class SwallowData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    dataset: SwallowDataset
    models: dict[str, SwallowModel]


@lru_cache(maxsize=4)
def load_swallow(path: Path) -> SwallowData | None:
    """The generated Swallow evidence file (None when absent)."""
    if not path.is_file():
        return None
    try:
        return SwallowData.model_validate(safe_yaml(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise DataError(f"{path.name}: field '{where}': {err['msg']}") from None


def swallow_entries(model: SwallowModel, data: SwallowData) -> list[Evidence]:
    ds = data.dataset
    note = f"{ds.name} ({ds.copyright}, {ds.licence}): {model.leaderboard_name}"
    if model.reasoning not in ("N/A", ""):
        note += f", reasoning {model.reasoning}"
    scores = ((JA_AVG, model.ja_avg), (EN_AVG, model.en_avg), (JA_MTBENCH, model.ja_mtbench))
    return [
        Evidence(benchmark=b, score=s, source=ds.page, date=ds.date, note=note[:200])
        for b, s in scores
        if s is not None
    ]


def attach(catalog: Catalog, evidence_dir: Path) -> Catalog:
    """Cards with the Swallow evidence added (a card's own entry for a benchmark wins) and
    their Japanese level and tier derived from evidence where it exists."""
    data = load_swallow(evidence_dir / SWALLOW_FILE)
    cards = []
    for card in catalog:
        model = data.models.get(card.id) if data else None
        if model is not None and data is not None:
            own = {e.benchmark for e in card.evidence}
            extra = [e for e in swallow_entries(model, data) if e.benchmark not in own]
            card = card.model_copy(update={"evidence": [*card.evidence, *extra]})
        cards.append(derive(card))
    measured = {c.id: ja.score for c in cards if (ja := score(c, JA_AVG)) is not None}
    return Catalog(ja_estimate.apply(cards, measured))


def score(card: ModelCard, benchmark: str) -> Evidence | None:
    return next((e for e in card.evidence if e.benchmark == benchmark), None)


def japanese_from(ja_avg: float) -> Japanese:
    if ja_avg >= JA_STRONG:
        return Japanese.strong
    return Japanese.good if ja_avg >= JA_GOOD else Japanese.basic


def capability(card: ModelCard) -> float | None:
    """Mean of the Swallow Japanese and English averages (None unless both exist)."""
    ja, en = score(card, JA_AVG), score(card, EN_AVG)
    return None if ja is None or en is None else (ja.score + en.score) / 2


def tier_from(mean: float, editorial: Tier) -> Tier:
    if mean >= TIER_HIGH:
        return Tier.frontier if editorial is Tier.frontier else Tier.high
    return Tier.mid if mean >= TIER_MID else Tier.light


def derive(card: ModelCard) -> ModelCard:
    """The card with `japanese` and `tier` derived from its evidence, origins in `filled`."""
    update: dict[str, object] = {}
    filled = dict(card.filled)
    ja = score(card, JA_AVG)
    if ja is not None:
        level = japanese_from(ja.score)
        update["japanese"] = level
        filled["japanese"] = (
            f"derived from Swallow ja avg {ja.score:.3f} ({ja.date:%Y-%m}; strong >= {JA_STRONG},"
            f" good >= {JA_GOOD}); editorial label: {card.japanese.value}"
        )
    mean = capability(card)
    if mean is not None:
        update["tier"] = tier_from(mean, card.tier)
        filled["tier"] = (
            f"derived from the mean of Swallow ja/en avg {mean:.3f} (high >= {TIER_HIGH},"
            f" mid >= {TIER_MID}); editorial tier: {card.tier.value}"
        )
    if not update:
        return card
    return card.model_copy(update={**update, "filled": filled})


def japanese_basis(card: ModelCard) -> Basis:
    return "evidence" if score(card, JA_AVG) is not None else "estimated"


def tier_basis(card: ModelCard) -> Basis:
    return "evidence" if capability(card) is not None else "estimated"


def _scale(x: float, knots: tuple[tuple[float, float], ...]) -> float:
    if x <= knots[0][0]:
        return knots[0][1]
    for (x0, y0), (x1, y1) in pairwise(knots):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return knots[-1][1]


def japanese_strength(card: ModelCard) -> float:
    """0..1: the Swallow Japanese average scaled; else the lower edge of the label's band, or
    for an unmeasured open model the average its size and release date predict (ja_estimate)
    where that is lower: like the label, an estimate never outranks a measurement."""
    ja = score(card, JA_AVG)
    if ja is not None:
        return _scaled_ja(ja.score)
    label = _JA_ESTIMATE[card.japanese.value]
    if card.japanese_estimate is None:
        return label
    return min(label, _scaled_ja(card.japanese_estimate))  # size and age only lower a claim


def estimate_lowers(card: ModelCard) -> bool:
    """The size-and-date estimate, not the label, sets the card's Japanese strength."""
    if score(card, JA_AVG) is not None or card.japanese_estimate is None:
        return False
    return _scaled_ja(card.japanese_estimate) < _JA_ESTIMATE[card.japanese.value]


def _scaled_ja(value: float) -> float:
    return min(max((value - _JA_FLOOR) / (_JA_TOP - _JA_FLOOR), 0.0), 1.0)


def accuracy_strength(card: ModelCard) -> float | None:
    """0..1 from the ja/en mean (None without it); tier bands map to quarters of the scale."""
    mean = capability(card)
    return None if mean is None else _scale(mean, _ACC_KNOTS)


_LABELS = {
    JA_AVG: ("Swallow日本語平均", "Swallow ja avg"),
    EN_AVG: ("Swallow英語平均", "Swallow en avg"),
    JA_MTBENCH: ("Swallow日本語MT-Bench", "Swallow ja MT-Bench"),
}


def quote(entries: list[Evidence], lang: str) -> str:
    """'Swallow ja avg 0.491 / en avg 0.662 (2026-05) [URL] (Swallow LLM team, CC BY 4.0)':
    the scores, the data's month, the source link and, for the leaderboard, its credit."""
    if not entries:
        return ""
    i = 0 if lang == "ja" else 1
    parts = []
    for k, e in enumerate(entries):
        label = _LABELS.get(e.benchmark, (e.benchmark, e.benchmark))[i]
        parts.append(f"{label.removeprefix('Swallow').strip() if k else label} {e.score:.3g}")
    first = entries[0]
    credit = " (Swallow LLM team, CC BY 4.0)" if first.benchmark.startswith("swallow-") else ""
    return f"{' / '.join(parts)} ({first.date:%Y-%m}) [{first.source}]{credit}"
