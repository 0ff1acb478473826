"""Uncurated candidates from the installed llmfit binary: real runs, offline, kept apart."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from advisor.domain.catalog import normalize_name
from advisor.services import Advisor
from advisor.sources import uncurated

pytestmark = pytest.mark.skipif(uncurated.binary() is None, reason="llmfit is not installed")


def _curated(core: Advisor) -> set[str]:
    return uncurated._curated_names(core.catalog)


def test_japanese_commercial_needs_on_a_12gb_gpu(core: Advisor) -> None:
    needs = core.needs("日本語の社内チャットボット、RTX 3060 12GB、商用利用")
    assert needs.japanese and needs.commercial and needs.gpu_gb == 12
    found, why = core.uncurated(needs, k=3)
    assert found, why
    curated = _curated(core)
    for m in found:
        org = m.name.split("/")[0].lower()
        assert org in uncurated.FIRST_PARTY, m.name
        assert "ja" in m.languages, m.name
        assert (m.license or "").lower() in uncurated.PERMISSIVE, m.name
        assert m.memory_gb is not None and m.memory_gb <= 12, m
        assert normalize_name(m.name.split("/")[1]) not in curated, m.name
        assert m.url == f"https://huggingface.co/{m.name}"
        assert m.origin.startswith(f"llmfit {uncurated.version()}") and "uncurated" in m.origin


def test_code_on_a_24gb_gpu_brings_models_the_catalog_lacks(core: Advisor) -> None:
    needs = core.needs("local code completion on an RTX 4090")
    found, _ = core.uncurated(needs, k=5)
    assert 1 <= len(found) <= 5
    names = [m.name for m in found]
    assert len({uncurated._family(n.split("/")[1]) for n in names}) == len(names), names
    for m in found:
        assert not uncurated._REPACKAGED.search(m.name), m.name
        assert m.memory_gb is not None and m.memory_gb <= 24
        assert uncurated._family(m.name.split("/")[1]) not in _curated(core), m.name
    # the curated shortlist is the same with or without the extra list
    assert [r.model_id for r in core.recommend(needs).recommendations]


def test_size_cap_and_context_are_respected(core: Advisor) -> None:
    needs = core.needs("RTX 4090, at most 4B parameters, 32k context, summaries")
    assert needs.max_params_b == 4 and needs.context_tokens == 32_000
    found, why = core.uncurated(needs, k=5)
    assert found, why
    assert all((m.params_b or 0) <= 4 and (m.context_window or 0) >= 32_000 for m in found)


@pytest.mark.parametrize(
    ("text", "expect_reason"),
    [("cheap hosted API for a chatbot", False), ("a local model for chat", True)],
)
def test_none_for_api_needs_and_a_reason_without_hardware(
    core: Advisor, text: str, expect_reason: bool
) -> None:
    found, why = core.uncurated(core.needs(text))
    assert found == []
    assert (why is not None) == expect_reason
    if why:
        assert "GPU" in why


def test_missing_binary_is_a_reason_not_a_crash(
    core: Advisor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uncurated, "binary", lambda: None)
    found, why = core.uncurated(core.needs("ローカルでチャット、RTX 4090"))
    assert found == [] and why == "llmfit がインストールされていません"


@pytest.mark.parametrize(
    ("name", "keep"),
    [
        ("Qwen/Qwen3-14B", True),
        ("Qwen/Qwen2.5-Coder-7B-Instruct-AWQ", False),  # a re-quantisation
        ("google/gemma-3-12b-it-qat-q4_0-gguf", False),
        ("mlx-community/Qwen3-14B-4bit", False),  # not the publisher
        ("someone/merge-of-everything-7B", False),
        ("ibm-granite/granite-embedding-97m-multilingual-r2", False),  # not a chat model
    ],
)
def test_keep_rule(core: Advisor, name: str, keep: bool) -> None:
    row = {"name": name, "license": "apache-2.0", "params_b": 7, "context_length": 32768}
    assert uncurated._keep(row, core.needs("local chat, RTX 4090"), set()) is keep


def test_family_merges_base_and_instruct() -> None:
    assert uncurated._family("Qwen2.5-Coder-3B-Instruct") == uncurated._family("Qwen2.5-Coder-3B")
    assert uncurated._family("gemma-3-4b-it") == uncurated._family("gemma-3-4b")
    assert uncurated._family("Qwen3-8B") != uncurated._family("Qwen3-14B")


def test_cli_keeps_the_list_apart_and_runs_without_network() -> None:
    cmd = [sys.executable, "-m", "advisor.cli", "recommend", "RTX 4090でローカルのコード補完"]
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"]).returncode == 0:
        cmd = ["unshare", "-n", *cmd]
    plain = subprocess.run([*cmd, "--json"], capture_output=True, timeout=120)
    extra = subprocess.run([*cmd, "--json", "--uncurated"], capture_output=True, timeout=120)
    assert plain.returncode == 0 and extra.returncode == 0, extra.stderr
    a, b = json.loads(plain.stdout), json.loads(extra.stdout)
    assert "uncurated" not in a  # the DESIGN contract unchanged unless asked
    assert b["recommendations"] == a["recommendations"]
    assert b["uncurated"] and b["uncurated_note"] is None
    curated_ids = {r["model_id"] for r in a["recommendations"]}
    assert not curated_ids & {m["name"] for m in b["uncurated"]}
    wide = {**os.environ, "COLUMNS": "200"}
    human = subprocess.run([*cmd, "--uncurated"], capture_output=True, timeout=120, env=wide)
    assert "llmfit" in human.stdout.decode() and b["uncurated"][0]["name"] in human.stdout.decode()
