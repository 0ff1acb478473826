"""Needs reading per reader: the rules alone, the learned reader alone, and the two combined
(what services.needs uses), on the needs sets: slot accuracy overall and for the deployment,
privacy and residency slots.

    .venv/bin/python bench/bench_needs_readers.py needs-fresh needs needs-holdout
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor import evaluate as ev  # noqa: E402
from advisor.domain.needs import Needs  # noqa: E402
from advisor.domain.needs_learned import as_needs, combine, reader  # noqa: E402
from advisor.services import Advisor  # noqa: E402
from advisor.settings import load_settings  # noqa: E402


def main(sets: list[str]) -> None:
    adv = Advisor(load_settings(llm={"mode": "extractive"}))
    eval_dir = ROOT / "knowledge" / "eval"
    learned = reader(eval_dir)

    def learned_only(text: str) -> Needs:
        return as_needs(learned.read(text))

    def combined(text: str) -> Needs:
        return combine(adv.read_needs_rules(text), learned.read(text))

    readers: list[tuple[str, Callable[[str], Needs]]] = [
        ("rules", adv.read_needs_rules),
        ("learned", learned_only),
        ("combined", combined),
    ]
    for name in sets:
        cases = ev.load_needs_cases(eval_dir, name)
        for label, fn in readers:
            res, _ = ev.needs_results(cases, fn)
            cells = []
            for key in (
                "overall",
                "lang:ja",
                "lang:en",
                "slot:deployment",
                "slot:privacy",
                "slot:residency",
            ):
                if key in res:
                    cells.append(f"{key} {res[key]['correct']}/{res[key]['total']}")
            print(f"{name:14} {label:9} " + "  ".join(cells), flush=True)
        # what the app runs per message: services.needs (rules, then the learned reader)
        started = time.perf_counter()
        for case in cases:
            adv.needs(case.text)
        per = (time.perf_counter() - started) / len(cases) * 1000
        print(f"{name:14} services.needs: {per:.2f} ms per phrasing (bar: 5 ms)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["needs-fresh", "needs", "needs-holdout"])
