"""The learned reader's private-reading threshold (needs_learned.PRIVATE), chosen with
needs-train held out: the reader is trained on needs and needs-holdout only, combined with the
rules on needs-train, and each threshold prints slot accuracy, private phrasings read as not
local, and API-or-public phrasings read as local.

    .venv/bin/python bench/bench_needs_private.py
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from advisor import evaluate as ev  # noqa: E402
from advisor.domain import needs_learned as nl  # noqa: E402
from advisor.domain.needs import Needs  # noqa: E402
from advisor.services import Advisor  # noqa: E402
from advisor.settings import load_settings  # noqa: E402

E = ROOT / "knowledge" / "eval"
adv = Advisor(load_settings(llm={"mode": "extractive"}))
nl.TRAIN_SETS = ("needs", "needs-holdout")
r = nl.LearnedReader(*nl.training_data(E), enc=nl.encoder())
cases = ev.load_needs_cases(E, "needs-train")
rules = {c.id: adv.read_needs_rules(c.text) for c in cases}
reads = {c.id: r.read(c.text) for c in cases}
by_text = {c.text: c.id for c in cases}


def combined(text: str) -> Needs:
    return nl.combine(rules[by_text[text]], reads[by_text[text]])


for thr in (0.4, 0.5, 0.6, 0.7, 0.8):
    nl.PRIVATE = thr
    res, _ = ev.needs_results(cases, combined)
    must = [c for c in cases if c.expect.get("privacy") is True]
    miss_private = sum(1 for c in must if not nl.combine(rules[c.id], reads[c.id]).wants_local)
    safe = [
        c for c in cases if c.expect.get("privacy") is False or c.expect.get("deployment") == "api"
    ]
    false_private = sum(1 for c in safe if nl.combine(rules[c.id], reads[c.id]).wants_local)
    print(
        thr,
        res["overall"]["correct"],
        res["slot:deployment"]["correct"],
        res["slot:privacy"]["correct"],
        "private read non-local:",
        miss_private,
        "/",
        len(must),
        "api/public read local:",
        false_private,
        "/",
        len(safe),
    )
