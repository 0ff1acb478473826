"""The catalog table: one row of facts per card, newest release first, with its headers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advisor.domain.catalog import ModelCard
from advisor.domain.memory import memory_table
from advisor.i18n import t as _t
from advisor.present.card import card_japanese, lifecycle_text
from advisor.present.text import shorten

CATALOG_HEADERS = {
    "ja": [
        "モデル",
        "ベンダー",
        "公開日",
        "提供状況",
        "重み",
        "規模 B",
        "日本語(根拠)",
        "料金 入/出 $/1M",
        "Q4 GB",
        "文脈 k",
        "ライセンス",
    ],
    "en": [
        "Model",
        "Vendor",
        "Released",
        "Lifecycle",
        "Weights",
        "Size B",
        "Japanese (basis)",
        "Price in/out $/1M",
        "Q4 GB",
        "Ctx k",
        "Licence",
    ],
}


def catalog_rows(
    cards: list[ModelCard], lang: str = "en", today: dt.date | None = None
) -> list[list[Any]]:
    """One row per card, newest release first (undated cards last)."""
    rows = []
    ordered = sorted(cards, key=lambda c: (c.release_date or dt.date.min, c.id), reverse=True)
    for c in ordered:
        mem = memory_table(c, 4096) if c.runs_locally else None
        price = (
            f"{c.price_per_mtok.input:g} / {c.price_per_mtok.output:g}" if c.price_per_mtok else "-"
        )
        rows.append(
            [
                c.name,
                c.vendor,
                str(c.release_date) if c.release_date else "-",
                lifecycle_text(c, lang, today),
                _t(lang, "オープン", "open") if c.open_weights else "API",
                c.params_b,
                card_japanese(c, lang),
                price,
                round(mem["q4"], 1) if mem else None,
                round(c.context_window / 1000) if c.context_window else None,
                shorten(c.license, 40),
            ]
        )
    return rows
