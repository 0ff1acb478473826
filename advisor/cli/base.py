"""The `advisor` command: the Typer app, shared helpers, and the entry point that turns
errors into one line and an exit code."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from rich.console import Console

from advisor.errors import AdvisorError, InputError
from advisor.services import Advisor
from advisor.settings import load_settings

if TYPE_CHECKING:
    pass


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


def _read_arg(text: str) -> str:
    """`-` reads the text from stdin (for long texts: argv is limited to 128 KiB)."""
    if text != "-":
        return text
    raw = sys.stdin.buffer.read(4_000_001)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("input is not valid UTF-8 text") from None


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
