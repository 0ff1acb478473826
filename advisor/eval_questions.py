"""The question-kinds evaluation (`knowledge/eval/questions*.yaml`): each question lists the
facts its answer must carry; the values are computed here from the catalog (a price, a date,
a memory verdict, a monthly cost), never written into the set."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.domain import evidence as ev
from advisor.domain.catalog import Catalog, ModelCard
from advisor.domain.cost import Workload, estimate
from advisor.domain.filters import is_retired
from advisor.domain.hardware import DEFAULT_CONTEXT, Hardware, lookup_gpu
from advisor.domain.kinds import KINDS
from advisor.domain.memory import fit, memory
from advisor.errors import safe_yaml
from advisor.rag.answer_types import Turn
from advisor.services import Advisor

_QUANT_LABEL = {"q4": "Q4_K_M", "q8": "Q8_0", "fp16": "FP16"}


class QuestionCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    lang: Literal["ja", "en"]
    kinds: list[str] = Field(min_length=1)
    history: list[str] = Field(default_factory=list)
    text: str
    facts: list[dict[str, Any]] = Field(default_factory=list)


def load_questions(eval_dir: Path, name: str = "questions") -> list[QuestionCase]:
    raw = safe_yaml((eval_dir / f"{name}.yaml").read_text(encoding="utf-8")) or []
    return [QuestionCase.model_validate(x) for x in raw]


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace(",", "")


def _has(text: str, *needles: str) -> bool:
    t = _norm(text)
    return any(_norm(n) in t for n in needles if n)


def _names(card: ModelCard) -> list[str]:
    return [card.name, card.id, *card.aliases]


def _named(text: str, card: ModelCard, catalog: Catalog) -> bool:
    return _has(text, *_names(card)) or card.id in catalog.mentioned(text)


def _tokens_forms(n: int) -> list[str]:
    forms = [f"{n:,}", str(n)]
    if n % 1024 == 0:
        forms += [f"{n // 1024}K", f"{n // 1024}k"]
    if n % 1000 == 0:
        forms += [f"{n // 1000}K", f"{n // 1000}k"]
    if n >= 1_000_000:
        forms.append(f"{n / 1e6:g}M")
    return forms


def _status(card: ModelCard, catalog: Catalog) -> tuple[str, ...]:
    """How an answer may state the card's status: retired once its shutdown date is past;
    deprecated (or retired, when API-only) before that; else available."""
    import datetime as dt

    today = dt.date.today()
    if card.shutdown_date is not None and card.shutdown_date < today:
        return ("提供終了", "retired")
    if card.deprecated or is_retired(card, today):
        return ("非推奨", "deprecated", "提供終了予定", "shuts down")
    return ("提供中", "available")


def _field(card: ModelCard, name: str, catalog: Catalog) -> tuple[str, ...] | None:
    """The forms in which the card's value may appear in an answer."""
    match name:
        case "context_window":
            return tuple(_tokens_forms(card.context_window)) if card.context_window else None
        case "license":
            return (card.license,)
        case "params_b" | "active_params_b":
            v = getattr(card, name)
            return (f"{v:g}B", f"{v:g} B", f"{v:g}b") if v else None
        case "release_date":
            d = card.release_date
            return (str(d), f"{d:%Y-%m}", f"{d.year}年{d.month}月") if d else None
        case "price":
            p = card.price_per_mtok
            return (f"${p.input:g}",) if p else None
        case "shutdown_date":
            return (str(card.shutdown_date),) if card.shutdown_date else None
        case "successor":
            if not card.successor:
                return None
            succ = catalog.by_id.get(card.successor)
            return tuple(_names(succ)) if succ else (card.successor,)
        case "japanese_score":
            e = ev.score(card, ev.JA_AVG)
            return (f"{e.score:.3f}", f"{e.score:.2f}") if e else None
        case "status":
            return _status(card, catalog)
    return None


def _hardware(spec: dict[str, Any]) -> Hardware | None:
    name, count = spec.get("gpu"), int(spec.get("gpu_count") or 1)
    if name:
        hw = lookup_gpu(f"{count}x {name}" if count > 1 else name)
        if hw is not None:
            if hw.kind == "unified" and spec.get("ram_gb"):
                return Hardware(hw.name, float(spec["ram_gb"]), "unified")
            if spec.get("gpu_gb"):
                return Hardware(hw.name, float(spec["gpu_gb"]) * count, hw.kind, count)
            return hw
    if spec.get("gpu_gb"):
        return Hardware("GPU", float(spec["gpu_gb"]) * count, "gpu", count)
    if spec.get("ram_gb"):
        return Hardware("CPU", float(spec["ram_gb"]), "cpu")
    return None


