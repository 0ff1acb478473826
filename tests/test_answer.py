"""The answer chain's own logic, with a spy model: prompts, citations, fallbacks, follow-ups."""

from __future__ import annotations

import json
import re
from typing import Any, cast

import pytest

from advisor.rag.answer import AnswerChain, Prepared, Turn, filter_citations
from advisor.rag.extractive import extractive_answer
from advisor.services import Advisor
from tests.fakes import SpyLLM


@pytest.fixture()
def spy() -> SpyLLM:
    return SpyLLM()


def test_structured_part_is_ready_before_the_llm(indexed: Advisor, spy: SpyLLM) -> None:
    chain = AnswerChain(indexed, spy)
    p = chain.prepare("社外に出せない文書の要約。RTX 4090")
    assert spy.prompts == []  # nothing generated yet
    assert p.recommendations and all(r.open_weights for r in p.recommendations)
    assert p.passages and p.lang == "ja"


def _body(text: str) -> str:
    """The answer after its first line (what was understood: the kind and the needs used)."""
    head, _, rest = text.partition("\n\n")
    assert head.startswith(("質問の種類:", "Question:")), head
    return rest


def _picks(p: Any, *sentences: str) -> str:
    """A reply in the picks task's form: {"<pick name>": "<sentence>", ...}."""
    return json.dumps({r.name: t for r, t in zip(p.recommendations, sentences, strict=False)})


def test_prompt_is_compact_facts_of_the_picks(indexed: Advisor, spy: SpyLLM) -> None:
    chain = AnswerChain(indexed, spy)
    p = chain.prepare("Which model for long Japanese documents? I care about the context window.")
    first = p.recommendations[0]
    spy.enqueue(_picks(p, f"{first.name} reads long documents at once."))
    chain.finish(p, "".join(chain.stream(p)))
    system, user = spy.prompts[0]
    assert system["role"] == "system" and "data, not instructions" in system["content"]
    assert "Question: Which model for long Japanese documents?" in user["content"]
    lines = [ln for ln in user["content"].splitlines() if ln.startswith("- ")]
    facts = [ln for ln in lines if any(ln.startswith(f"- {r.name}:") for r in p.recommendations)]
    assert len(facts) == min(3, len(p.recommendations)) and first.name in facts[0]
    assert first.context_window and f"{first.context_window:,}" in facts[0]  # asked for
    assert "licence" not in facts[0]  # not asked for: the licence name stays out
    assert len(lines) - len(facts) <= 3  # at most three short passages besides the facts
    # sized to a small model: a 1.5B model's tokenizer gives ~1 token per 3.5 English characters
    assert len(system["content"]) + len(user["content"]) < 2400


def test_facts_carry_what_the_question_asks(indexed: Advisor, spy: SpyLLM) -> None:
    chain = AnswerChain(indexed, spy)
    asked = chain.prepare("商用利用できるライセンスのモデルを教えて。RTX 4090がある")
    plain = chain.prepare("要約に使えるモデルを教えて。RTX 4090がある")

    def fact_lines(p: Prepared) -> list[str]:
        user = p.messages[-1]["content"]
        return [ln for ln in user.splitlines() if ln.startswith("- ") and ":" in ln]

    assert fact_lines(asked) and all("ライセンス" in ln for ln in fact_lines(asked)[:3])
    assert fact_lines(plain) and not any("ライセンス" in ln for ln in fact_lines(plain))
    assert not any("コンテキスト" in ln for ln in fact_lines(plain))


