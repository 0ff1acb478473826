"""why_not: why a named model is not in the list: the filter that excluded it, or the
criteria on which the top pick beat it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from advisor.domain.catalog import Catalog, ModelCard
from advisor.domain.criteria import weights
from advisor.domain.plans import Plan, PlanCtx


class WhyNotEntry(BaseModel):
    model_id: str
    name: str
    excluded: bool
    reason: str | None = None
    #: the card's figures that bear on it: parameters, context window, status
    facts: dict[str, object] = Field(default_factory=dict)
    rank: int | None = None
    top: str | None = None
    behind_on: list[dict[str, object]] = Field(default_factory=list)


class WhyNotPlan(Plan):
    kind: str = "why_not"
    entries: list[WhyNotEntry]
    needs_from: str


def build(ctx: PlanCtx) -> WhyNotPlan | None:
    cards = ctx.models()
    if not cards:
        return None
    needs = ctx.needs
    entries = []
    full = ctx.rank(needs.model_copy(update={"models": []}), len(ctx.catalog), None)
    order = [r.model_id for r in full.recommendations]
    top = full.recommendations[0] if full.recommendations else None
    w = weights(needs)
    for card in cards:
        # ranked as if not named (a named retired model would be let in)
        alone = ctx.rank(needs.model_copy(update={"models": []}), 1, Catalog([card]))
        if not alone.recommendations:
            reason = ctx.excluded(card, needs.model_copy(update={"models": []}))
            entries.append(
                WhyNotEntry(
                    model_id=card.id,
                    name=card.name,
                    excluded=True,
                    reason=reason,
                    facts=_facts(card, ctx),
                )
            )
            continue
        mine = alone.recommendations[0]
        behind = []
        if top is not None and top.model_id != card.id:
            gaps = {
                k: w.get(k, 0) * (top.criteria[k].score - mine.criteria[k].score)
                for k in top.criteria
                if k in mine.criteria
            }
            for k in sorted(gaps, key=lambda k: -gaps[k])[:2]:
                if gaps[k] > 0:
                    behind.append(
                        {
                            "criterion": k,
                            "top": round(top.criteria[k].score, 2),
                            "mine": round(mine.criteria[k].score, 2),
                            "reason": mine.criteria[k].reason,
                        }
                    )
        entries.append(
            WhyNotEntry(
                model_id=card.id,
                name=card.name,
                excluded=False,
                rank=order.index(card.id) + 1 if card.id in order else None,
                top=top.name if top else None,
                behind_on=behind,
                facts=_facts(card, ctx),
            )
        )
    return WhyNotPlan(
        entries=entries,
        needs_from="previous turn" if ctx.previous is not None else "this message",
        sources=[c.source_id for c in cards],
    )


def _facts(card: ModelCard, ctx: PlanCtx) -> dict[str, object]:
    from advisor.domain.plans.compare import _status

    out: dict[str, object] = {
        "params_b": card.params_b,
        "context_window": card.context_window,
        "license": card.license,
        "price": card.price_per_mtok.model_dump() if card.price_per_mtok else None,
        "status": _status(card, ctx),
        "shutdown_date": str(card.shutdown_date) if card.shutdown_date else None,
    }
    return {k: v for k, v in out.items() if v is not None}
