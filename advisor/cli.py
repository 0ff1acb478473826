"""Command line: `advisor recommend|models|show|...`. Only parses, calls services and prints."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from advisor.catalog import Japanese, ModelCard, UseCase
from advisor.errors import AdvisorError, InputError
from advisor.i18n import t as _t
from advisor.needs import Needs, detect_lang
from advisor.notes import localise
from advisor.recommend import Result
from advisor.services import Advisor
from advisor.settings import load_settings

if TYPE_CHECKING:
    from advisor.uncurated import Uncurated

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Choose the LLM that fits your need (日本語 / English).",
)
out = Console(soft_wrap=True)
err = Console(stderr=True)

_state: dict[str, Any] = {}


@app.callback()
def _root(
    settings_file: Annotated[
        Path | None,
        typer.Option("--settings", help="YAML settings file", envvar="ADVISOR_SETTINGS_FILE"),
    ] = None,
) -> None:
    _state["settings_file"] = settings_file


def _advisor() -> Advisor:
    if "advisor" not in _state:
        _state["advisor"] = Advisor(load_settings(_state.get("settings_file")))
    adv: Advisor = _state["advisor"]
    return adv


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


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
    result = adv.recommend(needs, top)
    extra, why_none = adv.uncurated(needs) if uncurated else ([], None)
    if as_json:
        data = result.to_contract()
        if uncurated:  # a separate key: never mixed into the curated recommendations
            data["uncurated"] = [m.model_dump(mode="json") for m in extra]
            data["uncurated_note"] = why_none
        _emit_json(data)
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


def _read_arg(text: str) -> str:
    """`-` reads the text from stdin (for long texts: argv is limited to 128 KiB)."""
    if text != "-":
        return text
    raw = sys.stdin.buffer.read(4_000_001)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("input is not valid UTF-8 text") from None


def _needs_line(n: Needs) -> str:
    parts = []
    if n.use_cases:
        parts.append("use=" + ",".join(u.value for u in n.use_cases))
    for key in ("deployment", "priority", "budget", "japanese", "finetune", "commercial"):
        value = getattr(n, key)
        if value is not None:
            parts.append(f"{key}={value}")
    if n.privacy:
        parts.append("privacy")
    if n.gpu_gb:
        parts.append(f"gpu={n.gpu_name or ''} {n.gpu_gb:g}GB")
    if n.cpu_only:
        parts.append(f"cpu-only ram={n.ram_gb or '?'}GB")
    if n.context_tokens:
        parts.append(f"context={n.context_tokens:,}")
    return " ".join(parts) or "-"


def _print_result(result: Result) -> None:
    from advisor.present import shortlist

    n = result.needs
    lang = n.lang
    out.print(f"[bold]{_t(lang, 'ニーズ', 'Needs')}:[/] {_needs_line(n)}")
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
        reasons = "\n".join(f"{k}: {c.reason} [{c.cite}]" for k, c in r.criteria.items())
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
        out.print(f"[dim]{_t(lang, '未指定の基準', 'Not stated')}: {', '.join(n.unknown)}[/]")


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


# --- index / retrieve ---------------------------------------------------------------------------


@app.command()
def index(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="re-embed everything")] = False,
) -> None:
    """Build or refresh the vector index (only changed chunks are embedded)."""
    from rich.progress import Progress

    adv = _advisor()
    with Progress(transient=True, console=err) as bar:
        task = bar.add_task("embedding", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = adv.build_index(rebuild=rebuild, progress=step)
    for note in report.notices:
        err.print(f"notice: {note}", markup=False)
    out.print(
        f"index: {report.total} chunks ({report.added} added, {report.updated} updated, "
        f"{report.removed} removed, {report.unchanged} unchanged) in {adv.store.path}"
        if adv.settings.index.mode == "persistent"
        else f"index: {report.total} chunks on {adv.settings.index.host}:{adv.settings.index.port}"
    )


@app.command()
def retrieve(
    query: Annotated[str, typer.Argument(help="question or keywords; - reads stdin")],
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="how many passages")] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the passages (guide sections, model cards) that hybrid retrieval finds."""
    query = _read_arg(query)
    adv = _advisor()
    passages = adv.retrieve(query, k)
    if as_json:
        _emit_json({"query": query, "results": [p.to_contract() for p in passages]})
        return
    for i, p in enumerate(passages, 1):
        first = p.chunk.text.splitlines()[0]
        out.print(f"[bold]{i}. {p.source_id}[/] ({p.score:.4f}) {first}", highlight=False)


# --- ask / chat -------------------------------------------------------------------------------

