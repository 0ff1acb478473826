"""A model card's facts as (label, value) lines in the interface language: the one place that
words parameters, licence, price, memory, lifecycle, Japanese level and evidence."""

from __future__ import annotations

import datetime as dt

from advisor.domain import evidence as ev
from advisor.domain.catalog import ModelCard
from advisor.domain.memory import memory_table
from advisor.i18n import t

JA_LEVELS = {
    "strong": ("高い", "strong"),
    "good": ("良い", "good"),
    "basic": ("基本", "basic"),
    "none": ("なし", "none"),
}
_COMMERCIAL = {"yes": ("可", "yes"), "restricted": ("条件付き", "restricted"), "no": ("不可", "no")}


def japanese_text(level: str, ja_avg: float | None, lang: str) -> str:
    """'strong (Swallow 0.675)' where a benchmark decided the level, 'good (estimated)' where
    it is the catalog's editorial label."""
    word = JA_LEVELS.get(level, (level, level))[0 if lang == "ja" else 1]
    if ja_avg is not None:
        return f"{word} (Swallow {ja_avg:.3g})"
    return f"{word} {t(lang, '(推定)', '(estimated)')}"


def card_japanese(card: ModelCard, lang: str) -> str:
    ja = ev.score(card, ev.JA_AVG)
    return japanese_text(card.japanese.value, ja.score if ja else None, lang)


def lifecycle_text(card: ModelCard, lang: str, today: dt.date | None = None) -> str:
    """'available', 'deprecated', 'ends 2026-12-11' or 'shut down 2026-06-01'."""
    today = today or dt.date.today()
    when = card.shutdown_date
    if when is not None and when <= today:
        return t(lang, f"提供終了 {when}", f"shut down {when}")
    if when is not None:
        return t(lang, f"{when} 終了予定", f"ends {when}")
    if card.deprecated:
        return t(lang, "非推奨", "deprecated")
    if card.available_until is not None:
        until = card.available_until
        return t(lang, f"提供中(少なくとも{until}まで)", f"available (until at least {until})")
    return t(lang, "提供中", "available")


def evidence_text(card: ModelCard, lang: str) -> str:
    """The card's benchmark results, grouped by source, each group quoted with its date, link
    and credit ('Swallow ja avg 0.675 / en avg 0.71 (2026-05) [URL] (Swallow LLM team, ...)')."""
    groups: dict[str, list[ev.Evidence]] = {}
    for e in card.evidence:
        groups.setdefault(str(e.source), []).append(e)
    return "; ".join(ev.quote(g, lang) for g in groups.values()) or "-"


def params_text(card: ModelCard, lang: str) -> str:
    if not card.params_b:
        return t(lang, "非公開", "undisclosed")
    active = (
        t(lang, f"(アクティブ {card.active_params_b:g}B)", f" ({card.active_params_b:g}B active)")
        if card.active_params_b
        else ""
    )
    return f"{card.params_b:g}B{active}"


def licence_text(card: ModelCard, lang: str) -> str:
    word = _COMMERCIAL[card.commercial_use][0 if lang == "ja" else 1]
    return f"{card.license} ({t(lang, '商用', 'commercial')}: {word})"


def price_text(card: ModelCard) -> str:
    p = card.price_per_mtok
    return f"${p.input:g} / ${p.output:g}" if p else "-"


def memory_text(card: ModelCard) -> str:
    """Memory to run the weights at Q4 / Q8 / FP16 (4k context), or '-' for API-only models."""
    if not card.runs_locally:
        return "-"
    mem = memory_table(card, 4096)
    return " / ".join(f"{mem[q]:.1f}" for q in ("q4", "q8", "fp16")) if mem else "-"


def successor_text(card: ModelCard) -> str:
    if not card.successor:
        return "-"
    return (
        f"{card.successor} ({card.successor_source})" if card.successor_source else card.successor
    )


def card_facts(
    card: ModelCard, lang: str, today: dt.date | None = None, prose: bool = True
) -> list[tuple[str, str]]:
    """Every fact of a card, labelled, in a fixed order (the same for every card, so that
    cards can be compared line by line). `prose` adds strengths and cautions."""
    rows = [
        (t(lang, "ベンダー", "Vendor"), card.vendor),
        (t(lang, "別名", "Also known as"), ", ".join(card.aliases) or "-"),
        (t(lang, "公開日", "Released"), str(card.release_date or "?")),
        (t(lang, "提供状況", "Lifecycle"), lifecycle_text(card, lang, today)),
        (t(lang, "パラメータ数", "Parameters"), params_text(card, lang)),
        (
            t(lang, "重みの公開", "Open weights"),
            t(lang, "あり", "yes") if card.open_weights else t(lang, "なし", "no"),
        ),
        (t(lang, "ライセンス", "Licence"), licence_text(card, lang)),
        (
            t(lang, "コンテキスト長", "Context window"),
            f"{card.context_window:,}" if card.context_window else "?",
        ),
        (t(lang, "日本語", "Japanese"), card_japanese(card, lang)),
        (t(lang, "ベンチマーク", "Benchmarks"), evidence_text(card, lang)),
        (t(lang, "メモリ Q4/Q8/FP16 GB", "Memory Q4/Q8/FP16 GB"), memory_text(card)),
        (t(lang, "用途", "Use cases"), ", ".join(u.value for u in card.use_cases)),
        (t(lang, "ファインチューニング", "Fine-tuning"), ", ".join(card.finetune)),
        (t(lang, "提供形態", "Deployment"), card.deployment),
        (
            t(lang, "API料金 入/出 $/100万トークン", "API price in/out $/1M tokens"),
            price_text(card),
        ),
        (t(lang, "後継", "Successor"), successor_text(card)),
    ]
    if prose:
        rows += [
            (t(lang, "強み", "Strengths"), card.strengths.get(lang)),
            (t(lang, "注意点", "Cautions"), card.cautions.get(lang)),
        ]
    return rows
