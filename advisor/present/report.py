"""The shortlist explained in Markdown: each model's reasons per criterion, the uncurated
candidates, and the downloadable report with the cards' sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.domain.catalog import Catalog
from advisor.domain.recommend import Result
from advisor.i18n import t as _t
from advisor.present.shortlist import SHORTLIST_HEADERS, shortlist_rows
from advisor.present.text import inert_markdown

if TYPE_CHECKING:
    from advisor.sources.uncurated import Uncurated

CRITERIA_LABELS = {
    "use_case": ("① 用途", "① Use case"),
    "accuracy": ("② 精度", "② Accuracy"),
    "compute_cost": ("③ 計算コスト", "③ Compute cost"),
    "customization": ("④ カスタマイズ", "④ Customisation"),
    "multilingual": ("⑤ 多言語", "⑤ Multilingual"),
    "deployment": ("⑥ API/ローカル", "⑥ API vs local"),
}
#: the same criteria as what to ask a person who left them unstated
CRITERIA_ASK = {
    "use_case": ("用途", "use case"),
    "accuracy": ("精度とコストのどちらを重視するか", "accuracy vs cost"),
    "compute_cost": ("GPU・メモリ", "GPU / memory"),
    "customization": ("ファインチューニングの要否", "fine-tuning"),
    "multilingual": ("日本語・多言語の要否", "languages"),
    "deployment": ("API かローカルか", "API or local"),
}


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
