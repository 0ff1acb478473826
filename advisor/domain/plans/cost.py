"""cost: the monthly figure with its arithmetic (requests x tokens x price), in the asker's
currency, and what self-hosting an open model would cost instead."""

from __future__ import annotations

from pydantic import BaseModel

from advisor.domain.catalog import ModelCard
from advisor.domain.cost import DAYS_PER_MONTH, Workload, estimate
from advisor.domain.memory import memory
from advisor.domain.plans import Plan, PlanCtx

#: output tokens assumed per request when only the prompt size (or nothing) is stated
OUTPUT_TOKENS = 300
INPUT_TOKENS = 1000
#: the volume used to illustrate when none is stated
EXAMPLE_REQUESTS = 1000


class Line(BaseModel):
    model_id: str
    name: str
    price_in: float | None = None
    price_out: float | None = None
    api_usd_per_month: float | None = None
    api_jpy_per_month: float | None = None
    arithmetic: str | None = None
    self_host_usd_per_month: float | None = None
    gpus: int | None = None
    note: str | None = None


class CostPlan(Plan):
    kind: str = "cost"
    requests_per_day: float
    input_tokens: float
    output_tokens: float
    workload_stated: bool
    days: int = DAYS_PER_MONTH
    jpy_per_usd: float
    rate_as_of: str
    gpu_hourly_usd: float
    lines: list[Line]
    cheapest: str | None = None


def line(card: ModelCard, work: Workload, ctx: PlanCtx) -> Line:
    q4 = memory(card, "q4").total_gb if card.runs_locally and card.params_b else None
    est = estimate(card, work, ctx.gpu_hourly_usd, q4_memory_gb=q4)
    out = Line(model_id=card.id, name=card.name)
    if card.price_per_mtok is not None:
        out.price_in, out.price_out = card.price_per_mtok.input, card.price_per_mtok.output
    if est.api_usd_per_month is not None and card.price_per_mtok is not None:
        n = work.requests_per_day * DAYS_PER_MONTH
        out.api_usd_per_month = est.api_usd_per_month
        out.api_jpy_per_month = round(est.api_usd_per_month * ctx.rate.jpy_per_usd)
        out.arithmetic = (
            f"{work.requests_per_day:,.0f} x {DAYS_PER_MONTH} = {n:,.0f} requests;"
            f" {n * work.input_tokens / 1e6:,.1f}M in x ${card.price_per_mtok.input:g}"
            f" + {n * work.output_tokens / 1e6:,.1f}M out x ${card.price_per_mtok.output:g}"
            f" = ${est.api_usd_per_month:,.2f}"
        )
    if est.self_host_usd_per_month is not None:
        out.self_host_usd_per_month = est.self_host_usd_per_month
        out.gpus = est.gpus
    if out.api_usd_per_month is None and out.self_host_usd_per_month is None:
        out.note = "no API price and no local size in its card"
    return out


def build(ctx: PlanCtx) -> CostPlan | None:
    n = ctx.needs
    stated = n.requests_per_day is not None
    work = Workload(
        requests_per_day=n.requests_per_day or EXAMPLE_REQUESTS,
        input_tokens=n.tokens_per_request or INPUT_TOKENS,
        output_tokens=OUTPUT_TOKENS,
    )
    cards = ctx.models()
    if not cards and ctx.result is not None:
        cards = [ctx.catalog.by_id[r.model_id] for r in ctx.result.recommendations[:3]]
    if not cards:
        return None
    lines = [line(c, work, ctx) for c in cards]
    # the other side: an open model to host when every named one is API-only, or the reverse
    if all(not c.runs_locally for c in cards):
        alt = _best(ctx, "local")
        if alt is not None:
            lines.append(line(alt, work, ctx))
    elif all(c.runs_locally and not c.via_api for c in cards):
        alt = _best(ctx, "api")
        if alt is not None:
            lines.append(line(alt, work, ctx))
    priced = {
        x.model_id: min(
            v for v in (x.api_usd_per_month, x.self_host_usd_per_month) if v is not None
        )
        for x in lines
        if x.api_usd_per_month is not None or x.self_host_usd_per_month is not None
    }
    return CostPlan(
        requests_per_day=work.requests_per_day,
        input_tokens=work.input_tokens,
        output_tokens=work.output_tokens,
        workload_stated=stated,
        jpy_per_usd=ctx.rate.jpy_per_usd,
        rate_as_of=str(ctx.rate.as_of),
        gpu_hourly_usd=ctx.gpu_hourly_usd,
        lines=lines,
        cheapest=min(priced, key=lambda k: priced[k]) if len(priced) > 1 else None,
        sources=[f"models/{x.model_id}" for x in lines] + ["guide/criteria/compute-cost"],
    )


def _best(ctx: PlanCtx, deployment: str) -> ModelCard | None:
    needs = ctx.needs.model_copy(update={"models": [], "deployment": deployment})
    got = ctx.rank(needs, 1, None)
    if not got.recommendations:
        return None
    return ctx.catalog.by_id.get(got.recommendations[0].model_id)
