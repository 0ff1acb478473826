"""The tabular plans as Markdown: compare (a side-by-side table), fit (per quantisation), cost
(the arithmetic)."""

from __future__ import annotations

from typing import Any

from advisor.i18n import t
from advisor.present.plan_common import _BETTER, _QUANT, ROW_LABELS, Cite, _value


def compare(p: dict[str, Any], lang: str, cite: Cite) -> list[str]:
    names: dict[str, str] = p["names"]
    ids = p["models"]
    head = (
        "| "
        + t(lang, "項目", "")
        + " | "
        + " | ".join(f"{names[m]}{cite(f'models/{m}')}" for m in ids)
        + " |"
    )
    lines = [head, "|" + "---|" * (len(ids) + 1)]
    for row in p["rows"]:
        label = t(lang, *ROW_LABELS.get(row["key"], (row["key"], row["key"])))
        if row["key"] == "memory_q4_gb":
            label += f" @ {p['context']:,}"
        cells = " | ".join(_value(row["key"], row["values"].get(m), lang) for m in ids)
        lines.append(f"| {label} | {cells} |")
    lines.append("")
    rows = sorted(p["rows"], key=lambda r: r["key"] != p.get("focus"))
    for row in rows:
        if not row.get("better") or row["key"] not in _BETTER:
            continue
        name = names[row["better"]]
        by = row["by"]
        what = t(lang, *_BETTER[row["key"]])
        if row["key"] == "japanese_score":
            vals = [f"{names[m]} {row['values'][m]:.3f}" for m in ids if row["values"].get(m)]
            lines.append(
                t(
                    lang,
                    f"- {name}の方が{what}({'、'.join(vals)}、差{by}、Swallow LLM Leaderboard v2)。",
                    f"- {name} {what} ({', '.join(vals)}; {by} higher, Swallow LLM Leaderboard v2).",
                )
            )
        elif row["key"] in ("price", "memory_q4_gb", "context_window", "params_b"):
            lines.append(t(lang, f"- {name}の方が{what}({by})。", f"- {name} {what} ({by})."))
    if p.get("context_stated") is False:
        lines.append(
            t(
                lang,
                f"(メモリは文脈{p['context']:,}トークンで計算。長さの指定があればそれを使います)",
                f"(memory at a {p['context']:,}-token context; state a length to use it)",
            )
        )
    return lines


