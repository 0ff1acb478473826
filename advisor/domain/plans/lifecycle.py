"""lifecycle (still offered? until when? what replaces it?) and model (tell me about X)."""

from __future__ import annotations

import re
from typing import Any

from advisor.domain import evidence as ev
from advisor.domain.catalog import ModelCard
from advisor.domain.filters import is_retired, shuts_down_soon
from advisor.domain.memory import memory
from advisor.domain.plans import Plan, PlanCtx

_LIFECYCLE_PAGE = re.compile(r"deprecat|retire|lifecycle|sunset|shutdown|changelog|versions", re.I)


class LifecycleEntry(Plan):
    kind: str = "lifecycle"
    model_id: str
    name: str
    status: str  # available | deprecated | shutting_down | retired
    shutdown_date: str | None = None
    available_until: str | None = None
    successor: str | None = None
    successor_name: str | None = None
    successor_facts: dict[str, Any] | None = None
    page: str | None = None


class LifecyclePlan(Plan):
    kind: str = "lifecycle"
    entries: list[LifecycleEntry]


def entry(card: ModelCard, ctx: PlanCtx) -> LifecycleEntry:
    today = ctx.today
    if card.shutdown_date is not None and card.shutdown_date < today:
        status = "retired"
    elif is_retired(card, today) or card.deprecated:
        status = "deprecated"
    elif shuts_down_soon(card, today):
        status = "shutting_down"
    else:
        status = "available"
    succ = ctx.catalog.by_id.get(card.successor or "")
    page = next((str(s) for s in card.sources if _LIFECYCLE_PAGE.search(str(s))), None)
    if page is None and card.successor_source:
        page = str(card.successor_source)
    sources = [card.source_id] + ([succ.source_id] if succ else [])
    return LifecycleEntry(
        model_id=card.id,
        name=card.name,
        status=status,
        shutdown_date=str(card.shutdown_date) if card.shutdown_date else None,
        available_until=str(card.available_until) if card.available_until else None,
        successor=card.successor,
        successor_name=succ.name if succ else card.successor,
        successor_facts=_brief(succ) if succ else None,
        page=page or card.url,
        sources=sources,
    )


def _brief(card: ModelCard) -> dict[str, Any]:
    return {
        "model_id": card.id,
        "context_window": card.context_window,
        "price": card.price_per_mtok.model_dump() if card.price_per_mtok else None,
        "open_weights": card.open_weights,
    }


def build(ctx: PlanCtx) -> LifecyclePlan | None:
    cards = ctx.models()
    if not cards:
        return None
    entries = [entry(c, ctx) for c in cards]
    return LifecyclePlan(entries=entries, sources=[s for e in entries for s in e.sources])


class AboutPlan(Plan):
    kind: str = "model"
    model_id: str
    name: str
    vendor: str
    facts: dict[str, Any]
    lifecycle: LifecycleEntry


def build_about(ctx: PlanCtx) -> AboutPlan | None:
    cards = ctx.models()
    if not cards:
        return None
    card = cards[0]
    ja = ev.score(card, ev.JA_AVG)
    facts: dict[str, Any] = {
        "release_date": str(card.release_date) if card.release_date else None,
        "params_b": card.params_b,
        "active_params_b": card.active_params_b,
        "context_window": card.context_window,
        "license": card.license,
        "commercial_use": card.commercial_use,
        "open_weights": card.open_weights,
        "deployment": card.deployment,
        "japanese": card.japanese.value,
        "japanese_basis": ev.japanese_basis(card),
        "japanese_score": round(ja.score, 3) if ja else None,
        "tier": card.tier.value,
        "price": card.price_per_mtok.model_dump() if card.price_per_mtok else None,
        "memory_q4_gb": memory(card, "q4").total_gb
        if card.runs_locally and card.params_b
        else None,
        "use_cases": [u.value for u in card.use_cases],
        "strengths": card.strengths.get(ctx.lang),
        "cautions": card.cautions.get(ctx.lang),
    }
    return AboutPlan(
        model_id=card.id,
        name=card.name,
        vendor=card.vendor,
        facts={k: v for k, v in facts.items() if v is not None},
        lifecycle=entry(card, ctx),
        sources=[card.source_id],
    )
