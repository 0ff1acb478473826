"""Presentation helpers shared by the UI: tables, charts, citation panels, the Markdown report.

Pure functions of service results; anything model-written is made inert before display."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from advisor import evidence as ev
from advisor.catalog import Catalog, Japanese, ModelCard
from advisor.hardware import memory_table
from advisor.i18n import t as _t
from advisor.needs import Needs
from advisor.notes import localise
from advisor.present import shortlist
from advisor.present.card import (
    card_facts,
    card_japanese,
    japanese_text,
    lifecycle_text,
)
from advisor.recommend import Recommendation, Result

if TYPE_CHECKING:
    from advisor.answer import Prepared
    from advisor.uncurated import Uncurated

CRITERIA_LABELS = {
    "use_case": ("① 用途", "① Use case"),
    "accuracy": ("② 精度", "② Accuracy"),
    "compute_cost": ("③ 計算コスト", "③ Compute cost"),
    "customization": ("④ カスタマイズ", "④ Customisation"),
    "multilingual": ("⑤ 多言語", "⑤ Multilingual"),
    "deployment": ("⑥ API/ローカル", "⑥ API vs local"),
}


def inert_markdown(text: str) -> str:
    """Escape HTML and break Markdown links/images, so model output cannot inject active content."""
    text = html.escape(text, quote=False)
    text = text.replace("![", "!\u200b[")
    text = re.sub(r"\]\s*\(", "]\u200b(", text)
    text = re.sub(r"(?i)\b(javascript|data|vbscript):", "\\1\u200b:", text)
    return text


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
#: shares of the panel's width (they sum to 100 %, so the table never runs past its panel)
SHORTLIST_WIDTHS: list[str | int] = ["5%", "18%", "10%", "8%", "13%", "15%", "14%", "17%"]


def _rec_ja_avg(r: Recommendation) -> float | None:
    if r.japanese_basis != "evidence":
        return None
    return next(
        (float(str(e["score"])) for e in r.evidence if e.get("benchmark") == ev.JA_AVG), None
    )


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def shortlist_rows(
    result: Result, lang: str = "en", licence_chars: int | None = 24
) -> list[list[Any]]:
    """The shortlist table (licences cut to `licence_chars` so the table fits its panel)."""
    rows = []
    for r in result.recommendations:
        cost = shortlist.price(r).replace("$", "")
        if m := shortlist.monthly(r, lang):
            cost = f"{cost}; {m}"
        mem, price = shortlist.memory_fit(r), cost
        rows.append(
            [
                r.rank,
                r.name,
                _t(lang, "オープン", "open") if r.open_weights else "API",
                round(r.score, 1),
                mem,
                price,
                japanese_text(r.japanese, _rec_ja_avg(r), lang),
                _short(r.license, licence_chars) if licence_chars else r.license,
            ]
        )
    return rows


def criteria_figure(result: Result, lang: str) -> Any:
    """Grouped bars: per-criterion score (0-1) of each shortlisted model."""
    import plotly.graph_objects as go

    fig = go.Figure()
    keys = list(CRITERIA_LABELS)
    labels = [CRITERIA_LABELS[k][0 if lang == "ja" else 1] for k in keys]
    for r in result.recommendations[:5]:
        fig.add_bar(name=r.name, x=labels, y=[r.criteria[k].score for k in keys])
    fig.update_layout(
        barmode="group",
        yaxis={"range": [0, 1], "title": _t(lang, "スコア", "score")},
        height=360,
        margin={"t": 30, "b": 40, "l": 40, "r": 10},
        legend={"orientation": "h"},
    )
    return fig


def reasons_markdown(result: Result, lang: str) -> str:
    lines: list[str] = []
    for r in result.recommendations:
        if lines:  # a blank line ends the previous list, or the header joins its last item
            lines.append("")
        lines.append(f"**{r.rank}. {inert_markdown(r.name)}** ({r.score:.1f})")
        for key, c in r.criteria.items():
            label = CRITERIA_LABELS[key][0 if lang == "ja" else 1]
            lines.append(f"- {label}: {inert_markdown(c.reason)} `{c.cite}`")
        if r.speed_estimate:
            lines.append(f"- {_t(lang, '速度の見積もり', 'speed estimate')}: {r.speed_estimate}")
        if r.monthly_cost is not None:
            lines.append(f"- {_t(lang, '費用の前提', 'cost basis')}: {r.monthly_cost.basis}")
        for field_name, origin in r.origins.items():
            lines.append(f"- {field_name}: {origin}")
    if result.excluded:
        lines.append("")
        lines.append(_t(lang, "**なぜ選ばれなかったか**", "**Why not these**"))
        for e in result.excluded:
            lines.append(f"- {e.model_id}: {inert_markdown(e.reason)}")
    return "\n".join(lines)


def uncurated_markdown(models: list[Uncurated], why_none: str | None, lang: str) -> str:
    """The llmfit candidates as their own labelled section (empty when none were asked for)."""
    title = _t(
        lang, "### 未レビュー候補(カタログ外)", "### Uncurated candidates (not in the catalog)"
    )
    if not models:
        return f"{title}\n\n{inert_markdown(why_none)}" if why_none else ""
    lines = [
        title,
        "",
        _t(
            lang,
            f"出典: {models[0].origin}。手作業の確認はしていません。",
            f"From {models[0].origin}: not checked by hand.",
        ),
        "",
    ]
    for m in models:  # names passed uncurated's repository-name check, so the link is plain
        facts = [f"{m.params_b:g}B" if m.params_b else "", m.license or "licence ?"]
        if m.memory:
            facts.append(m.memory)
        if m.context_window:
            facts.append(f"ctx {m.context_window:,}")
        if m.languages:
            facts.append(",".join(m.languages[:6]))
        lines.append(f"- [{m.name}]({m.url}): " + " · ".join(f for f in facts if f))
    return "\n".join(lines)


def markdown_report(result: Result, catalog: Catalog, lang: str, extra: str = "") -> str:
    """The dialogue's result as a downloadable Markdown report, with the cards' sources."""
    n = result.needs
    head = _t(lang, "# LLM選定レポート", "# LLM selection report")
    profile = n.describe()
    lines = [head, "", _t(lang, f"**ニーズ**: {profile}", f"**Needs**: {profile}"), ""]
    header = SHORTLIST_HEADERS[lang]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for row in shortlist_rows(result, lang, licence_chars=None):
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    lines += ["", reasons_markdown(result, lang), "", extra, _t(lang, "## 出典", "## Sources")]
    for r in result.recommendations:
        card = catalog.by_id[r.model_id]
        lines.append(f"- {r.name} (as of {card.as_of}): " + ", ".join(str(s) for s in card.sources))
    return "\n".join(lines) + "\n"


def citations_html(p: Prepared, used: list[int], lang: str) -> str:
    """Numbered footnotes; each opens (details/summary) to the cited passage and its source link."""
    parts = [f"<div class='citations'><b>{_t(lang, '出典', 'Sources')}</b>"]
    for n in used:
        chunk = p.passages[n - 1].chunk
        link = (
            (
                f"<a href='{html.escape(chunk.url, quote=True)}' target='_blank' rel='noopener noreferrer'>"
                f"{html.escape(chunk.url)}</a>"
            )
            if chunk.url.startswith("https://")
            else html.escape(chunk.source_id)
        )
        parts.append(
            f"<details class='cite' id='cite-{n}'><summary>[{n}] {html.escape(chunk.title)} "
            f"<code>{html.escape(chunk.source_id)}</code></summary>"
            f"<pre class='passage'>{html.escape(chunk.text)}</pre><div>{link}</div></details>"
        )
    parts.append("</div>")
    return "".join(parts)


CATALOG_HEADERS = {
    "ja": [
        "モデル",
        "ベンダー",
        "公開日",
        "提供状況",
        "重み",
        "規模 B",
        "日本語(根拠)",
        "料金 入/出 $/1M",
        "Q4 GB",
        "文脈 k",
        "ライセンス",
    ],
    "en": [
        "Model",
        "Vendor",
        "Released",
        "Lifecycle",
        "Weights",
        "Size B",
        "Japanese (basis)",
        "Price in/out $/1M",
        "Q4 GB",
        "Ctx k",
        "Licence",
    ],
}
CATALOG_WIDTHS: list[str | int] = [
    "15%",
    "9%",
    "9%",
    "10%",
    "7%",
    "6%",
    "13%",
    "9%",
    "6%",
    "6%",
    "10%",
]
CATALOG_TYPES = [
    "str",
    "str",
    "str",
    "str",
    "str",
    "number",
    "str",
    "str",
    "number",
    "number",
    "str",
]


def catalog_rows(
    cards: list[ModelCard], lang: str = "en", today: dt.date | None = None
) -> list[list[Any]]:
    """One row per card, newest release first (undated cards last)."""
    rows = []
    ordered = sorted(cards, key=lambda c: (c.release_date or dt.date.min, c.id), reverse=True)
    for c in ordered:
        mem = memory_table(c.params_b, 4096, c.active_params_b) if c.runs_locally else None
        price = (
            f"{c.price_per_mtok.input:g} / {c.price_per_mtok.output:g}" if c.price_per_mtok else "-"
        )
        rows.append(
            [
                c.name,
                c.vendor,
                str(c.release_date) if c.release_date else "-",
                lifecycle_text(c, lang, today),
                _t(lang, "オープン", "open") if c.open_weights else "API",
                c.params_b,
                card_japanese(c, lang),
                price,
                round(mem["q4"], 1) if mem else None,
                round(c.context_window / 1000) if c.context_window else None,
                _short(c.license, 40),
            ]
        )
    return rows


USE_CASE_LABELS = {
    "chat": ("チャットボット", "chatbot"),
    "code": ("コード生成・補完", "code"),
    "translation": ("翻訳", "translation"),
    "summarization": ("要約", "summarisation"),
    "rag": ("社内文書検索(RAG)", "RAG / search"),
    "text_generation": ("文章作成", "writing"),
    "finetuning": ("ファインチューニング", "fine-tuning"),
    "edge": ("端末・エッジ", "on-device / edge"),
}


def use_case_choices(lang: str) -> list[tuple[str, str]]:
    return [(v[0 if lang == "ja" else 1], k) for k, v in USE_CASE_LABELS.items()]


def catalog_filter_choices(lang: str) -> dict[str, list[tuple[str, str]]]:
    """Choices of the catalog's filters, labelled in the interface language."""
    any_ = _t(lang, "すべて", "any")
    return {
        "japanese": [
            (any_, ""),
            (_t(lang, "基本以上", "basic or better"), "basic"),
            (_t(lang, "良い以上", "good or better"), "good"),
            (_t(lang, "高い", "strong"), "strong"),
        ],
        "use_case": [(any_, ""), *use_case_choices(lang)],
    }