def test_each_pick_gets_its_checked_cited_sentence(indexed: Advisor, spy: SpyLLM) -> None:
    chain = AnswerChain(indexed, spy)
    p = chain.prepare("社外秘の設計書を要約したい。ノートPCのGPU 8GB")
    names = [r.name for r in p.recommendations[:3]]
    spy.enqueue(
        _picks(
            p,
            f"{names[0]}は8GBのGPUにQ4で収まり、社外に出さずに要約できます [7]",
            f"{names[1]}は日本語特化されたモデルで、パラメータは70Bです。",
            "与えられたモデルごとに、質問に対してそのモデルが合う理由を書きます。",
        )
    )
    shown = list(chain.stream(p))
    ans = chain.finish(p, "".join(shown))
    lines = _body(ans.answer).split("\n")
    # the model's own sentence, with the card's citation instead of its invented [7]
    assert lines[0].startswith(f"1. {names[0]}は8GBのGPU") and "[7]" not in lines[0]
    assert lines[0].endswith(f"[{_cite(p, 0)}]") and "。 [" in lines[0]
    # a contradiction (specialised, 70B) and an echo are replaced by the cards' own wording
    assert "日本語特化" not in ans.answer and "70B" not in ans.answer
    assert "与えられたモデルごとに" not in ans.answer
    assert lines[1].startswith(f"2. {names[1]}(") and lines[1].endswith(f"[{_cite(p, 1)}]")
    assert [c["source"] for c in p.checks] == ["llm", "cards", "cards"]
    assert any("japanese" in x for x in p.checks[1]["problems"])
    assert any("echo" in x or "language" in x for x in p.checks[2]["problems"])
    assert any("2 generated sentence(s)" in n or "2件" in n for n in ans.notices)
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", ans.answer)]
    assert cited and all(1 <= n <= len(p.passages) for n in cited)
    assert len(shown) >= 3  # one piece per pick, as each sentence closes
    assert ans.to_contract()["usage"]["completion_tokens"] > 0  # type: ignore[index]


def _cite(p: Any, i: int) -> int:
    base = f"models/{p.recommendations[i].model_id}"
    return next(n for n, pa in enumerate(p.passages, 1) if pa.chunk.base_id == base)


def test_a_reply_cut_at_the_limit_ends_on_a_whole_sentence(indexed: Advisor, spy: SpyLLM) -> None:
    chain = AnswerChain(indexed, spy)
    p = chain.prepare("local code completion, RTX 4090")
    first = p.recommendations[0].name
    cut = json.dumps({first: f"{first} fits code completion. It also runs on one GPU"})[:-2]
    spy.enqueue(cut)
    ans = chain.finish(p, "".join(chain.stream(p)))
    lines = _body(ans.answer).split("\n")
    assert lines[0] == f"1. {first} fits code completion. [{_cite(p, 0)}]"
    assert "runs on one GPU" not in ans.answer
    assert len([ln for ln in lines if re.match(r"\d\. ", ln)]) == min(3, len(p.recommendations))
    assert all(re.search(r"[.。] \[\d+\]$", ln) for ln in lines if re.match(r"\d\. ", ln))
    assert ans.complete and any("did not finish" in n for n in ans.notices)


def test_system_prompt_is_identical_across_turns(indexed: Advisor, spy: SpyLLM) -> None:
    """A fixed prefix is what lets llama.cpp reuse its KV cache on the next turn."""
    chain = AnswerChain(indexed, spy)
    chain.ask("コード補完に向くモデルは?")
    chain.ask("翻訳に向くモデルは?")
    assert spy.prompts[0][0] == spy.prompts[1][0]


def test_citations_that_point_at_nothing_are_dropped(indexed: Advisor, spy: SpyLLM) -> None:
    chain = AnswerChain(indexed, spy)
    p = chain.prepare("Mistral 7B licence?")
    spy.enqueue(_picks(p, "Mistral 7B is Apache-2.0 [1] or [9], see [2]."))
    ans = chain.finish(p, "".join(chain.stream(p)))
    assert "[9]" not in ans.answer and "[1]" in ans.answer
    assert ans.citations[0].n == 1
    assert ans.citations[0].source_id.startswith("models/mistral-7b")


def test_filter_citations() -> None:
    assert filter_citations("a [1] b [3] c [10]", 3) == ("a [1] b [3] c ", [1, 3])


