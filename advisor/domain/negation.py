"""Clauses and negation scope for the needs rules (ja/en), in the manner of NegEx.

A text is split into clauses (sentences, then contrastive or causal joints such as
「が」「けど」「ので」, "but", "because"). A concept found in a clause is *negated* when a
negation trigger governs it inside that clause: in English a trigger before it ("no GPU",
"can't use an API") or a negative predicate after it ("the cloud is not allowed"); in Japanese
a negative predicate after it (「APIは使えない」「GPUはない」「クラウドはNG」). Pseudo-negations
are not negations: 「問題ない」「構わない」 and "no problem" accept; 「しか〜ない」 and
"nothing but" mean "only"; 「〜ないといけない」 means "must". A clause with a condition
("if we mask…", 「〜なら」) is marked conditional, so conditional consent is not a refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from itertools import pairwise

# -- clauses ------------------------------------------------------------------------------------

# sentence ends; a "." only when not between digits or inside a name ("1.5", "gpt-4.1")
_SENTENCE = re.compile(r"[。．!！;；\n]+|[?？]+(?![はがをもの])|\.(?=\s|$)")
# Japanese joints after a predicate: 「使えないが」「あるけど」「扱うので」「ないから」
_JA_JOINT = re.compile(
    r"(?<=な)ので|(?:(?<=[いるたすだうくぐむぶつぬ])|(?<=ない)|(?<=です)|(?<=ます)|(?<=ません)|(?<=[^a-z]ng)|(?<=[^a-z]ok))"
    r"(?:が|けど|けれど(?:も)?|ので|から|のに)(?=[、,\s]|[^\s、,]|$)"
    r"|(?<=[いるた])し(?=[、,])"
    r"|(?:しかし|ただし|ただ、|でも、|一方|ですが|だが|けど|けれども)"
    r"|(?<=[いるたすだ可])[、,]|(?<=ない)[、,]|(?<=ません)[、,]|(?<=です)[、,]|(?<=[^a-z]ng)[、,]"
    r"|(?<=なし)[、,]|(?<=無し)[、,]|(?<=あり)[、,]|(?<=[^a-z]ok)[、,]"
)
_EN_JOINT = re.compile(
    r"(?<!anything )(?<!nothing )\bbut\b|\b(?:however|although|though|whereas|while|yet|except|so|because|since|as long as|"
    r"and then|instead)\b|,\s*(?=(?:we|i|it|our|the|just|only|and|they|you|my|data|budget|"
    r"that|which|this|there)\b)|\band (?=(?:i|we|it|they|you|my|our|the data|data)\b)|"
    r"\s-\s|—"
)


@lru_cache(maxsize=32)
def clauses(text: str) -> tuple[str, ...]:
    """Split a normalised (NFKC, lowercased) text into clauses (cached: every concept of one
    reading asks for the same split)."""
    out: list[str] = []
    for sentence in _SENTENCE.split(text):
        for part in _EN_JOINT.split(sentence):
            out.extend(p for p in _JA_JOINT.split(part) if p and p.strip(" 、,"))
    return tuple(out)


# -- triggers -----------------------------------------------------------------------------------

# English triggers before the concept (the concept is in their scope until the clause ends)
_EN_PRE = re.compile(
    r"\b(?:no|not|never|none|nothing|neither|nor|without|avoid(?:ing)?|instead of|rather than|"
    r"other than|can'?t|cannot|can not|couldn'?t|don'?t|do not|doesn'?t|does not|didn'?t|"
    r"won'?t|will not|wouldn'?t|isn'?t|aren'?t|mustn'?t|must not|shouldn'?t|should not|"
    r"may not|not allowed to|forbidden to|prohibited from|banned from|unable to|refuse to|"
    r"zero|lack|lacking|anything but)\b"
)
# English negative predicates after the concept ("API is not allowed", "GPU: none")
_EN_POST = re.compile(
    r"\b(?:is|are|was|were)?\s*(?:not|n't)\s+(?:really\s+)?(?:allowed|an option|possible|"
    r"ok(?:ay)?|acceptable|permitted|available|needed|necessary|required|wanted|an? (?:option|"
    r"choice)|in scope|important|a priority|a concern|the point|critical|crucial|essential|"
    r"(?:the|a) (?:main|big|major|top) (?:concern|priority|issue|factor|thing))\b|"
    r"\bout of (?:scope|the question)\b|\bis out\b|\bnot in scope\b|\bsecondary\b|\bnot a must\b|"
    r"\b(?:is|are)\s+(?:forbidden|prohibited|banned|off the table|out of the question|"
    r"a no-?go|not for us|unnecessary|unneeded|irrelevant)\b|\bno-?go\b|\bnot needed\b|"
    r"\bnot required\b|\bunnecessary\b|\bnone\b|\bnot a priority\b|\bdoesn'?t matter\b|"
    r"\b(?:isn'?t|is not|not) (?:going to be )?happening\b|\bno way\b|"
    r"\bdon'?t (?:need|care|want)\b|\bnot (?:really )?(?:important|needed|a concern)\b"
)
# pseudo-negations: acceptance or emphasis, not refusal
_EN_PSEUDO = re.compile(
    r"\bno (?:problem|issue|worries|objection|concern|restriction)s?\b|\bnot a problem\b|"
    r"\bnot an issue\b|\bnot only\b|\bnot just\b|\bno matter\b|\bdon'?t mind\b|"
    r"\bnothing but\b|\bno other than\b|\bcan'?t (?:wait|stress)\b|\bno doubt\b|"
    r"\bno later than\b|\bnot (?:more|less) than\b|\bno (?:more|less) than\b|"
    r"\bdoesn'?t have to be (?:cheap|fast)\b|\b(?:runs?|is hosted|is processed) doesn'?t matter\b|"
    r"\b(?:doesn'?t|does not) matter (?:to (?:us|me) )?(?:whether|if)\b|\b(?:don'?t|doesn'?t) care (?:whether|if)\b"
)
# Japanese negative predicates after the concept
_JA_POST = re.compile(
    r"ない|ません|無い|無し|なし|不可|不能|(?<![a-z])ng(?![a-z])|ダメ|だめ|駄目|禁止|厳禁|不要|要らない|いらない|"
    r"しない|しなく|避け|使えず|できず|せず|さず|ずに|使わず|不採用|対象外|以外|ノー|無理|むり|"
    r"非対応|持ってない|持っていない|ありません|はなく|ではなく|じゃなく|でなく|やめ|止め|控え|"
    r"まずい|やらない|やりません|二の次|後回し|ブロック|遮断|ちょっと(?:…|\.\.\.|・・・|厳し|無理)|"
    r"どうでもいい|こだわらない|気にしな|気にしま|"
    r"なくて(?:いい|よい|も|ok|大丈夫|構わ)|いらん|要りません|いりません|"
    r"論外|ありえない|あり得ない|考えられない|もってのほか|以ての外"
)
# Japanese pseudo-negations: 「問題ない」 accepts, 「しか…ない」 means only, 「ないと…」 must
_JA_PSEUDO = re.compile(
    r"問題(?:は)?(?:ない|なし|ありません)|構わない|かまわない|構いません|かまいません|差し支えない|"
    r"気にしない|支障(?:は)?ない|抵抗(?:は)?ない|しか[^、。]{0,16}?(?:ない|ません|ず)|"
    r"ないと(?:いけ|だめ|ダメ|困|なら)|なければ(?:なら|いけ)|なきゃ|ざるを得|のみ|だけ|"
    r"少ない|足りない|限りない|間違いない|違いない|に過ぎない|ないか[?？]?$|"
    r"ほかない|他ない|しかない|ようがない|ないかな|ないでしょうか|ませんか|"
    r"(?:ダメ|だめ|駄目|禁止|不可|ng|無理)(?:って|という)?わけ(?:では|じゃ)(?:ない|ありません)|"
    r"禁止(?:は)?(?:され)?(?:て)?(?:い)?(?:ない|ません)|(?:ダメ|だめ|ng|不可)じゃない|"
    r"じゃないと|でないと|ないと(?!いう|いった)|きれず|切れず|越したことはない|に越した|ないなら|なければ|"
    r"困らない|困りません|問わない|問いません|(?:縛り|制約|制限)(?:は|も)?(?:特に)?(?:ない|ありません)|困る(?:もの|こと|データ)?(?:は)?(?:何も|特に|別に)?(?:ない|ありません)"
)
# a negation denied in turn: 「出せないデータ、ってわけじゃない」「上げられないようなデータではない」
_JA_DOUBLE = re.compile(
    r"^(?:(?:ような|よう)?(?:データ|もの|情報|内容|資料)[、,]?(?:って|という)?(?:わけ)?|[、,]?(?:って|という)?わけ)"
    r"(?:では|じゃ)(?:ない|ありません|なく)(?!と)"
)
_CONDITIONAL = re.compile(
    r"\bif\b|\bas long as\b|\bprovided\b|\bonly when\b|\bon condition\b|\bassuming\b|"
    r"\bonce\b|なら|であれば|ならば|れば|場合(?:は|に)|条件で|条件付き|限り"
)


def search(pattern: str, text: str) -> re.Match[str] | None:
    """A lexicon pattern in normalised text, with ASCII word boundaries ("apiで" still matches
    r"\\bapi\\b")."""
    return re.search(pattern, text, re.ASCII)


def has(pattern: str, text: str) -> bool:
    return search(pattern, text) is not None


class Polarity(Enum):
    positive = "positive"
    negated = "negated"
    conditional = "conditional"


@dataclass(frozen=True)
class Mention:
    """One occurrence of a concept in a clause, with its polarity."""

    clause: str
    start: int
    end: int
    polarity: Polarity

    @property
    def negated(self) -> bool:
        return self.polarity is Polarity.negated

    @property
    def affirmed(self) -> bool:
        return self.polarity is not Polarity.negated


#: how far after a concept a Japanese negative predicate may stand, and where its reach stops
_JA_WINDOW = 24
_JA_STOP = re.compile(r"(?<=[てで])[、,]|たら|ように|ために|ため、|とき|時に")
_JA_PARTICLE = re.compile(r"[はがをでにもと]")


def _ja_negated(after: str) -> bool:
    """A Japanese negative predicate governs the concept (the rest of its clause follows it)."""
    after = after[:_JA_WINDOW]
    stop = _JA_STOP.search(after)
    if stop:
        after = after[: stop.start()]
    # a 「、」 ends the reach unless it only continues a list (「外部API、クラウドは使えない」)
    comma = re.search(r"[、,]", after)
    if comma and (_JA_PARTICLE.search(after[: comma.start()]) or "なら" in after[comma.end() :]):
        after = after[: comma.start()]
    # the predicate nearest after the concept decides; pseudo-negations first
    pseudo = _JA_PSEUDO.search(after)
    neg = _JA_POST.search(after)
    if neg is None:
        return False
    if _JA_DOUBLE.match(after[neg.end() :]):
        return False
    return not (pseudo is not None and pseudo.start() <= neg.end() and neg.start() < pseudo.end())


def _en_scope(before: str) -> str:
    """The part of `before` that a trigger's scope reaches: a comma ends it unless what follows
    continues a list ("no OpenAI, Anthropic or any cloud API")."""
    parts = re.split(r"[,、]", before)
    if len(parts) > 1 and not re.search(r"\b(?:or|and|nor)\b", parts[-1]):
        return parts[-1]
    return before


def _en_negated(before: str, after: str) -> bool:
    after = re.split(r"[,、]", after, maxsplit=1)[0]  # a predicate after a comma is another's
    before = _EN_PSEUDO.sub(" ", _en_scope(before))
    after_clean = _EN_PSEUDO.sub(" ", after)
    if _EN_PRE.search(before):
        return True
    return bool(_EN_POST.search(after_clean[:60]))


def polarity(clause: str, start: int, end: int) -> Polarity:
    before, after = clause[max(0, start - 160) : start], clause[end : end + 160]
    ascii_clause = not re.search(r"[\u3040-\u30ff\u3400-\u9fff]", clause[end : end + 30])
    negated = _ja_negated(after) or (
        (ascii_clause and _en_negated(before, after)) or _en_negated(before, "")
    )
    if negated:
        return Polarity.negated
    if _CONDITIONAL.search(clause):
        return Polarity.conditional
    return Polarity.positive


_ANSWER_NO = re.compile(
    r"^\s*(?:no\b|nope|none|not really|nah|いいえ|いや|(?:そんなの|それは)?ない|ありません|なし|無し|特に(?:ない|なし|ありません)|"
    r"しない|しません|やらない|不要|使えない|使わない|ダメ|だめ|ng\b)"
)
_ANSWER_YES = re.compile(r"^\s*(?:yes|yep|yeah|sure|はい|ある|あります|する|します|必要|ok\b|うん)")


def _answered(text: str, pat: re.Pattern[str]) -> list[Mention]:
    """A concept asked about in a question and answered by a bare yes/no right after it
    (「GPUはありますか？ A: ないです」, "Fine-tuning? No."). Linear in the text's length."""
    out = []
    parts = re.split(r"[?？]", text)
    for question, rest in pairwise(parts):
        asked = re.split(r"[。.!！\n]", question)[-1]
        answer = re.sub(r"^\s*(?:→|->|a\s*[:：]|答え\s*[:：])?\s*", "", rest[:40])[:24]
        no, yes = _ANSWER_NO.search(answer), _ANSWER_YES.search(answer)
        if not (no or yes):
            continue
        for m in pat.finditer(asked):
            polarity = Polarity.negated if no else Polarity.positive
            out.append(Mention(asked, m.start(), m.end(), polarity))
    return out


def mentions(text: str, pattern: str | re.Pattern[str]) -> list[Mention]:
    """Every match of a concept's pattern in the clauses of `text`, with its polarity."""
    pat = re.compile(pattern, re.ASCII) if isinstance(pattern, str) else pattern
    answered = _answered(text, pat)
    if answered:
        return answered
    out: list[Mention] = []
    for clause in clauses(text):
        for m in pat.finditer(clause):
            out.append(Mention(clause, m.start(), m.end(), polarity(clause, m.start(), m.end())))
    return out


def stated(text: str, pattern: str | re.Pattern[str]) -> bool | None:
    """True when the concept is affirmed somewhere, False when only negated, None when absent.
    An affirmation wins over a negation elsewhere ("no cloud… we'll use the cloud API")."""
    found = mentions(text, pattern)
    if not found:
        return None
    return any(m.affirmed for m in found)