def filter_cards(
    catalog: Catalog,
    text: str = "",
    open_only: bool = False,
    japanese_min: str = "",
    use_case: str = "",
) -> list[ModelCard]:
    levels = {j.value: j.level for j in Japanese} | {"": 0}
    needle = text.strip().lower()
    return [
        c
        for c in catalog
        if (
            not needle
            or needle in c.id
            or needle in c.name.lower()
            or needle in c.vendor.lower()
            or any(needle in a.lower() for a in c.aliases)
        )
        and (not open_only or c.open_weights)
        and c.japanese.level >= levels.get(japanese_min, 0)
        and (not use_case or use_case in [u.value for u in c.use_cases])
    ]


def compare_rows(
    cards: list[ModelCard], lang: str = "en", today: dt.date | None = None
) -> tuple[list[str], list[list[Any]]]:
    """The cards' facts side by side, one row per fact (present.card.card_facts), plus sources."""
    headers = ["", *[c.name for c in cards]]
    facts = [card_facts(c, lang, today, prose=False) for c in cards]
    rows = [[label, *[f[i][1] for f in facts]] for i, (label, _) in enumerate(facts[0])]
    rows.append(
        [_t(lang, "出典", "sources"), *[" ".join(str(u) for u in c.sources) for c in cards]]
    )
    return headers, rows


