"""explain (a concept: glossary entries and the guide's sections, with models that illustrate)
and out_of_scope (what the advisor can do, in one line; no shortlist)."""

from __future__ import annotations

import re

from pydantic import BaseModel

from advisor.domain.guide import CRITERION_SECTIONS
from advisor.domain.plans import Plan, PlanCtx


class TermEntry(BaseModel):
    id: str
    text: str
    guide: str
    sources: list[str]
    examples: list[str]


class ExplainPlan(Plan):
    kind: str = "explain"
    terms: list[TermEntry]
    guide: list[str]


#: the guide's criteria as people name them
_CRITERION_WORDS = {
    "use_case": r"用途|use.?case|purpose|①",
    "accuracy": r"精度|性能|accuracy|performance|②",
    "compute_cost": r"計算コスト|コスト|gpu|compute|cost|③",
    "customization": r"カスタマイズ|customi[sz]|④",
    "multilingual": r"多言語|multilingual|⑤",
    "deployment": r"api.{0,12}(?:ローカル|local)|(?:ローカル|local).{0,12}api|提供形態|deployment|⑥",
}


def build(ctx: PlanCtx) -> ExplainPlan | None:
    lang = ctx.lang
    entries = []
    for tid in ctx.reading.terms:
        term = ctx.glossary.by_id.get(tid)
        if term is None:
            continue
        entries.append(
            TermEntry(
                id=term.source_id,
                text=term.text.get(lang),
                guide=term.guide,
                sources=[str(s) for s in term.sources],
                examples=[c.id for c in term.examples(ctx.catalog)],
            )
        )
    text = ctx.reading.why.get("explain", "")
    guide = list(dict.fromkeys(e.guide for e in entries))
    if not entries or "criteria" in text:
        q = ctx.reading.text
        named = [
            CRITERION_SECTIONS[k] for k, pat in _CRITERION_WORDS.items() if re.search(pat, q, re.I)
        ]
        guide += [g for g in (named or ["guide/summary"]) if g not in guide]
    if not entries and not guide:
        return None
    return ExplainPlan(
        terms=entries,
        guide=guide,
        sources=[e.id for e in entries]
        + guide
        + [f"models/{m}" for e in entries for m in e.examples],
    )


class ScopePlan(Plan):
    kind: str = "out_of_scope"
    message: str


def build_out_of_scope(ctx: PlanCtx) -> ScopePlan:
    from advisor.i18n import t

    return ScopePlan(
        message=t(
            ctx.lang,
            "このアドバイザーは、用途・精度・コスト・カスタマイズ・多言語・API/ローカルの6つの基準で、"
            "目的に合うLLMの選択・比較・動作可否・費用・提供状況をお答えします。",
            "This advisor helps you choose an LLM: recommendations, comparisons, whether a model"
            " runs on your hardware, costs and availability, by the guide's six criteria.",
        ),
        sources=["guide/intro"],
    )
