"""The needs profile as people read it: one labelled line per criterion of the guide (then
budget, workload and context), assumed values marked, as lines and as a Markdown card."""

from __future__ import annotations

from advisor.domain.catalog import USE_CASE_LABELS
from advisor.domain.needs import Needs
from advisor.domain.notes import localise
from advisor.i18n import t as _t
from advisor.present.text import inert_markdown

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
SLOT_LINE = {
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
PRIORITY = {
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
    if n.residency:
        from advisor.domain.filters import RESIDENCY_NAMES

        ja, en = RESIDENCY_NAMES.get(n.residency, (n.residency, n.residency))
        parts.append(_t(lang, f"データは{ja}の外に出さない", f"data stays in {en}"))
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
        "accuracy": PRIORITY[n.priority][i] if n.priority else None,
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
        if (line := SLOT_LINE.get(note.split(":", 1)[0].strip().lower())) is not None
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


def used_line(n: Needs, fresh: Needs | None, lang: str) -> str:
    """The needs an answer used, in one line; those carried over from earlier turns (not in
    `fresh`, this message's own reading) are marked."""
    values = _line_values(n, lang)
    own = _line_values(fresh, lang) if fresh is not None else values
    i = 0 if lang == "ja" else 1
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        carried = own.get(key) != value
        mark = _t(lang, "(前の質問から)", " (from earlier)") if carried else ""
        parts.append(f"{PROFILE_LABELS[key][i]}: {value}{mark}")
    if not parts:
        return _t(lang, "使った条件: 指定なし", "Needs used: none stated")
    sep = "、" if lang == "ja" else "; "
    return _t(lang, f"使った条件: {sep.join(parts)}", f"Needs used: {sep.join(parts)}")


# --- where data may go: the safety-critical reading, in one line -------------------------------

_DATA_CHOICE = {
    "private": (
        "データは社外に出せない → ローカルのみ",
        "data must stay in-house → local models only",
    ),
    "local": ("自社で動かす → ローカルのみ", "run it yourself → local models only"),
    "api": ("APIに送ってよい → APIを含む", "data may go to an API → APIs included"),
    "any": ("制限の指定なし → APIとローカルの両方", "no limit stated → APIs and local models"),
}
#: the slot whose source a reading reports
_READING_SLOT = {"private": "privacy", "local": "deployment", "api": "deployment"}


def data_choice_label(choice: str, lang: str) -> str:
    """One correction choice as the person reads it ('region:jp' names the country)."""
    if choice.startswith("region:"):
        from advisor.domain.filters import RESIDENCY_NAMES

        code = choice.removeprefix("region:")
        ja, en = RESIDENCY_NAMES.get(code, (code, code))
        return _t(
            lang,
            f"データは{ja}の外に出せない → ローカルのみ(地域を記録したAPIなし)",
            f"data must stay in {en} → local models only (no API records its region)",
        )
    return _t(lang, *_DATA_CHOICE[choice])


def _source_text(source: str, lang: str) -> str:
    if source == "corrected":
        return _t(lang, "訂正済み", "corrected")
    if source.startswith("learned, private"):
        return _t(
            lang, "学習モデルの非公開の読み取りを優先", "the learned reader's private reading"
        )
    if source.startswith("learned"):
        return _t(lang, f"学習モデル {source[7:].strip()}", f"learned reader {source[7:].strip()}")
    return _t(lang, "ルール", "rules")


def data_line(n: Needs, lang: str) -> str:
    """「データの扱い: データは社外に出せない → ローカルのみ(読み取り: ルール)」."""
    from advisor.domain.data_reading import reading

    choice = reading(n)
    slot = "residency" if choice.startswith("region:") else _READING_SLOT.get(choice)
    source = n.slot_sources.get(slot or "", "")
    how = _t(
        lang,
        f"(読み取り: {_source_text(source, lang)})",
        f" (read by: {_source_text(source, lang)})",
    )
    text = data_choice_label(choice, lang) + (how if source else "")
    return _t(lang, f"データの扱い: {text}", f"Data handling: {text}")


def correction_text(n: Needs, names: list[str], lang: str) -> str:
    """What a correction changed: the new data line, then the shortlist's first names."""
    picks = ("、" if lang == "ja" else ", ").join(names) or _t(
        lang, "条件に合うモデルなし", "no model meets these needs"
    )
    head = _t(lang, "訂正しました", "Corrected")
    return f"✏️ {head} — {data_line(n, lang)}\n" + _t(
        lang, f"候補(更新): {picks}", f"Shortlist (updated): {picks}"
    )