def compare_figure(cards: list[ModelCard], lang: str = "en") -> Any:
    """Memory per quantisation, price, context and Japanese level, side by side."""
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=1,
        cols=4,
        subplot_titles=(
            _t(lang, "メモリ GB (Q4/Q8/FP16)", "memory GB (Q4/Q8/FP16)"),
            _t(lang, "料金 $/1M (入/出)", "price $/1M (in/out)"),
            _t(lang, "コンテキスト (k)", "context (k tokens)"),
            _t(lang, "日本語 (0-3)", "Japanese (0-3)"),
        ),
    )
    for c in cards:
        mem = memory_table(c.params_b, 4096, c.active_params_b) if c.runs_locally else None
        if mem:
            fig.add_bar(
                x=["Q4", "Q8", "FP16"],
                y=[mem["q4"], mem["q8"], mem["fp16"]],
                name=c.name,
                row=1,
                col=1,
                legendgroup=c.id,
            )
        if c.price_per_mtok:
            fig.add_bar(
                x=["in", "out"],
                y=[c.price_per_mtok.input, c.price_per_mtok.output],
                name=c.name,
                row=1,
                col=2,
                legendgroup=c.id,
                showlegend=False,
            )
        fig.add_bar(
            x=[c.name],
            y=[(c.context_window or 0) / 1000],
            name=c.name,
            row=1,
            col=3,
            legendgroup=c.id,
            showlegend=False,
        )
        fig.add_bar(
            x=[c.name],
            y=[c.japanese.level],
            name=c.name,
            row=1,
            col=4,
            legendgroup=c.id,
            showlegend=False,
        )
    fig.update_layout(barmode="group", height=380, margin={"t": 40, "b": 40, "l": 40, "r": 10})
    return fig


