"""The picks task: compact facts about the top picks in, one grammar-constrained, checked sentence per pick out, rendered by code with its citation."""

from __future__ import annotations

import json
import re
from typing import Any

from advisor.domain.recommend import Recommendation
from advisor.rag.answer_types import _CITE_RE, _CONTROL_RE, Prepared, _t
from advisor.rag.llm import Message

# --- the picks task: compact facts in, one checked sentence per pick out ----------------------

#: passages besides the picks' own cards, in the prompt and in the citations
MAX_PASSAGES = 3
#: guide passages the model reads (the picks' facts are most of what it needs)
PROMPT_PASSAGES = 0
#: characters of each such passage in the prompt
SHORT_PASSAGE_CHARS = 90
#: longest sentence per pick (the grammar's maxLength): Japanese characters cost more tokens
SENTENCE_CHARS = {"ja": 60, "en": 160}

_ENDERS = re.compile(r"[。！？!?]|\.(?!\d)")
#: in Japanese a '.' belongs to a version or a number ("Apache-2.0", "Qwen2.5"), never ends one
_JA_ENDERS = re.compile(r"[。！？!?]")
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


#: facts a pick's line carries only when the question or the needs are about them
_ASKS_CONTEXT = re.compile(
    r"context|コンテキスト|文脈|トークン|tokens?\b|長文|long (?:doc|input)", re.I
)
_ASKS_LICENCE = re.compile(
    r"licen[cs]e|ライセンス|商用|commercial|apache|mit\b|open[- ]?source", re.I
)


def _fact_line(
    r: Recommendation, card: Any, lang: str, needs: Any = None, question: str = ""
) -> str:
    """A pick as one compact line of facts, all from its card and the recommender: what a
    one-sentence reason can use, and no more (each token of it is prompt time on a laptop CPU).
    The context window and the licence name come in when the question or the needs ask."""
    ja = lang == "ja"
    facts: list[str] = []
    if r.params_b:
        facts.append(f"{'パラメータ ' if ja else ''}{r.params_b:g}B{'' if ja else ' parameters'}")
    facts.append(
        _t(lang, "重み公開", "open weights")
        if r.open_weights
        else _t(lang, "APIのみ(重み非公開)", "API only (closed weights)")
    )
    if _ASKS_LICENCE.search(question) or (needs is not None and needs.commercial):
        facts.append(f"{_t(lang, 'ライセンス', 'licence')} {r.license[:60]}")
    facts.append(_COMMERCIAL.get(r.commercial_use, ("", ""))[0 if ja else 1])
    if r.memory_gb and not r.fit:  # with stated hardware, the fit below gives the memory
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
    asks_context = _ASKS_CONTEXT.search(question) or (needs is not None and needs.context_tokens)
    if r.context_window and asks_context:
        facts.append(
            _t(
                lang,
                f"コンテキスト {r.context_window:,}トークン",
                f"context {r.context_window:,} tokens",
            )
        )
    if ja or (needs is not None and (needs.japanese or needs.many_languages)):
        facts.append(_JA_LEVEL.get(r.japanese, ("", ""))[0 if ja else 1])
    facts.append(r.criteria["use_case"].reason)
    if r.fit:  # what the stated hardware holds (prices are in the facts already)
        facts.append(r.criteria["compute_cost"].reason)
    if r.notice:
        facts.append(r.notice)
    # the card's prose stays out: a small model carried one pick's strengths over to the next
    return f"{r.name}: {', '.join(f for f in facts if f)}"


def _literal(text: str) -> str:
    """`text` as a literal inside a JSON-schema pattern (llama.cpp's grammar converter)."""
    return "".join(c if c.isalnum() or c == " " else f"[{c}]" for c in text)


