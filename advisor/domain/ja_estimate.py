"""Japanese ability of an open-weight model without a benchmark score, estimated from its size and
release date, by a fit on the cataloged models that the Swallow leaderboard measured.

On the 31 measured open-weight cards (Swallow LLM Leaderboard v2, data of 2026-05; checked
2026-11-28), a least-squares fit

    Swallow ja avg  ~  a + b * log10(parameters in B) + c * (years since 2024-01-01)

explains 71 % of the spread (leave-one-out RMSE 0.083), while the editorial `japanese` labels of
the same cards explain 9 %: a small or older model is weaker in Japanese than its label says, and
a newer one of the same size stronger. So for ranking, an open-weight card without a Swallow score
counts with the fit's estimate (`japanese_estimate`, kept within the measured range, labelled
"estimated" with its basis), not with its label. Cards whose size or release date is unknown,
and API models (their size is undisclosed), keep the label. The fit is refit from the evidence at
load time, so new scores move it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from advisor.domain.catalog import ModelCard, UseCase, is_code_specialist

#: the fit needs at least this many measured models, or no estimate is made
MIN_MODELS = 12
_EPOCH = dt.date(2024, 1, 1)


def _features(card: ModelCard) -> tuple[float, float] | None:
    """The fit's inputs, for an open-weight chat model with a known size and release date (the
    leaderboard measures chat models on general tasks: a translation or code specialist is
    another kind of model and keeps its label)."""
    if not card.open_weights or not card.params_b or card.release_date is None:
        return None
    if UseCase.chat not in card.use_cases or is_code_specialist(card):
        return None
    return math.log10(card.params_b), (card.release_date - _EPOCH).days / 365.25


@dataclass(frozen=True)
class Fit:
    a: float
    b: float
    c: float
    n: int
    rmse: float
    low: float  # the measured range: predictions are kept inside it
    high: float

    def predict(self, card: ModelCard) -> float | None:
        x = _features(card)
        if x is None:
            return None
        y = self.a + self.b * x[0] + self.c * x[1]
        return min(max(y, self.low), self.high)

    def basis(self) -> str:
        return (
            f"fit on {self.n} Swallow-measured open models: ja avg ~ {self.a:.3f} "
            f"{self.b:+.3f}*log10(params B) {self.c:+.3f}*years since 2024 (RMSE {self.rmse:.3f})"
        )


def _solve3(m: list[list[float]], v: list[float]) -> list[float] | None:
    """Solve the 3x3 system m x = v (Gaussian elimination with partial pivoting)."""
    a = [[*row, rhs] for row, rhs in zip(m, v, strict=True)]
    for col in range(3):
        piv = max(range(col, 3), key=lambda r: abs(a[r][col]))
        if abs(a[piv][col]) < 1e-12:
            return None
        a[col], a[piv] = a[piv], a[col]
        for r in range(3):
            if r != col:
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][3] / a[i][i] for i in range(3)]


def fit(measured: list[tuple[ModelCard, float]]) -> Fit | None:
    """The least-squares fit over (card, Swallow ja avg) pairs of open-weight cards with a size
    and a release date; None with fewer than MIN_MODELS of them."""
    rows = [(x, y) for card, y in measured if (x := _features(card)) is not None]
    if len(rows) < MIN_MODELS:
        return None
    xs = [(1.0, p, t) for (p, t), _ in rows]
    ys = [y for _, y in rows]
    normal = [[sum(r[i] * r[j] for r in xs) for j in range(3)] for i in range(3)]
    rhs = [sum(r[i] * y for r, y in zip(xs, ys, strict=True)) for i in range(3)]
    coef = _solve3(normal, rhs)
    if coef is None:
        return None
    a, b, c = coef
    err = [y - (a + b * r[1] + c * r[2]) for r, y in zip(xs, ys, strict=True)]
    rmse = math.sqrt(sum(e * e for e in err) / len(err))
    return Fit(a, b, c, len(rows), rmse, min(ys), max(ys))


def apply(cards: list[ModelCard], ja_avg: dict[str, float]) -> list[ModelCard]:
    """Cards with `japanese_estimate` set where a card has no Swallow Japanese average but the
    fit over the others (`ja_avg`: card id -> score) can estimate it."""
    f = fit([(c, ja_avg[c.id]) for c in cards if c.id in ja_avg])
    if f is None:
        return cards
    out = []
    for card in cards:
        est = None if card.id in ja_avg else f.predict(card)
        if est is not None:
            card = card.model_copy(
                update={
                    "japanese_estimate": round(est, 3),
                    "filled": {**card.filled, "japanese_estimate": f.basis()},
                }
            )
        out.append(card)
    return out