Backend = typer.Option("--backend", help="openai, llamacpp or extractive (default: settings)")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="your question, ja or en; - reads stdin")],
    backend: Annotated[str | None, Backend] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    lang: Annotated[str | None, typer.Option(help="answer language: ja or en")] = None,
) -> None:
    """Answer a free-form question, grounded in the guide and the model cards, with citations."""
    if backend not in (None, "openai", "llamacpp", "extractive"):
        raise InputError(f"--backend must be openai, llamacpp or extractive, not {backend!r}")
    if lang not in (None, "ja", "en"):
        raise InputError(f"--lang must be 'ja' or 'en', not {lang!r}")
    chain = _advisor().chain(backend)
    prepared = chain.prepare(_read_arg(question), lang=lang)
    if as_json:
        answer = chain.finish(prepared, "".join(chain.stream(prepared)))
        _emit_json(answer.to_contract())
        return
    _print_turn(chain, prepared)


def _print_turn(chain: Any, prepared: Any) -> Any:
    """Shortlist first (known at once), then the streamed prose, then the citations."""
    lang = prepared.lang
    names = ", ".join(f"{r.rank}. {r.name}" for r in prepared.recommendations[:3])
    out.print(f"[bold]{_t(lang, '候補', 'Shortlist')}:[/] {names or '-'}", highlight=False)
    out.print(f"[dim]{_t(lang, '回答', 'Backend')}: {chain.llm.label}[/]")
    pieces = []
    for piece in chain.stream(prepared):
        pieces.append(piece)
        sys.stdout.write(piece)
        sys.stdout.flush()
    sys.stdout.write("\n")
    answer = chain.finish(prepared, "".join(pieces))
    out.print(f"[bold]{_t(lang, '出典', 'Sources')}:[/]")
    for c in answer.citations:
        url = f" {c.url}" if c.url.startswith("http") else ""
        out.print(f"  [{c.n}] {c.source_id} — {c.title}{url}", highlight=False, markup=False)
    for note in answer.notices:
        err.print(f"notice: {note}", markup=False, highlight=False)
    return answer


@app.command()
def chat(
    backend: Annotated[str | None, Backend] = None,
) -> None:
    """A multi-turn conversation in the terminal (follow-ups keep your earlier needs). Ctrl-D ends."""
    from advisor.answer import Turn

    chain = _advisor().chain(backend)
    history: list[Turn] = []
    out.print("advisor chat — 質問をどうぞ / ask away (Ctrl-D to quit)")
    while True:
        try:
            line = input("> ")
        except EOFError:
            out.print()
            return
        if not line.strip():
            continue
        try:
            prepared = chain.prepare(line, history)
        except InputError as exc:
            err.print(f"error: {exc}", markup=False)
            continue
        answer = _print_turn(chain, prepared)
        history.append(Turn(question=line, needs=prepared.needs, answer=answer.answer))


# --- eval ---------------------------------------------------------------------------------------


@app.command("eval")
def eval_(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    backend: Annotated[
        str | None, typer.Option("--backend", help="answer backend (default extractive)")
    ] = "extractive",
    only: Annotated[str | None, typer.Option(help="needs, retrieval, recommend or answers")] = None,
) -> None:
    """Run the evaluation sets: needs reading (slot accuracy), retrieval (recall@1/5, MRR,
    nDCG@5), shortlists, answers."""
    from advisor import evaluate as ev

    if only not in (None, "needs", "retrieval", "recommend", "answers"):
        raise InputError(f"--only must be needs, retrieval, recommend or answers, not {only!r}")
    if backend not in (None, "openai", "llamacpp", "extractive"):
        raise InputError(f"--backend must be openai, llamacpp or extractive, not {backend!r}")
    adv = _advisor()
    rcases, scases, acases = ev.load_sets(adv.settings.paths.knowledge_dir / "eval")
    report: dict[str, Any] = {}
    if only in (None, "needs"):
        eval_dir = adv.settings.paths.knowledge_dir / "eval"
        for key, name in (("needs", "needs"), ("needs_holdout", "needs-holdout")):
            ncases = ev.load_needs_cases(eval_dir, name)
            report[key], report[f"{key}_misses"] = ev.needs_results(ncases, adv.read_needs_rules)
    if only in (None, "retrieval"):

        def search(q: str, k: int) -> list[str]:
            return [p.chunk.base_id for p in adv.retrieve(q, k)]

        report["retrieval"] = ev.retrieval_metrics(rcases, search)
        report["retrieval_misses"] = ev.retrieval_misses(rcases, search)
    if only in (None, "recommend"):
        rows = ev.recommend_results(adv, scases)
        report["recommend"] = {
            lang: {
                "scenarios": sum(r["lang"] == lang for r in rows),
                "satisfied": sum(r["lang"] == lang and not r["violations"] for r in rows),
            }
            for lang in ("ja", "en")
        }
        report["recommend_violations"] = [r for r in rows if r["violations"]]
    if only in (None, "answers"):
        rows = ev.answer_checks(adv, acases, backend)
        report["answers"] = ev.answer_summary(rows)
        report["answer_rows"] = rows
        report["answer_problems"] = [
            r
            for r in rows
            if r["invalid_citations"] or r["shown_contradictions"] or r["echo"] or not r["clean"]
        ]
    if as_json:
        _emit_json(report)
        return
    _print_eval(report)


