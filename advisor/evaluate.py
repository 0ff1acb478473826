"""Evaluation of retrieval, recommendations and answers over `knowledge/eval/*.yaml`."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.domain.catalog import Catalog, ModelCard
from advisor.domain.memory import memory
from advisor.domain.needs import Needs
from advisor.errors import safe_yaml
from advisor.services import Advisor

Lang = Literal["ja", "en"]


class RetrievalCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    lang: Lang
    query: str
    relevant: list[str] = Field(min_length=1)


class Constraints(BaseModel):
    model_config = ConfigDict(extra="forbid")
    open_weights: bool | None = None
    max_q4_gb: float | None = None
    japanese_min: Literal["strong", "good", "basic"] | None = None
    via_api: bool | None = None
    commercial: bool | None = None
    min_context: int | None = None
    finetune: bool | None = None
    max_params_b: float | None = None
    not_deprecated_api: bool | None = None
    #: released on or after this day (a question about today's market)
    released_after: dt.date | None = None

    def violations(self, c: ModelCard) -> list[str]:
        out = []
        if self.open_weights and not c.open_weights:
            out.append("closed weights")
        if self.max_q4_gb is not None and (
            c.params_b is None or memory(c, "q4", 4096).total_gb > self.max_q4_gb
        ):
            out.append(f"Q4 memory over {self.max_q4_gb:g} GB")
        levels = {"strong": 3, "good": 2, "basic": 1}
        if self.japanese_min and c.japanese.level < levels[self.japanese_min]:
            out.append(f"Japanese {c.japanese.value} < {self.japanese_min}")
        if self.via_api and not c.via_api:
            out.append("no API")
        if self.commercial and c.commercial_use == "no":
            out.append("non-commercial licence")
        if self.min_context and (c.context_window or 0) < self.min_context:
            out.append(f"context {c.context_window} < {self.min_context}")
        if self.finetune and not {"lora", "full"} & set(c.finetune):
            out.append("no LoRA/fine-tuning")
        if self.max_params_b is not None and (c.params_b is None or c.params_b > self.max_params_b):
            out.append(f"params {c.params_b} > {self.max_params_b:g}B")
        if self.not_deprecated_api and c.deprecated and not c.open_weights:
            out.append("deprecated API model")
        if self.released_after and (c.release_date is None or c.release_date < self.released_after):
            out.append(f"released {c.release_date} < {self.released_after}")
        return out


class RecommendCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    lang: Lang
    needs: str
    top: int = Field(3, ge=1, le=10)
    all: Constraints = Field(default_factory=Constraints)
    any_of: list[str] = Field(default_factory=list)
    lead_use_case: str | None = None
    source: str = ""


class AnswerCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    lang: Lang
    question: str


class NeedsCase(BaseModel):
    """A phrasing and the slots the rules must read from it (knowledge/eval/needs.yaml)."""

    model_config = ConfigDict(extra="forbid")
    id: str
    lang: Lang
    kind: Literal["plain", "negated", "conditional", "indirect"]
    text: str
    expect: dict[str, Any] = Field(min_length=1)


def _load(path: Path, model: type[BaseModel]) -> list[Any]:
    raw = safe_yaml(path.read_text(encoding="utf-8")) or []
    return [model.model_validate(item) for item in raw]


def load_sets(eval_dir: Path) -> tuple[list[RetrievalCase], list[RecommendCase], list[AnswerCase]]:
    return (
        _load(eval_dir / "retrieval.yaml", RetrievalCase),
        _load(eval_dir / "recommend.yaml", RecommendCase),
        _load(eval_dir / "answers.yaml", AnswerCase),
    )


# --- retrieval ---------------------------------------------------------------------------------


def retrieval_metrics(
    cases: list[RetrievalCase], search: Callable[[str, int], list[str]], k: int = 5
) -> dict[str, dict[str, float]]:
    """Per language: recall@1 (the top result is relevant), recall@5 (share of the relevant ids in
    the top 5), hit@5, MRR and binary nDCG@5."""
    per: dict[str, list[dict[str, float]]] = {}
    for case in cases:
        ranked = list(dict.fromkeys(search(case.query, k)))  # a card's ja and en chunks: once
        rel = set(case.relevant)
        first = next((i for i, sid in enumerate(ranked, 1) if sid in rel), None)
        dcg = sum(1 / math.log2(i + 1) for i, sid in enumerate(ranked[:k], 1) if sid in rel)
        idcg = sum(1 / math.log2(i + 1) for i in range(1, min(len(rel), k) + 1))
        per.setdefault(case.lang, []).append(
            {
                "recall@1": len(rel & set(ranked[:1])) / min(len(rel), 1),
                "recall@5": len(rel & set(ranked[:k])) / len(rel),
                "hit@5": 1.0 if first else 0.0,
                "mrr": 1 / first if first else 0.0,
                "ndcg@5": dcg / idcg,
            }
        )
    return {
        lang: {m: round(sum(r[m] for r in rows) / len(rows), 3) for m in rows[0]} | {"n": len(rows)}
        for lang, rows in sorted(per.items())
    }


def retrieval_misses(
    cases: list[RetrievalCase], search: Callable[[str, int], list[str]], k: int = 5
) -> list[dict[str, Any]]:
    out = []
    for case in cases:
        ranked = search(case.query, k)
        missing = [r for r in case.relevant if r not in ranked]
        if missing:
            out.append({"id": case.id, "query": case.query, "missing": missing, "got": ranked})
    return out


# --- needs -------------------------------------------------------------------------------------


def load_needs_cases(eval_dir: Path, name: str = "needs") -> list[NeedsCase]:
    """`needs.yaml` (the development set) or `needs-holdout.yaml` (written apart from the rules,
    to measure how the reading generalises)."""
    path = eval_dir / f"{name}.yaml"
    return _load(path, NeedsCase) if path.exists() else []


def _slot_ok(slot: str, want: Any, needs: Needs) -> bool:
    if slot == "uses":
        return {str(u) for u in want} <= {u.value for u in needs.use_cases}
    got = getattr(needs, slot)
    if isinstance(want, float | int) and not isinstance(want, bool):
        return isinstance(got, float | int) and math.isclose(float(got), float(want), rel_tol=0.01)
    return bool(got == want)


def needs_results(
    cases: list[NeedsCase], read: Callable[[str], Needs]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Slot accuracy of a needs reader: overall, per slot, per language, per kind, and on
    deployment/privacy stated through a negation or condition; plus every miss."""
    tally: dict[str, list[int]] = {}
    misses: list[dict[str, Any]] = []

    def count(key: str, ok: bool) -> None:
        hit_total = tally.setdefault(key, [0, 0])
        hit_total[0] += ok
        hit_total[1] += 1

    for case in cases:
        needs = read(case.text)
        for slot, want in case.expect.items():
            ok = _slot_ok(slot, want, needs)
            count("overall", ok)
            count(f"slot:{slot}", ok)
            count(f"lang:{case.lang}", ok)
            count(f"slot:{slot}|{case.lang}", ok)
            count(f"kind:{case.kind}", ok)
            if slot in ("deployment", "privacy") and case.kind in ("negated", "conditional"):
                count("deployment_privacy_negations", ok)
            if not ok:
                got = needs.use_cases if slot == "uses" else getattr(needs, slot)
                misses.append(
                    {
                        "id": case.id,
                        "text": case.text,
                        "slot": slot,
                        "expected": want,
                        "got": [u.value for u in got] if slot == "uses" else got,
                    }
                )
    summary = {
        key: {"correct": hit, "total": total, "accuracy": round(hit / total, 4)}
        for key, (hit, total) in sorted(tally.items())
    }
    return summary, misses


