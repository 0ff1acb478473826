"""The faithfulness guard: each generated sentence checked against the model cards."""

from __future__ import annotations

import pytest

from advisor.rag.guard import check_sentence, echoes, unknown_model_mentions
from advisor.services import Advisor


def kinds(core: Advisor, sentence: str, model_id: str | None, lang: str = "en", **kw: object):
    card = core.catalog.by_id[model_id] if model_id else None
    return [p.kind for p in check_sentence(sentence, card, core.catalog, lang, **kw)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sentence", "model_id", "lang", "bad"),
    [
        # numbers: parameters, memory, prices, context
        ("Qwen3.5-9B has 9B parameters and fits in 6.4 GB at Q4.", "qwen3.5-9b", "en", []),
        ("Qwen3.5-9B has 70B parameters.", "qwen3.5-9b", "en", ["number"]),
        ("Mistral 7B needs 40 GB of GPU memory.", "mistral-7b", "en", ["number"]),
        ("GPT-4.1 costs $2 per 1M input tokens and $8 for output.", "gpt-4.1", "en", []),
        ("GPT-4.1 costs $0.5 per 1M input tokens.", "gpt-4.1", "en", ["number"]),
        ("Qwen3.5-9B reads 262K tokens at once.", "qwen3.5-9b", "en", []),
        ("Mistral 7B has a 128K-token context.", "mistral-7b", "en", ["number"]),
        ("Mistral 7Bのコンテキストは8,192トークンです。", "mistral-7b", "ja", []),
        # "per 1M tokens" is a price's unit, not a context claim; a wrong price still fails
        (
            "Ministral 3 3B ($0.1 in / $0.1 out per 1M tokens) suits a chatbot.",
            "ministral-3-3b",
            "en",
            [],
        ),
        ("Ministral 3 3Bは100万トークンあたり入力$0.1で使えます。", "ministral-3-3b", "ja", []),
        ("Ministral 3 3B costs $3 per 1M tokens.", "ministral-3-3b", "en", ["number"]),
        ("Ministral 3 3B reads 1M tokens at once.", "ministral-3-3b", "en", ["number"]),
        # Japanese specialisation only for cards whose level is strong
        ("Gemma 3 4Bは、日本語特化されたモデルです。", "gemma-3-4b", "ja", ["japanese"]),
        ("Llama-3-ELYZA-JP-8Bは日本語に特化したモデルです。", "llama-3-elyza-jp-8b", "ja", []),
        # licence, open weights, commercial use
        ("GPT-4.1 is open-source, so you can run it yourself.", "gpt-4.1", "en", ["open_weights"]),
        ("Mistral 7B is released under the MIT licence.", "mistral-7b", "en", ["licence"]),
        ("Mistral 7Bは Apache-2.0 で商用利用できます。", "mistral-7b", "ja", []),
        ("Mistral 7Bは商用利用できません。", "mistral-7b", "ja", ["commercial"]),
        # model names the catalog lacks; the asker's language
        ("GPT-9 Ultra would be even better.", "gpt-4.1", "en", ["unknown_model"]),
        ("Qwen3.5-9B is a good fit.", "qwen3.5-9b", "ja", ["language"]),
        ("Qwen3.5-9Bは要約に向いています。", "qwen3.5-9b", "en", ["language"]),
    ],
)
def test_sentence_checks(core: Advisor, sentence: str, model_id: str, lang: str, bad: list[str]):
    assert kinds(core, sentence, model_id, lang) == bad


def test_numbers_the_user_or_the_facts_gave_pass(core: Advisor) -> None:
    s = "Qwen3.5-9B fits your 8 GB GPU with 1.2 GB to spare."
    assert kinds(core, s, "qwen3.5-9b", stated="GPU 8GB", extra_numbers=[1.2]) == []
    assert kinds(core, s, "qwen3.5-9b") == ["number", "number"]


def test_echo_of_the_instructions(core: Advisor) -> None:
    system = "与えられたモデルごとに、質問に対してそのモデルが合う理由を1文で書きます。"
    assert echoes("質問に対してそのモデルが合う理由を書きます。", system)
    assert not echoes("Qwen3.5-9Bは要約に向いています。", system)
    assert kinds(
        core, "質問に対してそのモデルが合う理由は軽さです。", "qwen3.5-9b", "ja", prompt_text=system
    ) == ["echo"]


def test_unknown_model_mentions(core: Advisor) -> None:
    assert unknown_model_mentions("Use Llama 9 400B or GPT-4.1.", core.catalog) == ["llama 9 400b"]


def test_price_superlatives_hold_among_the_picks(core: Advisor) -> None:
    cat = core.catalog
    picks = [cat.get("ministral-3-3b"), cat.get("glm-5.3-flash"), cat.get("claude-haiku-5.5")]
    haiku, ministral = picks[2], picks[0]

    def kinds_of(sentence: str, card: object) -> list[str]:
        return [p.kind for p in check_sentence(sentence, card, cat, "en", peers=picks)]  # type: ignore[arg-type]

    # Haiku 5.5 ($0.10/$0.50) is not the dearest of the three (GLM-5.3-Flash: $0.15/$0.50)
    assert kinds_of("Claude Haiku 5.5 is the most expensive model here.", haiku) == ["comparison"]
    assert kinds_of("Ministral 3 3B is the cheapest of these options.", ministral) == []
    assert kinds_of("Claude Haiku 5.5 is the cheapest option.", haiku) == ["comparison"]
    ja = check_sentence("Claude Haiku 5.5は最も安いモデルです。", haiku, cat, "ja", peers=picks)
    assert [p.kind for p in ja] == ["comparison"]