def _ratio(a: int, b: int) -> float:
    return round(a / b, 3) if b else 0.0


def _print_eval(report: dict[str, Any]) -> None:
    for set_key in ("needs", "needs_holdout"):
        if set_key not in report:
            continue
        t = Table(title=f"{set_key} reading (rules, no LLM): slot accuracy")
        for col in ("group", "correct", "total", "accuracy"):
            t.add_column(col)
        for key, m in report[set_key].items():
            t.add_row(key, str(m["correct"]), str(m["total"]), f"{m['accuracy']:.1%}")
        out.print(t)
        for miss in report[f"{set_key}_misses"]:
            out.print(
                f"[yellow]miss[/] {miss['id']} {miss['slot']}: expected {miss['expected']!r},"
                f" got {miss['got']!r} — {escape(miss['text'])}"
            )
    if "retrieval" in report:
        t = Table(title="retrieval")
        for col in ("lang", "n", "recall@1", "recall@5", "hit@5", "MRR", "nDCG@5"):
            t.add_column(col)
        for lang, m in report["retrieval"].items():
            t.add_row(
                lang,
                str(m["n"]),
                *(f"{m[k]:.3f}" for k in ("recall@1", "recall@5", "hit@5", "mrr", "ndcg@5")),
            )
        out.print(t)
        for miss in report["retrieval_misses"]:
            out.print(
                f"  [dim]miss {miss['id']}: {miss['query']} -> missing {miss['missing']}[/]",
                highlight=False,
            )
    if "recommend" in report:
        for lang, m in report["recommend"].items():
            out.print(
                f"recommend {lang}: {m['satisfied']}/{m['scenarios']} scenarios satisfy every constraint"
            )
        for row in report["recommend_violations"]:
            out.print(
                f"  violation {row['id']}: {row['violations']}", highlight=False, markup=False
            )
    if "answers" in report:
        t = Table(title="answers (per answer)")
        cols = (
            "id",
            "lang",
            "backend",
            "[n]",
            "guard found",
            "shown",
            "echo",
            "lang ok",
            "complete",
            "llm/picks",
            "prompt tok",
            "s",
            "cpu s",
        )
        for col in cols:
            t.add_column(col)
        for r in report["answer_rows"]:
            t.add_row(
                r["id"],
                r["lang"],
                r["backend"],
                f"{r['citations']}{' bad ' + str(r['invalid_citations']) if r['invalid_citations'] else ''}",
                str(len(r["guard_contradictions"])),
                str(len(r["shown_contradictions"])),
                "yes" if r["echo"] else "-",
                "yes" if r["language_ok"] else "NO",
                "yes" if r["complete"] else "NO",
                f"{r['llm_sentences']}/{r['picks']}",
                str(r["prompt_tokens"]),
                f"{r['seconds']:.1f}",
                f"{r['cpu_seconds']:.1f}",
            )
        out.print(t)
        for lang, m in report["answers"].items():
            out.print(
                f"answers {lang}: " + ", ".join(f"{k} {v}" for k, v in m.items()),
                highlight=False,
                markup=False,
            )
        for row in report["answer_problems"]:
            out.print(
                f"  problem {row['id']}: shown {row['shown_contradictions']}, echo {row['echo']},"
                f" language ok {row['language_ok']}, complete {row['complete']}",
                highlight=False,
                markup=False,
            )


# --- data ---------------------------------------------------------------------------------------

data_app = typer.Typer(
    help="The maintained datasets the catalog stands on (offline).", no_args_is_help=True
)
app.add_typer(data_app, name="data")


