"""Priority (criterion ②) and the budget said in words: accuracy, cost, speed or a balance,
read from their words, from a quality traded for another ("fast > accurate", 「精度が多少落ち
ても速く」) and from a budget level ("money is tight", 「予算は中くらい」)."""

from __future__ import annotations

import re

from advisor.domain.negation import clauses, mentions
from advisor.domain.negation import has as _any

BALANCE = r"バランス|balance|middle (?:of the road|ground)|both accurate and (?:cheap|affordable|inexpensive)|両立"
SPEED_COMPLAINT = (
    r"遅(?:い|く)(?:と|のは|のが|て)|待ちきれ|待たされ|too slow|takes (?:\w+ ){0,2}(?:seconds|minutes) "
    r"to|abandon it if"
)
MODERATE = r"^(?:は|が)?(?:そこそこ|ほどほど|まあまあ|それなり|最低限|普通で)|good enough|doesn'?t have to be"
ACCURACY = (
    r"精度|高性能|最高|一番賢|賢い|正確|品質|高品質|難しい|複雑な|推論力|性能重視|ミスが許され|"
    r"\bbest\b|most accurate|accura|highest quality|top quality|state of the art|sota|smartest|"
    r"complex reasoning|quality|precise|precision|correct answers?|reliab|right answers?|"
    r"間違え(?:ない|ず)|ミスが(?:許|でき)|(?:can'?t|cannot) afford (?:any )?(?:mistakes|errors)|"
    r"no room for (?:error|mistakes)|no mistakes|正答|賢さ|has to be right|get(?:ting)? it right|正確さ|"
    r"(?:間違い|間違った答え|ミス|誤り|誤答)(?:は|が)?(?:絶対に)?許されな|許されません"
)
NO_OBJECT = (
    r"regardless of cost|(?:cost|money|price|budget) is no object|コストは(?:問わ|気にしな)|"
    r"予算は(?:問わ|気にしな|気にしま|潤沢|いくらでも)|コストは気にしま|金に糸目|お金はかけて|費用は気にし|"
    r"(?:don'?t|do not) care (?:about|how much)(?: the)? (?:cost|price|money)|unlimited budget|"
    r"いくらかかっても|高くても(?:いい|よい|構わ|大丈夫)|お金はかけられる|費用は問わ|お金は(?:かかっても|いくら)|"
    r"cost (?:isn'?t|is not) (?:really )?(?:a|an) (?:concern|issue|problem)|not price[- ]sensitive|"
    r"(?:price|money|cost|budget)(?:'s| is not| isn'?t|'s not)(?: really)? (?:an? )?(?:issue|concern|problem|"
    r"tight)|money is no|pay (?:whatever|for the best)|whatever it takes|deep pockets|"
    r"予算(?:は|も)?(?:わりと|結構|十分|たっぷり)(?:ある|あり)"
)
COST = (
    r"安く|安い|安さ|安価|低コスト|低価格|コストを抑|コスト重視|コスト優先|価格重視|節約|無料|タダ|格安|"
    r"費用を抑|arm and a leg|affordable|without breaking the bank|not too expensive|reasonably priced|手頃|\bcheap|low cost|low-cost|lowest cost|inexpensive|\bfree\b|cost-?effective|"
    r"minimi[sz]e (?:the )?cost|high volume|大量|高頻度|keep (?:the )?costs? down|コスパ|"
    r"cost matters|cost is (?:important|key|the priority)|cost-?sensitive|(?:cost|コスト)"
    r"(?:は|が)?(?:一番|最優先|重要|大事)"
)
SPEED = (
    r"速い|速さ|速度|高速|早く|早い|スピード|低遅延|レイテンシ|リアルタイム|即答|即時|レスポンス|"
    r"応答(?:の)?(?:速|時間)|待たせ|サクサク|軽量|軽い|小型|小さ|"
    r"\bfast|speed|latency|real-?time|quick|snappy|responsive|instant|lightweight|tiny|"
    r"\bsmall (?:model|and fast)|low delay|遅(?:い|く)(?:と|のは|のが)|待ちきれ|"
    r"\d+\s*秒以内|within \d+ ?(?:ms|seconds?)|within a second|under a second|爆速|速く|速け|sub-?second|come back fast|response time|応答時間"
)
TOP_PRIORITY = (
    r"一番|最も|何より|最優先|第一|重視|大事|重要|優先|most important|top priority|above all|"
    r"first and foremost|matters most|more than anything|key|priority|crucial|critical|main concern|first\b|"
    r"何よりも|とにかく"
)
LOW_BUDGET = (
    r"(?:money|budget|cash) is (?:really |very |super )?tight|tight tho|cash-?strapped|"
    r"お金(?:は|を)?(?:あまり|あんまり)?(?:かけたくない|かけられない)|タダ同然|ただ同然|"
    r"予算(?:は|が)?(?:かなり|とても|すごく|非常に)限られ|(?:can'?t|cannot) spend much|"
    r"\bno budget|no money|tight budget|limited budget|small budget|shoestring|as cheap as possible|"
    r"lowest cost|minimal cost|お金(?:は|が)?(?:ない|かけられない)|予算(?:は|が)?(?:ない|ほぼない|"
    r"少な|多くな|限られ|あまりな|ほとんどな)|安さ|安く|安い|安価|格安|低コスト|低価格|無料|節約|cheap|"
    r"low[- ]cost|inexpensive|\bfree\b|budget[- ]conscious|cost[- ]conscious|on a budget|コスト重視|コスト優先|予算(?:は|が)?(?:ほぼ)?(?:ゼロ|0円|なし)|ほぼゼロ"
)
#: a middle budget said in words
MEDIUM_BUDGET = (
    r"medium budget|moderate budget|mid-?range budget|middling budget|nothing crazy|"
    r"予算(?:は|も)?(?:中くらい|中程度|そこそこ|ほどほど|普通)"
)
#: one quality traded for another: "fast > accurate", 「精度が多少落ちても速い方」, "cost is secondary"
TRADE_OVER = r"\s*>\s*|\s+matters? more than\s+|\s+over\s+|より(?:も)?|\s+before\s+|\s+is more important than\s+"
TRADE_GIVEN_UP = (
    r"(?P<x>\S{1,12}?)(?:が|は)?(?:多少|少し|ちょっと)?(?:落ちても|下がっても|犠牲|二の次|劣っても)|"
    r"(?:give up|sacrifice|trade (?:off|away)) (?:a (?:bit|little) of |some )?(?P<y>\w+)|"
    r"(?P<z>\b\w{1,16}) (?:is|are) secondary|at the expense of (?P<w>\w+)"
)
#: equal quality, so the price decides: 「同じくらいの精度なら」, "close in quality"
SAME_QUALITY = (
    r"同じ(?:くらい|ぐらい|程度)の(?:精度|性能|品質)|(?:精度|性能|品質)が同じ(?:くらい|程度)?なら|"
    r"close in (?:quality|accuracy)|(?:similar|same|comparable) (?:quality|accuracy)|"
    r"don'?t need frontier|no need for (?:the )?(?:best|frontier)|高いモデルは(?:要らない|いらない|不要)"
)


