"""Memory arithmetic against published figures, GPU names, and fit verdicts."""

from __future__ import annotations

import pytest

from advisor.domain.catalog import ModelCard
from advisor.domain.hardware import Hardware, lookup_gpu
from advisor.domain.memory import fit, memory, weights_gb
from advisor.services import Advisor

# Published GGML/GGUF file sizes and "max RAM required" for Llama 2 13B (13.02B parameters):
# https://huggingface.co/localmodels/Llama-2-13B-ggml (q4_K_M: 7.87 GB file, 10.37 GB max RAM)
LLAMA2_13B = 13.02


def _sized(core: Advisor, params_b: float, active: float | None = None) -> ModelCard:
    """A card of that size with no architecture block (the size-based estimate)."""
    return core.card("llama-2-13b").model_copy(
        update={"params_b": params_b, "active_params_b": active, "architecture": None}
    )


def test_q4_weights_match_the_published_file_size() -> None:
    assert weights_gb(LLAMA2_13B, "q4") == pytest.approx(7.87, rel=0.02)


def test_q4_total_is_the_file_plus_the_real_kv_cache(core: Advisor) -> None:
    # Llama 2 13B has no GQA: 40 layers x 40 KV heads x (128 + 128) x 2 bytes = 819,200 bytes a
    # token, so 3.36 GB at 4,096 tokens (the 3,200 MiB llama.cpp allocates); the published
    # "max RAM" of 10.37 GB assumed a fixed 2.5 GB and undercounts it
    card = core.card("llama-2-13b").model_copy(update={"params_b": LLAMA2_13B})
    m = memory(card, "q4", 4096)
    assert m.basis == "architecture" and m.kv_gb == pytest.approx(3.36, rel=0.01)
    assert m.total_gb == pytest.approx(7.87 + 3.36 + m.overhead_gb, rel=0.02)


def test_fp16_and_q8_weights() -> None:
    assert weights_gb(7.0, "fp16") == 14.0
    assert weights_gb(7.0, "q8") == pytest.approx(7.44, rel=0.01)  # Q8_0: 8.5 bits per weight


def test_moe_memory_counts_all_experts(core: Advisor) -> None:
    # Mixtral 8x7B: 46.7B total, 12.9B active -> memory follows the total
    mixtral = _sized(core, 46.7, 12.9)
    assert memory(mixtral, "q4").total_gb > weights_gb(46.7, "q4")
    assert memory(mixtral, "q4").total_gb > memory(_sized(core, 12.9), "q4").total_gb


def test_kv_cache_grows_with_context(core: Advisor) -> None:
    eight = _sized(core, 8)
    assert memory(eight, "q4", 131072).total_gb - memory(eight, "q4", 4096).total_gb > 10


@pytest.mark.parametrize(
    ("text", "memory", "kind"),
    [
        ("RTX 4090", 24, "gpu"),
        ("geforce rtx 3060 12gb", 12, "gpu"),
        ("an RTX 5090", 32, "gpu"),
        ("A100 40GB", 40, "gpu"),
        ("A100", 80, "gpu"),
        ("H100", 80, "gpu"),
        ("L4", 24, "gpu"),
        ("T4", 16, "gpu"),
        ("M2 Max 64GB", 64, "unified"),
        ("MacBook with M3 Pro", 18, "unified"),
        ("RTX 4060", 8, "gpu"),
        # several cards
        ("8x H100", 640, "gpu"),
        ("H100 80GB x 4", 320, "gpu"),
        ("H100が8枚", 640, "gpu"),
        ("RTX 4090を2枚", 48, "gpu"),
        ("2 RTX 4090s", 48, "gpu"),
        ("RTX 3090 x2", 48, "gpu"),
        ("a 2024 H100 server", 80, "gpu"),  # a year is not a count
        ("RTX 3060 12gb", 12, "gpu"),  # a size is not a count
        ("M2 Max 64GB x 2", 64, "unified"),  # unified memory does not add up
    ],
)
def test_gpu_names(text: str, memory: float, kind: str) -> None:
    hw = lookup_gpu(text)
    assert hw is not None and hw.memory_gb == memory and hw.kind == kind


def test_no_gpu_in_plain_text() -> None:
    assert lookup_gpu("I want a cheap chatbot") is None


def test_fit_verdicts(core: Advisor) -> None:
    rtx3060 = Hardware("RTX 3060", 12, "gpu")
    seven_b = fit(_sized(core, 7.24), rtx3060)
    assert seven_b.best == "q8" and seven_b.headroom_gb and seven_b.headroom_gb > 0
    assert fit(_sized(core, 70), rtx3060).best is None
    assert fit(_sized(core, 1.5), rtx3060).best == "fp16"
    # unified memory and system RAM keep room for the OS
    assert (
        Hardware("M2", 16, "unified").usable_gb == 12
        and Hardware("cpu", 16, "cpu").usable_gb == 12.8
    )