def _fit_ok(text: str, spec: dict[str, Any], card: ModelCard) -> tuple[bool, str]:
    hw = _hardware(spec)
    ctx = int(spec.get("context") or DEFAULT_CONTEXT)
    ctx = min(ctx, card.context_window or ctx)
    if not card.runs_locally or card.params_b is None:
        return _has(text, "api", "API"), "API only"
    if hw is None:
        want = f"{memory(card, 'q4', ctx).total_gb:.1f} GB"
        return _has(text, want), want
    got = fit(card, hw, ctx)
    if got.best is None:
        return _has(text, "does not fit", "収まりません", "収まらない"), "does not fit"
    label = _QUANT_LABEL[got.best]
    verdict = re.search(
        rf"(?:runs on|なら動きます|で動きます).{{0,80}}{re.escape(label)}|{re.escape(label)}[^|\n]{{0,3}}(?:なら動|:)",
        text,
    )
    return bool(verdict) or _has(text, f"at {label}:", f"{label}なら動きます"), label


def _amounts(text: str) -> list[float]:
    out = []
    for m in re.finditer(r"\$\s?([\d,]+(?:\.\d+)?)|([\d,]+(?:\.\d+)?)\s*円|¥([\d,]+)", text):
        raw = next(g for g in m.groups() if g)
        out.append(float(raw.replace(",", "")))
    return out


def _cost_ok(text: str, spec: dict[str, Any], card: ModelCard, adv: Advisor) -> tuple[bool, str]:
    rpd, tpr = float(spec["requests_per_day"]), float(spec.get("tokens_per_request") or 1000)
    wants = []
    for tin, tout in ((tpr, 300.0), (tpr * 0.75, tpr * 0.25)):
        est = estimate(
            card, Workload(requests_per_day=rpd, input_tokens=tin, output_tokens=tout), 2.0
        )
        if est.api_usd_per_month is not None:
            wants += [est.api_usd_per_month, est.api_usd_per_month * adv.settings.usd_jpy]
    found = _amounts(text)
    ok = any(abs(a - w) <= 0.02 * w for a in found for w in wants if w > 0)
    return ok, f"${wants[0]:,.2f}" if wants else "no price"


def _winner(criterion: str, cards: list[ModelCard]) -> str | None:
    def val(c: ModelCard) -> float | None:
        match criterion:
            case "japanese":
                e = ev.score(c, ev.JA_AVG)
                return e.score if e else None
            case "price":
                return -c.price_per_mtok.blended if c.price_per_mtok else None
            case "context":
                return float(c.context_window) if c.context_window else None
            case "params":
                return c.params_b
            case "memory":  # at 4,096 tokens, or the model's window when it is shorter
                ctx = min(DEFAULT_CONTEXT, c.context_window or DEFAULT_CONTEXT)
                return -memory(c, "q4", ctx).total_gb if c.params_b else None
        return None

    vals = {c.id: val(c) for c in cards}
    known = {k: v for k, v in vals.items() if v is not None}
    if len(known) < 2:
        return None
    return max(known, key=lambda k: known[k])


_CRITERION_OF = {
    "params_b": "params",
    "price": "price",
    "context_window": "context",
    "japanese_score": "japanese",
    "memory_q4_gb": "memory",
}


def false_comparatives(sentences: list[str], catalog: Catalog) -> int:
    """Comparatives in shown model sentences whose winner the catalog contradicts (checked
    against the cards, not against the plan the guard used)."""
    from advisor.rag.plan_guard import _COMPARATIVES, _subject

    bad = 0
    for s in sentences:
        named = catalog.mentioned(s)
        for pattern, key in _COMPARATIVES:
            if not pattern.search(s) or len(named) < 2:
                continue
            cards = [catalog.by_id[m] for m in named]
            if _subject(s, named) != _winner(_CRITERION_OF[key], cards):
                bad += 1
    return bad


_ROW = {
    "japanese": "japanese_score",
    "price": "price",
    "context": "context_window",
    "params": "params_b",
    "memory": "memory_q4_gb",
}


