"""The bandwidth roofline (tokens/s <= memory bandwidth / bytes read per token) against public
llama-bench tg128 figures (knowledge/eval/speed.yaml): the ratio measured / roofline per row,
its median error, and the quartiles that domain/memory.py uses to show a range.
Run: .venv/bin/python bench/bench_speed.py"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor.domain.memory import SPEED_RANGE  # noqa: E402
from advisor.errors import safe_yaml  # noqa: E402


def ratios() -> list[tuple[str, str, float, float, float]]:
    data = safe_yaml((ROOT / "knowledge/eval/speed.yaml").read_text(encoding="utf-8"))
    bw = {d["name"]: d["memory_bandwidth_gbs"] for d in data["devices"]}
    out = []
    for r in data["rows"]:
        band = bw.get(r["device"])
        if not band or not r.get("model_size_gb") or not r.get("tg128"):
            continue
        share = (r.get("active_params_b") or r["params_b"]) / r["params_b"]
        roof = band / (r["model_size_gb"] * share)
        out.append((r["model"], r["device"], r["tg128"], roof, r["tg128"] / roof))
    return out


def main() -> None:
    rows = ratios()
    print(f"{'model':44} {'device':28} {'tg128':>7} {'roofline':>8} {'ratio':>6}")
    for model, device, tg, roof, ratio in rows:
        print(f"{model[:44]:44} {device[:28]:28} {tg:7.1f} {roof:8.1f} {ratio:6.2f}")
    rs = sorted(r[4] for r in rows)
    q1, med, q3 = statistics.quantiles(rs, n=4)
    err_raw = statistics.median(abs(1 / r - 1) for r in rs)  # roofline vs measured
    lo, hi = SPEED_RANGE
    inside = sum(lo <= r <= hi for r in rs)
    print()
    print(
        f"{len(rs)} rows with a device bandwidth; measured/roofline: median {med:.2f}, quartiles {q1:.2f}-{q3:.2f}"
    )
    print(f"raw roofline median |error| against measured: {err_raw:.0%} (it is an upper bound)")
    mid = (lo + hi) / 2
    err_cal = statistics.median(abs(r / mid - 1) for r in rs)
    print(
        f"shown range {lo:.2f}-{hi:.2f} x roofline: {inside}/{len(rs)} measured figures inside;"
        f" median |error| of its midpoint {mid:.2f}: {err_cal:.0%}"
    )


if __name__ == "__main__":
    main()
