"""The Gradio UI's views: column widths and types, charts, the citation panel, the catalog's
filters, the comparison, and the profile card's edit form.

Pure functions of service results; the wording of each fact lives in advisor.present (card,
catalog, shortlist, profile, report, text). Anything model-written is made inert before display."""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from advisor.domain.catalog import Catalog, Japanese, ModelCard
from advisor.domain.memory import memory_table
from advisor.domain.needs import Needs
from advisor.domain.recommend import Result
from advisor.i18n import t as _t
from advisor.present.card import card_facts
from advisor.present.profile import (
    PRIORITY,
    PROFILE_LABELS,
    SLOT_LINE,
    USE_CASE_LABELS,
    unknown_text,
)
from advisor.present.report import CRITERIA_LABELS

if TYPE_CHECKING:
    from advisor.rag.answer import Prepared

#: shares of the panel's width (they sum to 100 %, so the table never runs past its panel)
SHORTLIST_WIDTHS: list[str | int] = ["5%", "18%", "10%", "8%", "13%", "15%", "14%", "17%"]


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
        mem = memory_table(c, 4096) if c.runs_locally else None
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
        "priority": [unknown, *((v[i], k) for k, v in PRIORITY.items())],
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
        a for a in n.assumptions if SLOT_LINE.get(a.split(":", 1)[0].strip().lower()) not in changed
    ]
    if "deployment" in changed:
        data["questions"] = []
    try:
        return Needs.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else ""
        raise ValueError(f"{labels.get(field, field)}: {err['msg']}") from None


# --- where data may go: the one-click correction ------------------------------------------------


def data_fix_update(n: Needs | None, lang: str) -> Any:
    """The correction radio for these needs: its choices, the current reading selected."""
    import gradio as gr

    from advisor.domain import data_reading
    from advisor.present.profile import data_choice_label
    from advisor.ui.strings import T

    if n is None:
        return gr.update(visible=False, value=None)
    options = [(data_choice_label(c, lang), c) for c in data_reading.choices(n)]
    return gr.update(
        choices=options,
        value=data_reading.reading(n),
        label=_t(lang, *T["data_fix"]),
        visible=True,
    )
