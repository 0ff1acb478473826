"""Needs reading per reader: the rules alone, the learned reader alone, and the two combined
(services.needs), on the needs sets; slot accuracy overall, per language, and for the
deployment, privacy and residency slots. Run:
    .venv/bin/python bench/bench_needs_readers.py needs-fresh needs needs-holdout"""

import sys
from pathlib import Path

from advisor import evaluate as ev
from advisor.domain.needs import Needs
from advisor.domain.needs_learned import _PARSE, UNSTATED, combine, reader
from advisor.services import Advisor
from advisor.settings import load_settings

adv = Advisor(load_settings(llm={"mode": "extractive"}))
R = reader(Path("knowledge/eval"))


def learned_only(text):
    r = R.read(text)
    data = {}
    for slot, v in r.values.items():
        if v != UNSTATED:
            data[slot] = _PARSE[slot](v)
    return Needs.model_validate(data)


def combined(text):
    return combine(adv.read_needs_rules(text), R.read(text))


out = {}
for name in sys.argv[1:]:
    cases = ev.load_needs_cases(Path("knowledge/eval"), name)
    for label, fn in (
        ("rules", adv.read_needs_rules),
        ("learned", learned_only),
        ("combined", combined),
    ):
        res, _ = ev.needs_results(cases, fn)
        out[f"{name}/{label}"] = {
            k: res[k]
            for k in res
            if k
            in (
                "overall",
                "lang:ja",
                "lang:en",
                "slot:deployment",
                "slot:privacy",
                "slot:residency",
            )
        }
        o = res["overall"]
        d = res.get("slot:deployment", {})
        p = res.get("slot:privacy", {})
        print(
            f"{name:14} {label:9} overall {o['correct']}/{o['total']} {o['accuracy']:.1%}  deployment {d.get('correct')}/{d.get('total')}  privacy {p.get('correct')}/{p.get('total')}",
            flush=True,
        )