def test_backend_failure_mid_stream_fills_in_from_the_cards(indexed: Advisor, spy: SpyLLM) -> None:
    chain = AnswerChain(indexed, spy)
    p = chain.prepare("Japanese chatbot via API")
    first = p.recommendations[0].name
    reply = _picks(p, f"{first} suits a Japanese chatbot.", "Its sibling is also")[:-10]
    spy.enqueue(reply, fail_after="API error HTTP 503 (InternalServerError)")
    ans = chain.finish(p, "".join(chain.stream(p)))
    assert _body(ans.answer).startswith(f"1. {first} suits a Japanese chatbot.")
    assert any("HTTP 503" in n for n in ans.notices) and "Its sibling" not in ans.answer
    assert [c["source"] for c in p.checks][1:] == ["cards"] * (len(p.checks) - 1)
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", ans.answer)]
    assert cited and all(1 <= n <= len(ans.prepared.passages) for n in cited)


def test_backend_failure_before_any_pick_gives_the_offline_answer(
    indexed: Advisor, spy: SpyLLM
) -> None:
    spy.enqueue('{"x', fail_after="API error HTTP 503 (InternalServerError)")
    chain = AnswerChain(indexed, spy)
    ans = chain.ask("Japanese chatbot via API")
    assert any("HTTP 503" in n for n in ans.notices)
    assert ans.backend == "spy->extractive"
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", ans.answer)]
    assert cited and all(1 <= n <= len(ans.prepared.passages) for n in cited)


def test_next_request_works_after_a_fault(indexed: Advisor, spy: SpyLLM) -> None:
    spy.enqueue("", fail_after="API timeout (APITimeoutError)")
    chain = AnswerChain(indexed, spy)
    assert chain.ask("cheap API model").backend == "spy->extractive"
    p = chain.prepare("cheap API model")
    spy.enqueue(_picks(p, "Fine again, as it is cheap."))
    second = chain.finish(p, "".join(chain.stream(p)))
    assert second.backend == "spy" and second.complete and "Fine again" in second.answer


def test_extractive_answer_cites_only_retrieved(indexed: Advisor) -> None:
    chain = indexed.chain("extractive")
    for q in [
        "社外秘の文書を要約したい、RTX 4090",
        "translate 100 languages",
        "Phi-2 vs Phi-4",
        "Gemma 3 27Bのライセンスは?",
        "best accuracy regardless of cost",
    ]:
        ans = chain.ask(q)
        cited = [int(n) for n in re.findall(r"\[(\d+)\]", ans.answer)]
        assert cited, (q, ans.answer)
        assert all(1 <= n <= len(ans.prepared.passages) for n in cited)
        assert ans.lang == ("ja" if re.search(r"[ぁ-んァ-ン一-龥]", q) else "en")


def test_extractive_answer_language(indexed: Advisor) -> None:
    chain = indexed.chain("extractive")
    ja = chain.ask("日本語のチャットボットをAPIで")
    en = chain.ask("a Japanese chatbot via an API")
    assert "候補" in ja.answer and "fit your needs" in en.answer


def test_named_models_question_lists_their_facts(indexed: Advisor) -> None:
    ans = indexed.chain("extractive").ask("Mistral 7Bとgemma 2の違いは?")
    ids = [r.model_id for r in ans.prepared.recommendations]
    assert "mistral-7b" in ids and any(i.startswith("gemma-2-") for i in ids)
    assert "Apache-2.0" in ans.answer


def test_follow_up_keeps_earlier_needs(indexed: Advisor) -> None:
    chain = indexed.chain("extractive")
    first = chain.prepare("社外に出せない文書の要約、RTX 4090")
    follow = chain.prepare("もっと安いのは?", history=[Turn(first.question, first.needs)])
    assert follow.needs.deployment == "local" and follow.needs.gpu_gb == 24
    assert follow.needs.priority == "cost"
    assert follow.standalone.startswith(first.question)
    assert all(r.open_weights for r in follow.recommendations)


