"""fit: does a named model run on the stated hardware, at which quantisation, how fast, and
what would it take. The same report serves `advisor fit`, the chat and the recommender's
figures (one computation: domain/memory.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from advisor.domain.catalog import ModelCard
from advisor.domain.hardware import GPU_MEMORY_GB, QUANTS, USABLE_RAM, Hardware
from advisor.domain.memory import (
    PER_GPU_OVERHEAD_GB,
    KVType,
    fit,
    max_context,
    memory,
    speed_range,
    usable_gb,
)
from advisor.domain.plans import Plan, PlanCtx

#: single cards people buy, smallest first, for "what would it take"
_CARDS = ("rtx 4060 ti", "rtx 4070 ti super", "rtx 4090", "rtx 5090", "rtx a6000", "h100", "h200")
#: system RAM bandwidth assumed for the part of a model left on the CPU (dual-channel DDR5)
CPU_BANDWIDTH_GB_S = 60.0


class QuantRow(BaseModel):
    weights_gb: float
    kv_gb: float
    overhead_gb: float
    total_gb: float
    fits: bool | None
    headroom_gb: float | None


class Offload(BaseModel):
    """The model split between GPU and system RAM when the GPU alone is too small."""

    quant: str
    gpu_share: float
    ram_gb_needed: float
    tok_s: float | None


class FitPlan(Plan):
    kind: str = "fit"
    model_id: str
    name: str
    runs_locally: bool
    context: int
    context_stated: bool
    kv_type: str
    hardware: dict[str, Any] | None
    quants: dict[str, QuantRow]
    best: str | None
    max_context: dict[str, int]
    speed: dict[str, Any] | None = None
    offload: Offload | None = None
    would_take: list[str] = Field(default_factory=list)
    alternatives: list[str] = Field(default_factory=list)
    basis: str
    #: note codes, worded by present/plans.py: capped:<tokens>, split:<cards>, unified
    notes: list[str] = Field(default_factory=list)


def report(
    card: ModelCard,
    hw: Hardware | None,
    context: int,
    kv_type: KVType = "f16",
    ram_gb: float | None = None,
    bandwidth_gb_s: float | None = None,
    context_stated: bool = True,
) -> FitPlan:
    """The per-quantisation table for `card` at `context` on `hw` (None: no hardware stated)."""
    ctx_tokens = min(context, card.context_window or context)
    notes = []
    if ctx_tokens < context:
        notes.append(f"capped:{ctx_tokens}")
    rows = {q: memory(card, q, ctx_tokens, kv_type) for q in QUANTS}
    usable = usable_gb(hw) if hw else None
    f = fit(card, hw, ctx_tokens, kv_type) if hw else None
    quants = {
        q: QuantRow(
            weights_gb=m.weights_gb,
            kv_gb=m.kv_gb,
            overhead_gb=m.overhead_gb,
            total_gb=m.total_gb,
            fits=None if usable is None else m.total_gb <= usable,
            headroom_gb=None if usable is None else round(usable - m.total_gb, 2),
        )
        for q, m in rows.items()
    }
    best = f.best if f else None
    maxc = (
        {q: max_context(card, q, usable, kv_type, card.context_window) for q in QUANTS}
        if usable is not None
        else {}
    )
    speed = None
    if (
        bandwidth_gb_s
        and (q := best or "q4")
        and (got := speed_range(card, q, bandwidth_gb_s, ctx_tokens))
    ):
        speed = {
            "quant": q,
            "low": round(got[0], 1),
            "high": round(got[1], 1),
            "roofline": round(got[2], 1),
            "bandwidth_gb_s": bandwidth_gb_s,
        }
    offload = None
    if hw is not None and hw.kind == "gpu" and best is None and ram_gb:
        q4 = rows["q4"].total_gb
        if q4 <= (usable or 0) + ram_gb * USABLE_RAM:
            share = round((usable or 0) / q4, 2)
            tps = None
            if bandwidth_gb_s:
                active = (card.active_params_b or card.params_b or 0) / (card.params_b or 1)
                wbytes = rows["q4"].weights_gb * active
                seconds = (
                    wbytes * share / bandwidth_gb_s + wbytes * (1 - share) / CPU_BANDWIDTH_GB_S
                )
                tps = round(1 / seconds, 1) if seconds > 0 else None
            offload = Offload(
                quant="q4", gpu_share=share, ram_gb_needed=round(q4 - (usable or 0), 1), tok_s=tps
            )
    take: list[str] = []
    if best is None:
        q4 = rows["q4"].total_gb
        single = next((n for n in _CARDS if GPU_MEMORY_GB[n] >= q4), None)
        if single:
            take.append(f"1x {single.upper()} ({GPU_MEMORY_GB[single]:g} GB)")
        biggest = GPU_MEMORY_GB[single] if single else float("inf")
        for n in ("rtx 4090", "h100"):
            per = GPU_MEMORY_GB[n]
            if per >= biggest:  # one card already holds it
                continue
            k = next(
                (k for k in range(2, 17) if k * per - (k - 1) * PER_GPU_OVERHEAD_GB >= q4), None
            )
            if k:
                take.append(f"{k}x {n.upper()} ({k * per:g} GB)")
    hardware = None
    if hw is not None:
        hardware = {
            "name": hw.name,
            "memory_gb": hw.memory_gb,
            "kind": hw.kind,
            "count": hw.count,
            "usable_gb": usable,
        }
        if hw.count > 1:
            notes.append(f"split:{hw.count}")
        if hw.kind == "unified":
            notes.append("unified")
    return FitPlan(
        model_id=card.id,
        name=card.name,
        runs_locally=card.runs_locally,
        context=ctx_tokens,
        context_stated=context_stated,
        kv_type=kv_type,
        hardware=hardware,
        quants=quants,
        best=best,
        max_context=maxc,
        speed=speed,
        offload=offload,
        would_take=take,
        basis=rows["q4"].basis,
        notes=notes,
        sources=[card.source_id],
    )


def build(ctx: PlanCtx) -> FitPlan | None:
    cards = ctx.models()
    if not cards:
        return None
    card = next((c for c in cards if c.runs_locally and c.params_b), cards[0])
    hw = ctx.hardware
    if not card.runs_locally or card.params_b is None:
        plan = FitPlan(
            model_id=card.id,
            name=card.name,
            runs_locally=False,
            context=ctx.context,
            context_stated=ctx.context_stated,
            kv_type="f16",
            hardware=None,
            quants={},
            best=None,
            max_context={},
            basis="card",
            sources=[card.source_id],
        )
    else:
        plan = report(
            card,
            hw,
            ctx.context,
            ram_gb=ctx.needs.ram_gb,
            bandwidth_gb_s=ctx.bandwidth(ctx.needs.gpu_name) if hw and hw.kind != "cpu" else None,
            context_stated=ctx.context_stated,
        )
    if plan.best is None and hw is not None:
        # what does fit: the recommender on the same needs, without the named models
        needs = ctx.needs.model_copy(update={"models": []})
        got = ctx.rank(needs, 3, None)
        plan.alternatives = [r.model_id for r in got.recommendations if r.fit]
        plan.sources += [f"models/{m}" for m in plan.alternatives]
    return plan