def fit(p: dict[str, Any], lang: str, cite: Cite) -> list[str]:
    name = p["name"] + cite(f"models/{p['model_id']}")
    if not p["runs_locally"]:
        return [
            t(
                lang,
                f"{name}は重みが公開されていないため、手元のGPUでは動かせません(APIでのみ利用可)。",
                f"{name} has no open weights, so it cannot run on your own GPU (API only).",
            )
        ]
    hw = p.get("hardware")
    ctx_note = t(
        lang,
        f"文脈{p['context']:,}トークン" + ("" if p["context_stated"] else "(既定値)"),
        f"{p['context']:,}-token context" + ("" if p["context_stated"] else " (default)"),
    )
    basis = (
        t(lang, "構成から計算", "from its architecture")
        if p["basis"] == "architecture"
        else t(lang, "推定", "estimated")
    )
    lines = []
    if hw:
        if p["best"]:
            q = _QUANT[p["best"]]
            row = p["quants"][p["best"]]
            lines.append(
                t(
                    lang,
                    f"{name}は{hw['name']}(使えるのは{hw['usable_gb']:g} GB)で{q}なら動きます: 合計{row['total_gb']:.1f} GB、余裕{row['headroom_gb']:.1f} GB({ctx_note}、{basis})。",
                    f"{name} runs on {hw['name']} ({hw['usable_gb']:g} GB usable) at {q}: {row['total_gb']:.1f} GB in all, {row['headroom_gb']:.1f} GB to spare ({ctx_note}, {basis}).",
                )
            )
        else:
            q4 = p["quants"]["q4"]["total_gb"]
            lines.append(
                t(
                    lang,
                    f"{name}は{hw['name']}(使えるのは{hw['usable_gb']:g} GB)には収まりません: Q4_K_Mでも{q4:.1f} GB必要です({ctx_note}、{basis})。",
                    f"{name} does not fit {hw['name']} ({hw['usable_gb']:g} GB usable): even Q4_K_M needs {q4:.1f} GB ({ctx_note}, {basis}).",
                )
            )
    else:
        lines.append(
            t(
                lang,
                f"{name}に必要なメモリ({ctx_note}、{basis}):",
                f"Memory {name} needs ({ctx_note}, {basis}):",
            )
        )
    lines += [
        "",
        t(
            lang,
            "| 量子化 | 重み | KV | その他 | 合計 | 判定 |",
            "| quant | weights | KV | overhead | total | verdict |",
        ),
        "|---|---|---|---|---|---|",
    ]
    for q in ("q4", "q8", "fp16"):
        r = p["quants"][q]
        verdict = (
            "-"
            if r["fits"] is None
            else (
                t(
                    lang,
                    f"収まる(余裕{r['headroom_gb']:.1f} GB)",
                    f"fits ({r['headroom_gb']:.1f} GB spare)",
                )
                if r["fits"]
                else t(
                    lang,
                    f"収まらない({-r['headroom_gb']:.1f} GB不足)",
                    f"does not fit ({-r['headroom_gb']:.1f} GB short)",
                )
            )
        )
        lines.append(
            f"| {_QUANT[q]} | {r['weights_gb']:.1f} GB | {r['kv_gb']:.2f} GB | {r['overhead_gb']:.1f} GB | {r['total_gb']:.1f} GB | {verdict} |"
        )
    lines.append("")
    if mc := {q: n for q, n in p.get("max_context", {}).items() if n}:
        parts = [f"{_QUANT[q]} {n:,}" for q, n in mc.items()]
        lines.append(
            t(
                lang,
                f"- 収まる最大の文脈: {'、'.join(parts)}トークン",
                f"- Longest context that fits: {', '.join(parts)} tokens",
            )
        )
    if s := p.get("speed"):
        lines.append(
            t(
                lang,
                f"- 速度の目安: {_QUANT[s['quant']]}で毎秒約{s['low']:.0f}〜{s['high']:.0f}トークン(推定: 帯域{s['bandwidth_gb_s']:g} GB/sからの上限{s['roofline']:.0f}を実測比で補正)",
                f"- Speed: about {s['low']:.0f}-{s['high']:.0f} tok/s at {_QUANT[s['quant']]} (estimate: {s['bandwidth_gb_s']:g} GB/s bandwidth gives {s['roofline']:.0f} at most, scaled by measured ratios)",
            )
        )
    if o := p.get("offload"):
        speed = (
            t(lang, f"、毎秒約{o['tok_s']:.0f}トークン", f", about {o['tok_s']:.0f} tok/s")
            if o.get("tok_s")
            else ""
        )
        lines.append(
            t(
                lang,
                f"- GPUとメインメモリに分割すれば動きます: GPUに{o['gpu_share']:.0%}、RAMに{o['ram_gb_needed']:.1f} GB。速度は大きく落ちます{speed}。",
                f"- It runs split between GPU and system RAM: {o['gpu_share']:.0%} on the GPU, {o['ram_gb_needed']:.1f} GB in RAM; much slower{speed}.",
            )
        )
    if p.get("would_take"):
        lines.append(
            t(
                lang,
                f"- Q4_K_Mで動かすには: {'、'.join(p['would_take'])}",
                f"- What Q4_K_M would take: {', '.join(p['would_take'])}",
            )
        )
    for note in p.get("notes", []):
        lines.append(_note(note, lang))
    return lines


def _sum(p: dict[str, Any], x: dict[str, Any], lang: str) -> str:
    """requests x days, then tokens x price, in the asker's language."""
    n = p["requests_per_day"] * p["days"]
    tin, tout = n * p["input_tokens"] / 1e6, n * p["output_tokens"] / 1e6
    total = f"${x['api_usd_per_month']:,.2f}"
    return t(
        lang,
        f"{p['requests_per_day']:,.0f}件 × {p['days']}日 = {n:,.0f}件、入力{tin:,.1f}M × ${x['price_in']:g}"
        f" + 出力{tout:,.1f}M × ${x['price_out']:g} = {total}",
        f"{p['requests_per_day']:,.0f} x {p['days']} = {n:,.0f} requests; {tin:,.1f}M in x"
        f" ${x['price_in']:g} + {tout:,.1f}M out x ${x['price_out']:g} = {total}",
    )


