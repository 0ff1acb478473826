"""Is the catalog still current? `advisor data check` compares it with the pinned datasets.

It lists (a) models of tracked vendors that the datasets know and the catalog lacks, newest first,
(b) cards whose model a dataset marks deprecated or shut down, and whether the card carries the
flag, the date and the successor, (c) cards whose `as_of` is older than 90 days. Models that were
looked at and deliberately left out (snapshots, aliases, previews, variants, niche ones) are
listed with a reason in `knowledge/not-carded.yaml`; the tests fail when a tracked vendor's model
newer than its newest card is neither carded nor listed there, so raising a dataset pin makes the
catalog follow.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from advisor.domain.catalog import Catalog, ModelCard
from advisor.errors import DataError, safe_yaml
from advisor.sources.common import card_keys, data_date, match_key, snapshot_base
from advisor.sources.fresh_scan import BUILD, VENDORS, Entry, entries, vendor_of
from advisor.sources.litellm import litellm_map

STALE_DAYS = 90


# --- reviewed exclusions ---------------------------------------------------------------------------


class NotCarded(BaseModel):
    """A dataset model deliberately left out of the catalog (knowledge/not-carded.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(
        min_length=2,
        max_length=200,
        description="the id `advisor data check` prints; '*' matches any text (fnmatch)",
    )
    reason: str = Field(min_length=3, max_length=300)
    reviewed: dt.date

    def matches(self, model_id: str) -> bool:
        if "*" in self.id or "?" in self.id:
            return fnmatch.fnmatch(model_id.lower(), self.id.lower())
        return match_key(self.id) == match_key(model_id) or self.id.lower() == model_id.lower()


def load_not_carded(path: Path) -> list[NotCarded]:
    if not path.is_file():
        return []
    raw = safe_yaml(path.read_text(encoding="utf-8"))
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise DataError(f"{path.name}: a list of {{id, reason, reviewed}} entries is expected")
    items = []
    for i, item in enumerate(raw):
        try:
            items.append(NotCarded.model_validate(item))
        except ValueError as exc:
            first = str(exc).splitlines()
            raise DataError(f"{path.name}: entry {i + 1}: {' '.join(first[:3])}") from None
    return items


# --- the check -----------------------------------------------------------------------------------


@dataclass
class Uncarded:
    vendor: str
    id: str
    name: str | None
    released: dt.date | None
    date_note: str
    newer: bool  # newer than the vendor's newest card
    datasets: list[str]
    snapshots: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "id": self.id,
            "name": self.name,
            "released": str(self.released) if self.released else None,
            "date_note": self.date_note,
            "newer_than_newest_card": self.newer,
            "datasets": self.datasets,
            "snapshots": self.snapshots,
        }


@dataclass
class Lifecycle:
    model_id: str
    deprecated_by: list[str]  # origins that mark it deprecated
    shutdown_date: dt.date | None
    successor: str | None
    source: str | None
    card_deprecated: bool
    card_shutdown_date: dt.date | None
    card_successor: str | None
    #: the card's `available_until`: the dataset's date is the vendor's support window, reviewed
    card_available_until: dt.date | None = None

    @property
    def window_only(self) -> bool:
        """The dataset's date is the vendor's stated earliest retirement of a model it still
        supports (reviewed on the card), not a deprecation."""
        return (
            not self.card_deprecated
            and self.shutdown_date is not None
            and self.shutdown_date == self.card_available_until
        )

    @property
    def complete(self) -> bool:
        """The card carries the flag, the date (when a dataset gives one) and a successor, or
        says the date is only the vendor's support window."""
        return self.window_only or (
            self.card_deprecated
            and (self.shutdown_date is None or self.card_shutdown_date is not None)
            and self.card_successor is not None
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "deprecated_by": self.deprecated_by,
            "shutdown_date": str(self.shutdown_date) if self.shutdown_date else None,
            "successor": self.successor,
            "source": self.source,
            "card": {
                "deprecated": self.card_deprecated,
                "shutdown_date": str(self.card_shutdown_date) if self.card_shutdown_date else None,
                "successor": self.card_successor,
                "available_until": (
                    str(self.card_available_until) if self.card_available_until else None
                ),
            },
            "window_only": self.window_only,
            "complete": self.complete,
        }


@dataclass
class Stale:
    model_id: str
    as_of: dt.date
    days: int


