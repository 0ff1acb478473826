"""What the pinned datasets know of the tracked vendors' models, for the freshness check: the
vendors and where each dataset lists their own models, and one `Entry` per text model found."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.domain.catalog import ModelCard
from advisor.sources.common import match_key, origin, parse_date
from advisor.sources.genai_prices import genai_prices
from advisor.sources.litellm import litellm_map
from advisor.sources.models_dev import models_dev

_TEXT_MODES = {"chat", "responses", "completion"}
#: dataset entries that are not text LLMs (embeddings, speech, images, search and safety tools)
_NOT_AN_LLM = re.compile(
    r"embed|tts|whisper|transcri|dall-e|image|imagen|veo|sora|audio|realtime|speech|moderation"
    r"|rerank|ocr|voxtral|lyria|native-audio|-live|computer-use|guard|diariz|encoder|reward"
    r"|voice|banana|asr\b",
    re.IGNORECASE,
)
#: re-packagings of one set of weights (quantised, converted, QAT checkpoints) are not new models
_REPACKAGED = re.compile(
    r"[-_.](awq|gptq|gguf|mlx|fp8|fp4|nvfp4|mxfp[48]|int[48]|bnb|[2-8]bit|exl2|w4a16|w8a8|onnx"
    r"|bf16|qat)\b",
    re.IGNORECASE,
)
#: ids that name a billing or hosting variant, not a model (free tiers, fine-tunes, "extended")
_NOT_A_MODEL = re.compile(r":free$|:extended$|\.ft-|^ft:", re.IGNORECASE)
#: suffixes that name the chat/instruct build of a base name: the card covers both
BUILD = re.compile(r"[-_ ](instruct|it|chat|hf)$", re.IGNORECASE)


@dataclass(frozen=True)
class Vendor:
    """A tracked vendor: which cards are its, and where the datasets list its own models."""

    name: str
    cards: str  # regex on ModelCard.vendor
    own: str  # regex on a dataset model id (without its provider or organisation)
    models_dev: tuple[str, ...] = ()
    genai: tuple[str, ...] = ()
    litellm: tuple[str, ...] = ()
    hf: tuple[str, ...] = ()  # llmfit's first-party Hugging Face organisations

    def owns(self, card: ModelCard) -> bool:
        return re.search(self.cards, card.vendor) is not None


VENDORS: tuple[Vendor, ...] = (
    Vendor("OpenAI", r"\bOpenAI\b", r"^(gpt|o\d|chatgpt|codex)", ("openai",), ("openai",),
           ("openai",), ("openai",)),
    Vendor("Anthropic", r"Anthropic", r"^claude", ("anthropic",), ("anthropic",), ("anthropic",)),
    Vendor("Google", r"Google", r"^(gemini|gemma|translategemma)", ("google",), ("google",),
           ("gemini", "vertex_ai-language-models"), ("google",)),
    Vendor("xAI", r"\bxAI\b", r"^grok", ("xai",), ("x-ai",), ("xai",), ("xai-org",)),
    Vendor("Mistral", r"Mistral", r"^(mistral|magistral|ministral|codestral|devstral|pixtral"
           r"|mixtral|open-mistral|open-mixtral)", ("mistral",), ("mistral",), ("mistral",),
           ("mistralai",)),
    Vendor("DeepSeek", r"DeepSeek", r"^deepseek", ("deepseek",), ("deepseek",), ("deepseek",),
           ("deepseek-ai",)),
    Vendor("Alibaba/Qwen", r"Alibaba|Qwen", r"^(qwen|qwq)", ("alibaba",), (), ("dashscope",),
           ("Qwen",)),
    Vendor("Moonshot", r"Moonshot", r"^(kimi|moonshot)", ("moonshotai",), ("moonshotai",),
           ("moonshot",), ("moonshotai",)),
    Vendor("Zhipu", r"Zhipu|Z\.ai", r"^(glm|chatglm)", ("zai", "zhipuai"), ("zai", "zhipuai"),
           ("zai",), ("zai-org", "THUDM")),
    Vendor("Meta", r"\bMeta\b", r"^(llama|muse)", ("llama",), ("meta",), ("meta_llama",),
           ("meta-llama",)),
    Vendor("Cohere", r"Cohere", r"^(command|c4ai|aya)", ("cohere",), ("cohere",),
           ("cohere_chat", "cohere"), ("CohereLabs", "CohereForAI")),
    # open weights only: first-party organisations of vendors the catalog carries
    Vendor("Microsoft", r"Microsoft", r"^phi", hf=("microsoft",)),
    Vendor("Swallow", r"Swallow", r"swallow", hf=("tokyotech-llm",)),
    Vendor("LLM-jp", r"LLM-jp", r"^llm-jp", hf=("llm-jp",)),
    Vendor("SB Intuitions", r"SB Intuitions", r"^sarashina", hf=("sbintuitions",)),
    Vendor("Preferred Networks", r"Preferred", r"^plamo", hf=("pfnet",)),
    Vendor("ELYZA", r"ELYZA", r"elyza", hf=("elyza",)),
    Vendor("CyberAgent", r"CyberAgent", r"calm", hf=("cyberagent",)),
)  # fmt: skip


def vendor_of(card: ModelCard) -> Vendor | None:
    return next((v for v in VENDORS if v.owns(card)), None)


# --- what the datasets know ----------------------------------------------------------------------


@dataclass
class Entry:
    """One model of a tracked vendor in one dataset."""

    vendor: str
    dataset: str
    id: str  # as the dataset spells it, without its provider prefix (llmfit: org/repo)
    name: str | None
    released: dt.date | None
    origin: str
    deprecated: bool = False
    shutdown: dt.date | None = None
    successor: str | None = None
    lifecycle_source: str | None = None

    @property
    def bare(self) -> str:
        return self.id.rsplit("/", 1)[-1]

    def keys(self) -> set[str]:
        """Keys a card can match: the id, its build-less form, its name."""
        names = {self.bare, BUILD.sub("", self.bare)}
        if self.name:
            names.add(self.name)
        return {match_key(n) for n in names}


def _lifecycle(entry: dict[str, Any]) -> dict[str, Any]:
    when = parse_date(entry.get("deprecation_date"))
    return {
        "deprecated": when is not None,
        "shutdown": when,
        "successor": entry.get("successor_model"),
        "lifecycle_source": entry.get("deprecation_source"),
    }


def entries(data_dir: Path | None) -> list[Entry]:
    """Every text model of every tracked vendor, from every dataset in use."""
    from advisor.sources.uncurated import dataset as llmfit_rows

    out: list[Entry] = []
    md = models_dev() or {}
    gp = genai_prices() or {}
    ll = (litellm_map(data_dir) if data_dir is not None else None) or {}
    rows = llmfit_rows()
    for v in VENDORS:
        own = re.compile(v.own, re.IGNORECASE)

        def wanted(model_id: str, own: re.Pattern[str] = own) -> bool:
            return (
                bool(own.search(model_id))
                and not _NOT_AN_LLM.search(model_id)
                and not _NOT_A_MODEL.search(model_id)
            )

        for prov in v.models_dev:
            for mid, e in (md.get(prov, {}).get("models") or {}).items():
                outputs = (e.get("modalities") or {}).get("output") or ["text"]
                if not wanted(mid) or "text" not in outputs:
                    continue
                out.append(
                    Entry(v.name, "models-dev", mid, e.get("name"),
                          _loose_date(e.get("release_date")), origin("models-dev", f"{prov}/{mid}"),
                          deprecated=e.get("status") == "deprecated")
                )  # fmt: skip
        for prov in v.genai:
            for m in gp.get(prov, []):
                if wanted(m.id):
                    out.append(
                        Entry(v.name, "genai-prices", m.id, m.name, None,
                              origin("genai-prices", f"{prov}/{m.id}"), deprecated=m.deprecated)
                    )  # fmt: skip
        for key, e in ll.items():
            prov = str(e.get("litellm_provider"))
            mid = key.split("/", 1)[1] if "/" in key else key
            if prov in v.litellm and e.get("mode", "chat") in _TEXT_MODES and wanted(mid):
                out.append(
                    Entry(v.name, "litellm", mid, None, None, origin("litellm", key),
                          **_lifecycle(e))
                )  # fmt: skip
        orgs = {o.lower() for o in v.hf}
        for name, r in rows.items():
            org, _, repo = name.partition("/")
            if org.lower() not in orgs or not wanted(repo) or _REPACKAGED.search(repo):
                continue
            out.append(
                Entry(v.name, "llmfit", name, None, parse_date(r.get("release_date")),
                      origin("llmfit", name))
            )  # fmt: skip
    return out


def _loose_date(value: Any) -> dt.date | None:
    """'2025-08-07', or '2026-01' read as the first of the month."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value):
        value += "-01"
    return parse_date(value)