def _note(note: str, lang: str) -> str:
    code, _, arg = note.partition(":")
    if code == "capped":
        n = f"{int(arg):,}"
        return t(
            lang, f"- 文脈はモデルの上限{n}で計算", f"- context capped at the model's window ({n})"
        )
    if code == "split":
        return t(
            lang,
            f"- {arg}枚に分割: メモリは合算し、2枚目以降は1枚0.5 GBを実行環境に見込む",
            f"- split over {arg} cards: memory summed, 0.5 GB per further card for its runtime",
        )
    if code == "unified":
        return t(
            lang,
            "- Appleの統合メモリ: 既定でGPUが使えるのは約75%",
            "- Apple unified memory: about 75% is usable by the GPU by default",
        )
    return f"- {note}"


def alternatives(p: dict[str, Any], names: dict[str, str], lang: str, cite: Cite) -> list[str]:
    if not p.get("alternatives"):
        return []
    alts = [f"{names.get(m, m)}{cite(f'models/{m}')}" for m in p["alternatives"]]
    return [
        t(
            lang,
            f"- 代わりに収まるモデル: {'、'.join(alts)}",
            f"- Models that do fit: {', '.join(alts)}",
        )
    ]


def cost(p: dict[str, Any], lang: str, cite: Cite) -> list[str]:
    work = t(
        lang,
        f"1日{p['requests_per_day']:,.0f}件 × 入力{p['input_tokens']:,.0f}+出力{p['output_tokens']:,.0f}トークン × {p['days']}日",
        f"{p['requests_per_day']:,.0f} requests/day x ({p['input_tokens']:,.0f} in + {p['output_tokens']:,.0f} out) tokens x {p['days']} days",
    )
    lines = [t(lang, f"月額の試算({work}):", f"Monthly estimate ({work}):")]
    if not p["workload_stated"]:
        lines.append(
            t(
                lang,
                "(利用量の指定がないため1日1,000件で例示)",
                "(no volume stated: 1,000 requests a day as an example)",
            )
        )
    for x in p["lines"]:
        name = x["name"] + cite(f"models/{x['model_id']}")
        if x.get("api_usd_per_month") is not None:
            jpy = t(
                lang,
                f"(約{x['api_jpy_per_month']:,.0f}円)",
                f" (about ¥{x['api_jpy_per_month']:,.0f})",
            )
            lines.append(
                t(
                    lang,
                    f"- {name}: API 月 ${x['api_usd_per_month']:,.2f}{jpy} — {_sum(p, x, lang)}",
                    f"- {name}: API ${x['api_usd_per_month']:,.2f} a month{jpy}: {_sum(p, x, lang)}",
                )
            )
        if x.get("self_host_usd_per_month") is not None:
            lines.append(
                t(
                    lang,
                    f"- {name}: 自前ホスト 月 ${x['self_host_usd_per_month']:,.0f}(80 GB GPU {x['gpus']}枚 × ${p['gpu_hourly_usd']:g}/時 × 24時間 × {p['days']}日、常時稼働の仮定)",
                    f"- {name}: self-hosted ${x['self_host_usd_per_month']:,.0f} a month ({x['gpus']} x 80 GB GPU at ${p['gpu_hourly_usd']:g}/h, always on: an assumption)",
                )
            )
        if x.get("note"):
            lines.append(
                t(lang, f"- {name}: 料金もサイズもカードにありません", f"- {name}: {x['note']}")
            )
    lines.append(
        t(
            lang,
            f"(為替 1ドル={p['jpy_per_usd']:g}円、{p['rate_as_of']}時点の設定値)",
            f"(rate ¥{p['jpy_per_usd']:g} per USD, as set on {p['rate_as_of']})",
        )
    )
    return lines