@dataclass
class Freshness:
    today: dt.date
    newest_card: dict[str, str | None]  # vendor -> date of its newest card
    uncarded: list[Uncarded]
    reviewed: list[Uncarded]  # uncarded, but listed in not-carded.yaml
    lifecycle: list[Lifecycle]
    stale: list[Stale]
    datasets: dict[str, str | None]  # dataset -> data date

    @property
    def uncarded_newer(self) -> list[Uncarded]:
        return [u for u in self.uncarded if u.newer]

    @property
    def lifecycle_incomplete(self) -> list[Lifecycle]:
        return [x for x in self.lifecycle if not x.complete]

    def to_json(self) -> dict[str, Any]:
        return {
            "today": str(self.today),
            "datasets": self.datasets,
            "newest_card": self.newest_card,
            "uncarded": [u.to_json() for u in self.uncarded],
            "uncarded_newer_than_newest_card": [u.id for u in self.uncarded_newer],
            "not_carded_reviewed": [u.id for u in self.reviewed],
            "lifecycle": [x.to_json() for x in self.lifecycle],
            "lifecycle_incomplete": [x.model_id for x in self.lifecycle_incomplete],
            "stale": [
                {"model_id": s.model_id, "as_of": str(s.as_of), "days": s.days} for s in self.stale
            ],
        }


def family_version(name: str) -> tuple[str, tuple[int, ...] | None]:
    """'claude-opus-5-5' -> ('claude opus', (5, 5)); 'kimi-k3.1-pro' -> ('kimi k', (3, 1));
    'grok-code-fast' -> ('grok code fast', None). The family is what precedes the first number."""
    tokens = match_key(snapshot_base(name) or name).split(" ")
    for i, tok in enumerate(tokens):
        m = re.match(r"^(\d+(?:\.\d+)*)", tok)
        if m and not re.fullmatch(r"\d+(\.\d+)?[bm]", tok):  # a size such as '8b' is no version
            return " ".join(tokens[:i]), tuple(int(x) for x in m.group(1).split("."))
    return " ".join(tokens), None


def check(
    catalog: Catalog,
    not_carded: list[NotCarded],
    data_dir: Path | None,
    today: dt.date,
) -> Freshness:
    """Compare the catalog with the datasets (see the module's docstring)."""
    known = entries(data_dir)
    by_vendor: dict[str, list[ModelCard]] = {}
    for card in catalog:
        vendor = vendor_of(card)
        if vendor is not None:
            by_vendor.setdefault(vendor.name, []).append(card)
    newest = {
        v.name: max((c.release_date for c in by_vendor.get(v.name, []) if c.release_date),
                    default=None)
        for v in VENDORS
    }  # fmt: skip
    carded: dict[str, set[str]] = {
        name: set().union(*(card_keys(c) for c in cards)) for name, cards in by_vendor.items()
    }
    versions: dict[str, dict[str, tuple[int, ...]]] = {}  # vendor -> family -> newest version
    for name, cards in by_vendor.items():
        fams = versions.setdefault(name, {})
        for c in cards:
            for n in (c.id, c.name, *c.aliases):
                fam, ver = family_version(n.rsplit("/", 1)[-1])
                if ver is not None and ver > fams.get(fam, ()):
                    fams[fam] = ver
    md_keys = {c.models_dev.split("/", 1)[1] for c in catalog if c.models_dev}

    # (a) group the entries by vendor and base name (snapshots fold into their base)
    groups: dict[tuple[str, str], list[Entry]] = {}
    for e in known:
        base = snapshot_base(e.bare) or e.bare
        groups.setdefault((e.vendor, match_key(BUILD.sub("", base))), []).append(e)
    uncarded: list[Uncarded] = []
    reviewed: list[Uncarded] = []
    for (vname, _), members in groups.items():
        keys = carded.get(vname, set())
        if any(e.keys() & keys or e.bare in md_keys for e in members):
            continue
        if any(e.deprecated for e in members):
            continue  # retired or retiring and never carded: nothing to add
        item = _uncarded(vname, members, newest.get(vname), versions.get(vname, {}))
        if any(
            nc.matches(item.id) or any(nc.matches(s) for s in item.snapshots) for nc in not_carded
        ):
            reviewed.append(item)
        else:
            uncarded.append(item)
    order = lambda u: (u.newer, u.released or dt.date.min, u.vendor, u.id)  # noqa: E731
    uncarded.sort(key=order, reverse=True)
    reviewed.sort(key=order, reverse=True)

    # (b) lifecycle of the carded models
    lifecycle = [x for c in catalog if (x := _lifecycle_of(c, known)) is not None]
    lifecycle.sort(key=lambda x: (x.complete, x.shutdown_date or dt.date.max, x.model_id))

    # (c) cards not checked for 90 days
    stale = [
        Stale(c.id, c.as_of, (today - c.as_of).days)
        for c in catalog
        if (today - c.as_of).days > STALE_DAYS
    ]
    stale.sort(key=lambda s: (-s.days, s.model_id))
    dates = {
        name: (str(data_date(name)) if data_date(name) else None)
        for name in ("models-dev", "genai-prices", "litellm", "llmfit")
    }
    if data_dir is None or litellm_map(data_dir) is None:
        dates["litellm"] = None
    return Freshness(
        today=today,
        newest_card={k: str(v) if v else None for k, v in newest.items()},
        uncarded=uncarded,
        reviewed=reviewed,
        lifecycle=lifecycle,
        stale=stale,
        datasets=dates,
    )