def private_api_only(adv: Advisor, cases: list[NeedsCase], top: int = 5) -> dict[str, Any]:
    """Phrasings labelled as data that must stay inside (privacy, residency), read as the app
    reads them: those whose shortlist holds a model that runs only behind an API (bar: none)."""
    bad: list[dict[str, Any]] = []
    private = [c for c in cases if c.expect.get("privacy") is True or c.expect.get("residency")]
    for case in private:
        needs = adv.needs(case.text)
        if needs.wants_local or needs.residency:
            continue  # the hard filters admit only models that run locally (tests/test_needs_learned)
        recs = adv.recommend(needs, top=top).recommendations
        if api := [r.model_id for r in recs if not adv.catalog.get(r.model_id).runs_locally]:
            bad.append({"id": case.id, "text": case.text, "api_only": api})
    return {"phrasings": len(private), "api_only_shortlists": len(bad), "cases": bad}


# --- recommendations ---------------------------------------------------------------------------


def recommend_results(adv: Advisor, cases: list[RecommendCase]) -> list[dict[str, Any]]:
    rows = []
    for case in cases:
        result = adv.recommend(adv.needs(case.needs), top=case.top)
        ids = [r.model_id for r in result.recommendations]
        problems: list[str] = []
        if len(ids) < case.top:
            problems.append(f"only {len(ids)} models")
        for mid in ids:
            for v in case.all.violations(adv.catalog.get(mid)):
                problems.append(f"{mid}: {v}")
        if case.any_of and not set(case.any_of) & set(ids):
            problems.append(f"none of {case.any_of} in top {case.top}")
        if case.lead_use_case and ids:
            lead = adv.catalog.get(ids[0])
            if case.lead_use_case not in [u.value for u in lead.use_cases]:
                problems.append(f"leader {lead.id} is not a {case.lead_use_case} model")
        rows.append({"id": case.id, "lang": case.lang, "shortlist": ids, "violations": problems})
    return rows