# --- the needs profile as people read it ---------------------------------------------------------

#: the profile card's lines: the guide's six criteria, then budget, workload and context
PROFILE_LABELS = {
    "use_case": ("① 用途", "① Use case"),
    "accuracy": ("② 精度・優先", "② Accuracy / priority"),
    "compute": ("③ 計算資源", "③ Compute / hardware"),
    "customization": ("④ カスタマイズ", "④ Customisation"),
    "languages": ("⑤ 言語", "⑤ Languages"),
    "deployment": ("⑥ 提供形態・データ", "⑥ Deployment & privacy"),
    "budget": ("予算", "Budget"),
    "workload": ("利用量", "Workload"),
    "context": ("コンテキスト", "Context"),
}
#: an assumption note's slot ("hardware: ...", or a field the language model filled) -> line
_SLOT_LINE = {
    "use_case": "use_case",
    "use_cases": "use_case",
    "priority": "accuracy",
    "accuracy": "accuracy",
    "hardware": "compute",
    "gpu_gb": "compute",
    "ram_gb": "compute",
    "cpu_only": "compute",
    "size": "compute",
    "max_params_b": "compute",
    "finetune": "customization",
    "customization": "customization",
    "japanese": "languages",
    "language": "languages",
    "languages": "languages",
    "many_languages": "languages",
    "deployment": "deployment",
    "privacy": "deployment",
    "commercial": "deployment",
    "open_weights": "deployment",
    "budget": "budget",
    "budget_amount": "budget",
    "workload": "workload",
    "requests_per_day": "workload",
    "context": "context",
    "context_tokens": "context",
}
_PRIORITY = {
    "accuracy": ("精度重視", "accuracy first"),
    "balanced": ("バランス", "balanced"),
    "cost": ("コスト重視", "low cost first"),
    "speed": ("速度重視", "speed first"),
}
_BUDGET_LEVEL = {"low": ("低め", "low"), "medium": ("中程度", "medium"), "high": ("高め", "high")}


def unknown_text(lang: str) -> str:
    return _t(lang, "未定", "—")


def assumed_text(lang: str) -> str:
    return _t(lang, "(推定)", "(assumed)")


def _gb(x: float) -> str:
    return f"{x:g} GB"


def _money(amount: float) -> str:
    return f"{amount:,.0f}" if amount >= 100 else f"{amount:g}"


def _compute_value(n: Needs, lang: str) -> str | None:
    parts: list[str] = []
    if n.cpu_only:
        parts.append(_t(lang, "GPUなし(CPUのみ)", "no GPU (CPU only)"))
        if n.ram_gb is not None:
            parts.append(f"RAM {_gb(n.ram_gb)}")
    elif n.gpu_kind == "unified":
        size = _gb(n.gpu_gb) if n.gpu_gb is not None else unknown_text(lang)
        parts.append(_t(lang, f"統合メモリ {size}", f"unified memory {size}") + " (Mac)")
    elif n.gpu_gb is not None:
        generic = n.gpu_name in (None, f"GPU {n.gpu_gb:g} GB")
        parts.append(f"GPU {_gb(n.gpu_gb)}" if generic else f"{n.gpu_name} ({_gb(n.gpu_gb)})")
        if n.ram_gb is not None:
            parts.append(f"RAM {_gb(n.ram_gb)}")
    elif n.ram_gb is not None:
        parts.append(f"RAM {_gb(n.ram_gb)}")
    elif n.deployment == "api":
        parts.append(_t(lang, "不要(APIを使う)", "none needed (API)"))
    if n.max_params_b is not None:
        parts.append(_t(lang, f"最大 {n.max_params_b:g}B", f"at most {n.max_params_b:g}B"))
    return "・".join(parts) if lang == "ja" and parts else ", ".join(parts) or None


