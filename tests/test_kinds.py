"""Answers by question kind: the kinds read, the plan computed from the data, what the answer
carries and cites, needs carried over only for follow-ups, and the plan guard on LLM prose."""

from __future__ import annotations

import re
from typing import Any

import pytest

from advisor import eval_questions as eq
from advisor.domain.memory import memory
from advisor.rag.answer import AnswerChain
from advisor.rag.answer_types import Turn
from advisor.services import Advisor
from tests.fakes import SpyLLM


def kinds_of(adv: Advisor, text: str, history: bool = False) -> list[str]:
    return list(adv.read_question(text, adv.needs(text), history).kinds)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("phi-4 vs gemma 3 12b for summaries?", "compare"),
        ("Ｑｗｅｎ３-８ＢとＬｌａｍａ 3.1 8Bって何が違う?", "compare"),
        ("will mixtral 8x7b fit in 48GB at 16k context", "fit"),
        ("RTX 4060でqwen3 8bは動く?", "fit"),
        ("what would o4-mini cost us at 2k requests a day", "cost"),
        ("GPT-4oって月1万リクエストだといくら?", "cost"),
        ("is claude 3 haiku being shut down?", "lifecycle"),
        ("ジェミニ1.5 Proの後継は?", "lifecycle"),
        ("tell me about Command R", "model"),
        ("MoEってなに", "explain"),
        ("what does quantization do to quality", "explain"),
        ("うちは個人情報を扱う。APIとローカルどっちにすべき?", "decide"),
        ("open weights or a closed API model for a startup?", "decide"),
        ("recipe for miso soup please", "out_of_scope"),
        ("明日の東京の天気は?", "out_of_scope"),
        ("日本語で使える安いAPIのモデルは?", "recommend"),
    ],
)
def test_kinds_read(fast_indexed: Advisor, text: str, kind: str) -> None:
    assert kind in kinds_of(fast_indexed, text)


def test_two_things_in_one_message(fast_indexed: Advisor) -> None:
    assert kinds_of(fast_indexed, "what's MoE, and which models use it?")[:2] == [
        "explain",
        "recommend",
    ]


def test_why_not_needs_a_named_model_and_a_reason_to_ask(fast_indexed: Advisor) -> None:
    assert "why_not" in kinds_of(fast_indexed, "what about Phi-4?", history=True)
    assert "why_not" not in kinds_of(fast_indexed, "what about Phi-4?", history=False)


def answer(adv: Advisor, text: str, history: list[Turn] | None = None) -> dict[str, Any]:
    chain = adv.chain("extractive")
    p = chain.prepare(text, history)
    return chain.finish(p, "".join(chain.stream(p))).to_contract()


def test_compare_plan_shows_both_models_and_who_wins(fast_indexed: Advisor) -> None:
    got = answer(fast_indexed, "Qwen3-8B or Llama 3.1 8B for Japanese support emails?")
    plan = got["plan"]["compare"]
    assert set(plan["models"]) == {"qwen3-8b", "llama-3.1-8b"}
    assert {r["model_id"] for r in got["recommendations"]} == {"qwen3-8b", "llama-3.1-8b"}
    ja = next(r for r in plan["rows"] if r["key"] == "japanese_score")
    cat = fast_indexed.catalog
    scores = {
        m: next(e.score for e in cat.get(m).evidence if e.benchmark == "swallow-ja-avg")
        for m in plan["models"]
    }
    assert ja["better"] == max(scores, key=lambda m: scores[m])
    assert f"{scores['qwen3-8b']:.3f}" in got["answer"] and plan["focus"] == "japanese_score"


def test_fit_plan_uses_the_stated_context_and_says_so(fast_indexed: Advisor) -> None:
    got = answer(fast_indexed, "Does Qwen3-8B fit a 16GB GPU with 64k context?")
    plan = got["plan"]["fit"]
    card = fast_indexed.card("qwen3-8b")
    assert plan["context"] == 64000 and plan["context_stated"] is True  # "64k": 64,000 tokens
    for q in ("q4", "q8", "fp16"):
        m = memory(card, q, 64000)
        assert plan["quants"][q]["total_gb"] == m.total_gb
        assert plan["quants"][q]["fits"] is (m.total_gb <= 16)
    assert "64,000" in got["answer"]


def test_cost_plan_shows_the_arithmetic(fast_indexed: Advisor) -> None:
    got = answer(
        fast_indexed, "How much is GPT-4.1 mini a month at 2,000 requests a day, 800 tokens each?"
    )
    line = got["plan"]["cost"]["lines"][0]
    price = fast_indexed.card("gpt-4.1-mini").price_per_mtok
    assert price is not None
    want = 2000 * 30 * (800 * price.input + 300 * price.output) / 1e6
    assert line["api_usd_per_month"] == pytest.approx(want, abs=0.01)
    assert f"${want:,.2f}" in got["answer"] and "2,000 x 30" in got["answer"]


