"""The needs profile over the guide's six criteria, and a rule-based extractor (ja/en, no LLM)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field

from advisor.domain.catalog import UseCase
from advisor.errors import InputError

Lang = Literal["ja", "en"]
Deployment = Literal["api", "local", "either"]
Priority = Literal["accuracy", "balanced", "cost", "speed"]
Budget = Literal["low", "medium", "high"]
Currency = Literal["JPY", "USD"]
Period = Literal["month", "request"]

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
    residency: str | None = Field(
        None, description="data must stay in this country or region (jp, eu, us, de)"
    )
    commercial: bool | None = None
    open_weights: bool | None = None
    context_tokens: int | None = Field(None, ge=1, le=MAX_CONTEXT_TOKENS)
    max_params_b: float | None = Field(None, gt=0, description="③ largest model size wanted")
    requests_per_day: float | None = Field(None, gt=0, description="③ workload, for cost estimates")
    tokens_per_request: float | None = Field(None, gt=0)
    budget_amount: float | None = Field(None, gt=0, description="③ money stated, in its currency")
    budget_currency: Currency | None = None
    budget_period: Period | None = None
    budget_hard: bool = Field(False, description="a limit ('under', '以内'), not an estimate")
    models: list[str] = Field(default_factory=list, description="model ids the text names")
    slot_sources: dict[str, str] = Field(
        default_factory=dict,
        description="where each stated slot came from: rules, or learned (with its probability)",
    )
    lang: Lang = "en"
    assumptions: list[str] = Field(default_factory=list)
    questions: list[str] = Field(
        default_factory=list, description="clarifications to ask (keys of dialogue.CLARIFY)"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unknown(self) -> list[str]:
        """Criteria not determined, in the guide's order."""
        return unknown_criteria(self)

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

    def budget_usd(self, usd_jpy: float) -> float | None:
        """The stated money in USD (per month or per request, see `budget_period`)."""
        if self.budget_amount is None:
            return None
        if self.budget_currency == "JPY":
            return self.budget_amount / usd_jpy
        return self.budget_amount

    def describe(self) -> str:
        """The stated criteria as `key=value` pairs (for reports and prompts)."""
        data = self.model_dump(
            mode="json",
            exclude={
                "assumptions",
                "unknown",
                "models",
                "lang",
                "gpu_kind",
                "questions",
                "slot_sources",
            },
        )
        return ", ".join(f"{k}={v}" for k, v in data.items() if v not in (None, [], False))

    def merged(self, newer: Needs) -> Needs:
        """Follow-up turns: what the newer text states wins, the rest is kept."""
        data = self.model_dump(exclude={"unknown"})
        fresh = newer.model_dump(exclude_unset=True, exclude={"unknown"})
        for key, value in fresh.items():
            if key in ("assumptions", "questions"):
                continue
            if key == "use_cases" and not value:
                continue
            if key == "models":
                value = list(dict.fromkeys([*data["models"], *value]))
            data[key] = value
        if "gpu_gb" in fresh and not fresh.get("cpu_only"):
            data["cpu_only"] = False  # a GPU stated later replaces "no GPU"
        if fresh.get("cpu_only"):
            data.update(gpu_gb=None, gpu_name=None, gpu_kind="cpu")
        merged = Needs.model_validate(data)
        merged.assumptions = _merge_notes(self.assumptions, newer.assumptions)
        merged.questions = list(newer.questions)
        return merged


def _merge_notes(old: list[str], new: list[str]) -> list[str]:
    """Newer assumptions replace older ones about the same slot ("hardware: ...")."""
    slots = {n.split(":", 1)[0] for n in new}
    return list(dict.fromkeys([*(n for n in old if n.split(":", 1)[0] not in slots), *new]))


def unknown_criteria(n: Needs) -> list[str]:
    out = []
    if not n.use_cases:
        out.append("use_case")
    if n.priority is None:
        out.append("accuracy")
    if (
        n.budget is None
        and n.budget_amount is None
        and n.memory_gb is None
        and not n.cpu_only
        and n.deployment != "api"
    ):
        out.append("compute_cost")
    if n.finetune is None:
        out.append("customization")
    if n.japanese is None and not n.many_languages:
        out.append("multilingual")
    if n.deployment is None and not n.privacy:
        out.append("deployment")
    return out


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
    data = needs.model_dump(exclude={"unknown"})
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
    return Needs.model_validate(data), filled
