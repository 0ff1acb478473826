"""Answer plans: for each question kind, the facts that answer it, computed from the data.

One small module per kind builds its plan from a `PlanCtx`; `present/plans.py` renders it
(text for the no-LLM answer and the CLI, tables for the UI); the LLM only explains it. The
recommender stays the only ranker: plans call it, never rank by themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from advisor.domain.budget import Rate
from advisor.domain.catalog import Catalog, ModelCard
from advisor.domain.criteria import hardware_of
from advisor.domain.glossary import Glossary
from advisor.domain.hardware import DEFAULT_CONTEXT, Hardware
from advisor.domain.kinds import Reading
from advisor.domain.needs import Needs
from advisor.domain.recommend import Result

#: a plan names at most this many models (compare takes 2-4)
MAX_MODELS = 4


class Plan(BaseModel):
    """What answers one kind of question, with the source ids (cards, guide sections, glossary
    entries) its facts come from."""

    kind: str
    sources: list[str] = Field(default_factory=list)


@dataclass
class PlanCtx:
    """What a plan may use: the data, the needs and the ranker (as a callable, so plans stay
    in the domain and the services decide how it runs)."""

    catalog: Catalog
    glossary: Glossary
    needs: Needs
    reading: Reading
    rank: Callable[[Needs, int, Catalog | None], Result]
    bandwidth: Callable[[str | None], float | None] = lambda name: None
    #: the hard filter that keeps a card out for these needs (None: none does)
    excluded: Callable[[ModelCard, Needs], str | None] = lambda card, needs: None
    result: Result | None = None
    previous: Needs | None = None
    today: dt.date = field(default_factory=dt.date.today)
    gpu_hourly_usd: float = 2.0
    rate: Rate = field(default_factory=Rate)

    @property
    def lang(self) -> str:
        return self.needs.lang

    @property
    def context(self) -> int:
        return self.needs.context_tokens or DEFAULT_CONTEXT

    @property
    def context_stated(self) -> bool:
        return self.needs.context_tokens is not None

    @property
    def hardware(self) -> Hardware | None:
        hw = hardware_of(self.needs)
        if hw is None:
            return None
        count = _count(self.needs.gpu_name)
        return Hardware(hw.name, hw.memory_gb, hw.kind, count)

    def models(self) -> list[ModelCard]:
        """The named cards, one per family+size: 'gemini' alone means its newest current card."""
        cards = [self.catalog.by_id[m] for m in self.reading.models if m in self.catalog.by_id]
        return pick_named(cards)[:MAX_MODELS]


def _count(name: str | None) -> int:
    import re

    m = re.match(r"(\d+)×", name or "")
    total = int(m.group(1)) if m else 1
    return total + (name or "").count(" + ")


def pick_named(cards: list[ModelCard]) -> list[ModelCard]:
    """Where a family name matched many cards ('gemma 2' -> 2b, 9b, 27b), keep them unless
    there are more than MAX_MODELS; then keep the newest current ones."""
    if len(cards) <= MAX_MODELS:
        return cards
    by_family: dict[str, list[ModelCard]] = {}
    for c in cards:
        by_family.setdefault(c.family, []).append(c)
    out: list[ModelCard] = []
    for group in by_family.values():
        group.sort(key=lambda c: (not c.deprecated, c.release_date or dt.date.min), reverse=True)
        out.append(group[0])
    return out


def build_plans(ctx: PlanCtx) -> list[Plan]:
    """The plans of every kind the reading holds (recommend is the shortlist itself)."""
    from advisor.domain.plans import compare, cost, decide, explain, fit, lifecycle, why_not

    builders: dict[str, Callable[[PlanCtx], Plan | None]] = {
        "compare": compare.build,
        "fit": fit.build,
        "cost": cost.build,
        "lifecycle": lifecycle.build,
        "model": lifecycle.build_about,
        "explain": explain.build,
        "decide": decide.build,
        "why_not": why_not.build,
        "out_of_scope": explain.build_out_of_scope,
    }
    plans = []
    for kind in ctx.reading.kinds:
        if (make := builders.get(kind)) is not None and (plan := make(ctx)) is not None:
            plans.append(plan)
    return plans
