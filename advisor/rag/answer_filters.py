"""Output guards on a model's text: citations kept only when valid, system-prompt lines removed (also while streaming), text made inert."""

from __future__ import annotations

import re

from advisor.rag.answer_types import _CITE_RE, _CONTROL_RE
from advisor.rag.llm import Message


def filter_citations(text: str, n_passages: int) -> tuple[str, list[int]]:
    used: list[int] = []

    def keep(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if 1 <= n <= n_passages:
            if n not in used:
                used.append(n)
            return m.group(0)
        return ""

    return _CITE_RE.sub(keep, text), used


def _system_lines(messages: list[Message]) -> list[str]:
    """The system prompt's lines worth guarding (20+ characters, without list markers)."""
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    cores = (line.strip().lstrip("-•* ").strip() for line in system.splitlines())
    return [c for c in cores if len(c) >= 20]


def redact_system(text: str, messages: list[Message]) -> tuple[str, bool]:
    """Remove verbatim repeats of the system prompt's lines (with or without list markers)."""
    leaked = False
    for core in _system_lines(messages):
        if core in text:
            text = text.replace(core, "[…]")
            leaked = True
    return text, leaked


class SystemEchoFilter:
    """What of a model's stream may be shown, as it goes: no control characters (no terminal
    escapes reach a CLI or a log) and no system-prompt line. It holds back only a tail that could
    still grow into one of those lines, so the rest shows token by token."""

    def __init__(self, messages: list[Message]):
        self.lines = _system_lines(messages)
        self.buf = ""
        self.leaked = False

    def feed(self, piece: str) -> str:
        self.buf += _CONTROL_RE.sub("", piece)
        for line in self.lines:
            if line in self.buf:
                self.buf = self.buf.replace(line, "[…]")
                self.leaked = True
        hold = max((self._prefix_len(line) for line in self.lines), default=0)
        shown, self.buf = self.buf[: len(self.buf) - hold], self.buf[len(self.buf) - hold :]
        return shown

    def _prefix_len(self, line: str) -> int:
        """Length of the longest end of the buffer that starts `line`."""
        for k in range(min(len(line) - 1, len(self.buf)), 0, -1):
            if self.buf.endswith(line[:k]):
                return k
        return 0

    def flush(self) -> str:
        """What is held back, at the end of the stream."""
        out, self.buf = self.buf, ""
        return out


def _inert(text: str) -> str:
    """Knowledge text in a plain-text answer: no HTML tags, Markdown links or images, escapes."""
    text = _CONTROL_RE.sub("", text).replace("<", "‹").replace(">", "›")
    return text.replace("![", "! [").replace("](", "] (")


def _quote(text: str, limit: int) -> str:
    """Retrieved or user text as inert data inside the prompt's tags."""
    text = text.replace("<", "‹").replace(">", "›")
    return text if len(text) <= limit else text[:limit].rstrip() + "…"
