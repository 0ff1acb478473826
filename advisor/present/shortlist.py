"""A shortlisted model's figures (memory and fit, price, monthly cost, speed) as text: the one
place that words a shortlist line, for the CLI table, the UI table and extractive answers; and
the shortlist table's headers and rows (the UI and the Markdown report)."""

from __future__ import annotations

from typing import Any

from advisor.domain import evidence as ev
from advisor.domain.recommend import Recommendation, Result
from advisor.i18n import t
from advisor.present.card import japanese_text
from advisor.present.text import shorten


def memory_fit(r: Recommendation) -> str:
    """'6.8 GB (Q8)': Q4 memory, and the best quantisation that fits the stated hardware."""
    if not r.memory_gb:
        return "-"
    return f"{r.memory_gb['q4']:.1f} GB" + (f" ({r.fit.upper()})" if r.fit else "")


def price(r: Recommendation) -> str:
    """'$0.1 / $0.5' per 1M tokens in / out, or '-'."""
    p = r.price_per_mtok
    return f"${p['input']:g} / ${p['output']:g}" if p else "-"


def monthly(r: Recommendation, lang: str) -> str:
    """Estimated monthly cost when a workload was stated (* = assumed GPU price), else ''."""
    if r.monthly_cost is None:
        return ""
    api, host = r.monthly_cost.api_usd_per_month, r.monthly_cost.self_host_usd_per_month
    if api is not None:
        return t(lang, f"月 ${api:,.0f} (API)", f"${api:,.0f}/mo API")
    if host is not None:
        return t(lang, f"月 ${host:,.0f} (自前GPU*)", f"${host:,.0f}/mo self-host*")
    return ""


def figures(r: Recommendation, lang: str) -> list[str]:
    """The shortlist line's figures, in order: memory, price, monthly cost, speed."""
    out = []
    if r.memory_gb:
        out.append(f"Q4 {memory_fit(r)}")
    if r.price_per_mtok:
        out.append(t(lang, f"{price(r)} /100万トークン", f"{price(r)} per 1M tokens"))
    if m := monthly(r, lang):
        out.append(m)
    if r.speed_estimate:
        out.append(r.speed_estimate)
    return out


def line(r: Recommendation, lang: str) -> str:
    """'1. Qwen3.5-9B [qwen3.5-9b] score 74: 9B, Q4 6.8 GB (Q8), Japanese good; suited to chat' —
    one shortlisted model with its figures and the reason its use fits (for prompts and text)."""
    facts = [f"{r.params_b:g}B"] if r.params_b else []
    facts += figures(r, lang)
    facts.append(t(lang, f"日本語 {r.japanese}", f"Japanese {r.japanese}"))
    why = r.criteria["use_case"].reason
    return f"{r.rank}. {r.name} [{r.model_id}] score {r.score:.0f}: {', '.join(facts)}; {why}"


# --- the shortlist table (UI and Markdown report) ---------------------------------------------------

SHORTLIST_HEADERS = {
    "ja": [
        "#",
        "モデル",
        "種類",
        "スコア",
        "メモリ Q4(適合)",
        "料金 $/1M・月額",
        "日本語",
        "ライセンス",
    ],
    "en": [
        "#",
        "Model",
        "Kind",
        "Score",
        "Q4 memory (fits)",
        "Price $/1M · month",
        "Japanese",
        "Licence",
    ],
}


def _rec_ja_avg(r: Recommendation) -> float | None:
    if r.japanese_basis != "evidence":
        return None
    return next(
        (float(str(e["score"])) for e in r.evidence if e.get("benchmark") == ev.JA_AVG), None
    )


def shortlist_rows(
    result: Result, lang: str = "en", licence_chars: int | None = 24
) -> list[list[Any]]:
    """The shortlist table (licences cut to `licence_chars` so the table fits its panel)."""
    rows = []
    for r in result.recommendations:
        cost = price(r).replace("$", "")
        if m := monthly(r, lang):
            cost = f"{cost}; {m}"
        rows.append(
            [
                r.rank,
                r.name,
                t(lang, "オープン", "open") if r.open_weights else "API",
                round(r.score, 1),
                memory_fit(r),
                cost,
                japanese_text(r.japanese, _rec_ja_avg(r), lang),
                shorten(r.license, licence_chars) if licence_chars else r.license,
            ]
        )
    return rows
