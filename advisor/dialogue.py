"""The "tell me your needs" dialogue: asks, one criterion at a time, only what is still unknown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.catalog import UseCase
from advisor.needs import Needs, detect_lang, extract_needs, unknown_criteria


@dataclass(frozen=True)
class Choice:
    ja: str
    en: str
    update: dict[str, Any]

    def label(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Question:
    criterion: str
    ja: str
    en: str
    choices: tuple[Choice, ...]

    def text(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en

    def labels(self, lang: str) -> list[str]:
        return [c.label(lang) for c in self.choices]


QUESTIONS: dict[str, Question] = {
    "use_case": Question(
        "use_case",
        "① 何に使いますか?",
        "① What will you use it for?",
        (
            Choice("チャットボット", "Chatbot", {"use_cases": [UseCase.chat]}),
            Choice("コード生成・補完", "Code", {"use_cases": [UseCase.code]}),
            Choice("翻訳", "Translation", {"use_cases": [UseCase.translation]}),
            Choice("要約", "Summarisation", {"use_cases": [UseCase.summarization]}),
            Choice("社内文書検索(RAG)", "RAG / search", {"use_cases": [UseCase.rag]}),
            Choice("文章作成", "Writing", {"use_cases": [UseCase.text_generation]}),
        ),
    ),
    "accuracy": Question(
        "accuracy",
        "② 精度とコスト・速度、どちらを重視しますか?",
        "② Accuracy or cost/speed: which matters more?",
        (
            Choice("精度重視", "Accuracy", {"priority": "accuracy"}),
            Choice("バランス", "Balanced", {"priority": "balanced"}),
            Choice("コスト重視", "Low cost", {"priority": "cost", "budget": "low"}),
            Choice("速度重視", "Speed", {"priority": "speed"}),
        ),
    ),
    "compute_cost": Question(
        "compute_cost",
        "③ 使える計算資源は?",
        "③ What hardware can you use?",
        (
            Choice(
                "GPU 8GB", "GPU 8 GB", {"gpu_gb": 8.0, "gpu_kind": "gpu", "gpu_name": "GPU 8 GB"}
            ),
            Choice(
                "GPU 12GB",
                "GPU 12 GB",
                {"gpu_gb": 12.0, "gpu_kind": "gpu", "gpu_name": "GPU 12 GB"},
            ),
            Choice(
                "GPU 24GB",
                "GPU 24 GB",
                {"gpu_gb": 24.0, "gpu_kind": "gpu", "gpu_name": "GPU 24 GB"},
            ),
            Choice(
                "GPU 80GB",
                "GPU 80 GB",
                {"gpu_gb": 80.0, "gpu_kind": "gpu", "gpu_name": "GPU 80 GB"},
            ),
            Choice(
                "CPUのみ 16GB",
                "CPU only, 16 GB",
                {"cpu_only": True, "ram_gb": 16.0, "gpu_kind": "cpu"},
            ),
            Choice("なし(APIを使う)", "None (use an API)", {"deployment": "api"}),
        ),
    ),
    "customization": Question(
        "customization",
        "④ 自社データでファインチューニング(LoRA)しますか?",
        "④ Will you fine-tune (LoRA) on your own data?",
        (
            Choice("する", "Yes", {"finetune": True}),
            Choice("しない", "No", {"finetune": False}),
        ),
    ),
    "multilingual": Question(
        "multilingual",
        "⑤ 日本語や多言語の対応は必要ですか?",
        "⑤ Do you need Japanese or many languages?",
        (
            Choice("日本語が必要", "Japanese", {"japanese": True}),
            Choice("多言語(翻訳)", "Many languages", {"many_languages": True}),
            Choice("英語のみ", "English only", {"japanese": False}),
        ),
    ),
    "deployment": Question(
        "deployment",
        "⑥ APIとローカル(自社運用)、どちらにしますか?",
        "⑥ Hosted API or local (self-hosted)?",
        (
            Choice("API", "API", {"deployment": "api"}),
            Choice(
                "ローカル(データを外に出さない)",
                "Local (data stays in-house)",
                {"deployment": "local", "privacy": True},
            ),
            Choice("どちらでも", "Either", {"deployment": "either"}),
        ),
    ),
}


def next_question(needs: Needs, skipped: set[str] | None = None) -> Question | None:
    """The first criterion, in the guide's order, that is still unknown (and not skipped)."""
    skipped = skipped or set()
    for criterion in unknown_criteria(needs):
        if criterion not in skipped and not (
            criterion == "deployment" and needs.deployment == "either"
        ):
            return QUESTIONS[criterion]
    return None


def apply_reply(needs: Needs, question: Question, reply: str, lang: str) -> Needs:
    """A quick-reply label applies its update; free text goes through the rule extractor."""
    for choice in question.choices:
        if reply.strip() in (choice.ja, choice.en):
            update = choice.update
            break
    else:
        extracted = extract_needs(reply, lang=detect_lang(reply) if reply.strip() else lang)  # type: ignore[arg-type]
        return needs.merged(extracted)
    data = needs.model_dump()
    data.update(update)
    if update.get("deployment") == "either":
        data["deployment"] = "either"
    out = Needs.model_validate(data)
    out.unknown = unknown_criteria(out)
    return out
