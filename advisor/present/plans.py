"""Answer plans as text (the no-LLM answer, the CLI) and Markdown (the UI): one renderer per
kind, in the asker's language, every figure from the plan. The tables are in plan_tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.domain.plans import Plan
from advisor.i18n import t
from advisor.present.plan_common import Cite, _value, tokens
from advisor.present.plan_tables import alternatives, compare, cost, fit


def lifecycle(p: dict[str, Any], lang: str, cite: Cite) -> list[str]:
    return [lifecycle_line(e, lang, cite) for e in p["entries"]]


def lifecycle_line(e: dict[str, Any], lang: str, cite: Cite) -> str:
    name = e["name"] + cite(f"models/{e['model_id']}")
    when = e.get("shutdown_date")
    status = e["status"]
    if status == "retired":
        head = t(lang, f"{name}は{when}に提供終了しました", f"{name} was retired on {when}")
    elif status in ("deprecated", "shutting_down"):
        date = t(lang, f"{when}に提供終了予定", f"shuts down on {when}") if when else ""
        head = t(
            lang,
            f"{name}は非推奨です{('(' + date + ')') if date else ''}",
            f"{name} is deprecated{('; ' + date) if date else ''}",
        )
    else:
        until = e.get("available_until")
        extra = (
            t(lang, f"(提供は少なくとも{until}まで)", f" (supported until at least {until})")
            if until
            else ""
        )
        head = t(lang, f"{name}は現在も提供中です{extra}", f"{name} is still available{extra}")
    succ = ""
    if e.get("successor_name"):
        ref = cite(f"models/{e['successor']}") if e.get("successor_facts") else ""
        succ = t(
            lang,
            f"。後継は{e['successor_name']}{ref}",
            f"; its successor is {e['successor_name']}{ref}",
        )
    page = f" ({e['page']})" if e.get("page") and status != "available" else ""
    return t(lang, f"- {head}{succ}。{page}", f"- {head}{succ}.{page}")


def fact_parts(f: dict[str, Any], lang: str) -> list[str]:
    """A card's figures as short phrases, for those present in `f`: parameters, context window,
    licence, release, API price, Q4 memory, Japanese score or level, status."""
    parts = []
    if f.get("params_b"):
        act = f" / {f['active_params_b']:g}B active" if f.get("active_params_b") else ""
        parts.append(
            t(lang, f"パラメータ{f['params_b']:g}B{act}", f"{f['params_b']:g}B parameters{act}")
        )
    if f.get("context_window"):
        ctx = tokens(f["context_window"])
        parts.append(t(lang, f"コンテキスト{ctx}", f"context {ctx}"))
    if f.get("license"):
        parts.append(t(lang, f"ライセンス{f['license']}", f"licence {f['license']}"))
    if f.get("release_date"):
        parts.append(t(lang, f"公開{f['release_date']}", f"released {f['release_date']}"))
    if f.get("price"):
        i, o = f["price"]["input"], f["price"]["output"]
        parts.append(
            t(
                lang,
                f"API料金 入力${i:g}・出力${o:g}/100万トークン",
                f"${i:g} / ${o:g} per 1M tokens",
            )
        )
    if f.get("memory_q4_gb"):
        gb = f["memory_q4_gb"]
        parts.append(t(lang, f"Q4で約{gb:.1f} GB", f"about {gb:.1f} GB at Q4"))
    if f.get("japanese_score"):
        score = f["japanese_score"]
        parts.append(
            t(lang, f"日本語スコア{score:.3f}(Swallow)", f"Japanese score {score:.3f} (Swallow)")
        )
    elif f.get("japanese"):
        level = _value("japanese", f["japanese"], lang)
        parts.append(t(lang, f"日本語: {level}(推定)", f"Japanese: {f['japanese']} (estimated)"))
    if f.get("status"):
        status = _value("status", f["status"], lang)
        if f.get("shutdown_date") and f["status"] != "available":
            status += f" ({f['shutdown_date']})"
        parts.append(status)
    return parts


def about(p: dict[str, Any], lang: str, cite: Cite) -> list[str]:
    f = p["facts"]
    name = p["name"] + cite(f"models/{p['model_id']}")
    parts = fact_parts(f, lang)
    lines = [
        t(
            lang,
            f"{name}({p['vendor']}): {'、'.join(parts)}。",
            f"{name} ({p['vendor']}): {'; '.join(parts)}.",
        )
    ]
    lines += [f"- {f[k]}" for k in ("strengths", "cautions") if f.get(k)]
    lines.append(lifecycle_line(p["lifecycle"], lang, cite))
    return lines


def explain(
    p: dict[str, Any], names: dict[str, str], guide_titles: dict[str, str], lang: str, cite: Cite
) -> list[str]:
    lines = []
    for e in p["terms"]:
        lines.append(f"{e['text']}{cite(e['id'])}")
        if e["examples"]:
            ex = (
                "、".join(names.get(m, m) for m in e["examples"])
                if lang == "ja"
                else ", ".join(names.get(m, m) for m in e["examples"])
            )
            lines.append(t(lang, f"- 例: {ex}", f"- For example: {ex}"))
    for g in p["guide"]:
        lines.append(
            t(
                lang,
                f"- ガイド「{guide_titles.get(g, g)}」{cite(g)}",
                f'- Guide, "{guide_titles.get(g, g)}"{cite(g)}',
            )
        )
    return lines


_REASONS = {
    "privacy": (
        "データを外に出せない → ローカル(ガイド⑥)",
        "data must stay inside → local (guide ⑥)",
    ),
    "finetune": (
        "微調整したい → 重みが公開されたモデル(ガイド④)",
        "fine-tuning wanted → open weights (guide ④)",
    ),
    "no_gpu": (
        "GPUがない → APIなら機材不要、ローカルはGPUかCPUで動く小型モデルが必要",
        "no GPU → an API needs no hardware; local needs a GPU or a small model on the CPU",
    ),
    "accuracy": (
        "精度を最優先 → 最上位のモデルはAPIで提供(ガイド②)",
        "accuracy first → the strongest models are API models (guide ②)",
    ),
    "offline": (
        "ネットにつながらない・端末上で動かす → ローカル",
        "offline or on a device → local",
    ),
    "weights": (
        "重みそのものが必要(監査・固定・解析・再配布) -> オープンウェイト(ガイド④)",
        "you need the weights themselves (audit, pinning, analysis, redistribution) -> open weights (guide ④)",
    ),
    "no_ops": (
        "運用の担い手がいない → 管理不要のAPI",
        "nobody to run servers → an API needs no operations",
    ),
    "ops": (
        "運用できる体制がある → 自前運用も可能",
        "a team that can run it → self-hosting is possible",
    ),
    "short_term": (
        "短期間・試用 → 初期投資のいらないトークン課金",
        "short-term or a trial → paying per token needs no up-front purchase",
    ),
    "low_volume": (
        "利用量が少ない → トークン課金の方が安い(GPUは使わない時間も費用がかかる)",
        "a small volume → paying per token costs less (a GPU costs money while idle)",
    ),
    "volume": (
        "利用量が多く安定 → 自前運用がトークン課金より安くなりうる",
        "a large steady volume → self-hosting can cost less than per-token prices",
    ),
}
_CHANGE = {
    "data_may_leave": (
        "データを外に出せる(マスキング済み・公開情報)ならAPIも選べます",
        "data that may leave (masked or public) would allow an API",
    ),
    "buy_gpu": (
        "16〜24 GBのGPUがあれば中型のオープンモデルをローカルで動かせます",
        "a 16-24 GB GPU would let a mid-size open model run locally",
    ),
    "ops_team": (
        "サーバーを運用できる人がいれば自前運用も選べます",
        "someone to run servers would make self-hosting possible",
    ),
    "data_must_stay": (
        "データを社外に出せないならローカルになります",
        "data that must not leave the company would make it local",
    ),
}
_SIDES = {
    "api": ("API", "API"),
    "local": ("ローカル", "local"),
    "open": ("オープンウェイト", "open weights"),
    "closed": ("クローズド(API)", "closed (API)"),
    "gpu": ("GPU購入", "buying a GPU"),
    "per-token": ("トークン課金", "paying per token"),
    "either": ("どちらでも", "either"),
}


def decide(p: dict[str, Any], lang: str, cite: Cite) -> list[str]:
    from advisor.domain.plans.decide import REASON_SECTIONS

    choice = t(lang, *_SIDES[p["choice"]])
    ref6 = cite("guide/criteria/api-vs-local")
    if p["choice"] == "either":
        lines = [
            t(
                lang,
                f"条件からはどちらとも決まりません{ref6}。",
                f"The stated constraints do not decide it{ref6}.",
            )
        ]
    else:
        lines = [
            t(
                lang,
                f"条件からは「{choice}」が向いています{ref6}。",
                f"Under the stated constraints, {choice} fits{ref6}.",
            )
        ]
    for code in p["reasons"]:
        key, _, arg = code.partition(":")
        ref = cite(REASON_SECTIONS.get(key, ""))
        if key == "gpu":
            lines.append(
                t(
                    lang,
                    f"- {arg} GBのGPUがある → ローカルも可能{ref}",
                    f"- a {arg} GB GPU is there → local is possible{ref}",
                )
            )
        elif key == "cheaper":
            side = t(lang, *_SIDES[arg])
            lines.append(
                t(
                    lang,
                    f"- 想定の利用量では「{side}」の方が安い{ref}",
                    f"- at the stated volume, {side} costs less{ref}",
                )
            )
        elif key in _REASONS:
            lines.append(f"- {t(lang, *_REASONS[key])}{ref}")
    for o in p["options"]:
        if not o.get("model_id"):
            continue
        side = t(lang, *_SIDES[o["side"]])
        ref = cite("models/" + o["model_id"])
        cost = ""
        if o.get("monthly_usd") is not None:
            cost = t(
                lang, f"、月約${o['monthly_usd']:,.0f}", f", about ${o['monthly_usd']:,.0f} a month"
            )
        lines.append(
            t(
                lang,
                f"- {side}の例: {o['name']}{ref}{cost}",
                f"- {side}, for example {o['name']}{ref}{cost}",
            )
        )
    for code in p["would_change"]:
        if code in _CHANGE:
            lines.append(
                t(
                    lang,
                    f"- 判断が変わる条件: {_CHANGE[code][0]}",
                    f"- What would change it: {_CHANGE[code][1]}",
                )
            )
    return lines


def why_not(
    p: dict[str, Any], lang: str, cite: Cite, criterion_label: Callable[[str], str]
) -> list[str]:
    lines = []
    for e in p["entries"]:
        name = e["name"] + cite(f"models/{e['model_id']}")
        facts = _why_facts(e.get("facts", {}), lang)
        if e["excluded"]:
            lines.append(
                t(
                    lang,
                    f"- {name}は条件で除外されました: {e['reason']}({facts})",
                    f"- {name} was excluded: {e['reason']} ({facts})",
                )
            )
            continue
        behind = "; ".join(
            t(
                lang,
                f"{criterion_label(b['criterion'])}(1位 {b['top']:.2f}、こちら {b['mine']:.2f}: {b['reason']})",
                f"{criterion_label(b['criterion'])} (first {b['top']:.2f}, this one {b['mine']:.2f}: {b['reason']})",
            )
            for b in e["behind_on"]
        )
        rank = e.get("rank") or "-"
        lines.append(
            t(
                lang,
                f"- {name}は除外されていませんが{rank}位です({facts})。1位の{e['top']}に差をつけられた基準: {behind or '-'}",
                f"- {name} is not excluded but ranks {rank} ({facts}); {e['top']} ranks first, ahead on: {behind or '-'}",
            )
        )
    return lines


def _why_facts(f: dict[str, Any], lang: str) -> str:
    return ("、" if lang == "ja" else "; ").join(fact_parts(f, lang))


def render(
    plan: Plan,
    lang: str,
    cite: Cite,
    names: dict[str, str],
    guide_titles: dict[str, str],
    criterion_label: Callable[[str], str],
) -> list[str]:
    """One plan as lines of Markdown text."""
    p = plan.model_dump(mode="json")
    match plan.kind:
        case "compare":
            return compare(p, lang, cite)
        case "fit":
            return fit(p, lang, cite) + alternatives(p, names, lang, cite)
        case "cost":
            return cost(p, lang, cite)
        case "lifecycle":
            return lifecycle(p, lang, cite)
        case "model":
            return about(p, lang, cite)
        case "explain":
            return explain(p, names, guide_titles, lang, cite)
        case "decide":
            return decide(p, lang, cite)
        case "why_not":
            return why_not(p, lang, cite, criterion_label)
        case "out_of_scope":
            return [p["message"]]
    return []
