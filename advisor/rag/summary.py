"""Wording for a shortlist already decided (the needs dialogue): the LLM writes around the
ranking and never changes it. Nothing without an LLM; a failure adds a notice."""

from __future__ import annotations

from collections.abc import Iterator

from advisor.domain.recommend import Result
from advisor.errors import BackendError
from advisor.present import shortlist
from advisor.rag.answer_filters import SystemEchoFilter, _quote
from advisor.rag.answer_types import ChainLike, _t
from advisor.rag.prompts import load_prompt


def summarise(chain: ChainLike, result: Result, notices: list[str]) -> Iterator[str]:
    llm = chain.llm
    if not llm.is_llm or not result.recommendations:
        return
    lang = result.needs.lang
    tpl = load_prompt(chain.advisor.settings.paths.prompts_dir, "summary", lang)
    messages = tpl.render(
        profile=_quote(result.needs.describe() or "-", 2000),
        shortlist="\n".join(shortlist.line(r, lang) for r in result.recommendations[:3]),
    )
    echo = SystemEchoFilter(messages)
    try:
        # 2-4 sentences: a short cap keeps a local model from holding the LLM queue for long
        for piece in llm.stream(messages, min(chain.max_tokens, 200)):
            if shown := echo.feed(piece):
                yield shown
    except BackendError as exc:
        notices.append(
            _t(lang, f"{llm.label} が失敗しました({exc})。", f"{llm.label} failed ({exc}).")
        )
    if rest := echo.flush():
        yield rest