_DATASET_RANK = {"litellm": 0, "models-dev": 1, "genai-prices": 2}


def _lifecycle_of(card: ModelCard, known: list[Entry]) -> Lifecycle | None:
    """What the datasets say of a card's model. The entry that names the card most directly
    decides (its own id before an alias, the vendor's own API before a cloud reseller): Vertex
    AI, for one, gives every model a retirement date a year ahead."""
    vendor = vendor_of(card)
    if vendor is None:
        return None
    primary = {match_key(card.id)}
    if card.models_dev:
        primary.add(match_key(card.models_dev.split("/", 1)[1]))
    keys = card_keys(card)
    providers = {p: i for i, p in enumerate(vendor.litellm)}

    def rank(e: Entry) -> tuple[int, int, int, str]:
        prov = e.origin.split(": ", 1)[1].split("/", 1)[0] if "/" in e.origin else ""
        return (
            0 if match_key(e.bare) in primary else 1,
            _DATASET_RANK.get(e.dataset, 9),
            providers.get(prov, 0 if e.dataset != "litellm" or "/" in e.id else len(providers)),
            e.id,
        )

    hits = sorted(
        (
            e
            for e in known
            if e.vendor == vendor.name
            and e.dataset != "llmfit"
            and (match_key(e.bare) in keys or (e.name is not None and match_key(e.name) in keys))
        ),
        key=rank,
    )
    if not hits:
        return None
    by_dataset: dict[str, Entry] = {}
    for e in hits:  # the most direct entry of each dataset speaks for it
        by_dataset.setdefault(e.dataset, e)
    dep = [e for e in by_dataset.values() if e.deprecated]
    if not dep:
        return None
    lead = next((e for e in dep if e.shutdown), dep[0])
    return Lifecycle(
        model_id=card.id,
        deprecated_by=[e.origin for e in dep],
        shutdown_date=lead.shutdown,
        successor=lead.successor,
        source=lead.lifecycle_source,
        card_deprecated=card.deprecated,
        card_shutdown_date=card.shutdown_date,
        card_successor=card.successor,
        card_available_until=card.available_until,
    )


def _uncarded(
    vendor: str,
    members: list[Entry],
    newest: dt.date | None,
    versions: dict[str, tuple[int, ...]],
) -> Uncarded:
    """One uncarded model from its dataset entries: its date, and whether it is newer than the
    vendor's newest card. models-dev gives release dates; llmfit's dates are those of the
    repository (an old model's repository may have changed lately); genai-prices and LiteLLM give
    none. So where no release date is known, or only llmfit's, the model counts as newer when
    its version is above that of the newest card of its family (or its family has no card)."""
    plain = [e for e in members if snapshot_base(e.bare) is None]
    first = members[0]
    base = snapshot_base(first.bare) or first.bare
    shown = plain[0].id if plain else first.id[: len(first.id) - len(first.bare)] + base
    snapshots = sorted({e.id for e in members if snapshot_base(e.bare) is not None})
    md = [e.released for e in members if e.dataset == "models-dev" and e.released]
    other = [e.released for e in members if e.dataset != "models-dev" and e.released]
    fam, ver = family_version(members[0].bare)
    known_ver = versions.get(fam)
    ahead = ver is not None and (known_ver is None or ver > known_ver)
    if md:
        released, note = max(md), "release date (models-dev)"
        newer = newest is None or released > newest
    elif other:
        released, note = max(other), "date of the llmfit repository"
        newer = (newest is None or released > newest) and ahead
    else:
        released = None
        note = (
            f"no release date; version {'.'.join(map(str, ver))} of '{fam}'"
            + (f" > carded {'.'.join(map(str, known_ver))}" if known_ver and ahead else "")
            + (" (family not carded)" if known_ver is None else "")
            if ver is not None
            else "no release date, no version"
        )
        newer = ahead
    return Uncarded(
        vendor=vendor,
        id=shown,
        name=next((e.name for e in members if e.name), None),
        released=released,
        date_note=note,
        newer=newer,
        datasets=sorted({e.dataset for e in members}),
        snapshots=snapshots,
    )
