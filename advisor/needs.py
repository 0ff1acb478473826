"""The needs profile over the guide's six criteria, and a rule-based extractor (ja/en, no LLM)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from advisor.catalog import UseCase
from advisor.errors import InputError
from advisor.hardware import lookup_gpu

Lang = Literal["ja", "en"]
Deployment = Literal["api", "local", "either"]
Priority = Literal["accuracy", "balanced", "cost", "speed"]
Budget = Literal["low", "medium", "high"]

#: the criteria a dialogue can ask about, in the guide's order
CRITERIA = ("use_case", "accuracy", "compute_cost", "customization", "multilingual", "deployment")

#: the most context a profile can ask for (the CLI's --context bound); larger asks are clamped
MAX_CONTEXT_TOKENS = 10_000_000

_JA_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")


class Needs(BaseModel):
    """What the user needs, by the guide's criteria. None means 'not stated'."""

    use_cases: list[UseCase] = Field(default_factory=list, description="① use case")
    priority: Priority | None = Field(None, description="② accuracy vs speed/cost")
    budget: Budget | None = Field(None, description="③ spend level")
    gpu_gb: float | None = Field(None, ge=0, description="③ GPU (or unified) memory")
    gpu_name: str | None = None
    gpu_kind: Literal["gpu", "unified", "cpu"] | None = None
    cpu_only: bool = False
    ram_gb: float | None = Field(None, ge=0)
    finetune: bool | None = Field(None, description="④ wants fine-tuning / LoRA")
    japanese: bool | None = Field(None, description="⑤ needs Japanese")
    many_languages: bool = Field(False, description="⑤ many languages (translation)")
    deployment: Deployment | None = Field(None, description="⑥ api / local / either")
    privacy: bool = Field(False, description="data must not leave the premises")
    commercial: bool | None = None
    open_weights: bool | None = None
    context_tokens: int | None = Field(None, ge=1, le=MAX_CONTEXT_TOKENS)
    max_params_b: float | None = Field(None, gt=0, description="③ largest model size wanted")
    requests_per_day: float | None = Field(None, gt=0, description="③ workload, for cost estimates")
    tokens_per_request: float | None = Field(None, gt=0)
    models: list[str] = Field(default_factory=list, description="model ids the text names")
    lang: Lang = "en"
    assumptions: list[str] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list, description="criteria not determined")

    @property
    def wants_local(self) -> bool:
        return self.deployment == "local" or self.privacy

    @property
    def memory_gb(self) -> float | None:
        """Memory available to a local model (usable share applied by hardware.fit)."""
        if self.gpu_gb is not None:
            return self.gpu_gb
        if self.cpu_only and self.ram_gb is not None:
            return self.ram_gb
        return None

    def describe(self) -> str:
        """The stated criteria as `key=value` pairs (for reports and prompts)."""
        data = self.model_dump(
            mode="json", exclude={"assumptions", "unknown", "models", "lang", "gpu_kind"}
        )
        return ", ".join(f"{k}={v}" for k, v in data.items() if v not in (None, [], False))

    def merged(self, newer: Needs) -> Needs:
        """Follow-up turns: what the newer text states wins, the rest is kept."""
        data = self.model_dump()
        fresh = newer.model_dump(exclude_unset=True)
        for key, value in fresh.items():
            if key in ("assumptions", "unknown"):
                continue
            if key == "use_cases" and not value:
                continue
            if key == "models":
                value = list(dict.fromkeys([*data["models"], *value]))
            data[key] = value
        merged = Needs.model_validate(data)
        merged.unknown = [c for c in CRITERIA if c in unknown_criteria(merged)]
        merged.assumptions = list(dict.fromkeys([*self.assumptions, *newer.assumptions]))
        return merged


def detect_lang(text: str) -> Lang:
    return "ja" if _JA_RE.search(text) else "en"


