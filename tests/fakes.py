"""A spy fake model for unit tests of the chain's own logic (real backends are tested elsewhere)."""

from __future__ import annotations

from collections.abc import Iterator

from advisor.errors import BackendError
from advisor.llm import LLM, Message


class SpyLLM(LLM):
    """Replies with enqueued texts (optionally failing mid-stream) and records every prompt."""

    name = "spy"
    label = "spy model"

    def __init__(self) -> None:
        self.replies: list[tuple[str, str | None]] = []
        self.prompts: list[list[Message]] = []

    def enqueue(self, text: str, fail_after: str | None = None) -> None:
        self.replies.append((text, fail_after))

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        self.prompts.append(messages)
        text, fail = self.replies.pop(0) if self.replies else ("", None)
        for word in text.split(" "):
            yield word + " "
        if fail:
            raise BackendError(fail)
