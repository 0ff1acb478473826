"""The guide's six criteria as scores: per model a 0..1 score and a reason (in the person's
language) for each criterion, weighted by what the needs stress."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from pydantic import BaseModel

from advisor.domain import budget
from advisor.domain import evidence as ev
from advisor.domain.budget import Rate
from advisor.domain.catalog import (
    USE_CASE_LABELS,
    Catalog,
    ModelCard,
    UseCase,
    is_code_specialist,
)
from advisor.domain.guide import CRITERION_SECTIONS
from advisor.domain.hardware import Hardware
from advisor.domain.memory import fit, memory_table
from advisor.domain.needs import Needs
from advisor.i18n import t as _t

_GENERAL_USES = {UseCase.chat, UseCase.text_generation}
_TEXT_USES = {UseCase.chat, UseCase.text_generation, UseCase.summarization, UseCase.rag}


class CriterionScore(BaseModel):
    score: float
    reason: str
    cite: str


def is_specialist(card: ModelCard) -> bool:
    """Made for one job (translation, summarisation), not a general chat model."""
    return not (set(card.use_cases) & _GENERAL_USES) and UseCase.code not in card.use_cases


def is_translation_specialist(card: ModelCard) -> bool:
    return is_specialist(card) and UseCase.translation in card.use_cases


@dataclass
class Ctx:
    needs: Needs
    catalog: Catalog
    hw: Hardware | None
    context: int
    gpu_hourly_usd: float = 2.0
    bandwidth_gb_s: float | None = None
    today: dt.date = field(default_factory=dt.date.today)
    rate: Rate = field(default_factory=Rate)

    @property
    def lang(self) -> str:
        return self.needs.lang


def hardware_of(needs: Needs) -> Hardware | None:
    mem = needs.memory_gb
    if mem is None:
        return None
    kind = needs.gpu_kind or ("cpu" if needs.cpu_only else "gpu")
    return Hardware(name=needs.gpu_name or f"{mem:g} GB", memory_gb=mem, kind=kind)


def context_for(card: ModelCard, c: Ctx) -> int:
    return min(c.context, card.context_window or c.context)


# --- per-criterion scores ----------------------------------------------------------------------


def _use_case(card: ModelCard, c: Ctx) -> tuple[float, str]:
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
            label = USE_CASE_LABELS[u.value][0 if lang == "ja" else 1]
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


def _accuracy(card: ModelCard, c: Ctx) -> tuple[float, str]:
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
    blended = p.blended
    if blended <= 0:
        return 1.0
    return min(max(1 - math.log10(blended / 0.1) / 2, 0.0), 1.0)


def _compute_cost(card: ModelCard, c: Ctx) -> tuple[float, str]:
    n, lang = c.needs, c.lang
    local_path = card.runs_locally and (n.wants_local or not card.via_api or n.deployment is None)
    if n.deployment == "api" and card.via_api:
        local_path = False
    if local_path and card.params_b is not None:
        ctx = context_for(card, c)
        if c.hw is not None:
            f = fit(card, c.hw, ctx)
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
        mem = memory_table(card, ctx) or {}
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
        why = _t(
            lang,
            f"API料金 入力${p.input:g}/出力${p.output:g}(100万トークンあたり)",
            f"API price ${p.input:g} in / ${p.output:g} out per 1M tokens",
        )
        verdict = budget.check(card, n, c.rate)
        if verdict is not None:
            why += _t(lang, "。", "; ") + verdict.text
            if not verdict.within:  # a soft limit lowers the score; a hard one excludes
                ps *= 0.3
        return ps, why
    if card.via_api:  # with a stated workload, a cost that cannot be estimated counts against
        return (0.1 if n.requests_per_day or n.budget_amount else 0.4), _t(
            lang, "API料金の情報なし", "no API price on record"
        )
    return 0.3, _t(
        lang, "パラメータ数が不明でコストを見積もれない", "size unknown; cost cannot be estimated"
    )


def _customization(card: ModelCard, c: Ctx) -> tuple[float, str]:
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


def _multilingual(card: ModelCard, c: Ctx) -> tuple[float, str]:
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
    elif ev.estimate_lowers(card) and (est := card.japanese_estimate) is not None:
        jp_reason += _t(
            lang,
            f"(推定: 規模と公開日からSwallow日本語平均≈{est:.2f})",
            f" (estimated: size and release date predict Swallow ja avg ~{est:.2f})",
        )
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
    if n.japanese and strength < ev.GOOD_STRENGTH:  # the need asks for Japanese that works
        strength *= 0.5
        jp_reason += _t(
            lang,
            "。日本語が必要な用途には「良い」水準に届かない",
            "; below the 'good' level a Japanese need asks for",
        )
    return strength, jp_reason


def _deployment(card: ModelCard, c: Ctx) -> tuple[float, str]:
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


SCORERS = {
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


def score_card(card: ModelCard, c: Ctx) -> tuple[float, dict[str, CriterionScore]]:
    w = weights(c.needs)
    crit: dict[str, CriterionScore] = {}
    total = 0.0
    for key, fn in SCORERS.items():
        s, why = fn(card, c)
        crit[key] = CriterionScore(score=round(s, 3), reason=why, cite=CRITERION_SECTIONS[key])
        total += w[key] * s
    return round(100 * total / sum(w.values()), 1), crit
