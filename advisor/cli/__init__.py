"""The CLI: parse -> service -> present. Importing the command modules registers them."""

from advisor.cli import data, eval_cmd, fit, rag, recommend
from advisor.cli.base import app, main

__all__ = ["app", "base", "data", "eval_cmd", "fit", "main", "rag", "recommend"]
