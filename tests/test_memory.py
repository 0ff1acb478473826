"""Memory from the cards' architecture, checked against real figures: published GGUF sizes and
config-derived KV caches (knowledge/eval/gguf-sizes.yaml), the verdicts that the size-based
estimate got wrong, `advisor fit`, and llama.cpp's own KV buffer for the bundled GGUFs."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.domain.catalog import Architecture
from advisor.domain.hardware import Hardware
from advisor.domain.memory import fit, kv_bytes_per_token, kv_gb, memory, weights_gb
from advisor.errors import safe_yaml
from advisor.services import Advisor

ROOT = Path(__file__).resolve().parents[1]
TABLE = safe_yaml((ROOT / "knowledge/eval/gguf-sizes.yaml").read_text(encoding="utf-8"))
SRC = ["https://huggingface.co/Qwen/Qwen3-8B/blob/main/config.json"]


def _rows() -> list[dict[str, Any]]:
    return [r for r in TABLE if (r.get("files") or {}).get("Q4_K_M")]


def test_the_table_is_sourced_and_large_enough() -> None:
    assert len(TABLE) >= 15
    for row in TABLE:
        assert row["sources"] and all(str(u).startswith("https://") for u in row["sources"])


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["model_id"])
def test_q4_weights_within_8_percent_of_the_real_gguf(core: Advisor, row: dict[str, Any]) -> None:
    card = core.card(row["model_id"])
    real = row["files"]["Q4_K_M"]["size_gb"]
    assert weights_gb(card, "q4") == pytest.approx(real, rel=0.08)


def test_kv_within_25_percent_for_all_but_one(core: Advisor) -> None:
    misses = []
    for row in TABLE:
        card = core.card(row["model_id"])
        for ctx, real in (row.get("kv_f16_gb") or {}).items():
            ours, basis = kv_gb(card, int(ctx))
            if basis != "architecture" or abs(ours / real - 1) > 0.25:
                misses.append((card.id, ctx, real, round(ours, 2)))
    assert len(misses) <= 1, misses


def test_layer_types_are_counted_as_they_are() -> None:
    full = Architecture(layers=36, kv_heads=8, head_dim=128, sources=SRC, as_of="2026-12-02")
    assert kv_bytes_per_token(full, 4096) == 36 * 8 * 256 * 2
    # 3 linear-attention layers in 4 keep no per-token cache (Qwen3.5)
    hybrid = Architecture(
        layers=32, kv_heads=4, head_dim=256, linear_layers=24, sources=SRC, as_of="2026-12-02"
    )
    assert kv_bytes_per_token(hybrid, 4096) == 8 * 4 * 512 * 2
    # a sliding window holds at most its window, so its share shrinks with the context
    swa = Architecture(
        layers=62,
        kv_heads=16,
        head_dim=128,
        sliding_window=1024,
        sliding_layers=52,
        sources=SRC,
        as_of="2026-12-02",
    )
    assert kv_bytes_per_token(swa, 1024) == 62 * 16 * 256 * 2
    assert kv_bytes_per_token(swa, 32768) == pytest.approx(
        (10 * 16 * 256 * 2 * 32768 + 52 * 16 * 256 * 2 * 1024) / 32768
    )
    # MLA caches the latent and the RoPE key (DeepSeek-V3: 512 + 64 values a layer)
    mla = Architecture(
        layers=61, kv_lora_rank=512, rope_head_dim=64, sources=SRC, as_of="2026-12-02"
    )
    assert kv_bytes_per_token(mla, 4096) == 61 * 576 * 2
    assert kv_bytes_per_token(full, 4096, "q8_0") == pytest.approx(36 * 8 * 256 * 34 / 32)


@pytest.mark.parametrize(
    ("model_id", "context", "gpu_gb", "fits"),
    [
        ("qwen3.5-9b", 32768, 8, True),  # linear attention: about 7.5 GB, not "does not fit"
        ("gemma-3-27b", 32768, 24, True),  # sliding windows
        ("gemma-4-31b", 32768, 24, True),
        ("qwen3-8b", 131072, 24, False),  # a full cache of 128k tokens: about 25 GB
    ],
)
def test_verdicts_that_the_size_estimate_got_wrong(
    core: Advisor, model_id: str, context: int, gpu_gb: float, fits: bool
) -> None:
    got = fit(core.card(model_id), Hardware("GPU", gpu_gb, "gpu"), context)
    assert got.fits is fits and (got.best == "q4") is fits


def test_long_context_and_native_formats(core: Advisor) -> None:
    # Gemma 4 31B at 128k: about 31.7 GB, not the 53.7 GB a full cache on every layer gives
    assert memory(core.card("gemma-4-31b"), "q4", 131072).total_gb == pytest.approx(31.7, rel=0.05)
    # gpt-oss keeps its MXFP4 experts in every GGUF: the "F16" file is about 13.8 GB
    oss = core.card("gpt-oss-20b")
    assert weights_gb(oss, "fp16") == pytest.approx(13.8, rel=0.05)
    assert weights_gb(oss, "q4") < weights_gb(oss, "q8") < weights_gb(oss, "fp16") < 15


def test_a_card_without_architecture_is_labelled_estimated(core: Advisor) -> None:
    card = core.card("plamo-2-8b")
    assert card.architecture is None and memory(card, "q4").basis == "estimated"


def test_multi_gpu_keeps_a_runtime_per_card(core: Advisor) -> None:
    one = fit(core.card("llama-3.3-70b"), Hardware("2x", 48, "gpu", 2))
    assert one.usable_gb == 47.5 and one.best == "q4"


runner = CliRunner()


def test_fit_cli_json_contract(core: Advisor) -> None:
    res = runner.invoke(
        app,
        [
            "fit",
            "llama-3.3-70b",
            "--gpu",
            "2x RTX 3090",
            "--ram-gb",
            "64",
            "--context",
            "32768",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {"model_id", "context", "kv_type", "hardware", "quants", "max_context", "basis"} <= set(
        data
    )
    q4 = data["quants"]["q4"]
    assert set(q4) == {"weights_gb", "kv_gb", "overhead_gb", "total_gb", "fits", "headroom_gb"}
    assert q4["fits"] is False and data["offload"]["quant"] == "q4"
    card = core.card("llama-3.3-70b")
    assert q4["total_gb"] == memory(card, "q4", 32768).total_gb  # the one computation
    assert 0 < data["max_context"]["q4"] < 32768


@pytest.mark.parametrize(
    "args",
    [
        ["fit", "no-such-model"],
        ["fit", "gpt-5"],
        ["fit", "qwen3-8b", "--gpu", "Voodoo 5"],
        ["fit", "qwen3-8b", "--kv-type", "f8"],
        ["fit", "qwen3-8b", "--gpu", "RTX 4090", "--gpu-gb", "24"],
    ],
)
def test_fit_cli_bad_input_is_one_line(args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "advisor.cli", *args], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error:") and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python absent")
def test_llama_cpp_kv_buffer_matches_the_formula() -> None:
    """llama.cpp's own KV buffer for the bundled GGUFs at 4,096 and 32,768 tokens: within 5%."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench/bench_kv_llamacpp.py")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    measured = [r for r in rows if r.get("llama_cpp_kv_mib")]
    if not measured:
        pytest.skip(f"no bundled GGUF found: {rows}")
    assert {r["n_ctx"] for r in measured} == {4096, 32768}
    for r in measured:
        assert abs(r["error"]) <= 0.05, r
