"""The "tell me your needs" dialogue: asks, one criterion at a time, only what is still unknown."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from advisor.domain.catalog import UseCase
from advisor.domain.needs import Needs, detect_lang, unknown_criteria
from advisor.domain.needs_rules import assume_pc_ram, extract_needs


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
        return [*(c.label(lang) for c in self.choices), SKIP.label(lang)]


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


#: quick replies every question offers: "none", "don't know", "skip"
SKIP = Choice("わからない・スキップ", "Don't know / skip", {})
NONE_LABELS = ("なし", "None")

#: a bare yes / no / none / don't know, as people answer a question
_YES = re.compile(
    r"^(?:はい|うん|ええ|する|します|したい|必要|あり|ある|あります|yes|yep|yeah|sure|y|ok)[。.!！]*$"
)
_NO = re.compile(
    r"^(?:いいえ|いや|ない|ないです|なし|無し|ありません|しない|しません|不要|いらない|特にない|特になし|"
    r"no|nope|none|nah|n|not really|nothing)[。.!！]*$"
)
_DONT_KNOW = re.compile(
    r"^(?:わからない|分からない|わかりません|分かりません|不明|未定|スキップ|skip|pass|don'?t know|"
    r"not sure|no idea|dunno|any|どれでも|どちらでも|おまかせ|お任せ)[。.!！]*$"
)
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:gb|ギガ)?\s*$")

#: what a bare "yes" / "no" / a number means as the answer to each question
_ANSWERS: dict[str, dict[str, dict[str, Any]]] = {
    "compute_cost": {
        "no": {"cpu_only": True, "gpu_kind": "cpu", "gpu_gb": None, "gpu_name": None},
    },
    "customization": {"yes": {"finetune": True}, "no": {"finetune": False}},
    "multilingual": {"yes": {"japanese": True}, "no": {"japanese": False}},
    "deployment": {"dont_know": {"deployment": "either"}},
}

#: clarifications the rules may ask for (Needs.questions)
CLARIFY: dict[str, tuple[str, str]] = {
    "api_if_masked": (
        "データを外に出せないと読み、ローカル前提にしました。個人情報などをマスキングすればAPIも使えますか?",
        "I read that the data cannot leave, so I assumed local models. Could you use an API if "
        "personal data were masked?",
    ),
    "privacy_confirm": (
        "APIで扱ってよいデータと読みました。社外に出せないデータは含まれませんか?",
        "I read that an API is acceptable for this data. Is none of it data that must stay "
        "in-house?",
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


def is_skip(reply: str) -> bool:
    """A reply that declines the question: the skip quick reply, "don't know", "skip"."""
    text = unicodedata.normalize("NFKC", reply).strip().lower()
    return text in (SKIP.ja.lower(), SKIP.en.lower()) or bool(_DONT_KNOW.match(text))


def answer_update(question: Question, reply: str) -> dict[str, Any]:
    """What a short reply means as the answer to `question` (「ない」 to the hardware question
    is CPU only, "yes" to the fine-tuning one is yes, "24" to the hardware one is 24 GB)."""
    text = unicodedata.normalize("NFKC", reply).strip().lower()
    for choice in question.choices:
        if text in (choice.ja.lower(), choice.en.lower()):
            return dict(choice.update)
    answers = _ANSWERS.get(question.criterion, {})
    if _YES.match(text):
        return dict(answers.get("yes", {}))
    if _NO.match(text) or text in (n.lower() for n in NONE_LABELS):
        return dict(answers.get("no", {}))
    if _DONT_KNOW.match(text):
        return dict(answers.get("dont_know", {}))
    m = _NUMBER.match(text)
    if m and question.criterion == "compute_cost":
        gb = float(m.group(1))
        return {"gpu_gb": gb, "gpu_kind": "gpu", "gpu_name": f"GPU {gb:g} GB", "cpu_only": False}
    return {}


#: what a yes / no to a pending clarification means
_CLARIFY_ANSWERS: dict[str, dict[str, dict[str, Any]]] = {
    "api_if_masked": {
        "yes": {"deployment": "api", "privacy": False},
        "no": {"deployment": "local", "privacy": True},
    },
    "privacy_confirm": {
        "yes": {"deployment": "api", "privacy": False},
        "no": {"deployment": "local", "privacy": True},
    },
}
_CLARIFY_NOTES = {
    ("api_if_masked", "yes"): "deployment: API, which you accepted for this data on a condition "
    "(e.g. masking personal data)",
    ("privacy_confirm", "no"): "deployment: local, because the data must stay in-house",
}


def answer_clarification(needs: Needs, reply: str) -> Needs | None:
    """A bare yes / no right after a clarifying question (Needs.questions) answers it; None
    when there is none pending or the reply is not a yes / no."""
    if not needs.questions:
        return None
    text = unicodedata.normalize("NFKC", reply).strip().lower()
    answer = "yes" if _YES.match(text) else "no" if _NO.match(text) else None
    key = needs.questions[0]
    if answer is None or key not in _CLARIFY_ANSWERS:
        return None
    data = needs.model_dump(exclude={"unknown"})
    data.update(_CLARIFY_ANSWERS[key][answer])
    data["questions"] = []
    note = _CLARIFY_NOTES.get((key, answer))
    kept = [a for a in data["assumptions"] if not a.startswith("deployment:")]
    data["assumptions"] = [*kept, note] if note else kept
    return Needs.model_validate(data)


def apply_reply(needs: Needs, question: Question | None, reply: str, lang: str) -> Needs:
    """Read a reply first as the answer to a pending clarification or to the question just
    asked, then as free text for anything else it states; what the free text states wins over
    the short reading."""
    clarified = answer_clarification(needs, reply)
    if clarified is not None:
        return clarified
    update = answer_update(question, reply) if question is not None else {}
    extracted = extract_needs(reply, lang=detect_lang(reply) if reply.strip() else lang)  # type: ignore[arg-type]
    data = needs.model_dump(exclude={"unknown"})
    stated = extracted.model_dump(exclude_unset=True, exclude={"unknown"})
    for key, value in update.items():
        if key not in stated:
            data[key] = value
    if update.get("cpu_only") and "ram_gb" not in stated:
        assume_pc_ram(data, data["assumptions"])
    if update.get("cpu_only") and data.get("deployment") is None:
        data["deployment"] = "local"
    base = Needs.model_validate(data)
    if not stated.keys() - {"lang", "models", "assumptions", "questions"}:
        return base
    return base.merged(extracted)