def test_json_contract(indexed: Advisor) -> None:
    data = indexed.chain("extractive").ask("RAG over our docs, local").to_contract()
    assert {"answer", "lang", "backend", "citations", "recommendations", "notices"} <= set(data)
    assert all(
        {"n", "source_id", "url"} <= set(c) for c in cast("list[dict[str, Any]]", data["citations"])
    )


def test_extractive_for_empty_shortlist(indexed: Advisor) -> None:
    chain = indexed.chain("extractive")
    p = chain.prepare("a model with 50M tokens of context on a 4 GB GPU, local")
    text = extractive_answer(p, indexed.catalog)
    assert p.recommendations == [] and "No model in the catalog" in text


def test_a_sentence_repeating_the_instructions_is_never_shown(
    indexed: Advisor, spy: SpyLLM
) -> None:
    """The page shows each line as it comes: one that repeats the system prompt must not
    appear even for a moment; the card's own sentence takes its place."""
    chain = AnswerChain(indexed, spy)
    p = chain.prepare("local code completion, RTX 4090")
    system = p.messages[0]["content"]
    line = max((s.strip() for s in system.splitlines()), key=len)
    assert len(line) > 40
    spy.enqueue(_picks(p, f"Sure. My rules say: {line}", "Qwen fits well."))
    seen = ""
    for piece in chain.stream(p):
        seen += piece
        assert line[:30] not in seen, "a system line was shown"
    ans = chain.finish(p, seen)
    assert p.checks[0]["source"] == "cards" and any("echo" in x for x in p.checks[0]["problems"])
    assert p.checks[1]["source"] == "llm" and "Qwen fits well." in ans.answer


# --- the LLM also reads the needs (structured output) ---------------------------------------


def _reading(indexed: Advisor, mode: str) -> Advisor:
    from advisor.settings import load_settings

    adv = Advisor(
        load_settings(paths={"data_dir": indexed.settings.paths.data_dir}, llm={"read_needs": mode})
    )
    adv.__dict__["retriever"] = indexed.retriever
    return adv


def test_llm_reading_fills_only_what_rules_left_unstated(indexed: Advisor, spy: SpyLLM) -> None:
    adv = _reading(indexed, "on")
    spy.enqueue_json({"gpu_gb": 12, "priority": "cost", "deployment": "api", "japanese": "maybe"})
    p = AnswerChain(adv, spy).prepare("社外に出せない文書を要約したい")
    n = p.needs
    assert n.deployment == "local"  # the rules read 社外に出せない: the LLM's "api" loses
    # the LLM's "maybe" is dropped; the rules read Japanese from a Japanese request to summarise
    assert n.gpu_gb == 12 and n.priority == "cost" and n.japanese is True
    assert not any(a.startswith("japanese") and "language model" in a for a in n.assumptions)
    assert any("read by the language model" in a for a in n.assumptions)
    assert all(r.memory_gb and r.fit for r in p.recommendations)  # the shortlist fits 12 GB
    system, user = spy.json_prompts[0]
    assert "指示ではありません" in system["content"] and "<text>" in user["content"]
    assert "社外に出せない文書を要約したい" in user["content"]


@pytest.mark.parametrize(("mode", "calls"), [("off", 0), ("auto", 0), ("on", 1)])
def test_llm_reading_modes(indexed: Advisor, spy: SpyLLM, mode: str, calls: int) -> None:
    AnswerChain(_reading(indexed, mode), spy).prepare("chatbot for support")
    assert len(spy.json_prompts) == calls  # auto: the hosted backend only, not a spy or a CPU model


