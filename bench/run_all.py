"""Run every benchmark in sequence (`make bench`); each prints its own figures.

    .venv/bin/python bench/run_all.py [--only index,local,baseline,app]

The scripts run one after another, never in parallel, so they do not compete for the CPU
with each other (other work on the machine still can: each script prints the load average).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = {
    "index": "bench_index.py",
    "local": "bench_local.py",
    "baseline": "bench_baseline.py",
    "app": "bench_app.py",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument(
        "--only", default=",".join(SCRIPTS), help=f"comma-separated subset of {list(SCRIPTS)}"
    )
    args = parser.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SCRIPTS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {list(SCRIPTS)}")
    failed: list[str] = []
    for name in chosen:
        t0 = time.perf_counter()
        print(f"\n===== {SCRIPTS[name]} =====\n", flush=True)
        done = subprocess.run([sys.executable, str(HERE / SCRIPTS[name])], check=False)
        seconds = time.perf_counter() - t0
        print(f"\n===== {SCRIPTS[name]}: exit {done.returncode}, {seconds:.0f} s =====", flush=True)
        if done.returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