@data_app.command("status")
def data_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Each dataset's version, pinned version and data date, and the catalog's as-of dates."""
    from advisor.datasets import status

    adv = _advisor()
    info = status(adv.catalog, adv.settings.paths.data_dir)
    if as_json:
        _emit_json(info)
        return
    for name, fields in info.items():
        out.print(
            f"[bold]{name}[/]: "
            + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in fields.items() if v is not None),
            highlight=False,
        )


@data_app.command("check")
def data_check(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    today: Annotated[
        str | None, typer.Option("--today", help="YYYY-MM-DD (default: today)")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="rows per list in the text output")] = 40,
) -> None:
    """Is the catalog current? Models the datasets know and the catalog lacks, cards the datasets
    mark deprecated, cards not checked for 90 days; what the datasets filled and where they
    disagree with the cards or with each other."""
    import datetime as dt

    from advisor.catalog import load_catalog
    from advisor.datasets import enrich
    from advisor.freshness import STALE_DAYS, check, load_not_carded

    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        raise InputError(f"--today must be YYYY-MM-DD, not {today!r}") from None
    adv = _advisor()
    knowledge, data_dir = adv.settings.paths.knowledge_dir, adv.settings.paths.data_dir
    report = enrich(load_catalog(knowledge / "models"), data_dir)
    fresh = check(report.catalog, load_not_carded(knowledge / "not-carded.yaml"), data_dir, day)
    if as_json:
        _emit_json(
            {
                "mapped": report.mapped,
                "mapped_by": report.mapped_by,
                "filled": report.filled,
                "disagreements": [d.__dict__ for d in report.disagreements],
                "dataset_conflicts": [c.__dict__ for c in report.conflicts],
                **fresh.to_json(),
            }
        )
        return

    def line(text: str) -> None:
        out.print(text, highlight=False, markup=False)

    line(
        "datasets: "
        + ", ".join(f"{k} (data {v or 'not available'})" for k, v in fresh.datasets.items())
    )
    newer = fresh.uncarded_newer
    line(
        f"\n(a) uncarded models of tracked vendors: {len(fresh.uncarded)}, of which {len(newer)} "
        f"newer than the vendor's newest card; {len(fresh.reviewed)} more reviewed in "
        "knowledge/not-carded.yaml"
    )
    for u in fresh.uncarded[:limit]:
        mark = "NEW " if u.newer else "    "
        when = str(u.released) if u.released else "----------"
        name = f" ({u.name})" if u.name and u.name != u.id else ""
        snaps = f" +{len(u.snapshots)} snapshots" if u.snapshots else ""
        line(
            f"  {mark}{when} {u.vendor}: {u.id}{name}{snaps} [{', '.join(u.datasets)}; {u.date_note}]"
        )
    if len(fresh.uncarded) > limit:
        line(f"  ... {len(fresh.uncarded) - limit} more (--limit, or --json)")
    bad = fresh.lifecycle_incomplete
    line(
        f"\n(b) cards a dataset marks deprecated or shut down: {len(fresh.lifecycle)}, "
        f"{len(bad)} without the flag, the date or a successor"
    )
    for x in fresh.lifecycle[:limit]:
        state = "ok  " if x.complete else "TODO"
        card = (
            f"card: deprecated={x.card_deprecated} shutdown_date={x.card_shutdown_date} "
            f"successor={x.card_successor}"
        )
        said = f"{x.shutdown_date or 'no date'}" + (f" -> {x.successor}" if x.successor else "")
        line(f"  {state} {x.model_id}: {said} ({x.deprecated_by[0]}); {card}")
    line(f"\n(c) cards not checked for {STALE_DAYS} days: {len(fresh.stale)}")
    for st in fresh.stale[:limit]:
        line(f"  {st.model_id}: as_of {st.as_of} ({st.days} days)")
    n_filled = sum(len(v) for v in report.filled.values())
    line(
        f"\nfilled from datasets: {n_filled} empty fields in {len(report.filled)} cards "
        f"(cards found: {', '.join(f'{k} {v}' for k, v in sorted(report.mapped_by.items()))}); "
        f"{len(report.disagreements)} hand-written values disagree with the newest dataset; "
        f"{len(report.conflicts)} values the datasets disagree on (the newer data is used)"
    )
    for d in report.disagreements:
        line(f"  {d.model_id}.{d.field}: card {d.card} vs dataset {d.dataset} ({d.source})")
    for c in report.conflicts:
        line(
            f"  {c.model_id}.{c.field}: used {c.used} ({c.used_source}); {c.other_source} says {c.other}"
        )


def _fail(message: str, code: int) -> None:
    """One line on stderr, never wrapped, then exit."""
    sys.stderr.write(" ".join(message.split()) + "\n")
    sys.exit(code)


def main() -> None:
    """Console entry point: AdvisorError -> one line on stderr and its exit code; no tracebacks."""
    try:
        app(standalone_mode=False)
    except AdvisorError as exc:
        _fail(f"error: {exc}", exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _fail("aborted", 1)
    except _click_exceptions() as exc:  # usage errors: one line, exit 2
        if type(exc).__name__ == "NoArgsIsHelpError":  # help was printed
            sys.exit(0)
        _fail(f"error: {exc.format_message()}", 2)  # type: ignore[attr-defined]
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("ADVISOR_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc}", 1)


def _click_exceptions() -> tuple[type[Exception], ...]:
    """Usage errors of Typer (which vendors click) and of click itself."""
    from typer import _click

    return (_click.exceptions.ClickException, click.ClickException)


if __name__ == "__main__":
    main()
