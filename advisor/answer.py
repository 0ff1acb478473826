"""The RAG chain: question (+ history) -> needs -> recommender -> retrieval -> prompt -> LLM.

The structured part (shortlist, passages, citations) is ready before the LLM starts, so a UI
shows it at once while the prose streams. The LLM never ranks: it explains a given ranking.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from advisor.catalog import Catalog
from advisor.errors import BackendError, MalformedReply
from advisor.guard import Problem, check_sentence
from advisor.llm import LLM, Message
from advisor.needs import Needs, detect_lang, hint_schema, merge_hint
from advisor.prompts import load_prompt
from advisor.recommend import Recommendation, Result, recommend
from advisor.retrieve import Passage
from advisor.services import Advisor

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
    #: {"prompt_tokens", "completion_tokens", "seconds"} of the generation (updated as it streams)
    usage: dict[str, float] = field(default_factory=dict)
    #: per pick: {"model_id", "source": "llm" | "cards", "problems": [...]} (the guard's verdicts)
    checks: list[dict[str, Any]] = field(default_factory=list)

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
            "usage": {
                "prompt_tokens": int(self.prepared.usage.get("prompt_tokens", 0)),
                "completion_tokens": int(self.prepared.usage.get("completion_tokens", 0)),
                "seconds": round(float(self.prepared.usage.get("seconds", 0.0)), 2),
            },
        }


def _t(lang: str, ja: str, en: str) -> str:
    return ja if lang == "ja" else en


def is_follow_up(question: str) -> bool:
    return bool(_FOLLOW_UP.search(question.strip()))


class AnswerChain:
    """Builds the structured part with LangChain runnables, then streams the prose from `llm`."""

    def __init__(self, advisor: Advisor, llm: LLM, k: int | None = None):
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
        from advisor.needs import clean_text

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
            return recommend(needs, named, top=min(len(named), 5))
        return self.advisor.recommend(needs, top=5)

    def _retrieve(self, s: dict[str, Any]) -> list[Passage]:
        """The cards of the top recommendations first (the answer is about them), then the
        retrieved passages with at least one guide section; at most k + 2 in all."""
        lang = s["needs"].lang
        by_id = self.advisor.retriever.by_id
        found = self.advisor.retrieve(s["standalone"], self.k)
        if not any(p.chunk.kind == "guide" for p in found):  # always ground in the guide too
            wider = self.advisor.retrieve(s["standalone"], 20)
            guide = next((p for p in wider if p.chunk.kind == "guide"), None)
            if guide is not None:
                found = [*found[: self.k - 1], guide]
        top: list[Passage] = []
        for rec in s["result"].recommendations[:3]:
            sid = f"models/{rec.model_id}#{lang}"
            if sid in by_id:
                top.append(Passage(by_id[sid], 0.0))
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
            f"- {_quote(_fact_line(r, self.advisor.catalog.by_id.get(r.model_id), lang), 600)}"
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
        lines = 0
        p.usage.update(prompt_tokens=0, completion_tokens=0, seconds=0.0)
        try:
            if p.backend_down:  # it just failed: answer offline now rather than wait again
                raise BackendError(p.backend_down)
            schema = pick_schema(names, p.lang)
            for piece in self.llm.stream_json(p.messages, schema, self.max_tokens):
                if not p.usage["completion_tokens"]:
                    p.usage["first_token_seconds"] = round(time.monotonic() - started, 2)
                p.usage["completion_tokens"] += 1
                p.usage["seconds"] = round(time.monotonic() - started, 2)
                finished = parser.feed(piece)
                for i, text in finished:
                    done.add(i)
                    yield ("\n" if lines else "") + self._pick_line(p, i, text, closed=True)
                    lines += 1
                if not finished:
                    yield ""  # a tick: a UI can show progress (elapsed time, tokens/s)
        except BackendError as exc:
            failure = exc
        if self.llm.last_usage:
            p.usage.update(self.llm.last_usage)
        p.usage["seconds"] = round(time.monotonic() - started, 2)
        if failure is not None and not done:
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
            if i not in done:  # cut at the token limit or never written: whole sentences only
                yield ("\n" if lines else "") + self._pick_line(
                    p, i, parser.partial(i), closed=False
                )
                lines += 1
        if tail := self._guide_line(p):
            yield "\n\n" + tail
        self._guard_notice(p)

    def _pick_line(self, p: Prepared, i: int, text: str, closed: bool) -> str:
        """One pick's line: the model's sentence if the guard passes it, else the card's."""
        r = p.recommendations[i]
        card = self.advisor.catalog.by_id.get(r.model_id)
        fact = _fact_line(r, card, p.lang)
        if closed and len(text) >= len(r.name) + SENTENCE_CHARS.get(p.lang, 200) + 2:
            # the grammar's length limit forced the full stop: keep the whole sentences before it
            text, closed = text[:-1], False
        sentence = whole_sentences(text, p.lang, closed)
        problems: list[Problem] = []
        if sentence is None:
            problems.append(Problem("incomplete", "no whole sentence"))
        else:
            problems = check_sentence(
                sentence,
                card,
                self.advisor.catalog,
                p.lang,
                stated=p.question,
                extra_numbers=[float(x) for x in re.findall(r"\d+(?:\.\d+)?", fact)],
                prompt_text=_fixed_text(p.messages),
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

    def _guard_notice(self, p: Prepared) -> None:
        replaced = [c for c in p.checks if c["source"] == "cards"]
        if not replaced:
            return
        flagged = [
            c for c in replaced if c["problems"] and not c["problems"][0].startswith("incomplete")
        ]
        cut = len(replaced) - len(flagged)
        if flagged:
            what = "; ".join(f"{c['model_id']}: {c['problems'][0]}" for c in flagged)
            p.notices.append(
                _t(
                    p.lang,
                    f"カードと食い違う文を{len(flagged)}件、カードの記載に置き換えました({what})。",
                    f"{len(flagged)} generated sentence(s) contradicted the cards and were replaced"
                    f" by the cards' own wording ({what}).",
                )
            )
        if cut:
            p.notices.append(
                _t(
                    p.lang,
                    f"生成が途中で終わった候補{cut}件は、カードの記載で補いました。",
                    f"{cut} pick(s) the model did not finish are described from their cards.",
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
            shortlist="\n".join(_shortlist_line(r, lang) for r in result.recommendations[:3]),
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
        complete = not any("incomplete" in n or "途中で切れ" in n for n in p.notices)
        backend = self.llm.name
        if any("offline answer" in n or "オフラインの回答" in n for n in p.notices):
            backend = f"{self.llm.name}->extractive"
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


def _shortlist_line(r: Recommendation, lang: str) -> str:
    facts = []
    if r.params_b:
        facts.append(f"{r.params_b:g}B")
    if r.memory_gb:
        facts.append(f"Q4 {r.memory_gb['q4']:.1f} GB")
    if r.price_per_mtok:
        facts.append(f"${r.price_per_mtok['input']:g}/${r.price_per_mtok['output']:g} per 1M")
    facts.append(f"{'日本語' if lang == 'ja' else 'Japanese'} {r.japanese}")
    why = r.criteria["use_case"].reason
    return f"{r.rank}. {r.name} [{r.model_id}] score {r.score:.0f}: {', '.join(facts)}; {why}"


# --- the picks task: compact facts in, one checked sentence per pick out ----------------------

#: passages besides the picks' own cards, in the prompt and in the citations
MAX_PASSAGES = 3
#: guide passages the model reads (the picks' facts are most of what it needs)
PROMPT_PASSAGES = 1
#: characters of each such passage in the prompt
SHORT_PASSAGE_CHARS = 90
#: longest sentence per pick (the grammar's maxLength): Japanese characters cost more tokens
SENTENCE_CHARS = {"ja": 60, "en": 160}

_ENDERS = re.compile(r"[。！？!?]|\.(?!\d)")
_JA_LEVEL = {
    "strong": ("日本語に特に強い", "very strong in Japanese"),
    "good": ("日本語は良好", "good in Japanese"),
    "basic": ("日本語は基本的", "basic Japanese"),
    "none": ("日本語は非対応", "no Japanese"),
}
_COMMERCIAL = {
    "yes": ("商用可", "commercial use allowed"),
    "restricted": ("商用は条件付き", "commercial use restricted"),
    "no": ("商用不可", "no commercial use"),
}


def _body(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _prose(text: str) -> str:
    """A guide section without its title line and tables."""
    lines = text.splitlines()[1:]
    return " ".join(ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("|"))


def _fact_line(r: Recommendation, card: Any, lang: str) -> str:
    """A pick as one compact line of facts, all from its card and the recommender."""
    ja = lang == "ja"
    facts: list[str] = []
    if r.params_b:
        facts.append(f"{'パラメータ ' if ja else ''}{r.params_b:g}B{'' if ja else ' parameters'}")
    facts.append(
        _t(lang, "重み公開", "open weights")
        if r.open_weights
        else _t(lang, "APIのみ(重み非公開)", "API only (closed weights)")
    )
    facts.append(f"{_t(lang, 'ライセンス', 'licence')} {r.license[:60]}")
    facts.append(_COMMERCIAL.get(r.commercial_use, ("", ""))[0 if ja else 1])
    if r.memory_gb:
        facts.append(f"Q4 {r.memory_gb['q4']:.1f} GB")
    if r.price_per_mtok:
        pin, pout = r.price_per_mtok["input"], r.price_per_mtok["output"]
        facts.append(
            _t(
                lang,
                f"料金 入力${pin:g}/出力${pout:g}(100万トークンあたり)",
                f"${pin:g} input / ${pout:g} output per 1M tokens",
            )
        )
    if r.context_window:
        facts.append(
            _t(
                lang,
                f"コンテキスト {r.context_window:,}トークン",
                f"context {r.context_window:,} tokens",
            )
        )
    facts.append(_JA_LEVEL.get(r.japanese, ("", ""))[0 if ja else 1])
    facts.append(r.criteria["use_case"].reason)
    if r.fit:  # what the stated hardware holds (prices are in the facts already)
        facts.append(r.criteria["compute_cost"].reason)
    if r.notice:
        facts.append(r.notice)
    line = f"{r.name}: {', '.join(f for f in facts if f)}"
    if card is not None:
        first = re.split(r"(?<=。)|(?<=\.)\s", _body(card.strengths.get(lang)))[0]
        line += f". {first[:45]}"
    return line


def _literal(text: str) -> str:
    """`text` as a literal inside a JSON-schema pattern (llama.cpp's grammar converter)."""
    return "".join(c if c.isalnum() or c == " " else f"[{c}]" for c in text)


def pick_schema(names: list[str], lang: str) -> dict[str, Any]:
    """One sentence per pick, keyed by its name, in ranking order. The pattern makes each
    sentence start with the pick's name (in Japanese, "<name>は") and end on a full stop, so a
    grammar-constrained model writes a whole sentence about that pick in the asker's language."""
    longest = SENTENCE_CHARS.get(lang, 200)
    props = {}
    for n in names:
        if lang == "ja":
            pattern = f'^{_literal(n)}は[^"\\\\\n]{{8,{longest}}}。$'
        else:
            pattern = f'^{_literal(n)} [^"\\\\\n]{{12,{longest}}}[.]$'
        props[n] = {"type": "string", "pattern": pattern}
    return {
        "type": "object",
        "properties": props,
        "required": list(names),
        "additionalProperties": False,
    }


_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"', re.S)
_OPEN_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)$', re.S)


def _decode(raw: str) -> str:
    try:
        value = json.loads(f'"{raw}"')
    except ValueError:
        return raw.rstrip("\\")
    return value if isinstance(value, str) else raw


class PickParser:
    """Reads a streamed `{"<pick name>": "<sentence>", ...}` and yields each sentence as soon as
    its string closes; keys it does not know count in order."""

    def __init__(self, names: list[str]):
        self.names = names
        self.buf = ""
        self.pos = 0
        self.values: dict[int, str] = {}

    def _index(self, key: str) -> int | None:
        for i, name in enumerate(self.names):
            if key == name or key.strip().lower() == name.lower():
                return None if i in self.values else i
        free = [i for i in range(len(self.names)) if i not in self.values]
        return free[0] if free else None

    def feed(self, piece: str) -> list[tuple[int, str]]:
        self.buf += piece
        out = []
        while m := _PAIR.search(self.buf, self.pos):
            self.pos = m.end()
            i = self._index(_decode(m.group(1)))
            if i is not None:
                self.values[i] = _decode(m.group(2))
                out.append((i, self.values[i]))
        return out

    def partial(self, i: int) -> str:
        """The sentence of pick `i` as far as it came (cut at the token limit)."""
        if i in self.values:
            return self.values[i]
        m = _OPEN_PAIR.search(self.buf, self.pos)
        if m and self._index(_decode(m.group(1))) == i:
            return _decode(m.group(2))
        return ""


def whole_sentences(text: str, lang: str, closed: bool) -> str | None:
    """The text up to its last full sentence (None when it has none). A string the model closed
    itself is a finished thought and gets a full stop if it lacks one."""
    t = " ".join(_CITE_RE.sub("", _CONTROL_RE.sub("", text)).split()).strip(" ,、")
    if len(t) < 4:
        return None
    ends = [m.end() for m in _ENDERS.finditer(t)]
    if ends and ends[-1] == len(t):
        return t
    if closed:
        return t + ("。" if lang == "ja" else ".")
    return t[: ends[-1]] if ends else None


def pick_sentence(r: Recommendation, lang: str) -> str:
    """The card's own sentence for a pick (no LLM): what the guard shows instead."""
    size = f"{r.params_b:g}B, " if r.params_b else ""
    use, cost = r.criteria["use_case"].reason, r.criteria["compute_cost"].reason
    return _t(
        lang,
        f"{r.name}({size}{r.license[:40]}):{use}、{cost}。",
        f"{r.name} ({size}{r.license[:40]}): {use}; {cost}.",
    )


def _card_cite(p: Prepared, model_id: str) -> int | None:
    base = f"models/{model_id}"
    return next((n for n, pa in enumerate(p.passages, 1) if pa.chunk.base_id == base), None)


def _fixed_text(messages: list[Message]) -> str:
    """The prompt's fixed wording (its instructions), which no sentence may repeat."""
    return next((m["content"] for m in messages if m["role"] == "system"), "")


# --- the no-LLM answer ------------------------------------------------------------------------


def extractive_answer(p: Prepared, catalog: Catalog) -> str:
    """A readable answer composed from the ranking and the passages, with the same citations."""
    lang = p.lang
    cite = {pa.chunk.base_id: i for i, pa in enumerate(p.passages, 1)}
    lines: list[str] = []
    recs = p.recommendations
    named_only = bool(p.needs.models) and len(p.needs.unknown) >= 5
    if not recs:
        lines.append(
            _t(
                lang,
                "条件をすべて満たすモデルはカタログにありませんでした。条件を緩めてください。",
                "No model in the catalog meets every condition; try relaxing one.",
            )
        )
    elif named_only:
        lines.append(
            _t(
                lang,
                "お尋ねのモデルについて、カードの記載は次の通りです。",
                "Here is what the model cards say about the models you asked about.",
            )
        )
    else:
        lines.append(
            _t(
                lang,
                "ご要望に合う候補は次の通りです(スコアは決定論的な推薦器によるもの)。",
                "These models fit your needs (scores from the deterministic recommender).",
            )
        )
    for r in recs[:3]:
        n = cite.get(f"models/{r.model_id}")
        ref = f" [{n}]" if n else ""
        card = catalog.by_id.get(r.model_id)
        if named_only and card is not None:
            facts = [
                f"{'パラメータ' if lang == 'ja' else 'parameters'} {r.params_b:g}B"
                if r.params_b
                else None,
                f"{'ライセンス' if lang == 'ja' else 'licence'} {r.license}",
                f"{'コンテキスト' if lang == 'ja' else 'context'} {r.context_window:,}"
                if r.context_window
                else None,
                f"{'日本語' if lang == 'ja' else 'Japanese'} {r.japanese}",
            ]
            if r.price_per_mtok:
                facts.append(
                    f"${r.price_per_mtok['input']:g}/${r.price_per_mtok['output']:g} per 1M"
                )
            lines.append(
                f"- {r.name}: {', '.join(f for f in facts if f)}. {card.strengths.get(lang)}{ref}"
            )
        else:
            reasons = "; ".join(
                r.criteria[k].reason for k in ("use_case", "compute_cost", "multilingual")
            )
            lines.append(f"{r.rank}. {r.name} ({r.score:.0f}): {reasons}{ref}")
    lines.append("")  # the list ends: the rest are paragraphs
    guide = next((pa for pa in p.passages if pa.chunk.kind == "guide"), None)
    if guide is not None:
        body = guide.chunk.text.split("\n", 1)[-1]
        first = _first_sentence(body)
        lines.append(
            _t(
                lang,
                f"ガイド「{guide.chunk.title}」: {first} [{cite[guide.chunk.base_id]}]",
                f'Guide, "{guide.chunk.title}": {first} [{cite[guide.chunk.base_id]}]',
            )
        )
    if p.result.excluded and not named_only:
        ex = p.result.excluded[0]
        lines.append(
            _t(lang, f"除外: {ex.model_id}({ex.reason})", f"Excluded: {ex.model_id} ({ex.reason})")
        )
    labels = {
        "use_case": ("用途", "use case"),
        "accuracy": ("精度とコストのどちらを重視するか", "accuracy vs cost"),
        "compute_cost": ("GPU・メモリ", "GPU / memory"),
        "customization": ("ファインチューニングの要否", "fine-tuning"),
        "multilingual": ("日本語・多言語の要否", "languages"),
        "deployment": ("API かローカルか", "API or local"),
    }
    ask = [labels[c][0 if lang == "ja" else 1] for c in p.needs.unknown if c in labels][:3]
    if ask and not named_only:
        lines.append(
            _t(
                lang,
                f"さらに絞り込むには、{'、'.join(ask)}を教えてください。",
                f"To narrow it down, tell me: {', '.join(ask)}.",
            )
        )
    head, _, rest = "\n".join(lines).partition("\n\n")
    text = head + ("\n\n" + "\n\n".join(x for x in rest.split("\n") if x) if rest else "")
    return _inert(text)  # card text is data: a poisoned card cannot put markup in the answer


def _first_sentence(text: str) -> str:
    text = " ".join(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("|")
    )
    m = re.search(r"^(.+?[。.!?])(\s|$)", text)
    return (m.group(1) if m else text[:160]).strip()
