"""What the answer chain prepares and returns: turns, citations, the prepared question and the answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from advisor.domain.catalog import Catalog
from advisor.domain.guide import Guide
from advisor.domain.kinds import Reading
from advisor.domain.needs import Needs
from advisor.domain.plans import Plan
from advisor.domain.recommend import Recommendation, Result
from advisor.rag.llm import LLM, Message
from advisor.rag.retrieve import Passage
from advisor.settings import Settings

_CITE_RE = re.compile(r"\[(\d{1,2})\]")
#: C0/C1 control characters but tab and newline (terminal escapes, carriage returns)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_FOLLOW_UP = re.compile(
    r"^(?:もっと|他に|ほか|それ|その|じゃあ|では|なら|で、|あと|and |what about|how about|cheaper|"
    r"other|another|instead|also|same|those|it |its )|^.{0,14}[?？]$",
    re.I,
)


@dataclass
class Turn:
    """One finished exchange; the next turn keeps its needs."""

    question: str
    needs: Needs
    answer: str = ""


@dataclass
class Citation:
    n: int
    source_id: str
    url: str
    title: str

    def to_contract(self) -> dict[str, object]:
        return {"n": self.n, "source_id": self.source_id, "url": self.url, "title": self.title}


@dataclass
class Prepared:
    """Everything known before the LLM runs."""

    question: str
    standalone: str
    lang: str
    needs: Needs
    result: Result
    passages: list[Passage]
    messages: list[Message]
    notices: list[str] = field(default_factory=list)
    echoed_system: bool = False  # the stream repeated system-prompt lines (removed as it went)
    backend_down: str | None = None  # the backend failed before the prose (e.g. reading needs)
    #: the LLM failed before any prose, so the offline (extractive) answer was shown
    fell_back: bool = False
    #: the answer ends where it should (False: cut off, e.g. a stream that broke mid-answer)
    complete: bool = True
    #: {"prompt_tokens", "completion_tokens", "seconds"} of the generation (updated as it streams)
    usage: dict[str, float] = field(default_factory=dict)
    #: per pick: {"model_id", "source": "llm" | "cards", "problems": [...]} (the guard's verdicts)
    checks: list[dict[str, Any]] = field(default_factory=list)
    #: what the message asks (kinds, named models, glossary terms) and the facts that answer it
    reading: Reading | None = None
    plans: list[Plan] = field(default_factory=list)
    #: this message's own needs, before earlier turns were merged in (None: nothing merged)
    own_needs: Needs | None = None

    @property
    def recommendations(self) -> list[Recommendation]:
        return self.result.recommendations

    def citation(self, n: int) -> Citation:
        c = self.passages[n - 1].chunk
        return Citation(n=n, source_id=c.source_id, url=c.url, title=c.title)


@dataclass
class Answer:
    answer: str
    lang: str
    backend: str
    citations: list[Citation]
    prepared: Prepared
    notices: list[str]
    complete: bool = True

    def to_contract(self) -> dict[str, object]:
        """The `advisor ask --json` contract of DESIGN.md."""
        return {
            "answer": self.answer,
            "lang": self.lang,
            "backend": self.backend,
            "citations": [c.to_contract() for c in self.citations],
            "recommendations": [r.model_dump(mode="json") for r in self.prepared.recommendations],
            "notices": list(self.notices),
            "complete": self.complete,
            "kind": list(self.prepared.reading.kinds) if self.prepared.reading else ["recommend"],
            "plan": {
                x.kind: x.model_dump(mode="json", exclude={"kind"}) for x in self.prepared.plans
            },
            "needs_used": {
                "needs": self.prepared.needs.model_dump(mode="json"),
                "carried": carried_keys(self.prepared.needs, self.prepared.own_needs),
            },
            "usage": {
                "prompt_tokens": int(self.prepared.usage.get("prompt_tokens", 0)),
                "completion_tokens": int(self.prepared.usage.get("completion_tokens", 0)),
                "seconds": round(float(self.prepared.usage.get("seconds", 0.0)), 2),
            },
        }


def carried_keys(needs: Needs, own: Needs | None) -> list[str]:
    """The needs fields whose value came from an earlier turn."""
    if own is None:
        return []
    now = needs.model_dump(exclude={"assumptions", "questions", "lang", "unknown"})
    mine = own.model_dump(exclude={"assumptions", "questions", "lang", "unknown"})
    return [k for k, v in now.items() if v not in (None, [], False) and mine.get(k) != v]


def _t(lang: str, ja: str, en: str) -> str:
    return ja if lang == "ja" else en


def is_follow_up(question: str) -> bool:
    return bool(_FOLLOW_UP.search(question.strip()))


class Sources(Protocol):
    """What the chain uses, and nothing more: the settings, the catalog, the needs reader, the
    ranker, retrieval and the notices to show. `services.Advisor` is one; tests may pass
    another."""

    settings: Settings

    @property
    def catalog(self) -> Catalog: ...

    def needs(self, text: str, previous: Needs | None = None) -> Needs: ...

    def recommend(self, needs: Needs, top: int = 5, catalog: Catalog | None = None) -> Result: ...

    def retrieve(self, query: str, k: int = 5) -> list[Passage]: ...

    def passage(self, source_id: str) -> Passage | None: ...

    def take_notices(self) -> list[str]: ...

    @property
    def guide(self) -> Guide: ...

    def read_question(self, text: str, needs: Needs, has_history: bool) -> Reading: ...

    def plans(
        self, reading: Reading, needs: Needs, result: Result, previous: Needs | None
    ) -> list[Plan]: ...


class ChainLike(Protocol):
    """What the answer's parts (picks, plans, summary) use of the chain."""

    advisor: Sources
    llm: LLM

    @property
    def max_tokens(self) -> int: ...
