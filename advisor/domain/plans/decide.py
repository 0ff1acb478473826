"""decide: criterion ⑥ (API or local), open or closed, buy a GPU or pay per token, applied to
the stated constraints, with one concrete option per side and what would change the decision."""

from __future__ import annotations

import re

from pydantic import BaseModel

from advisor.domain.catalog import Catalog
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


#: the person needs the weights themselves (audit, pin a version, analyse, redistribute, ship)
_WEIGHTS = re.compile(
    r"重み|weights|audit|監査|pin |固定|再配布|redistribut|distill|蒸留|offline|オフライン|解析|inside (?:our|a|the) (?:app|product)"
)
_NO_OPS = re.compile(
    r"(?:担当|エンジニア|人|運用|管理)(?:が|は)?(?:い|居)ない|管理(?:とか|など)?は?無理|運用(?:は)?無理|zero ops|no ops|"
    r"no (?:it|devops|mlops|infra)|don'?t (?:have|want) (?:an? )?(?:ops|it|servers?)|solo|tiny traffic"
)
_OPS = re.compile(
    r"運用できる|エンジニア(?:も|が)いる|mlops|ops team|sre|infra team|we have an? .{0,12}team"
)
_OFFLINE = re.compile(
    r"air.?gapped|offline|オフライン|ネットにつながらない|ネット(?:に)?(?:繋|接続)(?:が)?(?:でき|し)ない|閉域|インターネットなし"
)
_SHORT_TERM = re.compile(
    r"poc|試したい|お試し|一時的|短期|[0-9一二三]\s*(?:週間|日間|か月だけ|ヶ月だけ)|trial|try (?:it )?out|prototype|one.?off|"
    r"just (?:testing|trying)|hobby|趣味"
)
_STRONGEST = re.compile(
    r"最高精度|いちばん賢|一番賢|最強|strongest|best possible|most capable|top quality"
)

#: the guide section each reason rests on
REASON_SECTIONS = {
    "privacy": "guide/criteria/api-vs-local",
    "offline": "guide/criteria/api-vs-local",
    "finetune": "guide/criteria/customization",
    "weights": "guide/criteria/customization",
    "no_ops": "guide/criteria/api-vs-local",
    "ops": "guide/criteria/api-vs-local",
    "no_gpu": "guide/criteria/compute-cost",
    "gpu": "guide/criteria/compute-cost",
    "accuracy": "guide/criteria/accuracy",
    "volume": "guide/criteria/compute-cost",
    "low_volume": "guide/criteria/compute-cost",
    "cheaper": "guide/criteria/compute-cost",
    "short_term": "guide/criteria/compute-cost",
}

_TOPICS = (
    (
        "gpu-vs-per-token",
        r"(?:gpu|グラボ).{0,20}(?:買|購入|buy|purchase|own)|(?:買|購入|buy|purchase).{0,20}(?:gpu|rtx|グラボ|radeon|mac)"
        r"|従量|pay[- ]?(?:per|as)|per[- ]token",
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
    t = text.lower()
    if n.privacy:
        local_votes += 3
        reasons.append("privacy")
        change.append("data_may_leave")
    elif _OFFLINE.search(t):  # offline, air-gapped, on a device: a stated constraint
        local_votes += 2
        reasons.append("offline")
    if n.finetune or _WEIGHTS.search(t):
        local_votes += 2
        reasons.append("finetune" if n.finetune else "weights")
    if _NO_OPS.search(t):
        api_votes += 2
        reasons.append("no_ops")
        change.append("ops_team")
    elif _OPS.search(t):
        local_votes += 1
        reasons.append("ops")
    if n.cpu_only or (n.gpu_gb is None and n.deployment is None and topic != "gpu-vs-per-token"):
        api_votes += 1
        reasons.append("no_gpu")
        change.append("buy_gpu")
    elif n.gpu_gb:
        local_votes += 1
        reasons.append(f"gpu:{n.gpu_gb:g}")
    if _SHORT_TERM.search(t):
        api_votes += 2
        reasons.append("short_term")
    if n.priority == "accuracy" or _STRONGEST.search(t):
        api_votes += 2
        reasons.append("accuracy")
    volume = n.requests_per_day
    if volume is not None and volume >= 20_000:
        local_votes += 2
        reasons.append("volume")
    elif volume is not None and volume < 1_000:
        api_votes += 2
        reasons.append("low_volume")
    options = []
    monthly: dict[str, float | None] = {}
    named = ctx.models()
    for side, dep in ((local_side, "local"), (api_side, "api")):
        mine = [c for c in named if (c.runs_locally if dep == "local" else c.via_api)]
        needs = n.model_copy(update={"models": [], "deployment": dep, "privacy": False})
        pool = Catalog(mine[:1]) if mine else None
        got = ctx.rank(needs.model_copy(update={"models": [c.id for c in mine[:1]]}), 1, pool)
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
        sources=list(
            dict.fromkeys(
                [
                    "guide/criteria/api-vs-local",
                    *(REASON_SECTIONS[r.split(":")[0]] for r in reasons),
                    *(f"models/{o.model_id}" for o in options if o.model_id),
                ]
            )
        ),
    )
