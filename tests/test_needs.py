"""Rule-based needs extraction on Japanese and English phrasings (no LLM)."""

from __future__ import annotations

from typing import Any

import pytest

from advisor.domain.catalog import UseCase
from advisor.domain.needs import clean_text, detect_lang
from advisor.domain.needs_rules import extract_needs
from advisor.errors import InputError

C, T, S, CH, R, G, F, E = (
    UseCase.code,
    UseCase.translation,
    UseCase.summarization,
    UseCase.chat,
    UseCase.rag,
    UseCase.text_generation,
    UseCase.finetuning,
    UseCase.edge,
)

# (text, expected fields); "uses" means these use cases are among those found
CASES: list[tuple[str, dict[str, Any]]] = [
    # Japanese
    (
        "社外に出せない設計書を要約したい",
        {"uses": [S], "deployment": "local", "privacy": True, "lang": "ja"},
    ),
    (
        "VSCodeでコード補完に使いたい。RTX 4090がある",
        {"uses": [C], "gpu_gb": 24, "deployment": "local"},
    ),
    ("できるだけ安くチャットボットを作りたい", {"uses": [CH], "priority": "cost", "budget": "low"}),
    ("日本語の問い合わせ対応ボット、APIで", {"uses": [CH], "japanese": True, "deployment": "api"}),
    ("100言語以上の翻訳をしたい", {"uses": [T], "many_languages": True}),
    ("自社データでLoRAファインチューニングしたい", {"uses": [F], "finetune": True}),
    ("精度重視、コストは問わない。契約書のレビュー", {"priority": "accuracy", "budget": "high"}),
    ("スマホで動く軽量なモデル", {"uses": [E]}),
    ("社内文書を検索して答えるRAGを作る", {"uses": [R]}),
    ("ブログ記事の執筆を手伝ってほしい", {"uses": [G]}),
    (
        "GPUなしでCPUのみ、メモリ16GBのノートPCで動かしたい",
        {"cpu_only": True, "ram_gb": 16, "deployment": "local"},
    ),
    ("RTX 3060 12GBで日本語チャット", {"gpu_gb": 12, "japanese": True, "uses": [CH]}),
    ("患者の個人情報を扱うので外部に出せない", {"privacy": True, "deployment": "local"}),
    ("商用サービスに組み込みたい", {"commercial": True}),
    ("研究目的で使う", {"commercial": False}),
    ("10万トークンの長文を要約したい", {"uses": [S], "context_tokens": 100_000}),
    ("オープンソースのモデルでオンプレ運用", {"open_weights": True, "deployment": "local"}),
    ("M2 Max 64GBのMacで動かしたい", {"gpu_gb": 64, "gpu_kind": "unified", "deployment": "local"}),
    ("低遅延でリアルタイムに応答したい", {"priority": "speed"}),
    ("英日翻訳を高速に", {"uses": [T], "japanese": True, "priority": "speed"}),
    ("VRAM 8GBのGPUでPythonのコードを書かせたい", {"uses": [C], "gpu_gb": 8}),
    ("ファインチューニングは不要です", {"finetune": False}),
    # English
    (
        "Summarise confidential contracts; data cannot leave our servers",
        {"uses": [S], "privacy": True, "deployment": "local", "lang": "en"},
    ),
    ("Code completion in my IDE on an RTX 4060", {"uses": [C], "gpu_gb": 8, "deployment": "local"}),
    ("cheap high volume classification via API", {"priority": "cost", "deployment": "api"}),
    ("Best possible accuracy regardless of cost", {"priority": "accuracy", "budget": "high"}),
    ("translate between many low-resource languages", {"uses": [T], "many_languages": True}),
    ("fine-tune with LoRA on our support tickets", {"uses": [F], "finetune": True}),
    ("a customer support chatbot in Japanese", {"uses": [CH], "japanese": True}),
    ("run it on a Raspberry Pi", {"uses": [E]}),
    ("RAG over our knowledge base", {"uses": [R]}),
    ("write marketing copy and blog posts", {"uses": [G]}),
    ("CPU only laptop with 32 GB RAM", {"cpu_only": True, "ram_gb": 32, "deployment": "local"}),
    ("an A100 40GB server, self-hosted", {"gpu_gb": 40, "deployment": "local"}),
    ("long documents of 200k tokens", {"context_tokens": 200_000}),
    ("for a commercial product", {"commercial": True}),
    ("research only, non-commercial", {"commercial": False}),
    ("open-weights model on H100", {"open_weights": True, "gpu_gb": 80}),
    ("low latency real-time assistant", {"priority": "speed", "uses": [CH]}),
    ("English only coding assistant", {"japanese": False, "uses": [C]}),
    ("we have no GPU, use a hosted API", {"deployment": "api"}),
    ("I have 12 GB VRAM", {"gpu_gb": 12}),
    # token counts as people write them: with commas, and before or after "context"
    ("RTX 4090, 32k context", {"context_tokens": 32_000, "gpu_gb": 24}),
    ("a context window of 128,000 tokens", {"context_tokens": 128_000}),
    ("128kコンテキストが必要", {"context_tokens": 128_000}),
    ("コンテキスト長は200k欲しい", {"context_tokens": 200_000}),
    (
        "10,000 requests per day, 2,000 tokens per request",
        {"requests_per_day": 10_000, "tokens_per_request": 2_000},
    ),
    ("0 requests per day, at most 0B", {"requests_per_day": None, "max_params_b": None}),
    # several cards: their memory together
    ("最高精度のモデルを自社サーバーで。H100が8枚", {"gpu_gb": 640, "deployment": "local"}),
    ("two boxes? no: 2 RTX 4090s for local chat", {"gpu_gb": 48, "gpu_name": "2× RTX 4090"}),
    ("RTX 4090が1枚ある", {"gpu_gb": 24, "gpu_name": "RTX 4090"}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_extract(text: str, expected: dict[str, Any]) -> None:
    n = extract_needs(text)
    for key, want in expected.items():
        if key == "uses":
            assert set(want) <= set(n.use_cases), (n.use_cases, want)
        else:
            assert getattr(n, key) == want, f"{key}: {getattr(n, key)!r} != {want!r}"


def test_cases_cover_both_languages() -> None:
    langs = [detect_lang(t) for t, _ in CASES]
    assert langs.count("ja") >= 20 and langs.count("en") >= 20


def test_unknown_lists_what_could_not_be_told() -> None:
    n = extract_needs("コード補完に使いたい")
    assert "use_case" not in n.unknown
    assert {"deployment", "customization", "accuracy"} <= set(n.unknown)
    full = extract_needs("Japanese chatbot, local on RTX 4090, best accuracy, LoRA fine-tuning")
    assert full.unknown == []


def test_assumptions_are_recorded() -> None:
    n = extract_needs("機密データを扱う")
    assert any("local" in a for a in n.assumptions)


def test_follow_up_keeps_earlier_needs() -> None:
    first = extract_needs("社外に出せない文書の要約、RTX 4090")
    second = first.merged(extract_needs("もっと安いのは?"))
    assert second.deployment == "local" and second.gpu_gb == 24 and second.priority == "cost"
    assert UseCase.summarization in second.use_cases


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "input is empty"),
        ("   \n\t ", "input is empty"),
        ("a" * 200_000, "the limit is 20,000"),
        ("hello\x00world", "control characters"),
        ("bad \udcff bytes", "not valid UTF-8"),
    ],
)
def test_bad_input(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        clean_text(text, 20_000)


def test_clean_text_keeps_emoji_and_rtl() -> None:
    assert clean_text("  チャット🤖 مرحبا  ", 100) == "チャット🤖 مرحبا"


# --- the needs evaluation sets (knowledge/eval/needs*.yaml), rules only ------------------------


def _eval(name: str) -> dict[str, Any]:
    from advisor.evaluate import load_needs_cases, needs_results
    from advisor.settings import PROJECT_ROOT

    cases = load_needs_cases(PROJECT_ROOT / "knowledge" / "eval", name)
    assert len(cases) >= 200, f"{name}: only {len(cases)} cases"
    summary, misses = needs_results(cases, extract_needs)
    return {"summary": summary, "misses": misses, "cases": cases}


def test_needs_eval_set_meets_the_bar() -> None:
    """97% of slots overall, every deployment/privacy slot stated through a negation or a
    condition, over >= 250 phrasings, half Japanese, a third negated/conditional/indirect."""
    r = _eval("needs")
    cases = r["cases"]
    assert len(cases) >= 250
    assert sum(c.lang == "ja" for c in cases) >= len(cases) / 2 - 10
    assert sum(c.kind != "plain" for c in cases) >= len(cases) / 3
    s = r["summary"]
    assert s["overall"]["accuracy"] >= 0.97, r["misses"][:10]
    assert s["deployment_privacy_negations"]["accuracy"] == 1.0, [
        m for m in r["misses"] if m["slot"] in ("deployment", "privacy")
    ]


def test_needs_holdout_set_generalises() -> None:
    """The set written apart from the rules (first contact: 82.0%) stays above 95%."""
    s = _eval("needs-holdout")["summary"]
    assert s["overall"]["accuracy"] >= 0.95
    assert s["deployment_privacy_negations"]["accuracy"] >= 0.9


def test_every_assumption_note_has_japanese_wording() -> None:
    """The Japanese profile shows no English assumption notes."""
    from advisor.domain.notes import localise
    from advisor.evaluate import load_needs_cases
    from advisor.settings import PROJECT_ROOT

    notes = {
        a
        for name in ("needs", "needs-holdout")
        for c in load_needs_cases(PROJECT_ROOT / "knowledge" / "eval", name)
        for a in extract_needs(c.text).assumptions
    }
    assert len(notes) >= 5
    untranslated = [n for n in notes if localise(n, "ja") == n]
    assert not untranslated, untranslated


def test_a_yes_answers_the_clarifying_question() -> None:
    from advisor.domain.dialogue import apply_reply, next_question
    from advisor.domain.needs import Needs

    n = apply_reply(Needs(lang="ja"), None, "APIでもよいが個人情報は出せない", "ja")
    assert n.deployment == "local" and n.privacy and n.questions == ["api_if_masked"]
    yes = apply_reply(n, next_question(n), "はい", "ja")
    assert yes.deployment == "api" and not yes.privacy and not yes.questions
    no = apply_reply(n, next_question(n), "いいえ", "ja")
    assert no.deployment == "local" and no.privacy and not no.questions
