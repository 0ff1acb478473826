"""The RAG chain: question (+ history) -> needs -> recommender -> retrieval -> prompt -> LLM.

The structured part (shortlist, passages, citations) is ready before the LLM starts, so a UI
shows it at once while the prose streams. The LLM never ranks: it explains a given ranking.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from advisor.catalog import Catalog
from advisor.errors import BackendError, MalformedReply
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
        self._prepare = (
            RunnablePassthrough.assign(standalone=RunnableLambda(self._standalone))
            | RunnablePassthrough.assign(needs=RunnableLambda(self._needs))
            | RunnablePassthrough.assign(result=RunnableLambda(self._recommend))
            | RunnablePassthrough.assign(passages=RunnableLambda(self._retrieve))
            | RunnablePassthrough.assign(messages=RunnableLambda(self._messages))
        )

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
        return (top + rest)[: self.k + 2]

    def _messages(self, s: dict[str, Any]) -> list[Message]:
        lang = s["needs"].lang
        tpl = load_prompt(self.advisor.settings.paths.prompts_dir, "answer", lang)
        shortlist = (
            "\n".join(_shortlist_line(r, lang) for r in s["result"].recommendations[:3]) or "-"
        )
        passages = "\n".join(
            f'<passage n="{i}" source="{p.chunk.source_id}">\n{_quote(p.chunk.text, self.passage_chars)}\n</passage>'
            for i, p in enumerate(s["passages"], 1)
        )
        return tpl.render(
            shortlist=shortlist, passages=passages, question=_quote(s["question"], 2000)
        )

    # --- prose ---------------------------------------------------------------------------------

    def stream(self, p: Prepared) -> Iterator[str]:
        """Yield the answer text. A failing backend ends in the offline answer with a notice."""
        if not self.llm.is_llm:
            yield extractive_answer(p, self.advisor.catalog)
            return
        started = False
        echo = SystemEchoFilter(p.messages)
        failure: BackendError | None = None
        try:
            if p.backend_down:  # it just failed: answer offline now rather than wait again
                raise BackendError(p.backend_down)
            for piece in self.llm.stream(p.messages, self.max_tokens):
                started = True
                if shown := echo.feed(piece):
                    yield shown
        except BackendError as exc:
            failure = exc
        if rest := echo.flush():
            yield rest
        p.echoed_system = p.echoed_system or echo.leaked
        if failure is None:
            return
        p.notices.append(
            _t(
                p.lang,
                f"{self.llm.label} が失敗しました({failure})。オフラインの回答を表示します。",
                f"{self.llm.label} failed ({failure}); showing the offline answer.",
            )
        )
        if started:
            p.notices.append(
                _t(
                    p.lang,
                    "回答は途中で切れました(不完全)。",
                    "The answer was cut off (incomplete).",
                )
            )
            yield _t(p.lang, "\n\n[…回答は途中で切れました]\n\n", "\n\n[…answer incomplete]\n\n")
        yield extractive_answer(p, self.advisor.catalog)

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