def _languages_value(n: Needs, lang: str) -> str | None:
    parts = []
    if n.japanese is True:
        parts.append(_t(lang, "日本語", "Japanese"))
    elif n.japanese is False:
        parts.append(_t(lang, "日本語は不要", "no Japanese"))
    if n.many_languages:
        parts.append(_t(lang, "多言語(翻訳)", "many languages"))
    return ("・" if lang == "ja" else ", ").join(parts) or None


def _deployment_value(n: Needs, lang: str) -> str | None:
    names = {
        "api": ("API", "API"),
        "local": ("ローカル(自社運用)", "local (self-hosted)"),
        "either": ("どちらでも", "either"),
    }
    parts = []
    if n.deployment is not None:
        parts.append(names[n.deployment][0 if lang == "ja" else 1])
    if n.privacy:
        parts.append(_t(lang, "データは社外に出さない", "data stays in-house"))
    if n.commercial:
        parts.append(_t(lang, "商用利用", "commercial use"))
    if n.open_weights:
        parts.append(_t(lang, "オープンウェイト", "open weights"))
    return ("・" if lang == "ja" else ", ").join(parts) or None


def _budget_value(n: Needs, lang: str) -> str | None:
    if n.budget_amount is not None:
        text = _money(n.budget_amount)
        if n.budget_currency:
            text += f" {n.budget_currency}"
        if n.budget_period:
            per = {"month": ("月", "month"), "request": ("1回", "request")}[n.budget_period]
            text += f" / {per[0 if lang == 'ja' else 1]}"
        if n.budget_hard:
            text += _t(lang, "(上限)", " (limit)")
        return text
    if n.budget is not None:
        return _BUDGET_LEVEL[n.budget][0 if lang == "ja" else 1]
    return None


def _workload_value(n: Needs, lang: str) -> str | None:
    if n.requests_per_day is None:
        return None
    text = _t(lang, f"1日 {n.requests_per_day:,.0f} 件", f"{n.requests_per_day:,.0f} requests/day")
    if n.tokens_per_request is not None:
        text += _t(
            lang,
            f"(1件 {n.tokens_per_request:,.0f} トークン)",
            f", {n.tokens_per_request:,.0f} tokens each",
        )
    return text


def _line_values(n: Needs, lang: str) -> dict[str, str | None]:
    i = 0 if lang == "ja" else 1
    return {
        "use_case": ("、" if lang == "ja" else ", ").join(
            USE_CASE_LABELS.get(u.value, (u.value, u.value))[i] for u in n.use_cases
        )
        or None,
        "accuracy": _PRIORITY[n.priority][i] if n.priority else None,
        "compute": _compute_value(n, lang),
        "customization": (
            None
            if n.finetune is None
            else _t(lang, "ファインチューニングする(LoRAなど)", "fine-tune (e.g. LoRA)")
            if n.finetune
            else _t(lang, "しない(そのまま使う)", "no fine-tuning")
        ),
        "languages": _languages_value(n, lang),
        "deployment": _deployment_value(n, lang),
        "budget": _budget_value(n, lang),
        "workload": _workload_value(n, lang),
        "context": _t(lang, f"{n.context_tokens:,} トークン", f"{n.context_tokens:,} tokens")
        if n.context_tokens
        else None,
    }


def assumed_lines(n: Needs) -> set[str]:
    """The profile lines whose value came (partly) from an assumption."""
    return {
        line
        for note in n.assumptions
        if (line := _SLOT_LINE.get(note.split(":", 1)[0].strip().lower())) is not None
    }