def test_lifecycle_plan_gives_date_successor_and_page(fast_indexed: Advisor) -> None:
    got = answer(fast_indexed, "GPT-4はまだ使えますか?")
    entry = got["plan"]["lifecycle"]["entries"][0]
    card = fast_indexed.card("gpt-4")
    assert (
        entry["shutdown_date"] == str(card.shutdown_date) and entry["successor"] == card.successor
    )
    assert str(card.shutdown_date) in got["answer"] and entry["page"].startswith("https://")


def test_explain_cites_the_glossary_and_the_guide(fast_indexed: Advisor) -> None:
    got = answer(fast_indexed, "LoRAってなに?")
    cited = {c["source_id"].split("#")[0] for c in got["citations"]}
    assert {"glossary/lora", "guide/criteria/customization"} <= cited
    assert fast_indexed.glossary.by_id["lora"].text.ja in got["answer"]


def test_out_of_scope_has_no_shortlist(fast_indexed: Advisor) -> None:
    got = answer(fast_indexed, "Can you write me a poem about the sea?")
    assert got["kind"] == ["out_of_scope"] and got["recommendations"] == []


def test_a_new_question_with_its_own_needs_does_not_inherit(fast_indexed: Advisor) -> None:
    chain = fast_indexed.chain("extractive")
    first = chain.prepare("Japanese chatbot via API, cheap")
    history = [Turn("Japanese chatbot via API, cheap", first.needs)]
    fresh = chain.prepare("code completion on my RTX 4090", history)
    alone = chain.prepare("code completion on my RTX 4090")
    assert fresh.needs.model_dump() == alone.needs.model_dump() and fresh.own_needs is None
    follow = chain.prepare("and cheaper?", history)
    got: dict[str, Any] = chain.finish(follow, "".join(chain.stream(follow))).to_contract()
    assert follow.needs.deployment == "api" and "deployment" in got["needs_used"]["carried"]
    assert "(from earlier)" in got["answer"]


def test_japanese_answers_hold_no_english_keys(fast_indexed: Advisor) -> None:
    english = re.compile(
        r"Needs used|Question:|does not fit|fits \(|per 1M|tok/s|use_case:|accuracy:|estimate"
        r"|requests|\bin x\b|\bout x\b"
    )
    for text in (
        "Mistral 7BとGemma 3 12Bの違いは?",
        "RTX 3060でLlama 3.1 8Bは動く?",
        "Claude Haiku 4.5を1日1000件使うと月いくら?",
        "APIとローカル、どっちを選ぶべき?機密データあり",
    ):
        got = answer(fast_indexed, text)
        assert got["lang"] == "ja" and not english.search(got["answer"]), (text, got["answer"])


def test_the_plan_guard_drops_a_false_comparative(fast_indexed: Advisor) -> None:
    spy = SpyLLM()
    chain = AnswerChain(fast_indexed, spy)
    p = chain.prepare("Qwen3-8B or Llama 3.1 8B for Japanese?")
    spy.enqueue(
        "Llama 3.1 8B is better at Japanese than Qwen3-8B. Qwen3-8B scores higher in Japanese."
    )
    text = chain.finish(p, "".join(chain.stream(p))).answer
    assert "Llama 3.1 8B is better at Japanese" not in text
    kept = [c for c in p.checks if c["source"] == "llm"]
    dropped = [c for c in p.checks if c["source"] == "dropped"]
    assert dropped and any("comparative" in x for x in dropped[0]["problems"])
    assert all("Llama 3.1 8B is better" not in c["generated"] for c in kept)


def test_the_plan_guard_drops_talk_about_the_prompt(fast_indexed: Advisor) -> None:
    spy = SpyLLM()
    chain = AnswerChain(fast_indexed, spy)
    p = chain.prepare("GPT-4はまだ使えますか?")
    spy.enqueue("この事実を説明するための回答: GPT-4は使えます。GPT-4の提供は終了しています。")
    text = chain.finish(p, "".join(chain.stream(p))).answer
    assert "説明するための" not in text
    dropped = [c for c in p.checks if c["source"] == "dropped"]
    assert any("meta" in x for c in dropped for x in c["problems"]), p.checks


def test_questions_eval_no_llm(fast_indexed: Advisor) -> None:
    """The question set with the no-LLM backend: kinds read and facts carried (computed from the
    catalog by advisor/eval_questions.py)."""
    cases = eq.load_questions(fast_indexed.settings.paths.knowledge_dir / "eval")
    assert len(cases) >= 150 and sum(c.lang == "ja" for c in cases) >= len(cases) // 2 - 5
    rows = eq.run_questions(fast_indexed, cases)
    summary = eq.question_summary(rows)
    for kind, m in summary.items():
        if kind != "all":
            assert m["questions"] >= 12, kind
    assert summary["all"]["kind_read"] >= 0.98 * len(cases)
    assert summary["all"]["facts_share"] >= 0.97, [r for r in rows if r["misses"]]
