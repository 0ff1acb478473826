"""The answer without an LLM: composed from the ranking and the passages, with the same citations."""

from __future__ import annotations

import re

from advisor.domain.catalog import Catalog
from advisor.present.report import CRITERIA_ASK
from advisor.rag.answer_filters import _inert
from advisor.rag.answer_types import Prepared, _t

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
    ask = [CRITERIA_ASK[c][0 if lang == "ja" else 1] for c in p.needs.unknown if c in CRITERIA_ASK][
        :3
    ]
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
