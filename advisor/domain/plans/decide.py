"""decide: criterion ⑥ (API or local), open or closed, buy a GPU or pay per token, applied to
the stated constraints, with one concrete option per side and what would change the decision."""

from __future__ import annotations

import re

from pydantic import BaseModel

from advisor.domain.cost import Workload, estimate
from advisor.domain.memory import memory
from advisor.domain.plans import Plan, PlanCtx


class Option(BaseModel):
    side: str
    model_id: str | None
    name: str | None
    monthly_usd: float | None = None


class DecidePlan(Plan):
    kind: str = "decide"
    topic: str  # api-vs-local | open-vs-closed | gpu-vs-per-token
    choice: str  # api | local | open | closed | gpu | per-token | either
    #: reason codes, worded by present/plans.py: privacy, finetune, no_gpu, gpu:<GB>, accuracy,
    #: volume, cheaper:<side>
    reasons: list[str]
    options: list[Option]
    would_change: list[str]


_TOPICS = (
    (
        "gpu-vs-per-token",
        r"gpu.{0,20}(?:買|購入|buy|purchase|own)|(?:買|購入|buy|purchase).{0,20}gpu|従量|pay[- ]?(?:per|as)|per[- ]token",
    ),
    (
        "open-vs-closed",
        r"(?:open|オープン).{0,30}(?:closed|proprietary|クローズ|プロプライエタリ)|(?:closed|proprietary|クローズ).{0,30}(?:open|オープン)",
    ),
    ("api-vs-local", r"."),
)


def _topic(text: str) -> str:
    return next(name for name, pat in _TOPICS if re.search(pat, text, re.I))


def build(ctx: PlanCtx) -> DecidePlan:
    n = ctx.needs
    text = ctx.reading.text
    topic = _topic(text)
    local_side = (
        "open" if topic == "open-vs-closed" else "gpu" if topic == "gpu-vs-per-token" else "local"
    )
    api_side = (
        "closed"
        if topic == "open-vs-closed"
        else "per-token"
        if topic == "gpu-vs-per-token"
        else "api"
    )
    reasons: list[str] = []
    change: list[str] = []
    local_votes = api_votes = 0
    if n.privacy:
        local_votes += 3
        reasons.append("privacy")
        change.append("data_may_leave")
    if n.finetune:
        local_votes += 1
        reasons.append("finetune")
    if n.cpu_only or (n.gpu_gb is None and n.deployment is None):
        api_votes += 1
        reasons.append("no_gpu")
        change.append("buy_gpu")
    elif n.gpu_gb:
        local_votes += 1
        reasons.append(f"gpu:{n.gpu_gb:g}")
    if n.priority == "accuracy":
        api_votes += 1
        reasons.append("accuracy")
    if n.requests_per_day and n.requests_per_day >= 20_000:
        local_votes += 1
        reasons.append("volume")
    options = []
    monthly: dict[str, float | None] = {}
    for side, dep in ((local_side, "local"), (api_side, "api")):
        needs = n.model_copy(update={"models": [], "deployment": dep, "privacy": False})
        got = ctx.rank(needs, 1, None)
        rec = got.recommendations[0] if got.recommendations else None
        cost = None
        if rec is not None and n.requests_per_day:
            card = ctx.catalog.by_id[rec.model_id]
            q4 = memory(card, "q4").total_gb if card.runs_locally and card.params_b else None
            est = estimate(
                card,
                Workload(
                    requests_per_day=n.requests_per_day, input_tokens=n.tokens_per_request or 1000
                ),
                ctx.gpu_hourly_usd,
                q4_memory_gb=q4,
            )
            cost = est.api_usd_per_month if dep == "api" else est.self_host_usd_per_month
        monthly[side] = cost
        options.append(
            Option(
                side=side,
                model_id=rec.model_id if rec else None,
                name=rec.name if rec else None,
                monthly_usd=cost,
            )
        )
    if n.requests_per_day and all(v is not None for v in monthly.values()):
        lo = min(monthly, key=lambda k: monthly[k] or 0)
        if lo == local_side:
            local_votes += 1
        else:
            api_votes += 1
        reasons.append(f"cheaper:{lo}")
    if not n.privacy:
        change.append("data_must_stay")
    choice = (
        local_side if local_votes > api_votes else api_side if api_votes > local_votes else "either"
    )
    return DecidePlan(
        topic=topic,
        choice=choice,
        reasons=reasons,
        options=options,
        would_change=change,
        sources=["guide/criteria/api-vs-local"]
        + (["guide/criteria/customization"] if n.finetune else [])
        + [f"models/{o.model_id}" for o in options if o.model_id],
    )
