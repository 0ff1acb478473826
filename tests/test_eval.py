"""The evaluation sets run and stay above the bars (a regression fails CI)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

from advisor import evaluate as ev
from advisor.services import Advisor
from advisor.settings import PROJECT_ROOT

SETS = ev.load_sets(PROJECT_ROOT / "knowledge" / "eval")


def test_sets_are_big_enough_and_bilingual() -> None:
    retrieval, recommend, answers = SETS
    for cases, minimum in ((retrieval, 60), (recommend, 50), (answers, 20)):
        assert len(cases) >= minimum
        assert sum(c.lang == "ja" for c in cases) * 2 >= len(cases) - 1


def test_labels_point_at_existing_sources(core: Advisor) -> None:
    retrieval, recommend, _ = SETS
    sections = {s.id for s in core.guide.sections("ja")}
    for case in retrieval:
        for sid in case.relevant:
            assert sid in sections or (
                sid.startswith("models/") and sid[7:] in core.catalog.by_id
            ), sid
    for scase in recommend:
        for mid in scase.any_of:
            core.catalog.get(mid)


def test_recommendation_scenarios_have_zero_violations(core: Advisor) -> None:
    rows = ev.recommend_results(core, SETS[1])
    bad = [r for r in rows if r["violations"]]
    assert not bad, bad


def test_extractive_answers_cite_validly_and_name_only_known_models(indexed: Advisor) -> None:
    rows = ev.answer_checks(indexed, SETS[2], "extractive")
    assert all(r["citations"] > 0 for r in rows), [r["id"] for r in rows if not r["citations"]]
    assert not [
        r for r in rows if r["invalid_citations"] or r["unknown_models"] or r["wrong_figures"]
    ]


def test_answer_checkers_catch_problems(core: Advisor) -> None:
    assert ev.unknown_model_mentions("Try GPT-7 or Llama 9 400B", core.catalog) == [
        "gpt 7",
        "llama 9 400b",
    ]
    assert (
        ev.unknown_model_mentions("Claude Opus 4.7 or Qwen3-8B, or just Claude", core.catalog) == []
    )
    assert ev.wrong_figures("Mistral 7B has 13B parameters", core.catalog) == [
        "mistral-7b: 13B (card: 7.3B)"
    ]
    assert ev.wrong_figures("Mistral 7B has 7.3B parameters", core.catalog) == []


def test_retrieval_metrics_arithmetic() -> None:
    cases = [ev.RetrievalCase(id="x", lang="en", query="q", relevant=["a", "b"])]
    m = ev.retrieval_metrics(cases, lambda q, k: ["b", "c", "a"])
    assert m["en"]["recall@1"] == 1.0 and m["en"]["recall@5"] == 1.0 and m["en"]["mrr"] == 1.0
    m = ev.retrieval_metrics(cases, lambda q, k: ["c", "b"])
    assert m["en"]["recall@1"] == 0.0 and m["en"]["recall@5"] == 0.5 and m["en"]["mrr"] == 0.5
    # ideal order: nDCG 1; a card's ja and en chunks both retrieved count once, not twice
    assert ev.retrieval_metrics(cases, lambda q, k: ["a", "b"])["en"]["ndcg@5"] == 1.0
    twice = ev.retrieval_metrics(cases, lambda q, k: ["a", "a", "c", "b"])["en"]["ndcg@5"]
    expected = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert twice == round(expected, 3) and twice < 1


def test_eval_cli_json(indexed: Advisor) -> None:
    env = {**os.environ, "ADVISOR_PATHS__DATA_DIR": str(indexed.settings.paths.data_dir)}
    p = subprocess.run(
        [sys.executable, "-m", "advisor.cli", "eval", "--json", "--only", "retrieval"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert set(data["retrieval"]) == {"ja", "en"}
    assert {"recall@1", "recall@5", "mrr", "ndcg@5"} <= set(data["retrieval"]["ja"])


def test_answer_eval_counts_a_sentence_repeated_across_picks(indexed: Advisor) -> None:
    """The same words after each pick's own prefix tell the asker nothing about the picks: the
    answer eval counts them (a spy backend writes them)."""
    import json as _json

    from advisor.rag.picks import pick_prefix
    from tests.fakes import SpyLLM

    spy = SpyLLM()
    indexed._llms["spy"] = spy
    case = ev.AnswerCase(
        id="t1", lang="en", question="Which cheap API model should I use for a support chatbot?"
    )
    p = indexed.chain("spy").prepare(case.question, lang="en")
    picks = p.recommendations[:3]
    same = "suits a chatbot."
    for tails in ([same, same, same], [same, "answers fast.", "costs little."]):
        spy.enqueue(
            _json.dumps(
                {r.name: pick_prefix(r, "en") + t for r, t in zip(picks, tails, strict=True)}
            )
        )
    try:
        first, second = ev.answer_checks(indexed, [case, case], "spy")
    finally:
        del indexed._llms["spy"]
    assert first["llm_sentences"] == 3 and first["repeated_sentences"] == 2
    assert second["repeated_sentences"] == 0
    assert ev.answer_summary([first, second])["all"]["answers_repeating_a_sentence"] == 1