def priority(t: str, found: dict[str, object]) -> None:
    def level(pattern: str) -> tuple[bool, bool]:
        ms = [m for m in mentions(t, pattern) if not _any(MODERATE, m.clause[m.end : m.end + 12])]
        return any(not m.negated for m in ms), any(
            not m.negated and _any(TOP_PRIORITY, m.clause) for m in ms
        )

    no_object = _any(NO_OBJECT, t)
    accuracy, acc_top = level(ACCURACY)
    cost, cost_top = level(COST)
    speed, speed_top = level(SPEED)
    speed = speed or _any(SPEED_COMPLAINT, t)
    if no_object:
        cost, cost_top = False, False
        accuracy = True
        found["budget"] = "high"
    low_budget = any(m.affirmed for m in mentions(t, LOW_BUDGET)) and not no_object
    if low_budget:
        cost = True
        found["budget"] = "low"
    if _any(MEDIUM_BUDGET, t) and "budget" not in found:
        found["budget"] = "medium"
    tops = [
        p for p, top in (("accuracy", acc_top), ("cost", cost_top), ("speed", speed_top)) if top
    ]
    if traded := _tradeoff(t):
        found["priority"] = traded
    elif _any(BALANCE, t):
        found["priority"] = "balanced"
    elif len(tops) == 1:
        found["priority"] = tops[0]
    elif accuracy and cost:
        found["priority"] = "balanced"
    elif accuracy:
        found["priority"] = "accuracy"
    elif cost:
        found["priority"] = "cost"
    elif speed:
        found["priority"] = "speed"


def _quality(term: str) -> str | None:
    """The priority a short term names (accuracy, cost or speed), if one."""
    named = next((name for name, pattern in _QUALITIES.items() if _any(pattern, term)), None)
    if named is None and _any(r"price|bill|単価|料金|費用|お金|コスト|cost", term):
        return "cost"
    return named


def _tradeoff(t: str) -> str | None:
    """A priority said as one quality over another: "fast > accurate", "unit price matters more
    than speed", 「精度が多少落ちても速く」, "cost is secondary", 「同じくらいの精度なら安い方」."""
    if _any(SAME_QUALITY, t):
        return "cost"
    for c in clauses(t):
        for m in re.finditer(TRADE_OVER, c):
            first, second = (
                _quality(c[max(0, m.start() - 16) : m.start()]),
                _quality(c[m.end() : m.end() + 16]),
            )
            if first and second and first != second:
                # 「AよりB」 puts B first; "A > B", "A over B" put A first
                return second if m.group(0).startswith("より") else first
    for m in re.finditer(TRADE_GIVEN_UP, t):
        given = _quality(next(g for g in m.groups() if g))
        if given is None:
            continue
        rest = t[: m.start()] + " " + t[m.end() :]
        others = [
            q for q in ("speed", "cost", "accuracy") if q != given and _any(_QUALITIES[q], rest)
        ]
        if len(others) == 1:
            return others[0]
        if given in ("cost", "speed") and not others:
            return "accuracy"  # "cost is secondary"
    return None


#: the words of each priority, in the order a short term is read
_QUALITIES = {"speed": SPEED, "cost": COST, "accuracy": ACCURACY}
