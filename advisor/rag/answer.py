"""The RAG chain: question (+ history) -> needs -> recommender -> retrieval -> prompt -> LLM.

The structured part (shortlist, passages, citations) is ready before the LLM starts, so a UI
shows it at once while the prose streams. The LLM never ranks: it explains a given ranking.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from advisor.domain import data_reading
from advisor.domain.catalog import Catalog
from advisor.domain.kinds import Reading
from advisor.domain.needs import Needs, detect_lang, hint_schema, merge_hint
from advisor.domain.plans import Plan
from advisor.domain.recommend import Result
from advisor.errors import BackendError, MalformedReply
from advisor.rag.answer_filters import (
    _quote,
    filter_citations,
    redact_system,
)
from advisor.rag.answer_types import Answer, Prepared, Sources, Turn, _t, is_follow_up
from advisor.rag.llm import LLM, Message
from advisor.rag.picks import (
    MAX_PASSAGES,
    PROMPT_PASSAGES,
    SHORT_PASSAGE_CHARS,
    _fact_line,
    _prose,
)
from advisor.rag.picks_answer import stream_picks
from advisor.rag.plan_answer import (
    PLAN_KINDS,
    basis_ids,
    basis_line,
    head_line,
    plan_messages,
    stream_plan,
)
from advisor.rag.prompts import load_prompt
from advisor.rag.retrieve import Passage


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
            | RunnablePassthrough.assign(reading=RunnableLambda(self._reading))
            | RunnablePassthrough.assign(result=RunnableLambda(self._recommend))
            | RunnablePassthrough.assign(plans=RunnableLambda(self._plans))
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
        self,
        question: str,
        history: list[Turn] | None = None,
        lang: str | None = None,
        data: str | None = None,
    ) -> Prepared:
        """The structured part of an answer; `data` is a person's correction of where data
        may go (data_reading's choices), which wins over both needs readers."""
        from advisor.domain.needs import clean_text

        question = clean_text(question, self.advisor.settings.max_input_chars)
        notes: list[str] = []  # the stages add what the user should know about this answer
        down: list[str] = []  # why the backend is unusable, when a stage found out
        own: list[Needs] = []  # this message's own needs, when earlier turns were merged in
        state = self._prepare.invoke(
            {
                "question": question,
                "history": history or [],
                "lang": lang,
                "notes": notes,
                "down": down,
                "own": own,
                "data": data,
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
            reading=state["reading"],
            plans=state["plans"],
            own_needs=own[0] if own else None,
        )

    def _standalone(self, s: dict[str, Any]) -> str:
        history: list[Turn] = s["history"]
        q: str = s["question"]
        if history and is_follow_up(q):
            return f"{history[-1].question} / {q}"
        return q

    def _needs(self, s: dict[str, Any]) -> Needs:
        """This message's needs; earlier turns' are kept only for a follow-up ("and cheaper?",
        a why-not) or a message that states no need of its own."""
        history: list[Turn] = s["history"]
        q = s["question"]
        needs = self.advisor.needs(q)
        if history:
            stated = bool(needs.describe() or needs.use_cases)
            if is_follow_up(q) or not stated or _WHY.search(q):
                s["own"].append(needs)
                needs = self.advisor.needs(q, previous=history[-1].needs)
        needs.lang = s["lang"] or detect_lang(q)
        if self.reads_needs:
            needs = self._llm_reading(needs, s["question"], s["notes"], s["down"])
        if s.get("data"):
            needs = data_reading.apply(needs, s["data"])
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

    def _reading(self, s: dict[str, Any]) -> Reading:
        return self.advisor.read_question(s["question"], s["needs"], bool(s["history"]))

    def _plans(self, s: dict[str, Any]) -> list[Plan]:
        history: list[Turn] = s["history"]
        previous = history[-1].needs if history else None
        return self.advisor.plans(s["reading"], s["needs"], s["result"], previous)

    def _recommend(self, s: dict[str, Any]) -> Result:
        needs: Needs = s["needs"]
        reading: Reading = s["reading"]
        catalog = self.advisor.catalog
        if reading.kinds == ["out_of_scope"]:
            return Result(needs=needs, recommendations=[], excluded=[])
        # named models asked about (compare, fit, ...): the shortlist is those models
        asks_models = "recommend" not in reading.kinds and "why_not" not in reading.kinds
        if needs.models and asks_models:
            # every named model is shown: ranked on the stated criteria, without the hard filters
            # (what a filter would say comes in `excluded`)
            named = Catalog(catalog.get(m) for m in needs.models[:4])
            soft = Needs(
                lang=needs.lang,
                models=needs.models,
                use_cases=needs.use_cases,
                priority=needs.priority,
                finetune=needs.finetune,
                context_tokens=needs.context_tokens,
            )
            shown = self.advisor.recommend(soft, top=min(len(named), 4), catalog=named)
            strict = self.advisor.recommend(needs, top=min(len(named), 4), catalog=named)
            return shown.model_copy(update={"needs": needs, "excluded": strict.excluded})
        # a question about named models with no stated needs: the shortlist is those models
        if needs.models and len(needs.unknown) >= 5:
            named = Catalog(catalog.get(m) for m in needs.models)
            return self.advisor.recommend(needs, top=min(len(named), 5), catalog=named)
        return self.advisor.recommend(needs, top=5)

    def _retrieve(self, s: dict[str, Any]) -> list[Passage]:
        """The cards of the top recommendations first (the answer is about them), then the
        retrieved passages with at least one guide section; at most k + 2 in all."""
        lang = s["needs"].lang
        # what the plans cite comes first: their cards, guide sections and glossary entries
        planned = self._by_ids([sid for plan in s["plans"] for sid in plan.sources], lang, [])
        if s["plans"] and "recommend" not in s["reading"].kinds:
            return planned[: MAX_PASSAGES + 4] or self._retrieved(s, lang)
        rest = self._retrieved(s, lang)
        seen = {x.chunk.base_id for x in planned}
        out = planned[:4] + [x for x in rest if x.chunk.base_id not in seen]
        # the guide sections of the stated criteria and the terms named: the answer's basis line
        return self._by_ids(basis_ids(s["needs"], s["reading"]), lang, out)

    def _by_ids(self, ids: list[str], lang: str, have: list[Passage]) -> list[Passage]:
        """`have`, then the indexed chunks of `ids` in `lang` it does not hold yet."""
        out = list(have)
        seen = {x.chunk.base_id for x in out}
        for sid in ids:
            got = self.advisor.passage(f"{sid}#{lang}")
            if got is not None and got.chunk.base_id not in seen:
                out.append(got)
                seen.add(got.chunk.base_id)
        return out

    def _retrieved(self, s: dict[str, Any], lang: str) -> list[Passage]:
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
        lines, and at most three short passages (the picks' own cards are in their facts); for a
        question answered by a plan, the plan's facts."""
        lang = s["needs"].lang
        if s["plans"] and "recommend" not in s["reading"].kinds:
            return plan_messages(self, _draft(s))
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
        """Yield the answer: what was understood, the plan of each kind asked (with the LLM's
        checked explanation), then for a recommendation the picks."""
        yield head_line(p) + "\n\n"
        kinds = p.reading.kinds if p.reading else ["recommend"]
        if p.plans:
            yield from stream_plan(self, p)
            if "recommend" not in kinds or not p.recommendations:
                return
            yield "\n\n"
        elif set(kinds) <= PLAN_KINDS and not p.recommendations:
            return
        yield from self._stream_picks(p)
        if line := basis_line(p):
            yield "\n\n" + line

    def _stream_picks(self, p: Prepared) -> Iterator[str]:
        yield from stream_picks(self, p)

    def explain(self, result: Result, notices: list[str]) -> Iterator[str]:
        """The needs dialogue's summary around a decided ranking (rag/summary.py)."""
        from advisor.rag.summary import summarise

        yield from summarise(self, result, notices)

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


_WHY = re.compile(r"なぜ|なんで|どうして|\bwhy\b", re.I)


def _draft(s: dict[str, Any]) -> Prepared:
    """A Prepared of the state so far (for the plan prompt, before passages are final)."""
    return Prepared(
        question=s["question"],
        standalone=s["standalone"],
        lang=s["needs"].lang,
        needs=s["needs"],
        result=s["result"],
        passages=s["passages"],
        messages=[],
        reading=s["reading"],
        plans=s["plans"],
    )