def pick_lead(r: Recommendation, lang: str) -> str:
    """The opening of a pick's sentence, written by code from its card: the fact that sets it
    apart for this need (its memory at Q4, or its API price), so that three picks never get the
    same sentence and the model goes on from a true fact."""
    if r.memory_gb and (r.fit or not r.price_per_mtok):
        q4 = r.memory_gb["q4"]
        return _t(lang, f"Q4で約{q4:.1f}GB、", f"(about {q4:.1f} GB at Q4)")
    if r.price_per_mtok:
        pin, pout = r.price_per_mtok["input"], r.price_per_mtok["output"]
        return _t(
            lang,
            f"100万トークンあたり${pin:g}/${pout:g}で、",
            f"(${pin:g} / ${pout:g} per 1M tokens)",
        )
    return ""


def pick_prefix(r: Recommendation, lang: str) -> str:
    """What the grammar writes before the model's own words in a pick's sentence: its name and
    lead (empty when there is no lead: then nothing is known before the model writes)."""
    lead = pick_lead(r, lang)
    if not lead:
        return ""
    return f"{r.name}は{lead}" if lang == "ja" else f"{r.name} {lead} "


def card_tail(r: Recommendation, lang: str) -> str:
    """The card's words to end a line whose prefix is already shown (when the model's own
    continuation fails the guard or never came)."""
    use, cost = r.criteria["use_case"].reason, r.criteria["compute_cost"].reason
    return _t(lang, f"{use}、{cost}。", f"{use}; {cost}.")


def forced_stop(r: Recommendation, lang: str, text: str) -> bool:
    """The string is as long as the pattern allows: the length limit, not the model, ended it
    (name, 'は' or ' ', the lead with its space in English, the body at its limit, the stop)."""
    lead = pick_lead(r, lang)
    longest = len(r.name) + SENTENCE_CHARS.get(lang, 200) + 2
    if lead:
        longest += len(lead) + (0 if lang == "ja" else 1)
    return len(text) >= longest


def pick_schema(names: list[str], lang: str, leads: list[str] | None = None) -> dict[str, Any]:
    """One sentence per pick, keyed by its name, in ranking order. The pattern makes each
    sentence start with the pick's name (in Japanese, "<name>は") and its lead (`pick_lead`),
    and end on a full stop, so a grammar-constrained model writes a whole sentence about that
    pick in the asker's language."""
    longest = SENTENCE_CHARS.get(lang, 200)
    props = {}
    for i, n in enumerate(names):
        lead = _literal(leads[i]) if leads and i < len(leads) else ""
        if lang == "ja":
            # one sentence: the first '。' ends it (a run-on second sentence would hit the limit)
            pattern = f'^{_literal(n)}は{lead}[^"\\\\\n。]{{8,{longest}}}。$'
        else:
            lead = f" {lead}" if lead else ""
            pattern = f'^{_literal(n)}{lead} [^"\\\\\n]{{12,{longest}}}[.]$'
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
    ends = [m.end() for m in (_JA_ENDERS if lang == "ja" else _ENDERS).finditer(t)]
    if ends and ends[-1] == len(t):
        return t
    if closed:
        return t + ("。" if lang == "ja" else ".")
    return t[: ends[-1]] if ends else None


def pick_sentence(r: Recommendation, lang: str) -> str:
    """The card's own sentence for a pick (no LLM): what the guard shows instead."""
    size = f"{r.params_b:g}B, " if r.params_b else ""
    head = (
        f"{r.name}({size}{r.license[:40]}):"
        if lang == "ja"
        else f"{r.name} ({size}{r.license[:40]}): "
    )
    return head + card_tail(r, lang)


def _card_cite(p: Prepared, model_id: str) -> int | None:
    base = f"models/{model_id}"
    return next((n for n, pa in enumerate(p.passages, 1) if pa.chunk.base_id == base), None)


def _fixed_text(messages: list[Message]) -> str:
    """The prompt's fixed wording (its instructions), which no sentence may repeat."""
    return next((m["content"] for m in messages if m["role"] == "system"), "")


def guard_notices(p: Prepared) -> None:
    """The notices for the picks the guard replaced: contradictions, and picks left unfinished."""
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