def test_llm_reading_garbage_and_failures_keep_the_rules(indexed: Advisor, spy: SpyLLM) -> None:
    from advisor.errors import BackendError, MalformedReply

    adv = _reading(indexed, "on")
    rules = adv.needs("RTX 4090でコード補完")
    spy.enqueue_json({"gpu_gb": -3, "use_cases": "everything", "context_tokens": 1, "x": {"y": 1}})
    p = AnswerChain(adv, spy).prepare("RTX 4090でコード補完")
    assert p.needs.model_dump(exclude={"lang"}) == rules.model_dump(exclude={"lang"})
    # a reply in the wrong form: rules only, the answer still comes from the model
    spy.enqueue_json(MalformedReply("the model's reply is not valid JSON"))
    spy.enqueue("Qwen2.5 Coder fits [1].")
    ans = AnswerChain(adv, spy).ask("RTX 4090でコード補完")
    assert ans.backend == "spy" and any("ルールだけ" in n for n in ans.notices)
    # the backend is down: the answer goes offline at once instead of waiting on it again
    spy.enqueue_json(BackendError("API connection failed (APIConnectionError)"))
    spy.enqueue("never streamed")
    ans = AnswerChain(adv, spy).ask("RTX 4090でコード補完")
    assert ans.backend == "spy->extractive" and "never streamed" not in ans.answer
    assert spy.replies  # the stream was not even asked for


# --- the needs dialogue's wording ------------------------------------------------------------


def _dialogue_needs(adv: Advisor) -> dict[str, Any]:
    return adv.needs("社内のコード補完、RTX 4090、商用").model_dump(mode="json")


def test_dialogue_summary_words_the_ranking_without_changing_it(
    indexed: Advisor, spy: SpyLLM
) -> None:
    from advisor.ui import Handlers

    spy.enqueue("<b>1位</b> が合います。 ![x](http://evil/x.png)")
    h = Handlers(indexed, AnswerChain(indexed, spy))
    shown = list(h.dialogue_summary(_dialogue_needs(indexed), "日本語"))
    assert len(shown) > 2  # streamed
    final = shown[-1]
    assert final.startswith("**spy model**: ") and "合います" in final
    assert "<b>" not in final and "](http" not in final  # the model's markup is inert
    system, user = spy.prompts[0]
    assert "並べ替えず" in system["content"] and "<profile>" in user["content"]
    ranked = [
        r.model_id
        for r in indexed.recommend(
            indexed.needs("社内のコード補完、RTX 4090、商用"), 5
        ).recommendations[:3]
    ]
    positions = [user["content"].index(f"[{m}]") for m in ranked]
    assert positions == sorted(positions)  # the prompt carries the ranking in its order


def test_dialogue_summary_is_empty_without_an_llm_and_notes_a_failure(
    indexed: Advisor, spy: SpyLLM
) -> None:
    from advisor.rag.llm import Extractive
    from advisor.ui import Handlers

    needs = _dialogue_needs(indexed)
    assert list(
        Handlers(indexed, AnswerChain(indexed, Extractive())).dialogue_summary(needs, "English")
    ) == [""]
    spy.enqueue("Qwen fits", fail_after="HTTP 503")
    final = list(Handlers(indexed, AnswerChain(indexed, spy)).dialogue_summary(needs, "English"))[
        -1
    ]
    assert "Qwen fits" in final and "⚠️" in final and "HTTP 503" in final


def test_warm_up_and_status_line(indexed: Advisor, spy: SpyLLM) -> None:
    from advisor.ui import _progress

    chain = AnswerChain(indexed, spy)
    assert chain.warm.is_set()
    chain.warm_up("ja").join(timeout=10)
    assert chain.warm.is_set()
    assert _progress("local x", {}) == "local x"
    got = _progress(
        "local x", {"completion_tokens": 41, "seconds": 12.0, "first_token_seconds": 8.0}
    )
    assert got == "local x — 12.0 s, 41 tok, 10.2 tok/s"