def check_fact(fact: dict[str, Any], got: dict[str, Any], adv: Advisor) -> tuple[bool, str]:
    """(ok, what was expected) for one fact against an `advisor ask --json` answer."""
    cat = adv.catalog
    text = got["answer"]
    cited = {c["source_id"].split("#")[0] for c in got["citations"]}
    key = next(iter(fact))
    value = fact[key]
    match key:
        case "named":
            return _named(text, cat.get(value), cat), cat.get(value).name
        case "field":
            card = cat.get(value["model"])
            forms = _field(card, value["field"], cat)
            if forms is None:
                return False, f"{card.id}.{value['field']} has no value"
            return _has(text, *forms), f"{card.id}.{value['field']} = {forms[0]}"
        case "fit":
            return _fit_ok(text, value, cat.get(value["model"]))
        case "cost":
            return _cost_ok(text, value, cat.get(value["model"]), adv)
        case "glossary":
            return f"glossary/{value}" in cited, f"glossary/{value} cited"
        case "guide":
            return value in cited, f"{value} cited"
        case "decision":
            plan = (got.get("plan") or {}).get("decide")
            if plan is not None:  # the side counts: self-hosting (local, open, a GPU) or not
                side = {"local": 0, "open": 0, "gpu": 0, "api": 1, "closed": 1, "per-token": 1}
                return side.get(plan["choice"]) == side.get(value), f"decision {value}"
            recs = got["recommendations"]
            if value in ("local", "open"):
                return bool(recs) and all(r["open_weights"] for r in recs[:3]), "local picks"
            if value in ("api", "closed", "per-token"):
                return bool(recs) and all(r.get("price_per_mtok") for r in recs[:3]), "API picks"
            return False, f"decision {value}"
        case "why_not":
            card = cat.get(value)
            entries = (got.get("plan") or {}).get("why_not", {}).get("entries", [])
            mine = next((e for e in entries if e["model_id"] == value), None)
            return bool(mine) and _named(text, card, cat), f"why not {card.name}"
        case "better":
            cards = [cat.get(m) for m in value["models"]]
            want = _winner(value["criterion"], cards)
            rows = (got.get("plan") or {}).get("compare", {}).get("rows", [])
            row = next((r for r in rows if r["key"] == _ROW[value["criterion"]]), None)
            ok = row is not None and row.get("better") == want
            return ok, f"{want} better on {value['criterion']}"
        case "no_shortlist":
            return not got["recommendations"], "no shortlist"
    return False, f"unknown fact type {key}"


def run_questions(
    adv: Advisor,
    cases: list[QuestionCase],
    backend: str = "extractive",
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    chain = adv.chain(backend)
    cat = adv.catalog
    rows = []
    for case in cases:
        history: list[Turn] = []
        for earlier in case.history:
            p = chain.prepare(earlier, history, lang=case.lang)
            history.append(Turn(question=earlier, needs=p.needs))
        started = time.monotonic()
        p = chain.prepare(case.text, history, lang=case.lang)
        got: dict[str, Any] = chain.finish(p, "".join(chain.stream(p))).to_contract()
        checks = [(f, *check_fact(f, got, adv)) for f in case.facts]
        row: dict[str, Any] = {
            "id": case.id,
            "lang": case.lang,
            "kinds": case.kinds,
            "read": got.get("kind", []),
            "kind_ok": set(case.kinds) <= set(got.get("kind", [])),
            "facts": len(checks),
            "facts_ok": sum(ok for _, ok, _ in checks),
            "misses": [want for _, ok, want in checks if not ok],
            "false_comparatives": false_comparatives(
                [c["generated"] for c in p.checks if c["source"] == "llm" and not c["model_id"]],
                cat,
            ),
            "seconds": round(time.monotonic() - started, 2),
        }
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return rows


def question_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per kind (a question counts under each kind it asks): questions, kinds read right, facts
    carried."""
    out: dict[str, Any] = {}
    for kind in KINDS:
        mine = [r for r in rows if kind in r["kinds"]]
        if not mine:
            continue
        facts = sum(r["facts"] for r in mine)
        ok = sum(r["facts_ok"] for r in mine)
        out[kind] = {
            "questions": len(mine),
            "kind_read": sum(r["kind_ok"] for r in mine),
            "facts": facts,
            "facts_ok": ok,
            "facts_share": round(ok / facts, 3) if facts else 1.0,
        }
    facts = sum(r["facts"] for r in rows)
    out["all"] = {
        "questions": len(rows),
        "kind_read": sum(r["kind_ok"] for r in rows),
        "facts": facts,
        "facts_ok": sum(r["facts_ok"] for r in rows),
        "facts_share": round(sum(r["facts_ok"] for r in rows) / facts, 3) if facts else 1.0,
        "false_comparatives_shown": sum(r["false_comparatives"] for r in rows),
    }
    return out
