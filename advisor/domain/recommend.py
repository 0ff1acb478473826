"""Deterministic recommender: hard filters, then a weighted score per criterion of the guide.

Every criterion score carries a reason (in the user's language) and the guide section it rests on.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from advisor.domain import evidence as ev
from advisor.domain.budget import Rate
from advisor.domain.catalog import Catalog, ModelCard
from advisor.domain.cost import CostEstimate, Workload, estimate
from advisor.domain.criteria import (
    CriterionScore,
    Ctx,
    context_for,
    hardware_of,
    score_card,
    weights,
)
from advisor.domain.filters import (
    exclusion,
    fit_label,
    is_retired,
    lifecycle_notice,
    shuts_down_soon,
)
from advisor.domain.hardware import DEFAULT_CONTEXT, Quant
from advisor.domain.memory import memory_table, speed_line
from advisor.domain.needs import Needs
from advisor.i18n import t as _t

#: at most this many models of one family in a shortlist, so it offers real alternatives
MAX_PER_FAMILY = 2


class Recommendation(BaseModel):
    model_id: str
    name: str
    aliases: list[str]
    score: float
    rank: int
    criteria: dict[str, CriterionScore]
    open_weights: bool
    params_b: float | None
    context_window: int | None
    license: str
    commercial_use: str
    japanese: str
    languages: list[str]
    use_cases: list[str]
    memory_gb: dict[str, float] | None
    price_per_mtok: dict[str, float] | None
    sources: list[str]
    fit: str | None = None
    deprecated: bool = False
    shutdown_date: dt.date | None = None
    successor: str | None = None
    successor_source: str | None = None
    #: lifecycle notice: retired (and what replaces it), or the shutdown date when it is near
    notice: str | None = None
    monthly_cost: CostEstimate | None = None
    speed_estimate: str | None = None
    origins: dict[str, str] = {}
    #: published benchmark results; `japanese` / `tier` come from them ("evidence") or are
    #: editorial labels ("estimated")
    evidence: list[dict[str, object]] = []
    japanese_basis: ev.Basis = "estimated"
    tier: str = ""
    tier_basis: ev.Basis = "estimated"


class Excluded(BaseModel):
    model_id: str
    reason: str


class Result(BaseModel):
    needs: Needs
    recommendations: list[Recommendation]
    excluded: list[Excluded]

    def to_contract(self) -> dict[str, object]:
        """The `advisor recommend --json` contract of DESIGN.md."""
        return {
            "needs": self.needs.model_dump(mode="json"),
            "recommendations": [r.model_dump(mode="json") for r in self.recommendations],
            "excluded": [e.model_dump(mode="json") for e in self.excluded],
        }


def recommend(
    needs: Needs,
    catalog: Catalog,
    top: int = 5,
    gpu_hourly_usd: float = 2.0,
    today: dt.date | None = None,
    bandwidth_gb_s: float | None = None,
    rate: Rate | None = None,
) -> Result:
    """Rank the catalog for `needs` as of `today` (None: date.today()); deterministic for the
    same inputs. `bandwidth_gb_s` is the stated GPU's memory bandwidth (for speed estimates),
    looked up by the caller in a GPU dataset. A retired model enters only when named; a model that is retired or shuts down
    within SHUTDOWN_WARNING_DAYS is never ranked first."""
    ctx = _ctx(needs, catalog, gpu_hourly_usd, today, bandwidth_gb_s, rate)
    kept: list[tuple[float, ModelCard, dict[str, CriterionScore]]] = []
    dropped: list[tuple[float, ModelCard, str]] = []
    for card in catalog:
        score, crit = score_card(card, ctx)
        reason = exclusion(card, ctx)
        if reason is None:
            kept.append((score, card, crit))
        else:
            dropped.append((score, card, reason))
    kept.sort(key=lambda x: (-x[0], -x[1].tier.level, x[1].id))
    chosen: list[tuple[float, ModelCard, dict[str, CriterionScore]]] = []
    per_family: dict[str, int] = {}
    deferred = []
    for item in kept:
        fam = item[1].family
        if per_family.get(fam, 0) >= MAX_PER_FAMILY and item[1].id not in needs.models:
            deferred.append(item)
            continue
        per_family[fam] = per_family.get(fam, 0) + 1
        chosen.append(item)
    chosen.extend(deferred)
    ending = [is_retired(x[1], ctx.today) or shuts_down_soon(x[1], ctx.today) for x in chosen]
    if ending and ending[0] and not all(ending):
        chosen.insert(0, chosen.pop(ending.index(False)))
    recs = [
        _to_rec(card, score, crit, i + 1, ctx) for i, (score, card, crit) in enumerate(chosen[:top])
    ]
    if needs.japanese:
        _say_what_decided(recs, weights(needs), needs.lang)
    dropped.sort(key=lambda x: (-x[0], x[1].id))
    # "why not X": models the user named, the best-scoring current ones, the guide's own examples
    notable = [d for d in dropped if d[1].id in needs.models]
    notable += [d for d in dropped if not d[1].deprecated and d not in notable][:4]
    notable += [d for d in dropped if d[1].guide_named and d not in notable][:3]
    excluded = [Excluded(model_id=card.id, reason=reason) for _, card, reason in notable]
    # a named retired model that ranks below the shortlist still gets its lifecycle said
    excluded[:0] = [
        Excluded(
            model_id=card.id,
            reason=_t(ctx.lang, f"{i + 1}位: ", f"ranked {i + 1}: ")
            + str(lifecycle_notice(card, ctx)),
        )
        for i, (_, card, _) in enumerate(chosen)
        if i >= top and card.id in needs.models and is_retired(card, ctx.today)
    ]
    return Result(needs=needs, recommendations=recs, excluded=excluded)


def _ctx(
    needs: Needs,
    catalog: Catalog,
    gpu_hourly_usd: float,
    today: dt.date | None,
    bandwidth_gb_s: float | None,
    rate: Rate | None,
) -> Ctx:
    return Ctx(
        needs=needs,
        catalog=catalog,
        hw=hardware_of(needs),
        context=needs.context_tokens or DEFAULT_CONTEXT,
        gpu_hourly_usd=gpu_hourly_usd,
        bandwidth_gb_s=bandwidth_gb_s if needs.gpu_name and needs.gpu_kind != "cpu" else None,
        today=today or dt.date.today(),
        rate=rate or Rate(),
    )


def why_excluded(
    card: ModelCard,
    needs: Needs,
    catalog: Catalog,
    gpu_hourly_usd: float = 2.0,
    today: dt.date | None = None,
    rate: Rate | None = None,
) -> str | None:
    """The hard filter that keeps `card` out of a shortlist for `needs` (None: it passes)."""
    return exclusion(card, _ctx(needs, catalog, gpu_hourly_usd, today, None, rate))


_DECIDERS = {
    "use_case": ("用途", "use case"),
    "compute_cost": ("計算コスト(サイズ・速度・料金)", "compute cost (size, speed, price)"),
    "customization": ("カスタマイズ", "customisation"),
    "deployment": ("提供形態", "deployment"),
    "accuracy": ("精度", "accuracy"),
}
#: a Swallow Japanese average this much higher is "clearly better"
CLEARLY_BETTER = 0.05


def _say_what_decided(recs: list[Recommendation], w: dict[str, float], lang: str) -> None:
    """Where a model with a clearly higher Swallow Japanese average ranks below another, its
    multilingual reason names the criterion that put the other one ahead."""
    ja = {r.model_id: _ja_avg(r) for r in recs}
    for i, lower in enumerate(recs):
        mine = ja[lower.model_id]
        if mine is None:
            continue
        above = [r for r in recs[:i] if (a := ja[r.model_id]) is None or a <= mine - CLEARLY_BETTER]
        if not above:
            continue
        first = above[0]
        gaps = {
            k: w[k] * (first.criteria[k].score - lower.criteria[k].score)
            for k in _DECIDERS
            if k in first.criteria and k in lower.criteria
        }
        key = max(gaps, key=lambda k: gaps[k])
        if gaps[key] <= 0:
            continue
        label = _DECIDERS[key][0 if lang == "ja" else 1]
        lower.criteria["multilingual"].reason += _t(
            lang,
            f"。日本語の評価は{first.name}より高いが、{label}で{first.name}が上位",
            f"; scores higher in Japanese than {first.name}, which ranks above on {label}",
        )


def _ja_avg(r: Recommendation) -> float | None:
    return next(
        (float(str(e["score"])) for e in r.evidence if e.get("benchmark") == ev.JA_AVG), None
    )


def _speed(card: ModelCard, c: Ctx, quant: Quant | None) -> str | None:
    if c.bandwidth_gb_s is None or card.params_b is None or quant is None:
        return None
    return speed_line(card, quant, c.bandwidth_gb_s, context_for(card, c), c.lang)


def _cost(card: ModelCard, c: Ctx, q4_gb: float | None) -> CostEstimate | None:
    n = c.needs
    if n.requests_per_day is None:
        return None
    work = Workload(requests_per_day=n.requests_per_day, input_tokens=n.tokens_per_request or 1000)
    return estimate(card, work, c.gpu_hourly_usd, q4_memory_gb=q4_gb)


def _to_rec(
    card: ModelCard, score: float, crit: dict[str, CriterionScore], rank: int, c: Ctx
) -> Recommendation:
    ctx = context_for(card, c)
    mem = memory_table(card, ctx) if card.runs_locally else None
    quant = fit_label(card, c)
    notice = lifecycle_notice(card, c)
    if notice and "deployment" in crit:  # the lifecycle shows wherever the reasons show
        dep = crit["deployment"]
        crit = {**crit, "deployment": dep.model_copy(update={"reason": f"{dep.reason}; {notice}"})}
    return Recommendation(
        model_id=card.id,
        name=card.name,
        aliases=list(card.aliases),
        score=score,
        rank=rank,
        criteria=crit,
        open_weights=card.open_weights,
        params_b=card.params_b,
        context_window=card.context_window,
        license=card.license,
        commercial_use=card.commercial_use,
        japanese=card.japanese.value,
        languages=list(card.languages),
        use_cases=[u.value for u in card.use_cases],
        memory_gb=mem,
        price_per_mtok=card.price_per_mtok.model_dump() if card.price_per_mtok else None,
        sources=[str(s) for s in card.sources],
        fit=quant,
        deprecated=card.deprecated,
        shutdown_date=card.shutdown_date,
        successor=card.successor,
        successor_source=str(card.successor_source) if card.successor_source else None,
        notice=notice,
        monthly_cost=_cost(card, c, mem["q4"] if mem else None),
        speed_estimate=_speed(card, c, quant),
        origins=dict(card.filled),
        evidence=[e.model_dump(mode="json", exclude_none=True) for e in card.evidence],
        japanese_basis=ev.japanese_basis(card),
        tier=card.tier.value,
        tier_basis=ev.tier_basis(card),
    )
