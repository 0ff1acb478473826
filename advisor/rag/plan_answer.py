"""Answers by question kind: the plan rendered as text (every fact, with citations), then, with
an LLM, one to three sentences that explain it, each checked by the plan guard. The chain only
dispatches here; the plans come from `domain/plans`, their wording from `present/plans`."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

from advisor.domain import data_reading
from advisor.domain.catalog import UseCase
from advisor.domain.guide import CRITERION_SECTIONS
from advisor.domain.kinds import KIND_LABELS, KINDS, Reading
from advisor.domain.needs import CRITERIA, Needs
from advisor.domain.plans import Plan
from advisor.errors import BackendError
from advisor.i18n import t
from advisor.present import plans as present
from advisor.present.profile import data_line, used_line
from advisor.present.report import CRITERIA_LABELS
from advisor.rag.answer_filters import SystemEchoFilter, _inert, _quote
from advisor.rag.answer_types import ChainLike, Prepared
from advisor.rag.llm import Message
from advisor.rag.plan_guard import check_plan_sentence
from advisor.rag.prompts import load_prompt

#: kinds answered by a plan (recommend is the shortlist; it may come with one of these)
PLAN_KINDS = set(KINDS) - {"recommend"}
#: the explanation's length cap: 1-3 sentences
EXPLAIN_TOKENS = 120
_SENTENCE_END = re.compile(r"(?<=[。！？])\s*|(?<=[.!?])\s+")


def head_line(p: Prepared) -> str:
    """What was understood: the kind(s) and the needs used (carried-over ones marked)."""
    kinds = p.reading.kinds if p.reading else ["recommend"]
    labels = [t(p.lang, *KIND_LABELS[k]) for k in kinds]
    kind = t(p.lang, f"質問の種類: {'・'.join(labels)}", f"Question: {', '.join(labels)}")
    if kinds == ["out_of_scope"]:
        return kind
    line = f"{kind} | {used_line(p.needs, p.own_needs, p.lang)}"
    # where data may go, whenever a shortlist or a decision rests on it or a reader saw a limit
    if {"recommend", "decide", "cost", "why_not"} & set(kinds) or data_reading.reading(
        p.needs
    ) != "any":
        line += "\n" + data_line(p.needs, p.lang)
    return line


def basis_ids(needs: Needs, reading: Reading | None) -> list[str]:
    """The guide sections of the criteria the needs state, then the glossary terms named."""
    known = [k for k in CRITERIA if k not in needs.unknown]
    # price, speed and size limits are compute cost too (the guide's ③)
    if needs.priority in ("cost", "speed") or needs.max_params_b or needs.budget:
        known.append("compute_cost")
    ids = [CRITERION_SECTIONS[k] for k in CRITERIA if k in known]
    terms = list(reading.terms if reading else [])
    # the concepts a stated need rests on: a long context, answering over one's documents
    # (RAG), adapting the model (fine-tuning)
    implied = {
        "context-window": (needs.context_tokens or 0) >= 32_000,
        "rag": UseCase.rag in needs.use_cases,
        "fine-tuning": bool(needs.finetune),
    }
    terms += [term for term, stated in implied.items() if stated and term not in terms]
    return ids + [f"glossary/{term}" for term in terms]


def basis_line(p: Prepared) -> str:
    """'Criteria this rests on: ① Use case [4], ⑤ Multilingual [5]; LoRA [6]'."""
    cite = cite_fn(p)
    parts = []
    for sid in basis_ids(p.needs, p.reading):
        ref = cite(sid)
        if not ref:
            continue
        key = next((k for k, v in CRITERION_SECTIONS.items() if v == sid), None)
        label = CRITERIA_LABELS[key][0 if p.lang == "ja" else 1] if key else ""
        if not label:
            passage = next(x for x in p.passages if x.chunk.base_id == sid)
            label = passage.chunk.title
        parts.append(f"{label}{ref}")
    if not parts:
        return ""
    sep = "、" if p.lang == "ja" else ", "
    return _inert(
        t(
            p.lang,
            f"根拠とした基準: {sep.join(parts)}",
            f"Criteria this rests on: {sep.join(parts)}",
        )
    )


def cite_fn(p: Prepared) -> Any:
    ids = {pa.chunk.base_id: i for i, pa in enumerate(p.passages, 1)}

    def cite(source_id: str) -> str:
        n = ids.get(source_id)
        return f" [{n}]" if n else ""

    return cite


def _without_prose(plan: Plan) -> Plan:
    facts = getattr(plan, "facts", None)
    if not isinstance(facts, dict):
        return plan
    kept = {k: v for k, v in facts.items() if k not in ("strengths", "cautions")}
    return plan.model_copy(update={"facts": kept})


def plan_text(chain: ChainLike, p: Prepared, plans: list[Plan] | None = None) -> str:
    """Every plan of the answer (or `plans`) as Markdown lines."""
    cat = chain.advisor.catalog
    names = {c.id: c.name for c in cat}
    guide = chain.advisor.guide
    titles = {s.id: s.title for s in guide.sections(p.lang)}

    def crit(key: str) -> str:
        return CRITERIA_LABELS[key][0 if p.lang == "ja" else 1]

    blocks = [
        "\n".join(present.render(plan, p.lang, cite_fn(p), names, titles, crit))
        for plan in (p.plans if plans is None else plans)
    ]
    return _inert("\n\n".join(b for b in blocks if b))


def plan_messages(chain: ChainLike, p: Prepared) -> list[Message]:
    tpl = load_prompt(chain.advisor.settings.paths.prompts_dir, "plan", p.lang)
    kinds = [t(p.lang, *KIND_LABELS[k]) for k in (p.reading.kinds if p.reading else [])]
    # the facts only: a card's prose (strengths, cautions) never reaches the prompt
    plain = [_without_prose(x) for x in p.plans]
    facts = compact(re.sub(r" \[\d{1,2}\]", "", plan_text(chain, p, plain)))
    return tpl.render(
        kind=", ".join(kinds), facts=_quote(facts, 1500), question=_quote(p.question, 600)
    )


def compact(text: str) -> str:
    """The plan's text for a small model's prompt: each table row as one fact line
    ('- context window: Mistral 7B 8,192 / Gemma 4 E4B 131,072'), other lines as they are."""
    out: list[str] = []
    header: list[str] = []
    for line in text.splitlines():
        if not line.startswith("|"):
            if line.strip():
                out.append(line)
            header = [] if not line.strip() else header
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if all(set(c) <= set("-: ") for c in cells):
            continue
        if not header:
            header = cells
            continue
        pairs = [
            f"{h} {v}".strip() for h, v in zip(header[1:], cells[1:], strict=False) if v != "-"
        ]
        out.append(f"- {cells[0]}: {' / '.join(pairs)}")
    return "\n".join(out)


def stream_plan(chain: ChainLike, p: Prepared) -> Iterator[str]:
    """The plan's text at once, then the LLM's checked explanation (none without an LLM or for
    an out-of-scope message)."""
    facts = plan_text(chain, p)
    yield facts
    kinds = p.reading.kinds if p.reading else []
    if not chain.llm.is_llm or kinds == ["out_of_scope"] or p.backend_down:
        return
    messages = plan_messages(chain, p)
    echo = SystemEchoFilter(messages)
    started = time.monotonic()
    raw: list[str] = []
    try:
        p.usage.update(prompt_tokens=0, completion_tokens=0, seconds=0.0)
        for piece in chain.llm.stream(messages, min(chain.max_tokens, EXPLAIN_TOKENS)):
            if not p.usage["completion_tokens"]:
                p.usage["first_token_seconds"] = round(time.monotonic() - started, 2)
            p.usage["completion_tokens"] += 1
            p.usage["seconds"] = round(time.monotonic() - started, 2)
            if shown := echo.feed(piece):
                raw.append(shown)
            yield ""  # a tick: the UI's status line shows the explanation's progress
    except BackendError as exc:
        p.notices.append(
            t(
                p.lang,
                f"{chain.llm.label} が失敗しました({exc})。計算した事実のみを表示します。",
                f"{chain.llm.label} failed ({exc}); showing the computed facts only.",
            )
        )
        return
    raw.append(echo.flush())
    if chain.llm.last_usage:
        p.usage.update(chain.llm.last_usage)
    p.usage["seconds"] = round(time.monotonic() - started, 2)
    kept = explanation(chain, p, "".join(raw), facts)
    if kept:
        yield "\n\n" + kept


def explanation(chain: ChainLike, p: Prepared, text: str, facts: str) -> str:
    """The sentences the guard passes (at most three), cited with the plan's first source."""
    cat = chain.advisor.catalog
    plans = [x.model_dump(mode="json") for x in p.plans]
    allowed = {s.removeprefix("models/") for x in p.plans for s in x.sources}
    allowed |= set(p.needs.models)
    kept: list[str] = []
    for sentence in _sentences(text):
        if len(kept) == 3:
            break
        problems = check_plan_sentence(sentence, plans, facts, cat, allowed, p.question)
        if p.lang == "ja" and not re.search(r"[ぁ-んァ-ヶ一-龥]", sentence):
            problems = [*problems]
            from advisor.rag.guard import Problem

            problems.append(Problem("language", "not Japanese"))
        p.checks.append(
            {
                "model_id": None,
                "source": "llm" if not problems else "dropped",
                "generated": sentence,
                "problems": [f"{x.kind}: {x.detail}" for x in problems],
            }
        )
        if not problems:
            kept.append(sentence)
    if not kept:
        return ""
    first = p.plans[0].sources[0] if p.plans and p.plans[0].sources else ""
    ref = cite_fn(p)(first)
    sep = "" if p.lang == "ja" else " "
    return _inert(sep.join(kept) + ref)


def _sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", re.sub(r"\[\d{1,2}\]", "", text)).strip()
    parts = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    # a last piece without an end mark was cut at the limit: drop it
    return [s for s in parts if re.search(r"[。.!?！？]$", s)]
