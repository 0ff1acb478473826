"""Words and number formats shared by the plan renderers (present/plan_tables, present/plans)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.i18n import t

Cite = Callable[[str], str]

#: a compare row's label (ja, en)
ROW_LABELS = {
    "params_b": ("パラメータ数", "parameters"),
    "active_params_b": ("アクティブパラメータ", "active parameters"),
    "tier": ("精度の層", "accuracy tier"),
    "japanese_score": ("日本語スコア(Swallow)", "Japanese score (Swallow)"),
    "japanese": ("日本語", "Japanese"),
    "context_window": ("コンテキスト長", "context window"),
    "price": ("API料金(100万トークンあたり 入力/出力)", "API price per 1M tokens (in/out)"),
    "memory_q4_gb": ("Q4のメモリ", "memory at Q4"),
    "license": ("ライセンス", "licence"),
    "commercial_use": ("商用利用", "commercial use"),
    "open_weights": ("重み公開", "open weights"),
    "release_date": ("公開日", "released"),
    "status": ("提供状況", "status"),
    "successor": ("後継", "successor"),
}
_BETTER = {
    "params_b": ("パラメータが多い", "has more parameters"),
    "japanese_score": ("日本語の評価が高い", "scores higher in Japanese"),
    "context_window": ("コンテキストが長い", "has the larger context window"),
    "price": ("API料金が安い", "is cheaper via API"),
    "memory_q4_gb": ("必要メモリが少ない", "needs less memory"),
}
_STATUS = {
    "available": ("提供中", "available"),
    "deprecated": ("非推奨", "deprecated"),
    "shutting_down": ("まもなく提供終了", "shutting down soon"),
    "retired": ("提供終了", "retired"),
}
_VALUE_WORDS = {
    True: ("あり", "yes"),
    False: ("なし", "no"),
    "yes": ("可", "yes"),
    "restricted": ("条件付き", "restricted"),
    "no": ("不可", "no"),
    "strong": ("強い", "strong"),
    "good": ("良い", "good"),
    "basic": ("基本的", "basic"),
    "none": ("なし", "none"),
    "frontier": ("最上位", "frontier"),
    "high": ("高", "high"),
    "mid": ("中", "mid"),
    "light": ("軽量", "light"),
}
_QUANT = {"q4": "Q4_K_M", "q8": "Q8_0", "fp16": "FP16"}


def tokens(n: int | None) -> str:
    """'131,072 (128K)'."""
    if not n:
        return "-"
    k = n / 1024
    short = f"{k:.0f}K" if n % 1024 == 0 and k < 1024 else f"{n / 1e6:g}M" if n >= 1_000_000 else ""
    return f"{n:,}" + (f" ({short})" if short else "")


def _value(key: str, v: Any, lang: str) -> str:
    if v is None or v == "":
        return "-"
    if key == "status":
        return t(lang, *_STATUS.get(v, (v, v)))
    if key == "context_window":
        return tokens(v)
    if key in ("params_b", "active_params_b"):
        return f"{v:g}B"
    if key == "memory_q4_gb":
        return f"{v:.1f} GB"
    if key == "price":
        return f"${v['input']:g} / ${v['output']:g}"
    if key == "japanese_score":
        return f"{v:.3f}"
    if isinstance(v, bool) or v in _VALUE_WORDS:
        return t(lang, *_VALUE_WORDS[v])
    return str(v)
