"""The RAG chain: question (+ history) -> needs -> recommender -> retrieval -> prompt -> LLM.

The structured part (shortlist, passages, citations) is ready before the LLM starts, so a UI
shows it at once while the prose streams. The LLM never ranks: it explains a given ranking.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol

from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from advisor.domain.catalog import Catalog
from advisor.domain.needs import Needs, detect_lang, hint_schema, merge_hint
from advisor.domain.recommend import Result
from advisor.errors import BackendError, MalformedReply
from advisor.present import shortlist
from advisor.rag.answer_filters import (
    SystemEchoFilter,
    _inert,
    _quote,
    filter_citations,
    redact_system,
)
from advisor.rag.answer_types import Answer, Prepared, Turn, _t, is_follow_up
from advisor.rag.extractive import _first_sentence, extractive_answer
from advisor.rag.guard import Problem, check_sentence
from advisor.rag.llm import LLM, Message
from advisor.rag.picks import (
    MAX_PASSAGES,
    PROMPT_PASSAGES,
    SHORT_PASSAGE_CHARS,
    PickParser,
    _card_cite,
    _fact_line,
    _fixed_text,
    _prose,
    card_tail,
    forced_stop,
    guard_notices,
    pick_lead,
    pick_prefix,
    pick_schema,
    pick_sentence,
    whole_sentences,
)
from advisor.rag.prompts import load_prompt
from advisor.rag.retrieve import Passage
from advisor.settings import Settings


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


class AnswerChain:
    """Builds the structured part with LangChain runnables, then streams the prose from `llm`."""

    def __init__(self, advisor: Sources, llm: LLM, k: int | None = None):
        self.advisor = advisor
        self.llm = llm
        cfg = advisor.settings.llm
        self.k = k or cfg.context_passages
        self.passage_chars = cfg.passage_chars
        #: set once the model is ready to answer (see `warm_up`)
        self.warm = threading.Event()
        self.warm.set()
        self._prepare = (
            RunnablePassthrough.assign(standalone=RunnableLambda(self._standalone))
            | RunnablePassthrough.assign(needs=RunnableLambda(self._needs))
            | RunnablePassthrough.assign(result=RunnableLambda(self._recommend))
            | RunnablePassthrough.assign(passages=RunnableLambda(self._retrieve))
            | RunnablePassthrough.assign(messages=RunnableLambda(self._messages))
        )

    def warm_up(self, lang: str = "ja") -> threading.Thread:
        """Evaluate the answer prompt's fixed system prefix in the background (a local model then
        starts each question after it); `self.warm` is set when done, whatever happened."""
        self.warm.clear()
        tpl = load_prompt(self.advisor.settings.paths.prompts_dir, "picks", lang)

        def run() -> None:
            try:
                self.llm.warm(tpl.render(facts="-", passages="-", question="-"))
            except BackendError:
                pass  # the first question finds out and answers offline
            finally:
                self.warm.set()

        thread = threading.Thread(target=run, name="advisor-warm-up", daemon=True)
        thread.start()
        return thread

    @property
    def max_tokens(self) -> int:
        """The answer limit of the backend in use (llm.openai or llm.llamacpp max_tokens); read
        per call, as the settings tab may swap `self.llm`."""
        return self.llm.max_tokens

    # --- structured part -----------------------------------------------------------------------

    def prepare(
        self, question: str, history: list[Turn] | None = None, lang: str | None = None
    ) -> Prepared:
        from advisor.domain.needs import clean_text

        question = clean_text(question, self.advisor.settings.max_input_chars)
        notes: list[str] = []  # the stages add what the user should know about this answer
        down: list[str] = []  # why the backend is unusable, when a stage found out
        state = self._prepare.invoke(
            {
                "question": question,
                "history": history or [],
                "lang": lang,
                "notes": notes,
                "down": down,
            }
        )
        return Prepared(
            question=question,
            standalone=state["standalone"],
            lang=state["needs"].lang,
            needs=state["needs"],
            result=state["result"],
            passages=state["passages"],
            messages=state["messages"],
            notices=[*self.advisor.take_notices(), *notes],
            backend_down=down[0] if down else None,
        )

    def _standalone(self, s: dict[str, Any]) -> str:
        history: list[Turn] = s["history"]
        q: str = s["question"]
        if history and is_follow_up(q):
            return f"{history[-1].question} / {q}"
        return q

    def _needs(self, s: dict[str, Any]) -> Needs:
        history: list[Turn] = s["history"]
        previous = history[-1].needs if history else None
        needs = self.advisor.needs(s["question"], previous=previous)
        needs.lang = s["lang"] or detect_lang(s["question"])
        if self.reads_needs:
            needs = self._llm_reading(needs, s["question"], s["notes"], s["down"])
        return needs

    @property
    def reads_needs(self) -> bool:
        """Whether the LLM also reads the needs (structured output) before the shortlist."""
        mode = self.advisor.settings.llm.read_needs
        if mode == "off" or not self.llm.structured:
            return False
        return mode == "on" or self.llm.name == "openai"

    def _llm_reading(self, needs: Needs, question: str, notes: list[str], down: list[str]) -> Needs:
        """Criteria the rules left unstated, from the LLM; the rules' profile if that fails."""
        tpl = load_prompt(self.advisor.settings.paths.prompts_dir, "needs", needs.lang)
        try:
            raw = self.llm.json(tpl.render(question=_quote(question, 2000)), hint_schema(), 200)
        except BackendError as exc:
            notes.append(
                _t(
                    needs.lang,
                    f"ニーズの読み取りはルールだけで行いました({self.llm.label}: {exc})。",
                    f"Needs were read by rules only ({self.llm.label}: {exc}).",
                )
            )
            if not isinstance(exc, MalformedReply):  # down, not just odd: do not wait on it twice
                down.append(str(exc))
            return needs
        return merge_hint(needs, raw)[0]

    def _recommend(self, s: dict[str, Any]) -> Result:
        needs: Needs = s["needs"]
        catalog = self.advisor.catalog
        # a question about named models with no stated needs: the shortlist is those models
        if needs.models and len(needs.unknown) >= 5:
            named = Catalog(catalog.get(m) for m in needs.models)
            return self.advisor.recommend(needs, top=min(len(named), 5), catalog=named)
        return self.advisor.recommend(needs, top=5)

    def _retrieve(self, s: dict[str, Any]) -> list[Passage]:
        """The cards of the top recommendations first (the answer is about them), then the
        retrieved passages with at least one guide section; at most k + 2 in all."""
        lang = s["needs"].lang
        found = self.advisor.retrieve(s["standalone"], self.k)
        if not any(p.chunk.kind == "guide" for p in found):  # always ground in the guide too
            wider = self.advisor.retrieve(s["standalone"], 20)
            guide = next((p for p in wider if p.chunk.kind == "guide"), None)
            if guide is not None:
                found = [*found[: self.k - 1], guide]
        top: list[Passage] = []
        for rec in s["result"].recommendations[:3]:
            card = self.advisor.passage(f"models/{rec.model_id}#{lang}")
            if card is not None:
                top.append(card)
        have = {p.chunk.base_id for p in top}
        rest = [p for p in found if p.chunk.base_id not in have]
        rest.sort(key=lambda p: p.chunk.kind != "guide")  # guide sections before other cards
        return top + rest[: min(MAX_PASSAGES, max(self.k + 2 - len(top), 1))]

    def _messages(self, s: dict[str, Any]) -> list[Message]:
        """The prompt sized to a small model: the question, the top three picks as compact fact
        lines, and at most three short passages (the picks' own cards are in their facts)."""
        lang = s["needs"].lang
        tpl = load_prompt(self.advisor.settings.paths.prompts_dir, "picks", lang)
        picks = s["result"].recommendations[:3]
        facts = "\n".join(
            f"- {_quote(_fact_line(r, self.advisor.catalog.by_id.get(r.model_id), lang, s['needs'], s['question']), 600)}"
            for r in picks
        )
        # the guide's retrieved sections, their prose only (other cards' facts would invite
        # the small model to mix models up)
        guide = [p for p in s["passages"] if p.chunk.kind == "guide"][:PROMPT_PASSAGES]
        passages = "\n".join(
            f"- {p.chunk.title}: {_quote(_prose(p.chunk.text), SHORT_PASSAGE_CHARS)}" for p in guide
        )
        return tpl.render(
            facts=facts or "-", passages=passages or "-", question=_quote(s["question"], 600)
        )

    # --- prose ---------------------------------------------------------------------------------

    def stream(self, p: Prepared) -> Iterator[str]:
        """Yield the answer: one checked, cited line per pick as soon as the model has written
        it, then the guide's line. A failing backend ends in the offline answer with a notice."""
        picks = p.recommendations[:3]
        if not self.llm.is_llm or not picks:
            yield extractive_answer(p, self.advisor.catalog)
            return
        names = [r.name for r in picks]
        parser = PickParser(names)
        failure: BackendError | None = None
        started = time.monotonic()
        done: set[int] = set()
        headed: set[int] = set()  # picks whose prefix is shown
        lines = 0
        p.usage.update(prompt_tokens=0, completion_tokens=0, seconds=0.0)
        try:
            if p.backend_down:  # it just failed: answer offline now rather than wait again
                raise BackendError(p.backend_down)
            schema = pick_schema(names, p.lang, [pick_lead(r, p.lang) for r in picks])
            for piece in self.llm.stream_json(p.messages, schema, self.max_tokens):
                if not p.usage["completion_tokens"]:
                    p.usage["first_token_seconds"] = round(time.monotonic() - started, 2)
                p.usage["completion_tokens"] += 1
                p.usage["seconds"] = round(time.monotonic() - started, 2)
                finished = parser.feed(piece)
                for i, text in finished:
                    done.add(i)
                    if i in headed:
                        yield self._pick_line(p, i, text, closed=True, headed=True)
                        continue
                    yield ("\n" if lines else "") + self._pick_line(p, i, text, closed=True)
                    lines += 1
                # the pick written next: its prefix (name, lead) is fixed by the grammar, not
                # chosen by the model, so it shows as soon as the model has started (under a
                # grammar) or has written it; the guard checks only what the model adds
                nxt = len(done)
                prefix = pick_prefix(picks[nxt], p.lang) if nxt < len(picks) else ""
                known = self.llm.grammar or parser.partial(nxt).startswith(prefix)
                if prefix and nxt not in headed and known:
                    headed.add(nxt)
                    yield f"{chr(10) if lines else ''}{nxt + 1}. {_inert(prefix)}"
                    lines += 1
                elif not finished:
                    yield ""  # a tick: a UI can show progress (elapsed time, tokens/s)
        except BackendError as exc:
            failure = exc
        if self.llm.last_usage:
            p.usage.update(self.llm.last_usage)
        p.usage["seconds"] = round(time.monotonic() - started, 2)
        if failure is not None and not done:
            p.fell_back = True
            p.notices.append(
                _t(
                    p.lang,
                    f"{self.llm.label} が失敗しました({failure})。オフラインの回答を表示します。",
                    f"{self.llm.label} failed ({failure}); showing the offline answer.",
                )
            )
            yield extractive_answer(p, self.advisor.catalog)
            return
        if failure is not None:
            p.notices.append(
                _t(
                    p.lang,
                    f"{self.llm.label} が途中で失敗しました({failure})。残りの候補はカードの記載で補いました。",
                    f"{self.llm.label} failed midway ({failure}); the remaining picks are described"
                    " from their cards.",
                )
            )
        for i in range(len(picks)):
            if i in headed and i not in done:  # its prefix is shown: end the line
                yield self._pick_line(p, i, parser.partial(i), closed=False, headed=True)
            elif i not in done:  # cut at the token limit or never written: whole sentences only
                yield ("\n" if lines else "") + self._pick_line(
                    p, i, parser.partial(i), closed=False
                )
                lines += 1
        if tail := self._guide_line(p):
            yield "\n\n" + tail
        guard_notices(p)

    def _pick_line(self, p: Prepared, i: int, text: str, closed: bool, headed: bool = False) -> str:
        """One pick's line: the model's sentence if the guard passes it, else the card's. With
        `headed`, its prefix (number, name, lead) is already shown: only the rest is returned."""
        r = p.recommendations[i]
        card = self.advisor.catalog.by_id.get(r.model_id)
        fact = _fact_line(r, card, p.lang, p.needs, p.question)
        if closed and forced_stop(r, p.lang, text):
            # the grammar's length limit forced the full stop: keep the whole sentences before it
            text, closed = text[:-1], False
        sentence = whole_sentences(text, p.lang, closed)
        problems: list[Problem] = []
        if sentence is None:
            problems.append(Problem("incomplete", "no whole sentence"))
        else:
            cat = self.advisor.catalog
            problems = check_sentence(
                sentence,
                card,
                cat,
                p.lang,
                stated=p.question,
                extra_numbers=[float(x) for x in re.findall(r"\d+(?:\.\d+)?", fact)],
                prompt_text=_fixed_text(p.messages),
                peers=[c for x in p.recommendations[:3] if (c := cat.by_id.get(x.model_id))],
            )
        source = "llm"
        if problems or sentence is None:
            source = "cards"
            sentence = pick_sentence(r, p.lang)
        p.checks.append(
            {
                "model_id": r.model_id,
                "source": source,
                "generated": text,
                "problems": [f"{x.kind}: {x.detail}" for x in problems],
            }
        )
        n = _card_cite(p, r.model_id)
        ref = f" [{n}]" if n else ""
        if headed:
            prefix = pick_prefix(r, p.lang)
            rest = (
                sentence[len(prefix) :] if source == "llm" and sentence.startswith(prefix) else ""
            )
            return _inert(f"{rest or card_tail(r, p.lang)}{ref}")
        if r.name.lower() not in sentence.lower():
            sentence = f"{r.name}: {sentence}" if p.lang == "en" else f"{r.name}:{sentence}"
        return _inert(f"{i + 1}. {sentence}{ref}")

    def _guide_line(self, p: Prepared) -> str:
        guide = next(
            ((n, pa) for n, pa in enumerate(p.passages, 1) if pa.chunk.kind == "guide"), None
        )
        if guide is None:
            return ""
        n, pa = guide
        first = _first_sentence(pa.chunk.text.split("\n", 1)[-1])
        return _inert(
            _t(
                p.lang,
                f"ガイド「{pa.chunk.title}」: {first} [{n}]",
                f'Guide, "{pa.chunk.title}": {first} [{n}]',
            )
        )

    def explain(self, result: Result, notices: list[str]) -> Iterator[str]:
        """Wording for a shortlist already decided (the needs dialogue): the LLM writes around
        the ranking and never changes it. Nothing without an LLM; a failure adds a notice."""
        if not self.llm.is_llm or not result.recommendations:
            return
        lang = result.needs.lang
        tpl = load_prompt(self.advisor.settings.paths.prompts_dir, "summary", lang)
        messages = tpl.render(
            profile=_quote(result.needs.describe() or "-", 2000),
            shortlist="\n".join(shortlist.line(r, lang) for r in result.recommendations[:3]),
        )
        echo = SystemEchoFilter(messages)
        try:
            # 2-4 sentences: a short cap keeps a local model from holding the LLM queue for long
            for piece in self.llm.stream(messages, min(self.max_tokens, 200)):
                if shown := echo.feed(piece):
                    yield shown
        except BackendError as exc:
            notices.append(
                _t(
                    lang,
                    f"{self.llm.label} が失敗しました({exc})。",
                    f"{self.llm.label} failed ({exc}).",
                )
            )
        if rest := echo.flush():
            yield rest

    def finish(self, p: Prepared, text: str) -> Answer:
        """Drop citations that point at nothing retrieved and any repeat of the system prompt."""
        text, leaked = redact_system(text, p.messages)
        if leaked or p.echoed_system:
            p.notices.append(
                _t(
                    p.lang,
                    "回答がシステムの指示を繰り返したため、その部分を削除しました。",
                    "The answer repeated the system instructions; that part was removed.",
                )
            )
        clean, used = filter_citations(text, len(p.passages))
        if not used:
            used = list(range(1, len(p.passages) + 1))
        complete = p.complete
        backend = f"{self.llm.name}->extractive" if p.fell_back else self.llm.name
        return Answer(
            answer=clean.strip(),
            lang=p.lang,
            backend=backend,
            citations=[p.citation(n) for n in used],
            prepared=p,
            notices=p.notices,
            complete=complete,
        )

    def ask(
        self, question: str, history: list[Turn] | None = None, lang: str | None = None
    ) -> Answer:
        p = self.prepare(question, history, lang)
        return self.finish(p, "".join(self.stream(p)))
