"""The fake embedder, and the index, retrieval and answer chain above it in milliseconds.

Real Chroma, no model: the session's `fast_indexed` advisor is embedded by the deterministic
fake embedder (ADVISOR_EMBEDDING__PROVIDER=fake) and answers come from the spy LLM. The real
embedder, llama.cpp and server are tested in test_index, test_retrieve, test_answer and
test_backends."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from advisor.rag.embeddings import HashingEmbedder, embedder_id, make_embedder
from advisor.services import Advisor
from advisor.settings import PROJECT_ROOT, EmbeddingSettings, load_settings
from tests.fakes import SpyLLM

if TYPE_CHECKING:
    from advisor.rag.answer import AnswerChain

pytestmark = pytest.mark.fast


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_fake_embedder_is_chosen_by_settings_and_deterministic() -> None:
    emb = make_embedder(EmbeddingSettings(provider="fake"))
    assert isinstance(emb, HashingEmbedder) and embedder_id(emb) == "fake-ngram-hash"
    texts = ["社外に出せない文書を要約したい", "code completion in my IDE", "", "a"]
    vecs = emb.embed_documents(texts)
    assert vecs == HashingEmbedder().embed_documents(texts)  # same input, same vectors
    assert emb.embed_query(texts[0]) == vecs[0]
    for v in vecs:
        assert len(v) == emb.dim and math.isclose(math.sqrt(sum(x * x for x in v)), 1.0)


def test_fake_embedder_places_shared_ngrams_close_in_japanese_and_english() -> None:
    emb = HashingEmbedder()
    ja = emb.embed_documents(["日本語の文書を要約する", "日本語の文書の要約", "画像を生成する"])
    en = emb.embed_documents(["translation model", "a model for translation", "GPU memory"])
    assert _cos(ja[0], ja[1]) > _cos(ja[0], ja[2])
    assert _cos(en[0], en[1]) > _cos(en[0], en[2])


def test_index_refresh_is_incremental_on_the_fake_embedder(tmp_path: Path) -> None:
    k = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge" / "guide", k / "guide")
    shutil.copy(PROJECT_ROOT / "knowledge" / "glossary.yaml", k / "glossary.yaml")
    (k / "models").mkdir(parents=True)
    for mid in ("mistral-7b", "qwen3-8b"):
        shutil.copy(PROJECT_ROOT / "knowledge" / "models" / f"{mid}.yaml", k / "models")

    def adv() -> Advisor:
        return Advisor(
            load_settings(
                paths={"data_dir": tmp_path / "data", "knowledge_dir": k},
                embedding={"provider": "fake"},
                llm={"mode": "extractive"},
            )
        )

    first = adv().build_index()
    assert first.added == first.total > 0
    again = adv().build_index()
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    (k / "models" / "qwen3-8b.yaml").unlink()
    third = adv().build_index()
    assert third.removed == 2 and third.added == 0


def test_retrieval_finds_named_models_in_the_query_language(fast_indexed: Advisor) -> None:
    en = fast_indexed.retrieve("Mistral 7B licence", 5)
    assert en[0].chunk.source_id == "models/mistral-7b#en"
    assert all(p.chunk.lang == "en" for p in en)
    ja = fast_indexed.retrieve("Mistral 7Bとgemma 2の違いは?", 5)
    assert "models/mistral-7b" in [p.chunk.base_id for p in ja]
    assert all(p.chunk.lang == "ja" for p in ja)


def _spy_chain(adv: Advisor, spy: SpyLLM) -> AnswerChain:
    """The advisor's own chain (as the CLI and UI get it) on the spy model."""
    adv._llms["spy"] = spy
    return adv.chain("spy")


def test_chain_prepares_the_structured_part_before_the_llm(fast_indexed: Advisor) -> None:
    spy = SpyLLM()
    p = _spy_chain(fast_indexed, spy).prepare("社外に出せない文書の要約。RTX 4090")
    assert spy.prompts == []  # nothing generated yet
    assert p.lang == "ja" and p.passages
    assert p.recommendations and all(r.open_weights for r in p.recommendations)


def test_chain_answers_with_valid_citations_on_the_spy(fast_indexed: Advisor) -> None:
    spy = SpyLLM()
    ans = _spy_chain(fast_indexed, spy).ask("What is the context window of Gemma 3 27B?")
    assert len(spy.prompts) == 1
    assert any("Gemma 3 27B" in m["content"] for m in spy.prompts[0])
    assert ans.answer and ans.lang == "en"
    n = len(ans.prepared.passages)
    assert all(1 <= c.n <= n for c in ans.citations)
    assert all(1 <= int(m) <= n for m in re.findall(r"\[(\d+)\]", ans.answer))


def test_chain_survives_a_backend_failure(fast_indexed: Advisor) -> None:
    spy = SpyLLM()
    spy.enqueue("", fail_after="API error HTTP 503 (InternalServerError)")
    spy.enqueue("", fail_after="API error HTTP 503 (InternalServerError)")
    chain = _spy_chain(fast_indexed, spy)
    ans = chain.ask("Japanese chatbot via API")
    assert ans.answer and any("HTTP 503" in n for n in ans.notices)
    cited = [int(m) for m in re.findall(r"\[(\d+)\]", ans.answer)]
    assert cited and all(1 <= c <= len(ans.prepared.passages) for c in cited)
