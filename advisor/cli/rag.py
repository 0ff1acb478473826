"""`advisor index`, `advisor retrieve`, `advisor ask`, `advisor chat`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from advisor.domain.needs import clean_text
from advisor.errors import InputError
from advisor.i18n import t as _t

if TYPE_CHECKING:
    pass

from advisor.cli.base import _advisor, _emit_json, _read_arg, app, err, out

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
DataOption = typer.Option(
    "--data", help="correct where data may go: private, local, api, any, or region:jp|eu|us|de"
)


def _check_data(data: str | None) -> None:
    from advisor.domain import data_reading

    if data is not None and not data_reading.is_choice(data):
        raise InputError(
            f"--data must be private, local, api, any or region:jp|eu|us|de, not {data!r}"
        )


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="your question, ja or en; - reads stdin")],
    backend: Annotated[str | None, Backend] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    lang: Annotated[str | None, typer.Option(help="answer language: ja or en")] = None,
    data: Annotated[str | None, DataOption] = None,
) -> None:
    """Answer a free-form question, grounded in the guide and the model cards, with citations."""
    if backend not in (None, "openai", "llamacpp", "extractive"):
        raise InputError(f"--backend must be openai, llamacpp or extractive, not {backend!r}")
    if lang not in (None, "ja", "en"):
        raise InputError(f"--lang must be 'ja' or 'en', not {lang!r}")
    _check_data(data)
    adv = _advisor()
    text = clean_text(_read_arg(question), adv.settings.max_input_chars)  # bad input fails first
    adv.preload(backend)  # the model loads while the index and the embedder open
    adv.open_retrieval()
    chain = adv.chain(backend)
    prepared = chain.prepare(text, lang=lang, data=data)
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
    from advisor.rag.answer import Turn

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
        if line.strip().startswith("/data"):  # correct the last turn's data reading
            _correct_last(chain, history, line.strip().removeprefix("/data").strip())
            continue
        try:
            prepared = chain.prepare(line, history)
        except InputError as exc:
            err.print(f"error: {exc}", markup=False)
            continue
        answer = _print_turn(chain, prepared)
        history.append(Turn(question=line, needs=prepared.needs, answer=answer.answer))


def _correct_last(chain: Any, history: list[Any], choice: str) -> None:
    """`/data api` in the chat: the last turn's data reading corrected, its shortlist again."""
    from advisor.domain import data_reading
    from advisor.present.profile import correction_text
    from advisor.rag.answer import Turn

    if not history:
        err.print("error: /data corrects the last answer's reading; ask a question first")
        return
    if not data_reading.is_choice(choice):
        err.print(f"error: /data takes private, local, api, any or region:jp, not {choice!r}")
        return
    last = history[-1]
    needs, result = chain.advisor.correct_data(last.needs, choice)
    history[-1] = Turn(question=last.question, needs=needs, answer=last.answer)
    names = [f"{r.rank}. {r.name}" for r in result.recommendations[:3]]
    out.print(correction_text(needs, names, needs.lang), highlight=False, markup=False)
