"""GPU names -> memory and bandwidth class, the hardware a person states (criterion ③)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

Quant = Literal["fp16", "q8", "q4"]
QUANTS: tuple[Quant, ...] = ("fp16", "q8", "q4")

DEFAULT_CONTEXT = 4096
#: part of memory usable for a model: unified memory (Apple) and system RAM keep room for the OS
USABLE_UNIFIED = 0.75
USABLE_RAM = 0.8


@dataclass(frozen=True)
class Hardware:
    """What the user can run a model on."""

    name: str
    memory_gb: float
    kind: Literal["gpu", "unified", "cpu"]
    #: cards in a split (memory_gb is their sum)
    count: int = 1

    @property
    def usable_gb(self) -> float:
        factor = {"gpu": 1.0, "unified": USABLE_UNIFIED, "cpu": USABLE_RAM}[self.kind]
        return round(self.memory_gb * factor, 2)


# Memory of common accelerators (vendor spec sheets). Apple entries are the base
# configuration of each chip; "M2 Max 64GB" overrides it.
GPU_MEMORY_GB: dict[str, float] = {
    "gtx 1060": 6,
    "gtx 1070": 8,
    "gtx 1080": 8,
    "gtx 1080 ti": 11,
    "gtx 1650": 4,
    "gtx 1660": 6,
    "gtx 1660 super": 6,
    "rtx 2060": 6,
    "rtx 2060 super": 8,
    "rtx 2070": 8,
    "rtx 2080": 8,
    "rtx 2080 ti": 11,
    "rtx 3050": 8,
    "rtx 3060": 12,
    "rtx 3060 ti": 8,
    "rtx 3070": 8,
    "rtx 3070 ti": 8,
    "rtx 3080": 10,
    "rtx 3080 ti": 12,
    "rtx 3090": 24,
    "rtx 3090 ti": 24,
    "rtx 4060": 8,
    "rtx 4060 ti": 8,
    "rtx 4070": 12,
    "rtx 4070 super": 12,
    "rtx 4070 ti": 12,
    "rtx 4070 ti super": 16,
    "rtx 4080": 16,
    "rtx 4080 super": 16,
    "rtx 4090": 24,
    "rtx 5060": 8,
    "rtx 5060 ti": 16,
    "rtx 5070": 12,
    "rtx 5070 ti": 16,
    "rtx 5080": 16,
    "rtx 5090": 32,
    "rtx a6000": 48,
    "rtx 6000 ada": 48,
    "a100": 80,
    "a100 40gb": 40,
    "a100 80gb": 80,
    "h100": 80,
    "h200": 141,
    "b200": 180,
    "l4": 24,
    "l40s": 48,
    "t4": 16,
    "v100": 16,
    "v100 32gb": 32,
    "a10": 24,
    "a10g": 24,
    "mi300x": 192,
    "m1": 8,
    "m1 pro": 16,
    "m1 max": 32,
    "m1 ultra": 64,
    "m2": 8,
    "m2 pro": 16,
    "m2 max": 32,
    "m2 ultra": 64,
    "m3": 8,
    "m3 pro": 18,
    "m3 max": 36,
    "m3 ultra": 96,
    "m4": 16,
    "m4 pro": 24,
    "m4 max": 36,
}
_GPU_KEYS = sorted(GPU_MEMORY_GB, key=len, reverse=True)
_SIZE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:gb|gib|ギガ)", re.I)


def _norm(text: str) -> str:
    text = text.lower().replace("geforce", " ").replace("nvidia", " ").replace("apple", " ")
    text = re.sub(r"[()（）\[\]【】]", " ", text)
    text = re.sub(r"[\s\-_]+", " ", text)
    text = re.sub(r"(?<=rtx|gtx)(?=\d)", " ", text)
    text = re.sub(r"(?<=\d)(?=ti\b|super\b)", " ", text)
    text = re.sub(r"(?<=\d)(?:x|×)(?=\d)", " x ", text)  # "4090x2"
    text = re.sub(r"(?<=\bm)(?=\d)", "", text)
    # a GeForce named by its number alone: 「4090が2枚」, "one 4090"
    text = re.sub(
        r"(?<![a-z0-9.,$¥])(?<!rtx )((?:30[5-9]0|40[6-9]0|50[6-9]0)(?: ti)?(?: super)?)"
        r"(?![\d]|\.\d|\s*(?:円|yen|件|token|トークン|b\b|年|ドル|usd))",
        r"rtx \1",
        text,
    )
    return f" {text.strip()} "


def _find(norm: str) -> list[tuple[int, int, Hardware]]:
    """Every accelerator named in normalised text, with its position (longest names first)."""
    found: list[tuple[int, int, Hardware]] = []
    for key in _GPU_KEYS:
        pattern = rf"(?<![a-z0-9]){re.escape(key)}s?(?![a-z0-9])"  # "2 RTX 4090s"
        for m in re.finditer(pattern, norm):
            if any(s < m.end() and m.start() < e for s, e, _ in found):
                continue
            kind: Literal["gpu", "unified"] = (
                "unified" if key.startswith("m") and key[1].isdigit() else "gpu"
            )
            mem = GPU_MEMORY_GB[key]
            if kind == "unified":
                size = _SIZE_RE.search(norm[m.end() : m.end() + 40])
                if size:
                    mem = float(size.group(1))
            else:  # a size right after the name: "RTX 4060 Ti 16GB", 「3060の12GB」
                size = re.match(
                    r"\s*(?:の|the)?\s*(\d+(?:\.\d+)?)\s*(?:gb|gib)(?!\s*(?:の)?\s*(?:ram|メモリ|memory))",
                    norm[m.end() :],
                )
                if size and 4 <= float(size.group(1)) <= 256:
                    mem = float(size.group(1))
            label = key.upper() if kind == "gpu" else key.title()
            count = _gpu_count(norm, m.start(), m.end()) if kind == "gpu" else 1
            name = f"{count}× {label}" if count > 1 else label
            found.append((m.start(), m.end(), Hardware(name, mem * count, kind, count)))
    return sorted(found, key=lambda f: f[0])


def lookup_gpu(text: str) -> Hardware | None:
    """Find the accelerators in free text ("RTX 4090", "M2 Max 64GB", "A100 40GB", "8x H100",
    「4070と3060を1枚ずつ」): several different cards joined by "and"/「と」 add up."""
    norm = _norm(text)
    found = _find(norm)
    if not found:
        return None
    first = found[0][2]
    together = [first]
    for (_, end, _), (start, _, hw) in pairwise(found):
        if hw.kind != "gpu" or not re.fullmatch(
            r"\s*(?:と|and|\+|&|、|,|plus)\s*", norm[end:start]
        ):
            break
        together.append(hw)
    if len(together) == 1:
        return first
    return Hardware(
        name=" + ".join(h.name for h in together),
        memory_gb=sum(h.memory_gb for h in together),
        kind="gpu",
        count=sum(h.count for h in together),
    )


_COUNT_BEFORE = re.compile(r"(?<![\d.])(\d{1,2})\s*(?:x|×|\*|枚の|台の|基の)?\s*$")
_COUNT_AFTER = re.compile(
    r"^\s*(?:\d+\s*gb\s*)?(?:x|×|\*)\s*(\d{1,2})(?![\d.])|"
    r"^\s*(?:\d+\s*gb\s*)?(?:の)?(?:カード|card|gpu)?\s*(?:が|を|は)?\s*(\d{1,2})\s*"
    r"(?:枚|基|台|個|cards?|gpus?)"
)


def _gpu_count(norm: str, start: int, end: int) -> int:
    """How many of the named card: "8x H100", "H100 x 8", "H100が8枚", "2 RTX 4090s" (1..64)."""
    m = _COUNT_BEFORE.search(norm[max(0, start - 8) : start]) or _COUNT_AFTER.search(
        norm[end : end + 18]
    )
    n = int(m.group(m.lastindex)) if m and m.lastindex else 1  # the one group that matched
    return n if 1 <= n <= 64 else 1


def card_count(text: str) -> int:
    """The count right after a size stated without a card name: 「VRAM24GBのカードが4枚」."""
    m = _COUNT_AFTER.search(text)
    return (
        int(m.group(m.lastindex))
        if m and m.lastindex and 1 <= int(m.group(m.lastindex)) <= 64
        else 1
    )


def tokens_per_second_estimate(
    params_b: float,
    bits_per_weight: float,
    bandwidth_gb_s: float,
    active_params_b: float | None = None,
) -> float:
    """Upper-bound estimate of generation speed: memory bandwidth / bytes read per token
    (every active weight is read once per generated token). Real speeds are lower."""
    bytes_per_token = (active_params_b or params_b) * 1e9 * bits_per_weight / 8
    return bandwidth_gb_s * 1e9 / bytes_per_token
