"""A spy fake model for unit tests of the chain's own logic (real backends are tested elsewhere)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from advisor.errors import BackendError
from advisor.rag.llm import LLM, Message


class SpyLLM(LLM):
    """Replies with enqueued texts (optionally failing mid-stream) and records every prompt."""

    name = "spy"
    label = "spy model"

    structured = True

    def __init__(self) -> None:
        self.replies: list[tuple[str, str | None]] = []
        self.prompts: list[list[Message]] = []
        self.json_replies: list[Any] = []
        self.json_prompts: list[list[Message]] = []

    def enqueue_json(self, value: Any) -> None:
        """A structured reply; an exception instance is raised instead."""
        self.json_replies.append(value)

    def json(self, messages: list[Message], schema: dict[str, Any], max_tokens: int) -> Any:
        self.json_prompts.append(messages)
        value = self.json_replies.pop(0) if self.json_replies else {}
        if isinstance(value, Exception):
            raise value
        return value

    def enqueue(self, text: str, fail_after: str | None = None) -> None:
        self.replies.append((text, fail_after))

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        self.prompts.append(messages)
        text, fail = self.replies.pop(0) if self.replies else ("", None)
        for word in text.split(" "):
            yield word + " "
        if fail:
            raise BackendError(fail)