def profile_lines(n: Needs, lang: str) -> list[tuple[str, str, bool]]:
    """(label, value, assumed) per line of the profile card, in the interface language; an
    unknown value is 'not decided' ('未定' / '—') and never marked as assumed."""
    values = _line_values(n, lang)
    assumed = assumed_lines(n)
    i = 0 if lang == "ja" else 1
    return [
        (
            PROFILE_LABELS[key][i],
            values[key] or unknown_text(lang),
            values[key] is not None and key in assumed,
        )
        for key in PROFILE_LABELS
    ]


def _cell(text: str) -> str:
    return inert_markdown(text).replace("|", "\\|")


def profile_markdown(n: Needs, lang: str) -> str:
    """The profile card: a two-column table, assumed values marked, then why they were assumed."""
    head = _t(lang, "| 項目 | 内容 |", "| Criterion | Value |")
    rows = [head, "|---|---|"]
    for label, value, assumed in profile_lines(n, lang):
        mark = f" _{assumed_text(lang)}_" if assumed else ""
        rows.append(f"| **{label}** | {_cell(value)}{mark} |")
    if n.assumptions:
        rows += ["", _t(lang, "**推定したこと**", "**Assumed**")]
        rows += [f"- {inert_markdown(localise(a, lang))}" for a in n.assumptions]
    return "\n".join(rows)


# --- the profile's edit controls ----------------------------------------------------------------

#: one control per field the card's edit form shows, grouped by the line they edit
FORM_FIELDS: dict[str, str] = {
    "use_cases": "use_case",
    "priority": "accuracy",
    "gpu_gb": "compute",
    "cpu_only": "compute",
    "ram_gb": "compute",
    "finetune": "customization",
    "japanese": "languages",
    "many_languages": "languages",
    "deployment": "deployment",
    "privacy": "deployment",
    "budget_amount": "budget",
    "budget_currency": "budget",
    "budget_period": "budget",
    "budget_hard": "budget",
    "requests_per_day": "workload",
    "context_tokens": "context",
}
UNKNOWN = "unknown"


def _tri(value: bool | None) -> str:
    return UNKNOWN if value is None else "yes" if value else "no"


def profile_form(n: Needs) -> dict[str, Any]:
    """The edit controls' values for a profile (dropdowns use 'unknown' for not stated)."""
    return {
        "use_cases": [u.value for u in n.use_cases],
        "priority": n.priority or UNKNOWN,
        "gpu_gb": n.gpu_gb,
        "cpu_only": n.cpu_only,
        "ram_gb": n.ram_gb,
        "finetune": _tri(n.finetune),
        "japanese": _tri(n.japanese),
        "many_languages": n.many_languages,
        "deployment": n.deployment or UNKNOWN,
        "privacy": n.privacy,
        "budget_amount": n.budget_amount,
        "budget_currency": n.budget_currency or ("JPY" if n.lang == "ja" else "USD"),
        "budget_period": n.budget_period or "month",
        "budget_hard": n.budget_hard,
        "requests_per_day": n.requests_per_day,
        "context_tokens": n.context_tokens,
    }


def form_labels(lang: str) -> dict[str, str]:
    """Each control's label: its line's label, and what it sets where a line has several."""
    line = {k: v[0 if lang == "ja" else 1] for k, v in PROFILE_LABELS.items()}
    return {
        "use_cases": line["use_case"],
        "priority": line["accuracy"],
        "gpu_gb": f"{line['compute']}: " + _t(lang, "GPUメモリ GB", "GPU memory GB"),
        "cpu_only": _t(lang, "GPUなし(CPUのみ)", "no GPU (CPU only)"),
        "ram_gb": _t(lang, "RAM GB", "RAM GB"),
        "finetune": line["customization"] + _t(lang, ": ファインチューニング", ": fine-tuning"),
        "japanese": line["languages"] + _t(lang, ": 日本語", ": Japanese"),
        "many_languages": _t(lang, "多言語(翻訳)", "many languages"),
        "deployment": line["deployment"],
        "privacy": _t(lang, "データは社外に出さない", "data stays in-house"),
        "budget_amount": f"{line['budget']}: " + _t(lang, "金額", "amount"),
        "budget_currency": _t(lang, "通貨", "currency"),
        "budget_period": _t(lang, "期間", "per"),
        "budget_hard": _t(lang, "上限", "limit"),
        "requests_per_day": line["workload"] + _t(lang, ": 1日の件数", ": requests/day"),
        "context_tokens": line["context"] + _t(lang, ": トークン", ": tokens"),
    }