# --- answers -----------------------------------------------------------------------------------

_CITE = re.compile(r"\[(\d{1,2})\]")
_JA = re.compile(r"[ぁ-んァ-ヶ一-龥]")
_KANA = re.compile(r"[ぁ-んァ-ヶ]")


def answer_checks(
    adv: Advisor,
    cases: list[AnswerCase],
    backend: str | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Per generated answer: citations present and valid, contradictions the guard found (and
    replaced) and any left in the shown text, prompt echo, language, whole sentences, prompt
    tokens, seconds and CPU seconds, and where each pick's sentence came from."""
    import time

    from advisor.rag.guard import check_sentence, echoes
    from advisor.rag.picks import pick_prefix

    chain = adv.chain(backend)
    rows = []
    for case in cases:
        wall, cpu = time.perf_counter(), time.process_time()
        ans = chain.ask(case.question, lang=case.lang)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        p = ans.prepared
        cited = [int(n) for n in _CITE.findall(ans.answer)]
        invalid = [n for n in cited if not 1 <= n <= len(p.passages)]
        unknown = unknown_model_mentions(ans.answer, adv.catalog)
        wrong = wrong_figures(ans.answer, adv.catalog)
        system = next((m["content"] for m in p.messages if m["role"] == "system"), "")
        # each shown pick line checked again, as the user sees it
        shown_problems: list[str] = []
        for line in ans.answer.splitlines():
            m = re.match(r"(\d)\. (.*?)(?: \[\d+\])?$", line)
            if not m or int(m.group(1)) > len(p.recommendations):
                continue
            r = p.recommendations[int(m.group(1)) - 1]
            facts = " ".join(c.reason for c in r.criteria.values())
            nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", facts)]
            for prob in check_sentence(
                m.group(2),
                adv.catalog.by_id.get(r.model_id),
                adv.catalog,
                case.lang,
                stated=case.question,
                extra_numbers=nums,
            ):
                if prob.kind not in ("language",):  # card wording may keep English names
                    shown_problems.append(f"{r.model_id}: {prob.kind}: {prob.detail}")
        echo = bool(system) and any(
            echoes(line, system) for line in ans.answer.splitlines() if line.strip()
        )
        prose = adv.catalog.strip_mentions(ans.answer)
        language_ok = bool(_JA.search(ans.answer)) if case.lang == "ja" else not _KANA.search(prose)
        last = ans.answer.rstrip()
        whole = bool(re.search(r"[。.!?！？](?: \[\d+\])?$", last))
        found = [c for c in p.checks if c["problems"] and c["source"] == "cards"]
        contradictions = [
            x
            for c in found
            for x in c["problems"]
            if x.split(":")[0]
            in (
                "number",
                "japanese",
                "licence",
                "open_weights",
                "commercial",
                "unknown_model",
                "comparison",
            )
        ]
        # the same words after each pick's own prefix say nothing about the pick
        recs = {r.model_id: r for r in p.recommendations}
        tails = [
            c["generated"][len(pick_prefix(recs[c["model_id"]], case.lang)) :].strip()
            for c in p.checks
            if c["source"] == "llm" and c["model_id"] in recs
        ]
        row = {
            "id": case.id,
            "lang": case.lang,
            "backend": ans.backend,
            "citations": len(cited),
            "invalid_citations": invalid,
            "unknown_models": unknown,
            "wrong_figures": wrong,
            "guard_contradictions": contradictions,
            "guard_echo": sum(any(x.startswith("echo") for x in c["problems"]) for c in p.checks),
            "guard_replaced": len(found),
            "llm_sentences": sum(c["source"] == "llm" for c in p.checks),
            "picks": len(p.checks),
            "repeated_sentences": len(tails) - len(set(tails)),
            "shown_contradictions": shown_problems + [f"unknown: {u}" for u in unknown] + wrong,
            "echo": echo,
            "language_ok": language_ok,
            "complete": ans.complete and whole,
            "prompt_tokens": int(p.usage.get("prompt_tokens", 0)),
            "completion_tokens": int(p.usage.get("completion_tokens", 0)),
            "seconds": round(wall, 2),
            "cpu_seconds": round(cpu, 2),
        }
        row["clean"] = bool(
            cited
            and not invalid
            and not row["shown_contradictions"]
            and not echo
            and language_ok
            and row["complete"]
        )
        row["clean_llm"] = (
            row["clean"] and row["picks"] > 0 and row["llm_sentences"] == row["picks"]
        )
        rows.append(row)
        if on_row is not None:  # a long local run shows its progress (and survives an abort)
            on_row(row)
    return rows


def answer_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals per language and overall, and clean answers per minute of CPU."""
    out: dict[str, Any] = {}
    for lang in ("ja", "en", "all"):
        sel = [r for r in rows if lang == "all" or r["lang"] == lang]
        if not sel:
            continue
        cpu = sum(r["cpu_seconds"] for r in sel)
        out[lang] = {
            "questions": len(sel),
            "cited_and_valid": sum(1 for r in sel if r["citations"] and not r["invalid_citations"]),
            "contradictions_found": sum(len(r["guard_contradictions"]) for r in sel),
            "contradictions_shown": sum(len(r["shown_contradictions"]) for r in sel),
            "echo_caught": sum(r["guard_echo"] for r in sel),
            "echo_shown": sum(r["echo"] for r in sel),
            "language_ok": sum(r["language_ok"] for r in sel),
            "complete": sum(r["complete"] for r in sel),
            "llm_sentences_kept": f"{sum(r['llm_sentences'] for r in sel)}/{sum(r['picks'] for r in sel)}",
            "clean": sum(r["clean"] for r in sel),
            "clean_all_llm": sum(r["clean_llm"] for r in sel),
            "answers_repeating_a_sentence": sum(r["repeated_sentences"] > 0 for r in sel),
            "prompt_tokens_median": sorted(r["prompt_tokens"] for r in sel)[len(sel) // 2],
            "seconds_median": sorted(r["seconds"] for r in sel)[len(sel) // 2],
            "cpu_seconds": round(cpu, 1),
            "clean_per_cpu_minute": round(sum(r["clean"] for r in sel) / (cpu / 60), 2)
            if cpu
            else None,
            "clean_all_llm_per_cpu_minute": round(sum(r["clean_llm"] for r in sel) / (cpu / 60), 2)
            if cpu
            else None,
        }
    return out


def unknown_model_mentions(text: str, catalog: Catalog) -> list[str]:
    """Family + version names (e.g. "GPT-7", "Llama 9 400B") that match no catalog card."""
    from advisor.rag.guard import unknown_model_mentions as unknown

    return unknown(text, catalog)


def wrong_figures(text: str, catalog: Catalog) -> list[str]:
    """Parameter counts stated right after a model's name that differ from its card."""
    out = []
    for line in re.split(r"[\n。.;]", text):
        ids = catalog.mentioned(line)
        if len(ids) != 1:
            continue
        card = catalog.get(ids[0])
        for m in re.finditer(r"(\d+(?:\.\d+)?)\s*B\b", line):
            value = float(m.group(1))
            if (
                card.params_b
                and value not in (card.params_b, round(card.params_b))
                and card.name.find(m.group(0)) < 0
            ):
                if card.active_params_b and value in (
                    card.active_params_b,
                    round(card.active_params_b),
                ):
                    continue
                if any(m.group(0).lower() in a.lower() for a in [card.name, *card.aliases]):
                    continue
                out.append(f"{card.id}: {m.group(0)} (card: {card.params_b:g}B)")
    return out
