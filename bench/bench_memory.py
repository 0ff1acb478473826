"""Memory against real figures: Q4_K_M weights against published GGUF file sizes, and the KV
cache against config-derived figures (knowledge/eval/gguf-sizes.yaml); the old size-based KV
estimate is printed beside it as the baseline. Run: .venv/bin/python bench/bench_memory.py"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor.domain.memory import kv_gb, weights_gb  # noqa: E402
from advisor.errors import safe_yaml  # noqa: E402
from advisor.services import Advisor  # noqa: E402
from advisor.settings import load_settings  # noqa: E402


def rows(adv: Advisor) -> list[dict[str, Any]]:
    table = safe_yaml((ROOT / "knowledge/eval/gguf-sizes.yaml").read_text(encoding="utf-8"))
    out = []
    for entry in table:
        card = adv.catalog.by_id[entry["model_id"]]
        q4 = (entry.get("files") or {}).get("Q4_K_M", {}).get("size_gb")
        row: dict[str, Any] = {"model_id": card.id, "q4_real": q4, "q4_ours": None, "kv": []}
        if q4:
            row["q4_ours"] = round(weights_gb(card, "q4"), 2)
        estimate = card.model_copy(update={"architecture": None})
        for ctx, real in (entry.get("kv_f16_gb") or {}).items():
            ours, basis = kv_gb(card, int(ctx))
            old, _ = kv_gb(estimate, int(ctx))
            row["kv"].append((int(ctx), real, round(ours, 3), round(old, 3), basis))
        out.append(row)
    return out


def main() -> None:
    adv = Advisor(load_settings(llm={"mode": "extractive"}))
    table = rows(adv)
    w_err, kv_err, old_err = [], [], []
    print(
        f"{'model':32} {'Q4 real':>8} {'ours':>7} {'err':>6}   KV at context: real / ours / old estimate"
    )
    for r in table:
        err = ""
        if r["q4_real"] and r["q4_ours"]:
            e = r["q4_ours"] / r["q4_real"] - 1
            w_err.append(abs(e))
            err = f"{e:+.1%}"
        kvs = []
        for ctx, real, ours, old, basis in r["kv"]:
            kv_err.append(abs(ours / real - 1))
            old_err.append(abs(old / real - 1))
            kvs.append(
                f"{ctx // 1024}k {real:.2f}/{ours:.2f}/{old:.2f}{'' if basis == 'architecture' else '*'}"
            )
        print(
            f"{r['model_id']:32} {r['q4_real'] or '-':>8} {r['q4_ours'] or '-':>7} {err:>6}   {'  '.join(kvs)}"
        )
    print()
    print(
        f"Q4 weights: {len(w_err)} models, median |error| {statistics.median(w_err):.1%}, max {max(w_err):.1%},"
        f" within 8%: {sum(e <= 0.08 for e in w_err)}/{len(w_err)}"
    )
    print(
        f"KV cache: {len(kv_err)} figures, median |error| {statistics.median(kv_err):.1%}, max {max(kv_err):.1%},"
        f" within 25%: {sum(e <= 0.25 for e in kv_err)}/{len(kv_err)}"
    )
    print(
        f"baseline (size-based estimate): median |error| {statistics.median(old_err):.1%}, max {max(old_err):.1%}"
    )
    print("* = no architecture block on the card (estimate)")


if __name__ == "__main__":
    main()