def clean_text(text: str, max_chars: int) -> str:
    """Validate user text: the one place that turns bad input into a one-line InputError."""
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise InputError("input is not valid UTF-8 text")
    stripped = text.strip()
    if not stripped:
        raise InputError(
            "input is empty: describe what you need, e.g. 'local code assistant on an RTX 4090'"
        )
    if len(text) > max_chars:
        raise InputError(f"input is {len(text):,} characters; the limit is {max_chars:,}")
    bad = [ch for ch in stripped if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t"]
    if bad:
        raise InputError(
            f"input contains control characters (e.g. U+{ord(bad[0]):04X}); remove them"
        )
    return unicodedata.normalize("NFKC", stripped)


# --- rules -------------------------------------------------------------------------------------
# Each rule: (regex over NFKC-lowercased text, value). Japanese and English side by side.

_USE_CASE_RULES: list[tuple[str, UseCase]] = [
    (
        r"コード|プログラ|コーディング|補完|\bide\b|code|coding|program|copilot|developer|refactor|"
        r"python|javascript|typescript|バグ|debug",
        UseCase.code,
    ),
    (r"翻訳|訳す|通訳|translat|locali[sz]", UseCase.translation),
    (r"要約|まとめ|サマリ|summar|digest|tl;?dr", UseCase.summarization),
    (
        r"チャット|会話|対話|チャットボット|問い合わせ|カスタマー|サポート|chat|conversation|assistant|"
        r"customer (?:support|service)|help ?desk|\bbot\b",
        UseCase.chat,
    ),
    (
        r"\brag\b|検索|社内文書|ナレッジ|文書検索|情報抽出|抽出|retriev|(?<!re)search|knowledge base|"
        r"q ?& ?a over|extract",
        UseCase.rag,
    ),
    (
        r"文章|記事|ブログ|執筆|作文|コピー|ライティング|メール|writ|blog|article|copy|essay|"
        r"content generation|text generation|marketing",
        UseCase.text_generation,
    ),
    (
        r"エッジ|組み込み|スマホ|モバイル|ラズパイ|raspberry|edge|on-?device|mobile|phone|embedded|iot",
        UseCase.edge,
    ),
]

_FINETUNE_YES = (
    r"ファインチューニング|ファインチューン|微調整|追加学習|独自データで学習|自社データで学習|"
    r"lora|qlora|fine-?tun|finetun|train (?:it )?on (?:our|my)|custom training|adapter"
)
_FINETUNE_NO = (
    r"ファインチューニング(?:は|も)?(?:不要|しない|いらない)|no fine-?tun|without fine-?tun"
)

_JAPANESE_YES = r"日本語|japanese|和文|敬語|和訳|日英|英日|日本向け"
_JAPANESE_NO = r"日本語(?:は|も)?(?:不要|いらない|使わない)|english only|英語のみ|英語だけ"
_MANY_LANG = (
    r"多言語|100言語|多数の言語|いろいろな言語|many languages|multilingual|"
    r"\d{2,}\+?\s*languages|low-?resource|少数言語|各国語"
)

_LOCAL = (
    r"ローカル|オンプレ|社内サーバ|自社サーバ|自前|手元|自己ホスト|セルフホスト|オフライン|"
    r"local|on-?prem|self-?host|offline|air-?gap|my (?:own )?(?:pc|laptop|machine|server)|"
    r"自分のpc|自分のパソコン|ノートpc|gpu(?:で|を)?動か"
)
_PRIVACY = (
    r"社外に出せない|外に出せない|外部に出せない|機密|秘密|個人情報|医療|患者|プライバシ|"
    r"confidential|sensitive|private data|privacy|pii|hipaa|gdpr|can'?t leave|cannot leave|"
    r"must not leave|外部送信|クラウドに(?:出せ|上げ|送れ)ない"
)
_API = (
    r"\bapi\b|クラウド|saas|ホステッド|(?<!self-)(?<!self )hosted|cloud|managed|サーバ(?:ー)?不要|"
    r"インフラ(?:は)?(?:持た|不要)"
)

_ACCURACY = (
    r"精度|高性能|最高|一番賢|賢い|正確|品質|高品質|難しい|複雑な|推論力|best|most accurate|"
    r"accura|highest quality|top quality|state of the art|sota|smartest|complex reasoning|"
    r"regardless of cost|(?:cost|money|price) is no object|コストは(?:問わ|気にしな)|"
    r"予算は(?:問わ|気にしな|潤沢)"
)
_COST = (
    r"安く|安い|低コスト|コストを抑|コスト重視|予算が(?:少|限|な)|節約|無料|タダ|格安|cheap|low cost|"
    r"low-cost|budget|inexpensive|afford|free|cost-?effective|minimi[sz]e cost|high volume|"
    r"大量|高頻度"
)
_SPEED = r"速い|高速|低遅延|レイテンシ|リアルタイム|即答|軽量|小型|小さ|fast|speed|latency|real-?time|quick|snappy|small|lightweight|tiny"
_COMMERCIAL = (
    r"商用|製品に組み込|自社製品|サービスに組み込|販売|commercial|product|business|"
    r"enterprise|company|customers|clients|saas|収益"
)
_NONCOMMERCIAL = (
    r"研究目的|研究用|非商用|個人利用|趣味|research only|non-?commercial|personal use|hobby"
)
_OPEN = r"オープン(?:ソース|ウェイト|モデル)|open[- ]?(?:source|weights?)|重みを公開|oss\b"

_MAX_PARAMS = (
    r"(?:under|below|at most|up to|less than|<=?)\s*(\d+(?:\.\d+)?)\s*b\b|"
    r"(\d+(?:\.\d+)?)\s*b\s*(?:程度まで|まで|以下|未満|以内|or (?:smaller|less|under))"
)
#: a number as people write it: "12", "1.5", "10,000"
_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_PER_DAY = (
    rf"(?:1日|一日|毎日|日に)\s*{_NUM}\s*(万|千|k)?\s*(?:件|回|リクエスト)|"
    rf"{_NUM}\s*(k|m)?\s*(?:requests?|calls?|queries|messages)\s*(?:per|a|/)\s*day"
)
_PER_REQUEST = (
    rf"{_NUM}\s*(k)?\s*(?:tokens?|トークン)\s*(?:per|each|/|ずつ|の)\s*(?:request|call|リクエスト|件)|"
    rf"(?:1件|1回|1リクエスト)(?:あたり)?\s*{_NUM}\s*(k|千)?\s*(?:tokens?|トークン)"
)
_DEVICE = r"スマホ|スマートフォン|携帯|ブラウザ|ラズパイ|raspberry|smartphone|phone|mobile|browser"
_CPU_ONLY = r"cpuのみ|cpuだけ|gpuなし|gpuがない|gpu無し|cpu only|cpu-only|no gpu|without (?:a )?gpu"
_GB = r"(\d+(?:\.\d+)?)\s*(?:gb|gib|ギガ(?:バイト)?|g\b)"
_VRAM = (
    rf"(?:vram|gpu|グラボ|ビデオメモリ)[^\d\n]{{0,20}}{_GB}|{_GB}\s*(?:の)?\s*(?:vram|gpu|グラボ)"
)
_RAM = rf"(?:ram|メモリ|memory)[^\d\n]{{0,12}}{_GB}|{_GB}\s*(?:の)?\s*(?:ram|メモリ|memory)"
_COUNT = rf"{_NUM}\s*(k|千|万|m)?"
#: a token count: "32k tokens", "32,000 トークン", "128k context", "コンテキスト長 200k"
_CONTEXT_COUNTS = (
    rf"{_COUNT}[\s\-]*(?:tokens?|トークン)",
    rf"{_COUNT}[\s\-]*(?:の)?\s*(?:context|コンテキスト|文脈)",
    r"(?:context(?:[\s\-](?:window|length))?|コンテキスト(?:長|ウィンドウ)?)\s*(?:of|:|は|が|=)?\s*"
    rf"(?:at least|最低|少なくとも)?\s*{_COUNT}(?![\d.]|\s*(?:gb|ページ|pages?))",
)
_LONG_TEXTS = (
    r"長文|長い文書|長いドキュメント|書籍|本一冊|論文|契約書|long (?:documents?|context|reports?)|"
    r"books?|entire codebase|large pdf"
)


def _search(pattern: str, text: str) -> re.Match[str] | None:
    # ASCII word boundaries, so "apiで" still matches r"\bapi\b"
    return re.search(pattern, text, re.ASCII)


def _any(pattern: str, text: str) -> bool:
    return _search(pattern, text) is not None


def unknown_criteria(n: Needs) -> list[str]:
    out = []
    if not n.use_cases:
        out.append("use_case")
    if n.priority is None:
        out.append("accuracy")
    if n.budget is None and n.memory_gb is None and not n.cpu_only and n.deployment != "api":
        out.append("compute_cost")
    if n.finetune is None:
        out.append("customization")
    if n.japanese is None and not n.many_languages:
        out.append("multilingual")
    if n.deployment is None and not n.privacy:
        out.append("deployment")
    return out


def extract_needs(text: str, model_ids: Iterable[str] = (), lang: Lang | None = None) -> Needs:
    """Fill a Needs profile from free text by rules; record assumptions and what is unknown.

    `model_ids` are the catalog ids the text mentions (found by `Catalog.mentioned`).
    """
    t = unicodedata.normalize("NFKC", text).lower()
    lang = lang or detect_lang(text)
    found: dict[str, object] = {"lang": lang, "models": list(model_ids)}
    assumptions: list[str] = []

    uses = [uc for pat, uc in _USE_CASE_RULES if _any(pat, t)]
    if _any(_FINETUNE_YES, t) and not _any(_FINETUNE_NO, t):
        found["finetune"] = True
        uses.append(UseCase.finetuning)
    elif _any(_FINETUNE_NO, t):
        found["finetune"] = False
    if uses:
        found["use_cases"] = list(dict.fromkeys(uses))

    # ⑤ languages
    if _any(_JAPANESE_NO, t):
        found["japanese"] = False
    elif _any(_JAPANESE_YES, t):
        found["japanese"] = True
    if _any(_MANY_LANG, t):
        found["many_languages"] = True

    # ⑥ deployment and privacy
    privacy = _any(_PRIVACY, t)
    local = _any(_LOCAL, t)
    api = _any(_API, t) and not _any(
        r"api(?:は|を)?(?:使えない|使わない|禁止|不可)|no api|without (?:an )?api", t
    )
    if privacy:
        found["privacy"] = True
    if local and api and not privacy:
        pass  # "API or local?" asks rather than decides
    elif local or privacy:
        found["deployment"] = "local"
        if privacy and not local:
            assumptions.append("deployment: local, because the data must stay in-house")
    elif api and not local:
        found["deployment"] = "api"

    # ③ hardware and budget
    hw = lookup_gpu(text)
    if hw is not None:
        found.update(gpu_gb=hw.memory_gb, gpu_name=hw.name, gpu_kind=hw.kind)
        if "×" in hw.name:
            assumptions.append(
                f"hardware: {hw.name} = {hw.memory_gb:g} GB, the model split across the cards"
            )
        if "deployment" not in found:
            found["deployment"] = "local"
            assumptions.append(f"deployment: local, because a {hw.name} was mentioned")
    else:
        m = _search(_VRAM, t)
        if m:
            gb = next(g for g in m.groups() if g)
            found.update(gpu_gb=float(gb), gpu_kind="gpu", gpu_name=f"GPU {gb} GB")
    if _any(_CPU_ONLY, t):
        found["cpu_only"] = True
        found.pop("gpu_gb", None)
        found.pop("gpu_name", None)
        found["gpu_kind"] = "cpu"
    m = _search(_RAM, t)
    if m and "gpu_gb" not in found:
        found["ram_gb"] = float(next(g for g in m.groups() if g))
        if not found.get("cpu_only") and found.get("deployment") == "local":
            found["cpu_only"] = True
            found["gpu_kind"] = "cpu"
            assumptions.append("hardware: only RAM was stated, so CPU-only is assumed")
    if found.get("cpu_only") and "deployment" not in found and not api:
        found["deployment"] = "local"

    # ② priority and budget
    accuracy, cost, speed = _any(_ACCURACY, t), _any(_COST, t), _any(_SPEED, t)
    if accuracy and not cost:
        found["priority"] = "accuracy"
        if _any(
            r"regardless of cost|(?:cost|money|price) is no object|コストは(?:問わ|気にしな)|"
            r"予算は(?:問わ|気にしな|潤沢)|金に糸目",
            t,
        ):
            found["budget"] = "high"
    elif cost and not accuracy:
        found["priority"] = "cost"
        found["budget"] = "low"
    elif speed and not accuracy:
        found["priority"] = "speed"
    elif accuracy and cost:
        found["priority"] = "balanced"

    # ⑦ licence and openness
    if _any(_NONCOMMERCIAL, t):
        found["commercial"] = False
    elif _any(_COMMERCIAL, t):
        found["commercial"] = True
    if _any(_OPEN, t):
        found["open_weights"] = True

    m = _search(_MAX_PARAMS, t)
    if m:
        found["max_params_b"] = float(next(g for g in m.groups() if g)) or None
    elif _any(_DEVICE, t):
        found["max_params_b"] = 4.5
        assumptions.append("size: at most about 4B parameters, to run on a phone, browser or board")

    for key, pattern in (("requests_per_day", _PER_DAY), ("tokens_per_request", _PER_REQUEST)):
        m = _search(pattern, t)
        value = _number(*[g for g in m.groups() if g][:2]) if m else 0
        if value > 0:  # "0 requests a day" states nothing usable
            found[key] = value

    ctx = _context_tokens(t)
    if ctx:
        found["context_tokens"] = ctx

    needs = Needs.model_validate(found)
    needs.assumptions = assumptions
    needs.unknown = unknown_criteria(needs)
    return needs


def _number(num: str, unit: str | None = None) -> float:
    scale = {"k": 1e3, "千": 1e3, "万": 1e4, "m": 1e6}.get(unit or "", 1)
    return float(num.replace(",", "")) * scale


def _context_tokens(t: str) -> int | None:
    best = 0
    for pattern in _CONTEXT_COUNTS:
        for m in re.finditer(pattern, t, re.ASCII):
            value = _number(m.group(1), m.group(2))
            best = max(best, int(min(value, MAX_CONTEXT_TOKENS)))  # "9…9 tokens" is inf as float
    if best == 0 and _any(_LONG_TEXTS, t):
        best = 100_000  # "long documents": 100k tokens
    pages = re.search(r"(\d+)\s*(?:ページ|pages?)", t)
    if pages:  # about 600 tokens per page; float(): int() refuses over 4,300 digits
        best = max(best, int(min(float(pages.group(1)) * 600, MAX_CONTEXT_TOKENS)))
    return min(best, MAX_CONTEXT_TOKENS) or None


# --- an LLM's reading, when the backend can give structured output ------------------------------


class NeedsHint(BaseModel):
    """What an LLM may add to the rules' profile: only criteria, no free text."""

    model_config = ConfigDict(extra="ignore")

    use_cases: list[UseCase] | None = None
    priority: Priority | None = None
    budget: Budget | None = None
    gpu_gb: float | None = Field(None, gt=0, le=4096)
    ram_gb: float | None = Field(None, gt=0, le=8192)
    cpu_only: bool | None = None
    finetune: bool | None = None
    japanese: bool | None = None
    deployment: Deployment | None = None
    privacy: bool | None = None
    commercial: bool | None = None
    # tiny or huge values are a small model's noise, not a need
    context_tokens: int | None = Field(None, ge=256, le=MAX_CONTEXT_TOKENS)
    max_params_b: float | None = Field(None, ge=0.05, le=5000)


_HARDWARE = ("gpu_gb", "ram_gb", "cpu_only")


def hint_schema() -> dict[str, Any]:
    """JSON schema of `NeedsHint`, for backends that constrain output to a schema."""
    return NeedsHint.model_json_schema()


def merge_hint(needs: Needs, raw: object) -> tuple[Needs, list[str]]:
    """Fill criteria the rules left unstated from an LLM's reading; what the rules found always
    wins. Each field is validated on its own, so one bad value drops only that field."""
    if not isinstance(raw, dict):
        return needs, []
    valid: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in NeedsHint.model_fields or value in (None, []):
            continue
        try:
            valid[key] = getattr(NeedsHint.model_validate({key: value}), key)
        except ValidationError:
            continue
    data = needs.model_dump()
    rules_know_hardware = any(data[k] not in (None, False) for k in _HARDWARE)
    filled: list[str] = []
    for key, value in valid.items():
        if key in _HARDWARE and rules_know_hardware:
            continue
        if data.get(key) not in (None, [], False):
            continue
        data[key] = [u.value for u in value] if key == "use_cases" else value
        filled.append(key)
    if not filled:
        return needs, []
    if "cpu_only" in filled and data["cpu_only"]:
        data["gpu_kind"] = "cpu"
    data["assumptions"] = [
        *needs.assumptions,
        *(f"{k}: {data[k]} (read by the language model)" for k in filled),
    ]
    out = Needs.model_validate(data)
    out.unknown = unknown_criteria(out)
    return out, filled
