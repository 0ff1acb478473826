"""Presentation helpers shared by the UI: tables, charts, citation panels, the Markdown report.

Pure functions of service results; anything model-written is made inert before display."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from advisor.catalog import Catalog, ModelCard
from advisor.hardware import memory_table
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


def _t(lang: str, ja: str, en: str) -> str:
    return ja if lang == "ja" else en


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
        "スコア",
        "Q4メモリ",
        "収まる量子化",
        "料金(入力/出力 $/1M)",
        "月額の目安",
        "日本語",
        "ライセンス",
    ],
    "en": [
        "#",
        "Model",
        "Score",
        "Q4 memory",
        "Fits at",
        "Price (in/out $/1M)",
        "Monthly (est.)",
        "Japanese",
        "Licence",
    ],
}


def shortlist_rows(result: Result) -> list[list[Any]]:
    rows = []
    for r in result.recommendations:
        price = (
            f"{r.price_per_mtok['input']:g} / {r.price_per_mtok['output']:g}"
            if r.price_per_mtok
            else "-"
        )
        mem = f"{r.memory_gb['q4']:.1f} GB" if r.memory_gb else "-"
        rows.append(
            [
                r.rank,
                r.name,
                round(r.score, 1),
                mem,
                (r.fit or "-").upper(),
                price,
                _monthly(r),
                r.japanese,
                r.license,
            ]
        )
    return rows


def _monthly(r: Recommendation) -> str:
    """Estimated monthly cost when a workload was stated (* = assumed GPU price)."""
    if r.monthly_cost is None:
        return "-"
    api, host = r.monthly_cost.api_usd_per_month, r.monthly_cost.self_host_usd_per_month
    if api is not None:
        return f"${api:,.0f} API"
    return f"${host:,.0f} self-host*" if host is not None else "-"


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
    for row in shortlist_rows(result):
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


CATALOG_HEADERS = [
    "id",
    "name",
    "vendor",
    "params (B)",
    "open",
    "Japanese",
    "use cases",
    "Q4 GB",
    "price in/out $/1M",
    "context",
    "licence",
    "as of",
]


def catalog_rows(cards: list[ModelCard]) -> list[list[Any]]:
    rows = []
    for c in cards:
        mem = memory_table(c.params_b, 4096, c.active_params_b) if c.runs_locally else None
        price = (
            f"{c.price_per_mtok.input:g} / {c.price_per_mtok.output:g}" if c.price_per_mtok else "-"
        )
        rows.append(
            [
                c.id,
                c.name,
                c.vendor,
                c.params_b if c.params_b else "-",
                "yes" if c.open_weights else "no",
                c.japanese.value,
                ", ".join(u.value for u in c.use_cases),
                mem["q4"] if mem else "-",
                price,
                c.context_window or "-",
                c.license,
                str(c.as_of),
            ]
        )
    return rows


def filter_cards(
    catalog: Catalog,
    text: str = "",
    open_only: bool = False,
    japanese_min: str = "",
    use_case: str = "",
) -> list[ModelCard]:
    levels = {"strong": 3, "good": 2, "basic": 1, "none": 0, "": 0}
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


def compare_rows(cards: list[ModelCard]) -> tuple[list[str], list[list[Any]]]:
    headers = ["", *[c.name for c in cards]]

    def row(label: str, fn: Any) -> list[Any]:
        return [label, *[fn(c) for c in cards]]

    mem = {
        c.id: memory_table(c.params_b, 4096, c.active_params_b) if c.runs_locally else None
        for c in cards
    }
    rows = [
        row("vendor", lambda c: c.vendor),
        row("released", lambda c: str(c.release_date or "?")),
        row(
            "params (B)",
            lambda c: (
                f"{c.params_b:g}"
                + (f" ({c.active_params_b:g} active)" if c.active_params_b else "")
                if c.params_b
                else "undisclosed"
            ),
        ),
        row("open weights", lambda c: "yes" if c.open_weights else "no"),
        row("licence", lambda c: f"{c.license} (commercial: {c.commercial_use})"),
        row("context", lambda c: f"{c.context_window:,}" if c.context_window else "?"),
        row("Japanese", lambda c: c.japanese.value),
        row(
            "memory Q4/Q8/FP16 GB",
            lambda c: (
                " / ".join(f"{m[q]:.1f}" for q in ("q4", "q8", "fp16")) if (m := mem[c.id]) else "-"
            ),
        ),
        row(
            "price in/out $/1M",
            lambda c: (
                f"{c.price_per_mtok.input:g} / {c.price_per_mtok.output:g}"
                if c.price_per_mtok
                else "-"
            ),
        ),
        row("deployment", lambda c: c.deployment),
        row("sources", lambda c: " ".join(str(s) for s in c.sources)),
    ]
    return headers, rows


def compare_figure(cards: list[ModelCard]) -> Any:
    """Memory per quantisation, price, context and Japanese level, side by side."""
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=1,
        cols=4,
        subplot_titles=(
            "memory GB (Q4/Q8/FP16)",
            "price $/1M (in/out)",
            "context (k tokens)",
            "Japanese (0-3)",
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