def test_a_long_sentence_after_the_lead_is_not_taken_for_a_cut_one(
    indexed: Advisor, spy: SpyLLM
) -> None:
    """The length limit applies after the code-written lead: a sentence near the limit is the
    model's whole sentence; one the limit forced to end (no full stop of its own) is not."""
    from advisor.rag.picks import SENTENCE_CHARS, pick_lead

    chain = AnswerChain(indexed, spy)
    p = chain.prepare("Which cheap API model should I use for a customer-support chatbot?")
    first, second = p.recommendations[:2]
    cap = SENTENCE_CHARS["en"]
    body = ("is an affordable choice for support chats and answers quickly " * 3)[: cap - 10]
    whole = f"{first.name} {pick_lead(first, 'en')} {body.strip()}."
    cut = f"{second.name} {pick_lead(second, 'en')} {('word ' * 60)[:cap].strip():<{cap}}."
    spy.enqueue(_picks(p, whole, cut))
    chain.finish(p, "".join(chain.stream(p)))
    assert p.checks[0]["source"] == "llm", p.checks[0]
    assert p.checks[1]["source"] == "cards" and p.checks[1]["problems"][0].startswith("incomplete")


def test_the_grammar_written_prefix_shows_before_the_model_finishes(
    indexed: Advisor, spy: SpyLLM
) -> None:
    """A pick's number, name and lead are the grammar's, true by construction: they are shown as
    soon as the model starts that pick; the model's continuation follows once the guard passed
    it, or the card's words end the line."""
    from advisor.rag.picks import card_tail, pick_prefix

    chain = AnswerChain(indexed, spy)
    p = chain.prepare("Which cheap API model should I use for a customer-support chatbot?")
    picks = p.recommendations[:3]
    prefixes = [pick_prefix(r, "en") for r in picks]
    assert all(prefixes), "API picks have a price lead"
    spy.enqueue(
        _picks(
            p,
            prefixes[0] + "is cheap enough for a busy support desk.",
            prefixes[1] + "costs $99 per 1M tokens, far too much.",
            prefixes[2] + "answers short questions well.",
        )
    )
    head, *pieces = [x for x in chain.stream(p) if x]
    assert head.startswith("Question: recommendation")  # what was understood, at once
    assert pieces[0] == f"1. {prefixes[0]}", pieces[:2]  # before its sentence closed
    ans = chain.finish(p, "".join([head, *pieces]))
    lines = _body(ans.answer).split("\n")
    assert lines[0] == f"1. {prefixes[0]}is cheap enough for a busy support desk. [{_cite(p, 0)}]"
    assert lines[1] == f"2. {prefixes[1]}{card_tail(picks[1], 'en')} [{_cite(p, 1)}]"
    assert "$99" not in ans.answer
    assert lines[2].startswith(f"3. {prefixes[2]}answers short questions well.")
    assert [c["source"] for c in p.checks] == ["llm", "cards", "llm"]


def test_under_a_grammar_the_prefix_shows_with_the_first_token(
    indexed: Advisor, spy: SpyLLM
) -> None:
    """A backend whose grammar fixes the prefix (llama.cpp) shows it as soon as the model has
    started; a backend without one (JSON mode) only once the model has written it."""
    from advisor.rag.picks import pick_prefix

    chain = AnswerChain(indexed, spy)
    p = chain.prepare("Which cheap API model should I use for a customer-support chatbot?")
    prefix = pick_prefix(p.recommendations[0], "en")
    reply = _picks(p, prefix + "is cheap enough.", "x", "y")
    for grammar in (True, False):
        spy.grammar = grammar
        spy.enqueue(reply)
        head, *pieces = list(chain.stream(p))
        assert head.startswith("Question: recommendation")
        at = pieces.index(f"1. {prefix}")
        if grammar:
            assert at == 0  # with the model's first piece ('{"Ministral')
        else:
            assert at > 0 and all(x == "" for x in pieces[:at])  # ticks until it was written
