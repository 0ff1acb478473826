"""Assumption notes ("slot: why") in the interface language.

The rules record assumptions in English with a stable slot prefix (used to replace an older
note about the same slot); this module words them for a Japanese reader. A note with no known
wording is shown as it is.
"""

from __future__ import annotations

import re

_JA: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^residency: data stays in (\w+); no API in the catalog records its region$"),
        r"データ所在地: データは\1の外に出さない。カタログにリージョンを記録したAPIがないため、ローカルで動かせるモデルに限る",
    ),
    (
        re.compile(r"^workload: ([\d,]+) requests a month = ([\d,]+) a day$"),
        r"利用量: 月\1件 = 1日あたり\2件",
    ),
    (
        re.compile(r"^japanese: needed, because you wrote in Japanese"),
        "日本語: 日本語で書かれ、他の言語の指定がないため、日本語が必要と推定",
    ),
    (
        re.compile(r"^hardware: (.+) = ([\d.]+) GB, the model split across the cards$"),
        r"ハードウェア: \1 = 合計 \2 GB(モデルを複数枚に分割して載せる前提)",
    ),
    (
        re.compile(r"^hardware: a Mac's unified memory"),
        "ハードウェア: Macのユニファイドメモリ(モデルとシステムで共有)",
    ),
    (
        re.compile(r"^hardware: a laptop / PC with no GPU named"),
        "ハードウェア: GPUの記載がないノートPC/PCのため、CPUのみと推定",
    ),
    (
        re.compile(r"^hardware: only RAM was stated"),
        "ハードウェア: メモリ(RAM)だけが書かれているため、CPUのみと推定",
    ),
    (
        re.compile(r"^hardware: RAM not stated; ([\d.]+) GB.*$"),
        r"ハードウェア: RAMの記載がないため、一般的なノートPCの \1 GB と推定",
    ),
    (
        re.compile(r"^deployment: local, because the data cannot leave, although an API"),
        "提供形態: APIも可とのことですが、データを社外に出せないためローカルと判断",
    ),
    (
        re.compile(r"^deployment: API, which you accepted for this data on a condition"),
        "提供形態: 条件付き(個人情報のマスキングなど)でAPIを受け入れるとのことでAPIと判断",
    ),
    (
        re.compile(r"^deployment: API, which you accepted for this data"),
        "提供形態: このデータでAPIを使ってよいとのことでAPIと判断",
    ),
    (
        re.compile(r"^deployment: local, because the data must stay in-house"),
        "提供形態: データを社内に留める必要があるためローカルと判断",
    ),
    (
        re.compile(r"^deployment: local, because an? (.+) was mentioned$"),
        r"提供形態: \1 があるとのことでローカル実行と推定",
    ),
    (
        re.compile(r"^deployment: local, because it runs on the device itself"),
        "提供形態: 端末上で動かすためローカルと判断",
    ),
    (
        re.compile(r"^size: at most about 4B parameters"),
        "規模: スマホ・ブラウザ・ボードで動かすため、4B程度までと推定",
    ),
    (
        re.compile(r"^(\w+): (.+) \(read by the language model\)$"),
        r"\1: \2(言語モデルの読み取り)",
    ),
]


def localise(note: str, lang: str) -> str:
    """One assumption note in the interface language."""
    if lang != "ja":
        return note
    for pattern, ja in _JA:
        if pattern.search(note):
            return pattern.sub(ja, note) if "\\" in ja else ja
    return note
