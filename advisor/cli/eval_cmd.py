"""`advisor eval`: the evaluation sets, as a table or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from advisor.domain.needs_learned import TRAIN_SETS
from advisor.errors import InputError

if TYPE_CHECKING:
    pass

from advisor.cli.base import _advisor, _emit_json, app, err, out

# --- eval ---------------------------------------------------------------------------------------


@app.command("eval")
def eval_(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    backend: Annotated[
        str | None, typer.Option("--backend", help="answer backend (default extractive)")
    ] = "extractive",
    only: Annotated[
        str | None, typer.Option(help="needs, retrieval, recommend, answers or questions")
    ] = None,
    questions_set: Annotated[
        str, typer.Option("--set", help="questions set: questions or questions-holdout")
    ] = "questions",
) -> None:
    """Run the evaluation sets: needs reading (slot accuracy), retrieval (recall@1/5, MRR,
    nDCG@5), shortlists, answers."""
    from advisor import evaluate as ev

    if only not in (None, "needs", "retrieval", "recommend", "answers", "questions"):
        raise InputError(
            f"--only must be needs, retrieval, recommend, answers or questions, not {only!r}"
        )
    if questions_set not in ("questions", "questions-holdout"):
        raise InputError(f"--set must be questions or questions-holdout, not {questions_set!r}")
    if backend not in (None, "openai", "llamacpp", "extractive"):
        raise InputError(f"--backend must be openai, llamacpp or extractive, not {backend!r}")
    adv = _advisor()
    rcases, scases, acases = ev.load_sets(adv.settings.paths.knowledge_dir / "eval")
    report: dict[str, Any] = {}
    if only in (None, "needs"):
        eval_dir = adv.settings.paths.knowledge_dir / "eval"
        safety: dict[str, Any] = {}
        for name in NEEDS_SETS:
            key = name.replace("-", "_")
            if not (eval_dir / f"{name}.yaml").is_file():
                continue
            ncases = ev.load_needs_cases(eval_dir, name)
            # as the app reads: the rules, then the learned reader where it is enabled
            report[key], report[f"{key}_misses"] = ev.needs_results(ncases, adv.needs)
            safety[name] = ev.private_api_only(adv, ncases)
        report["needs_private_api_only"] = safety
    if only in (None, "retrieval"):

        def search(q: str, k: int) -> list[str]:
            return [p.chunk.base_id for p in adv.retrieve(q, k)]

        report["retrieval"] = ev.retrieval_metrics(rcases, search)
        report["retrieval_misses"] = ev.retrieval_misses(rcases, search)
    if only in (None, "recommend"):
        rows = ev.recommend_results(adv, scases)
        report["recommend"] = {
            lang: {
                "scenarios": sum(r["lang"] == lang for r in rows),
                "satisfied": sum(r["lang"] == lang and not r["violations"] for r in rows),
            }
            for lang in ("ja", "en")
        }
        report["recommend_violations"] = [r for r in rows if r["violations"]]
    if only in (None, "answers"):
        rows = ev.answer_checks(adv, acases, backend, on_row=_progress)
        report["answers"] = ev.answer_summary(rows)
        report["answer_rows"] = rows
        report["answer_problems"] = [
            r
            for r in rows
            if r["invalid_citations"] or r["shown_contradictions"] or r["echo"] or not r["clean"]
        ]
    if only in (None, "questions"):
        from advisor import eval_questions as eq

        qcases = eq.load_questions(adv.settings.paths.knowledge_dir / "eval", questions_set)
        qrows = eq.run_questions(adv, qcases, backend or "extractive", on_row=_question_progress)
        report["questions"] = {
            "set": questions_set,
            "backend": backend,
            **eq.question_summary(qrows),
        }
        report["question_misses"] = [r for r in qrows if r["misses"] or not r["kind_ok"]]
    if as_json:
        _emit_json(report)
        return
    _print_eval(report)


#: the needs sets: the development set, the holdout, the training set, five fresh holdouts
#: (needs-fresh4 and needs-fresh5 are never trained or tuned on)
NEEDS_SETS = (*TRAIN_SETS, "needs-fresh4", "needs-fresh5")


def _ratio(a: int, b: int) -> float:
    return round(a / b, 3) if b else 0.0


def _print_eval(report: dict[str, Any]) -> None:
    if "questions" in report:
        q = report["questions"]
        t = Table(title=f"questions ({q['set']}, {q['backend']}): kinds read, facts carried")
        for col in ("kind", "questions", "kind read", "facts", "carried"):
            t.add_column(col)
        for kind, m in q.items():
            if isinstance(m, dict):
                t.add_row(
                    kind,
                    str(m["questions"]),
                    str(m["kind_read"]),
                    str(m["facts"]),
                    f"{m['facts_share']:.1%}",
                )
        out.print(t)
        for r in report["question_misses"]:
            out.print(
                f"[yellow]miss[/] {r['id']} kinds {r['read']}: {escape('; '.join(r['misses']))}"
            )
    for set_key in (name.replace("-", "_") for name in NEEDS_SETS):
        if set_key not in report:
            continue
        t = Table(title=f"{set_key} reading (rules + learned reader, no LLM): slot accuracy")
        for col in ("group", "correct", "total", "accuracy"):
            t.add_column(col)
        for key, m in report[set_key].items():
            t.add_row(key, str(m["correct"]), str(m["total"]), f"{m['accuracy']:.1%}")
        out.print(t)
        for miss in report[f"{set_key}_misses"]:
            out.print(
                f"[yellow]miss[/] {miss['id']} {miss['slot']}: expected {miss['expected']!r},"
                f" got {miss['got']!r} — {escape(miss['text'])}"
            )
    for name, m in report.get("needs_private_api_only", {}).items():
        colour = "green" if not m["api_only_shortlists"] else "red"
        out.print(
            f"[{colour}]{name}: {m['api_only_shortlists']} of {m['phrasings']} phrasings whose "
            "data must stay inside got an API-only model in the shortlist[/]"
        )
        for c in m["cases"]:
            out.print(f"  [red]{c['id']}[/] {escape(c['text'])} -> {', '.join(c['api_only'])}")
    if "retrieval" in report:
        t = Table(title="retrieval")
        for col in ("lang", "n", "recall@1", "recall@5", "hit@5", "MRR", "nDCG@5"):
            t.add_column(col)
        for lang, m in report["retrieval"].items():
            t.add_row(
                lang,
                str(m["n"]),
                *(f"{m[k]:.3f}" for k in ("recall@1", "recall@5", "hit@5", "mrr", "ndcg@5")),
            )
        out.print(t)
        for miss in report["retrieval_misses"]:
            out.print(
                f"  [dim]miss {miss['id']}: {miss['query']} -> missing {miss['missing']}[/]",
                highlight=False,
            )
    if "recommend" in report:
        for lang, m in report["recommend"].items():
            out.print(
                f"recommend {lang}: {m['satisfied']}/{m['scenarios']} scenarios satisfy every constraint"
            )
        for row in report["recommend_violations"]:
            out.print(
                f"  violation {row['id']}: {row['violations']}", highlight=False, markup=False
            )
    if "answers" in report:
        t = Table(title="answers (per answer)")
        cols = (
            "id",
            "lang",
            "backend",
            "[n]",
            "guard found",
            "shown",
            "echo",
            "lang ok",
            "complete",
            "llm/picks",
            "prompt tok",
            "s",
            "cpu s",
        )
        for col in cols:
            t.add_column(col)
        for r in report["answer_rows"]:
            t.add_row(
                r["id"],
                r["lang"],
                r["backend"],
                f"{r['citations']}{' bad ' + str(r['invalid_citations']) if r['invalid_citations'] else ''}",
                str(len(r["guard_contradictions"])),
                str(len(r["shown_contradictions"])),
                "yes" if r["echo"] else "-",
                "yes" if r["language_ok"] else "NO",
                "yes" if r["complete"] else "NO",
                f"{r['llm_sentences']}/{r['picks']}",
                str(r["prompt_tokens"]),
                f"{r['seconds']:.1f}",
                f"{r['cpu_seconds']:.1f}",
            )
        out.print(t)
        for lang, m in report["answers"].items():
            out.print(
                f"answers {lang}: " + ", ".join(f"{k} {v}" for k, v in m.items()),
                highlight=False,
                markup=False,
            )
        for row in report["answer_problems"]:
            out.print(
                f"  problem {row['id']}: shown {row['shown_contradictions']}, echo {row['echo']},"
                f" language ok {row['language_ok']}, complete {row['complete']}",
                highlight=False,
                markup=False,
            )


def _progress(row: dict[str, Any]) -> None:
    """One line per generated answer on stderr, as it comes (a local run takes minutes)."""
    import json

    err.print(
        f"answer {row['id']}: {json.dumps(row, ensure_ascii=False)}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def _question_progress(row: dict[str, Any]) -> None:
    mark = "ok" if not row["misses"] and row["kind_ok"] else "MISS"
    err.print(
        f"{row['id']}: {mark} kinds {row['read']} facts {row['facts_ok']}/{row['facts']}"
        f" {'; '.join(row['misses'])}",
        markup=False,
        highlight=False,
    )
