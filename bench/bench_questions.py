"""The question-kinds evaluation on a sample, with a real backend: per kind, the share of plan
facts carried, the false comparatives shown, and the time to the whole answer (the plan's text
shows at once; the local model's explanation follows). The no-LLM run of the whole set is
`advisor eval --only questions`; this one is for the slow local model.

    .venv/bin/python bench/bench_questions.py [--backend llamacpp] [--per-kind 2] [--set questions]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor import eval_questions as eq  # noqa: E402
from advisor.domain.kinds import KINDS  # noqa: E402
from advisor.services import Advisor  # noqa: E402
from advisor.settings import load_settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="llamacpp")
    parser.add_argument("--per-kind", type=int, default=2, help="questions per kind and language")
    parser.add_argument("--set", default="questions")
    args = parser.parse_args()
    adv = Advisor(load_settings())
    adv.open_retrieval()
    cases = eq.load_questions(ROOT / "knowledge" / "eval", args.set)
    sample = []
    for k in KINDS:
        for lang in ("ja", "en"):
            mine = [c for c in cases if c.kinds[0] == k and c.lang == lang]
            sample += mine[: args.per_kind]
    print(
        f"{len(sample)} questions ({args.per_kind} per kind and language), backend {args.backend}"
    )
    t0 = time.monotonic()
    rows = eq.run_questions(
        adv,
        sample,
        args.backend,
        on_row=lambda r: print(
            f"  {r['id']}: kinds {r['read']} facts {r['facts_ok']}/{r['facts']} {r['seconds']:.1f} s"
            f" {'; '.join(r['misses'])}",
            flush=True,
        ),
    )
    summary = eq.question_summary(rows)
    print(f"\n{'kind':14} {'questions':>9} {'facts':>9} {'share':>6} {'median s':>9}")
    for kind, m in summary.items():
        if kind == "all":
            continue
        secs = [r["seconds"] for r in rows if kind in r["kinds"]]
        print(
            f"{kind:14} {m['questions']:9} {m['facts_ok']:4}/{m['facts']:<4} {m['facts_share']:6.1%} {statistics.median(secs):9.1f}"
        )
    a = summary["all"]
    print(
        f"{'all':14} {a['questions']:9} {a['facts_ok']:4}/{a['facts']:<4} {a['facts_share']:6.1%}"
    )
    print(
        f"false comparatives shown: {a['false_comparatives_shown']}; wall {time.monotonic() - t0:.0f} s"
    )


if __name__ == "__main__":
    main()