def form_choices(lang: str) -> dict[str, list[tuple[str, str]]]:
    """The dropdowns' choices, labelled in the interface language."""
    i = 0 if lang == "ja" else 1
    unknown = (unknown_text(lang) if lang == "ja" else _t(lang, "未定", "not decided"), UNKNOWN)
    tri = [unknown, (_t(lang, "はい", "yes"), "yes"), (_t(lang, "いいえ", "no"), "no")]
    return {
        "use_cases": use_case_choices(lang),
        "priority": [unknown, *((v[i], k) for k, v in _PRIORITY.items())],
        "finetune": tri,
        "japanese": tri,
        "deployment": [
            unknown,
            ("API", "api"),
            (_t(lang, "ローカル(自社運用)", "local (self-hosted)"), "local"),
            (_t(lang, "どちらでも", "either"), "either"),
        ],
        "budget_currency": [("JPY", "JPY"), ("USD", "USD")],
        "budget_period": [
            (_t(lang, "月", "month"), "month"),
            (_t(lang, "1回", "request"), "request"),
        ],
    }


def _number(value: Any, label: str, lang: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            _t(lang, f"{label}: 数値ではありません", f"{label}: not a number")
        ) from None
    if x != x or x < 0 or x in (float("inf"), float("-inf")):
        raise ValueError(
            _t(lang, f"{label}: 0以上の数値にしてください", f"{label}: must be 0 or more")
        )
    return x


def needs_from_form(n: Needs, values: dict[str, Any], lang: str) -> Needs:
    """The profile with the edit controls' values applied. Raises ValueError with one line
    naming the control when a value does not validate; lines that were edited lose their
    assumption notes (the person has now stated them)."""
    labels = form_labels(lang)
    before = profile_form(n)
    changed = {FORM_FIELDS[k] for k in FORM_FIELDS if k in values and values[k] != before[k]}
    v = {**before, **{k: values[k] for k in FORM_FIELDS if k in values}}
    nums = {
        k: _number(v[k], labels[k], lang)
        for k in ("gpu_gb", "ram_gb", "budget_amount", "requests_per_day", "context_tokens")
    }
    data = n.model_dump(exclude={"unknown"})
    data["use_cases"] = list(v["use_cases"] or [])
    data["priority"] = None if v["priority"] == UNKNOWN else v["priority"]
    data["cpu_only"] = bool(v["cpu_only"])
    data["ram_gb"] = nums["ram_gb"]
    gpu = nums["gpu_gb"]
    if data["cpu_only"]:
        data.update(gpu_gb=None, gpu_name=None, gpu_kind="cpu")
    elif gpu:
        if gpu != n.gpu_gb:
            data["gpu_name"] = f"GPU {gpu:g} GB" if n.gpu_kind != "unified" else f"Mac {gpu:g} GB"
        data.update(gpu_gb=gpu, gpu_kind="unified" if n.gpu_kind == "unified" else "gpu")
    else:
        data.update(gpu_gb=None, gpu_name=None)
        if data["gpu_kind"] != "unified":
            data["gpu_kind"] = None
    for key in ("finetune", "japanese"):
        data[key] = {"yes": True, "no": False}.get(v[key])
    data["many_languages"] = bool(v["many_languages"])
    data["deployment"] = None if v["deployment"] == UNKNOWN else v["deployment"]
    data["privacy"] = bool(v["privacy"])
    amount = nums["budget_amount"]
    data.update(
        budget_amount=amount or None,
        budget_currency=v["budget_currency"] if amount else None,
        budget_period=v["budget_period"] if amount else None,
        budget_hard=bool(v["budget_hard"]) and bool(amount),
    )
    if "budget" in changed and not amount:
        data["budget"] = None
    data["requests_per_day"] = nums["requests_per_day"] or None
    ctx = nums["context_tokens"]
    data["context_tokens"] = int(ctx) if ctx else None
    data["assumptions"] = [
        a
        for a in n.assumptions
        if _SLOT_LINE.get(a.split(":", 1)[0].strip().lower()) not in changed
    ]
    if "deployment" in changed:
        data["questions"] = []
    try:
        return Needs.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else ""
        raise ValueError(f"{labels.get(field, field)}: {err['msg']}") from None
