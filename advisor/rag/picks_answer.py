"""The recommendation's prose: one checked, cited sentence per pick as the model writes it
(a grammar fixes each pick's prefix), then the guide's line."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from advisor.errors import BackendError
from advisor.rag.answer_filters import _inert
from advisor.rag.answer_types import ChainLike, Prepared, _t
from advisor.rag.extractive import _first_sentence, extractive_answer
from advisor.rag.guard import Problem, check_sentence
from advisor.rag.picks import (
    PickParser,
    _card_cite,
    _fact_line,
    _fixed_text,
    card_tail,
    forced_stop,
    guard_notices,
    pick_lead,
    pick_prefix,
    pick_schema,
    pick_sentence,
    whole_sentences,
)


def stream_picks(chain: ChainLike, p: Prepared) -> Iterator[str]:
    """One checked, cited line per pick as soon as the model has written it, then the
    guide's line. A failing backend ends in the offline answer with a notice."""
    picks = p.recommendations[:3]
    if not chain.llm.is_llm or not picks:
        yield extractive_answer(p, chain.advisor.catalog)
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
        for piece in chain.llm.stream_json(p.messages, schema, chain.max_tokens):
            if not p.usage["completion_tokens"]:
                p.usage["first_token_seconds"] = round(time.monotonic() - started, 2)
            p.usage["completion_tokens"] += 1
            p.usage["seconds"] = round(time.monotonic() - started, 2)
            finished = parser.feed(piece)
            for i, text in finished:
                done.add(i)
                if i in headed:
                    yield pick_line(chain, p, i, text, closed=True, headed=True)
                    continue
                yield ("\n" if lines else "") + pick_line(chain, p, i, text, closed=True)
                lines += 1
            # the pick written next: its prefix (name, lead) is fixed by the grammar, not
            # chosen by the model, so it shows as soon as the model has started (under a
            # grammar) or has written it; the guard checks only what the model adds
            nxt = len(done)
            prefix = pick_prefix(picks[nxt], p.lang) if nxt < len(picks) else ""
            known = chain.llm.grammar or parser.partial(nxt).startswith(prefix)
            if prefix and nxt not in headed and known:
                headed.add(nxt)
                yield f"{chr(10) if lines else ''}{nxt + 1}. {_inert(prefix)}"
                lines += 1
            elif not finished:
                yield ""  # a tick: a UI can show progress (elapsed time, tokens/s)
    except BackendError as exc:
        failure = exc
    if chain.llm.last_usage:
        p.usage.update(chain.llm.last_usage)
    p.usage["seconds"] = round(time.monotonic() - started, 2)
    if failure is not None and not done:
        p.fell_back = True
        p.notices.append(
            _t(
                p.lang,
                f"{chain.llm.label} が失敗しました({failure})。オフラインの回答を表示します。",
                f"{chain.llm.label} failed ({failure}); showing the offline answer.",
            )
        )
        yield extractive_answer(p, chain.advisor.catalog)
        return
    if failure is not None:
        p.notices.append(
            _t(
                p.lang,
                f"{chain.llm.label} が途中で失敗しました({failure})。残りの候補はカードの記載で補いました。",
                f"{chain.llm.label} failed midway ({failure}); the remaining picks are described"
                " from their cards.",
            )
        )
    for i in range(len(picks)):
        if i in headed and i not in done:  # its prefix is shown: end the line
            yield pick_line(chain, p, i, parser.partial(i), closed=False, headed=True)
        elif i not in done:  # cut at the token limit or never written: whole sentences only
            yield ("\n" if lines else "") + pick_line(chain, p, i, parser.partial(i), closed=False)
            lines += 1
    if tail := guide_line(p):
        yield "\n\n" + tail
    guard_notices(p)


def pick_line(
    chain: ChainLike, p: Prepared, i: int, text: str, closed: bool, headed: bool = False
) -> str:
    """One pick's line: the model's sentence if the guard passes it, else the card's. With
    `headed`, its prefix (number, name, lead) is already shown: only the rest is returned."""
    r = p.recommendations[i]
    card = chain.advisor.catalog.by_id.get(r.model_id)
    fact = _fact_line(r, card, p.lang, p.needs, p.question)
    if closed and forced_stop(r, p.lang, text):
        # the grammar's length limit forced the full stop: keep the whole sentences before it
        text, closed = text[:-1], False
    sentence = whole_sentences(text, p.lang, closed)
    problems: list[Problem] = []
    if sentence is None:
        problems.append(Problem("incomplete", "no whole sentence"))
    else:
        cat = chain.advisor.catalog
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
        rest = sentence[len(prefix) :] if source == "llm" and sentence.startswith(prefix) else ""
        return _inert(f"{rest or card_tail(r, p.lang)}{ref}")
    if r.name.lower() not in sentence.lower():
        sentence = f"{r.name}: {sentence}" if p.lang == "en" else f"{r.name}:{sentence}"
    return _inert(f"{i + 1}. {sentence}{ref}")


def guide_line(p: Prepared) -> str:
    guide = next(((n, pa) for n, pa in enumerate(p.passages, 1) if pa.chunk.kind == "guide"), None)
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
