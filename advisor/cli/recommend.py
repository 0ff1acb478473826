"""`advisor recommend`, `advisor models`, `advisor show`."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from advisor.domain.catalog import Japanese, ModelCard, UseCase
from advisor.domain.needs import detect_lang
from advisor.domain.notes import localise
from advisor.domain.recommend import Result
from advisor.errors import InputError
from advisor.i18n import t as _t

if TYPE_CHECKING:
    from advisor.sources.uncurated import Uncurated

from advisor.cli.base import _advisor, _emit_json, _read_arg, app, out

# --- recommend ---------------------------------------------------------------------------------


@app.command()
def recommend(
    needs_text: Annotated[
        str, typer.Argument(metavar="NEEDS", help="your need, in Japanese or English")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    top: Annotated[int, typer.Option(min=1, max=50, help="how many models")] = 5,
    lang: Annotated[str | None, typer.Option(help="output language: ja or en")] = None,
    use_case: Annotated[
        list[UseCase] | None, typer.Option("--use-case", help="use case (repeatable)")
    ] = None,
    local: Annotated[bool, typer.Option("--local", help="must run locally")] = False,
    api: Annotated[bool, typer.Option("--api", help="use a hosted API")] = False,
    gpu_gb: Annotated[
        float | None, typer.Option(min=0.5, max=4096, help="GPU memory in GB")
    ] = None,
    cpu_only: Annotated[bool, typer.Option("--cpu-only", help="no GPU")] = False,
    ram_gb: Annotated[
        float | None, typer.Option(min=0.5, max=8192, help="RAM in GB (CPU only)")
    ] = None,
    budget: Annotated[str | None, typer.Option(help="low, medium or high")] = None,
    priority: Annotated[str | None, typer.Option(help="accuracy, balanced, cost or speed")] = None,
    finetune: Annotated[
        bool | None, typer.Option("--finetune/--no-finetune", help="fine-tuning / LoRA")
    ] = None,
    japanese: Annotated[
        bool | None, typer.Option("--japanese/--no-japanese", help="needs Japanese")
    ] = None,
    commercial: Annotated[bool | None, typer.Option("--commercial/--non-commercial")] = None,
    context: Annotated[
        int | None, typer.Option(min=1, max=10_000_000, help="tokens of context needed")
    ] = None,
    requests_per_day: Annotated[
        float | None, typer.Option(min=1, max=1e9, help="workload, for monthly cost estimates")
    ] = None,
    tokens_per_request: Annotated[
        float | None, typer.Option(min=1, max=1e7, help="input tokens per request")
    ] = None,
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            help="correct where data may go: private, local, api, any, or region:jp|eu|us|de",
        ),
    ] = None,
    uncurated: Annotated[
        bool,
        typer.Option(
            "--uncurated", help="also list open models beyond the catalog (llmfit, unreviewed)"
        ),
    ] = False,
) -> None:
    """Rank models for a need: `advisor recommend "社外に出せない文書の要約、RTX 4090"`."""
    if local and api:
        raise InputError("--local and --api contradict each other: choose one")
    if cpu_only and gpu_gb is not None:
        raise InputError("--cpu-only and --gpu-gb contradict each other: choose one")
    if lang not in (None, "ja", "en"):
        raise InputError(f"--lang must be 'ja' or 'en', not {lang!r}")
    if budget not in (None, "low", "medium", "high"):
        raise InputError(f"--budget must be low, medium or high, not {budget!r}")
    if priority not in (None, "accuracy", "balanced", "cost", "speed"):
        raise InputError(f"--priority must be accuracy, balanced, cost or speed, not {priority!r}")
    from advisor.domain import data_reading

    if data is not None and not data_reading.is_choice(data):
        raise InputError(
            f"--data must be private, local, api, any or region:jp|eu|us|de, not {data!r}"
        )
    adv = _advisor()
    needs_text = _read_arg(needs_text)
    overrides: dict[str, Any] = {
        "use_cases": use_case or None,
        "deployment": "local" if local else "api" if api else None,
        "gpu_gb": gpu_gb,
        "cpu_only": True if cpu_only else None,
        "gpu_kind": "cpu" if cpu_only else None,
        "ram_gb": ram_gb,
        "budget": budget,
        "priority": priority,
        "finetune": finetune,
        "japanese": japanese,
        "commercial": commercial,
        "context_tokens": context,
        "requests_per_day": requests_per_day,
        "tokens_per_request": tokens_per_request,
        "lang": lang,
    }
    needs = adv.needs(needs_text, **overrides)
    if data is not None:  # the person's correction of the data reading wins over both readers
        needs = data_reading.apply(needs, data)
    result = adv.recommend(needs, top)
    extra, why_none = adv.uncurated(needs) if uncurated else ([], None)
    if as_json:
        contract = result.to_contract()
        if uncurated:  # a separate key: never mixed into the curated recommendations
            contract["uncurated"] = [m.model_dump(mode="json") for m in extra]
            contract["uncurated_note"] = why_none
        _emit_json(contract)
        return
    _print_result(result)
    if uncurated:
        _print_uncurated(extra, why_none, needs.lang)


def _print_uncurated(models: list[Uncurated], why_none: str | None, lang: str) -> None:
    if not models:
        out.print(f"[dim]{_t(lang, '未レビュー候補', 'Uncurated')}: {why_none}[/]")
        return
    table = Table(
        title=_t(lang, "未レビュー候補(カタログ外)", "Uncurated candidates (not in the catalog)"),
        caption=models[0].origin,
    )
    for col in ("Model", "Params", "Licence", "Memory", "Context", "Languages"):
        table.add_column(col, overflow="fold")
    for m in models:
        table.add_row(
            f"{m.name}\n[dim]{m.url}[/]",
            f"{m.params_b:g}B" if m.params_b else "-",
            m.license or "?",
            m.memory or "-",
            f"{m.context_window:,}" if m.context_window else "-",
            ", ".join(m.languages[:6]) or "-",
        )
    out.print(table)


def _print_result(result: Result) -> None:
    from advisor.present import shortlist
    from advisor.present.profile import data_line, used_line
    from advisor.present.report import CRITERIA_LABELS

    n = result.needs
    lang = n.lang
    out.print(escape(used_line(n, None, lang)), highlight=False)
    out.print(f"[bold]{escape(data_line(n, lang))}[/]", highlight=False)
    for a in n.assumptions:
        out.print(f"  [dim]{_t(lang, '仮定', 'assumed')}: {escape(localise(a, lang))}[/]")
    table = Table(title=_t(lang, "おすすめ", "Recommendations"), show_lines=True)
    for col in (
        "#",
        _t(lang, "モデル", "Model"),
        _t(lang, "スコア", "Score"),
        _t(lang, "メモリ(Q4)・料金・速度", "Memory (Q4), price, speed"),
        _t(lang, "理由", "Why"),
    ):
        table.add_column(col)
    for r in result.recommendations:
        facts = shortlist.figures(r, lang)
        reasons = "\n".join(
            f"{CRITERIA_LABELS[k][0 if lang == 'ja' else 1]}: {c.reason} [{c.cite}]"
            for k, c in r.criteria.items()
        )
        notice = f"\n[yellow]{escape(r.notice)}[/]" if r.notice else ""
        table.add_row(
            str(r.rank),
            f"{r.name}\n[dim]{r.model_id}[/]{notice}",
            f"{r.score:.1f}",
            "\n".join(facts) or "-",
            reasons,
        )
    out.print(table)
    if result.excluded:
        out.print(f"[bold]{_t(lang, '除外', 'Excluded')}:[/]")
        for e in result.excluded:
            out.print(f"  - {e.model_id}: {e.reason}")
    if n.unknown:
        unknown = [CRITERIA_LABELS[k][0 if lang == "ja" else 1] for k in n.unknown]
        out.print(f"[dim]{_t(lang, '未指定の基準', 'Not stated')}: {', '.join(unknown)}[/]")


# --- models / show -----------------------------------------------------------------------------


@app.command()
def models(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    open_weights: Annotated[
        bool | None, typer.Option("--open/--closed", help="open weights only / closed only")
    ] = None,
    japanese: Annotated[
        str | None, typer.Option(help="minimum Japanese level: strong, good, basic")
    ] = None,
    use_case: Annotated[UseCase | None, typer.Option("--use-case")] = None,
    deployment: Annotated[str | None, typer.Option(help="api, local or both")] = None,
) -> None:
    """List the catalog's model cards, optionally filtered."""
    levels = {j.value: j.level for j in Japanese}
    if japanese is not None and japanese not in levels:
        raise InputError(f"--japanese must be one of strong, good, basic, none; not {japanese!r}")
    if deployment not in (None, "api", "local", "both"):
        raise InputError(f"--deployment must be api, local or both; not {deployment!r}")
    cards = [
        c
        for c in _advisor().catalog
        if (open_weights is None or c.open_weights == open_weights)
        and (japanese is None or c.japanese.level >= levels[japanese])
        and (use_case is None or use_case in c.use_cases)
        and (deployment is None or c.deployment == deployment)
    ]
    if as_json:
        _emit_json({"models": [c.model_dump(mode="json") for c in cards]})
        return
    table = Table(title=f"{len(cards)} models")
    for col in (
        "id",
        "name",
        "vendor",
        "params",
        "open",
        "ja",
        "context",
        "price in/out",
        "deploy",
    ):
        table.add_column(col)
    for c in cards:
        price = (
            f"${c.price_per_mtok.input:g}/${c.price_per_mtok.output:g}" if c.price_per_mtok else "-"
        )
        table.add_row(
            c.id,
            c.name,
            c.vendor,
            f"{c.params_b:g}B" if c.params_b else "?",
            "yes" if c.open_weights else "no",
            c.japanese.value,
            f"{c.context_window:,}" if c.context_window else "?",
            price,
            c.deployment,
        )
    out.print(table)


@app.command()
def show(
    model_id: Annotated[str, typer.Argument(help="model id, e.g. mistral-7b")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    lang: Annotated[str, typer.Option(help="ja or en")] = "",
) -> None:
    """Show one model card with its sources."""
    card = _advisor().card(model_id.strip().lower())
    if as_json:
        _emit_json(card.model_dump(mode="json"))
        return
    _print_card(card, lang or detect_lang(os.environ.get("LANG", "")))


def _print_card(c: ModelCard, lang: str) -> None:
    from advisor.present.card import card_facts

    lang = "ja" if lang.startswith("ja") else "en"
    out.print(f"[bold]{escape(c.name)}[/] ({c.id}) — {escape(c.vendor)}")
    for label, value in card_facts(c, lang):
        out.print(f"  [bold]{escape(label)}:[/] {escape(value)}")
    out.print(f"  [bold]{_t(lang, '確認日', 'as of')}:[/] {c.as_of}")
    out.print(f"  [bold]{_t(lang, '出典', 'sources')}:[/]")
    for s in c.sources:
        out.print(f"    {s}")
