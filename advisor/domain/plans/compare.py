"""compare: the named models' facts side by side, and per criterion which is better, by how much."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from advisor.domain import evidence as ev
from advisor.domain.catalog import ModelCard
from advisor.domain.memory import memory
from advisor.domain.plans import Plan, PlanCtx


class Row(BaseModel):
    """One fact of every model; `better` is the card id that wins on it (None: no winner or no
    order), `by` how much ('0.255 higher', '2.0x cheaper')."""

    key: str
    criterion: str
    values: dict[str, Any]
    better: str | None = None
    by: str | None = None
    basis: str | None = None


class ComparePlan(Plan):
    kind: str = "compare"
    models: list[str]
    names: dict[str, str]
    context: int
    context_stated: bool
    rows: list[Row]
    focus: str | None = None


def _winner(values: dict[str, float | None], higher: bool) -> tuple[str | None, float, float]:
    known = {k: v for k, v in values.items() if v is not None}
    if len(known) < 2:
        return None, 0.0, 0.0
    order = sorted(known, key=lambda k: known[k], reverse=higher)
    best, second = order[0], order[1]
    a, b = known[best], known[second]
    if a == b:
        return None, a, b
    return best, known[best], known[second]


def _row(
    key: str, criterion: str, values: dict[str, Any], higher: bool | None, fmt: str = "diff"
) -> Row:
    row = Row(key=key, criterion=criterion, values=values)
    if higher is None:
        return row
    best, a, b = _winner({k: _num(v) for k, v in values.items()}, higher)
    # a near tie names no winner: under 5% for sizes and prices, under 0.005 for scores
    near = abs(a - b) < 0.005 if fmt == "diff" else max(a, b) < 1.05 * min(a, b)
    if best is None or near:
        return row
    row.better = best
    if fmt == "ratio" and min(a, b) > 0:
        row.by = f"{max(a, b) / min(a, b):.1f}x"
    else:
        row.by = f"{abs(a - b):.3g}"
    return row


def _num(v: Any) -> float | None:
    if isinstance(v, dict):
        return v.get("blended")
    return float(v) if isinstance(v, int | float) else None


def _ja(card: ModelCard) -> float | None:
    e = ev.score(card, ev.JA_AVG)
    return round(e.score, 3) if e else None


def build(ctx: PlanCtx) -> ComparePlan | None:
    cards = ctx.models()
    if len(cards) < 2:
        return None
    ids = [c.id for c in cards]
    ctx_tokens = ctx.context

    def per(fn: Any) -> dict[str, Any]:
        return {c.id: fn(c) for c in cards}

    rows = [
        _row("params_b", "accuracy", per(lambda c: c.params_b), higher=True, fmt="ratio"),
        _row("active_params_b", "compute_cost", per(lambda c: c.active_params_b), higher=None),
        _row("tier", "accuracy", per(lambda c: c.tier.value), higher=None),
        _row("japanese_score", "multilingual", per(_ja), higher=True),
        _row("japanese", "multilingual", per(lambda c: c.japanese.value), higher=None),
        _row("context_window", "use_case", per(lambda c: c.context_window), True, "ratio"),
        _row(
            "price",
            "compute_cost",
            per(
                lambda c: (
                    {
                        "input": c.price_per_mtok.input,
                        "output": c.price_per_mtok.output,
                        "blended": round(c.price_per_mtok.blended, 4),
                    }
                    if c.price_per_mtok
                    else None
                )
            ),
            higher=False,
            fmt="ratio",
        ),
        _row(
            "memory_q4_gb",
            "compute_cost",
            per(
                lambda c: (
                    memory(c, "q4", min(ctx_tokens, c.context_window or ctx_tokens)).total_gb
                    if c.runs_locally and c.params_b
                    else None
                )
            ),
            higher=False,
            fmt="ratio",
        ),
        _row("license", "customization", per(lambda c: c.license), higher=None),
        _row("commercial_use", "customization", per(lambda c: c.commercial_use), higher=None),
        _row("open_weights", "deployment", per(lambda c: c.open_weights), higher=None),
        _row("release_date", "accuracy", per(lambda c: str(c.release_date or "")), None),
        _row("status", "deployment", per(lambda c: _status(c, ctx)), higher=None),
        _row("successor", "deployment", per(lambda c: _successor(c, ctx)), higher=None),
    ]
    rows[3].basis = "Swallow LLM Leaderboard v2 (ja avg)" if rows[3].better else None
    rows[7].basis = "architecture" if all(c.architecture for c in cards) else "estimated"
    rows = [r for r in rows if any(v not in (None, "", False) for v in r.values.values())]
    focus = None
    if ctx.needs.japanese:
        focus = "japanese_score"
    elif ctx.needs.priority == "cost":
        focus = "price" if any(c.price_per_mtok for c in cards) else "memory_q4_gb"
    return ComparePlan(
        models=ids,
        names={c.id: c.name for c in cards},
        context=ctx_tokens,
        context_stated=ctx.context_stated,
        rows=rows,
        focus=focus,
        sources=[c.source_id for c in cards],
    )


def _successor(card: ModelCard, ctx: PlanCtx) -> str | None:
    if not card.successor:
        return None
    succ = ctx.catalog.by_id.get(card.successor)
    return succ.name if succ else card.successor


def _status(card: ModelCard, ctx: PlanCtx) -> str:
    from advisor.domain.filters import is_retired

    if is_retired(card, ctx.today):
        return "retired"
    return "deprecated" if card.deprecated else "available"
