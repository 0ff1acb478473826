"""What a message asks: one or more question kinds, read by rules (ja/en), no LLM needed.

Kinds: recommend, compare, fit, cost, lifecycle, model, explain, decide, why_not,
out_of_scope. A message may ask two things ("what is LoRA, and which models support it").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal, get_args

Kind = Literal[
    "recommend",
    "compare",
    "fit",
    "cost",
    "lifecycle",
    "model",
    "explain",
    "decide",
    "why_not",
    "out_of_scope",
]
KINDS: tuple[Kind, ...] = get_args(Kind)

#: the kind's label in the interface language (ja, en)
KIND_LABELS: dict[str, tuple[str, str]] = {
    "recommend": ("おすすめ", "recommendation"),
    "compare": ("比較", "comparison"),
    "fit": ("動作可否(メモリ)", "hardware fit"),
    "cost": ("費用", "cost"),
    "lifecycle": ("提供状況", "availability"),
    "model": ("モデルの説明", "about a model"),
    "explain": ("用語・基準の説明", "explanation"),
    "decide": ("選択の判断", "decision"),
    "why_not": ("候補にない理由", "why not"),
    "out_of_scope": ("対象外", "out of scope"),
}


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_EXPLAIN = _rx(
    r"とは|って(?:そもそも)?(?:何|なに|なん|どういう|どんな)|というのは|の意味|意味(?:は|を|が|です)|同じ意味|どういう(?:意味|こと|もの)"
    r"|のこと[?？]|どう違|違い|使い分け|なぜ|なんで|どうして|ってどう|本当[?？]|そもそも"
    r"|仕組み|説明して|解説|わかりやすく|分かりやすく|教えて|知りたい|初心者|違いがわから"
    r"|\bwhats?\b|\bwhat(?:'s| is| are| does| do)\b|\bexplain|\bmeaning\b|\bmean\b|how (?:does|do|is|are|can)\b"
    r"|\bwhy\b|\bdifference\b|\bsame (?:thing|as)\b|\bvs\.?\b"
    r"|\bdefin|\beli5\b|in (?:simple|plain) (?:terms|english|words)|\bwhat.{0,12}\bfor\b"
)
_DEFINE = _rx(
    r"とは|って(?:そもそも)?(?:何|なに)|の意味|意味(?:は|を)|\bexplain\b|\bmeans?\b"
    r"|\bwhat(?:'s| is| are) (?:an? )?(?!(?:the|its|their|this|that|his|her)\b|[\w.\- ]+'s\b)"
)
_CRITERIA = _rx(
    r"基準|選び方|選定(?:の)?(?:ポイント|方法)|観点|[①②③④⑤⑥]|ガイド|\bguide\b|\bcriteri|how (?:do|should|to) (?:i |we )?"
    r"(?:choose|pick|select) an? (?:llm|model)|how to choose"
)
_COMPARE = _rx(
    r"\bvs\.?(?![a-z])|versus|違い|違う|ちがい|比較|比べ|どっち|どちら|差(?:は|が|って|ある)|価値|乗り換え|勝|優れ|上なの|より(?:も)?(?:良|い|安|速|強|上|大|小)"
    r"|\bdiffer|\bcompar|\bbetter\b|\bworse\b|\bcheaper\b|\bfaster\b|\bstronger\b|\bwhich (?:one|is)\b"
    r"|\bor\b"
)
_FIT = _rx(
    r"動く|動か|動作|載る|載せ|乗る|乗せ|入る|入ら|収ま|足り|走る|走ら|回せ|回る|回ら|いける|行ける"
    r"|何gb|何ギガ|どのくらいのgpu|どんなgpu|必要なgpu|gpu(?:は|が)?(?:何|どれ|いる|要る|必要)|vram|メモリ(?:は|が)?(?:どれ|何|足|いる|要る|必要)"
    r"|速度|速さ|何トークン|tok/s|tokens?/s|トークン/秒|量子化|\bq[48]\b|\bfp16\b"
    r"|\brun\b|\bruns\b|\brunning\b|\bfit\b|\bfits\b|\bload\b|\bhost\b|how fast|\bspeed\b|\bquant"
    r"|\busable on\b|\bwork on (?:my|a|an|the)\b|使い物|実用的"
    r"|enough (?:vram|memory|ram)|how much (?:vram|memory|ram)|what (?:gpu|hardware)|which gpu"
    r"|\bneed (?:a|an|to buy) .{0,20}gpu"
)
_COST = _rx(
    r"いくら|料金|費用|コスト|値段|価格|月額|月に|毎月|円|ドル|予算|お金|請求|かかる|掛かる|見積|試算|安い|高い"
    r"|how much|\bcost|\bprice|\bpricing|per month|monthly|a month|\$|\bbudget|\bbill|\bspend|expensive|\bpay\b"
    r"|ballpark|estimate|cheap"
)
_PRICE_ONLY = _rx(
    r"per (?:million|1m|m|1,000,000) tokens|per token|100万トークン(?:あたり|当たり)|1m ?tokens|単価|料金体系|\bpricing\b"
)
_LIFECYCLE = _rx(
    r"まだ.{0,12}(?:使|利用|ある|あり|提供|買|生き|大丈夫|いけ|動)|もう.{0,8}(?:使えない|ない|終わ)|使い続け|廃止|終了|"
    r"引退|後継|代わり|代替|いつまで|非推奨|打ち切|なくなる|無くなる|使えなくな|移行先|乗り換え先"
    r"|deprecat|retire|shut ?down|shutting|sunset|end[- ]of[- ]life|\beol\b|\bstill (?:call|use|access|get|run)\b|still (?:available|around|"
    r"supported|usable|work|use|be used|a thing|alive|offered)|successor|replacement|replace[sd]?\b|discontinu|going away|"
    r"phas(?:ed|ing) out|no longer|being removed|what should i (?:move|migrate|switch) to"
)
_WHY_NOT = _rx(
    r"(?:なぜ|なんで|何で|どうして).{0,30}(?:ない|無い|入って|外|出て|ません|落ち|低い|下|漏れ)"
    r"|(?:入って|入れて|出て|含まれて)(?:い)?ない|外れ|候補に(?:ない|無い|入らない)|選ばれ(?:ない|なかった)|ないのはなぜ|ないの\?"
    r"|\bwhy\b.{0,40}(?:\bnot\b|n't|\bno\b|missing|left out|excluded|lower|drop|skip|ranked|instead)"
    r"|\bwhat about\b|\bhow about\b|(?:not|isn't|wasn't) (?:in|on) (?:the|my) (?:list|shortlist)"
    r"|ダメ|駄目|だめ|は[?？]|ならない|じゃない|どうなの|はどう|where'?s\b|where is\b|left out|how come|instead of"
    r"|\bskip|\bmiss(?:ed|ing)\b"
)
_DECIDE_TOPIC = _rx(
    r"api.{0,30}(?:ローカル|local|オンプレ|自前|自社|self.?host|on.?prem|社内|手元)"
    r"|(?:ローカル|local|オンプレ|自前|自社|self.?host|on.?prem|社内|手元).{0,30}api"
    r"|(?:クラウド|cloud).{0,30}(?:ローカル|local|オンプレ|自前|on.?prem)|(?:ローカル|local|オンプレ|on.?prem).{0,30}(?:クラウド|cloud)"
    r"|(?:open|オープン).{0,30}(?:closed|proprietary|クローズ|プロプライエタリ|商用モデル)"
    r"|(?:closed|proprietary|クローズ|プロプライエタリ).{0,30}(?:open|オープン)"
    r"|(?:gpu|グラボ).{0,20}(?:買|購入|buy|purchase|own)|(?:買|購入|buy|purchase).{0,20}(?:gpu|rtx|グラボ|radeon|mac)"
    r"|従量|pay[- ]?(?:per|as)|per[- ]token|(?:rent|レンタル).{0,20}(?:buy|購入)|(?:buy|購入).{0,20}(?:rent|レンタル)"
)
_DECIDE = _rx(
    r"べき|どっち|どちら|迷って|悩んで|決め|判断|選ぶ|選択|いい\?|良い\?|ほうが|方が|意味(?:って|は)?ある|価値|元が取れ"
    r"|\bshould\b|\bwhich\b|\bor\b|\bvs\.?|versus|\bdecide|better (?:to|off|for us)|worth|makes? sense"
)
#: no network where it runs: criterion ⑥ is settled by the constraint, and the answer says so
_OFFLINE = _rx(
    r"(?:ネット|インターネット|外部)(?:に|へ|と)?(?:は)?(?:つなが|繋が|接続でき|出られ)(?:ら|れ)?ない|オフライン|閉域|エアギャップ"
    r"|air.?gapped|\boffline\b|no (?:internet|network)(?: access| connection)?|(?:isn'?t|not) connected to the internet"
)
_RECOMMEND = _rx(
    r"おすすめ|オススメ|お勧め|お薦め|推奨|推薦|どのモデル|どれ(?:が|を|に)|何(?:を|が)(?:使|いい|良)|なにを使|なにがいい|選んで|候補"
    r"|どんなモデル(?:が|を)|使えるモデル|モデル(?:は|を)(?:教|探)|ありますか|どれなら|どのllm|代わりになる"
    r"|which (?:model|llm|one|ones|models)|what (?:model|llm|models)|recommend|suggest|best\b|good (?:model|llm|option|choice)"
    r"|\bgood\b.{0,16}\b(?:models?|llms?)\b"
    r"|should i use|alternatives?|\boptions?\b|\bpick\b|looking for|i need an? (?:model|llm)|any (?:model|llm)s?"
    r"|which .{0,20}support|models? (?:that|which) (?:support|can|run|fit)"
)
_ABOUT = _rx(
    r"について|とは|って(?:何|なに|どう|どんな|いい|強い)|どんな|教えて|詳しく|特徴|概要|強み|弱み|評判|スペック|性能"
    r"|tell me about|\bwhat(?:'s| is)\b|\babout\b|overview|\binfo\b|details|how good|\bgood\b|\bspecs?\b|strengths?"
)
_ABOUT_STRONG = _rx(
    r"について|とは|って(?:何|なに|どんな|どう)|どんなモデル|詳しく|特徴|概要|強み|弱み|スペック"
    r"|tell me about|\bwhat(?:'s| is)\b|overview|\bspecs?\b|strengths?|weakness"
)
#: words that show the message is about LLMs at all (out of scope when none is there)
_DOMAIN = _rx(
    r"llm|\bgpt|\bai\b|人工知能|生成ai|モデル|\bmodels?\b|言語|chat|チャット|\bbots?\b|ボット|\bapi\b|gpu|\bcpu\b|vram"
    r"|token|トークン|推論|inference|要約|翻訳|コード補完|coding|rag|検索|fine.?tun|微調整|学習|ollama|llama|hugging"
    r"|オープン|ローカル|\blocal\b|クラウド|量子化|agent|エージェント|assistant|アシスタント|prompt|プロンプト"
    r"|embedding|埋め込み|推薦|おすすめ|recommend|claude|gemini|mistral|qwen|gemma|copilot"
)
#: a task put to the advisor itself ("write my essay", 「翻訳して」) rather than a question about models
_TASK = _rx(
    r"^(?:can you |could you |would you |please |pls )*(?:write|draft|compose|translate|summari[sz]e|solve|fix)\b"
    r"(?=.*(?:\b(?:my|this|these|that|it|me)\b|\ban? (?:essay|story|email|letter|haiku|poem|song|speech|"
    r"tweet|post|cover letter)\b|[\"「『]))"
    r"|^(?:can you |could you |please )*(?:tell me a joke|give me a recipe)"
    r"|^(?:can you |could you |please )*help me (?:pick|choose|write|name|plan|with) (?:a|an|my|our) (?!model|llm)"
    r"|(?:書いて|作って|翻訳して|要約して|解いて|考えて|訳して)(?:ください|下さい|くれ|ほしい|欲しい)?[。!?\s]*$"
    r"|どう訳|訳すと|訳し方"
)


#: a task-shaped message stays in scope only when it speaks of models
_LLM_WORDS = _rx(
    r"llm|\bgpt|\bai\b|モデル|\bmodels?\b|\bapi\b|gpu|おすすめ|recommend|\bwhich\b|どの|どれ|claude|gemini|llama"
)


@dataclass(frozen=True)
class Reading:
    """The kinds a message asks, the models and glossary terms it names, and why."""

    kinds: list[Kind]
    text: str = ""
    models: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)

    @property
    def primary(self) -> Kind:
        return self.kinds[0]


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def read_kinds(
    text: str,
    models: list[str],
    terms: list[str],
    stated: bool,
    has_history: bool = False,
    hardware: bool = False,
    workload: bool = False,
    use_case: bool = False,
) -> Reading:
    """The kinds `text` asks. `models`: the card ids it names; `terms`: the glossary terms it
    names; `stated`: whether it states any need; `hardware` / `workload`: whether it states a
    GPU/RAM or a volume of requests."""
    t = _norm(text)
    kinds: list[Kind] = []
    why: dict[str, str] = {}

    def add(kind: Kind, reason: str) -> None:
        if kind not in kinds:
            kinds.append(kind)
            why[kind] = reason

    named = len(models)
    if _TASK.search(t) and not named and not terms and not _LLM_WORDS.search(t):
        why["out_of_scope"] = "a task put to the advisor, not a question about models"
        return Reading(kinds=["out_of_scope"], text=text, models=models, terms=terms, why=why)
    if (
        named
        and _WHY_NOT.search(t)
        and (has_history or re.search(r"なぜ|なんで|どうして|\bwhy\b", t))
    ):
        add("why_not", "asks why a named model is missing or lower")
    if named and _LIFECYCLE.search(t):
        add("lifecycle", "asks whether a named model is still offered")
    if _DECIDE_TOPIC.search(t) and _DECIDE.search(t):
        add("decide", "weighs two ways of running a model")
    elif _OFFLINE.search(t) and not named:
        add("decide", "no network where it runs: API or local is settled by the constraint")
    # models named beside a stated use, with no question about them, are not what is asked
    if named >= 2 and (_COMPARE.search(t) or not (_other_cue(t) or use_case)):
        add("compare", f"names {named} models to set side by side")
    hardware_only = hardware and not use_case and not _COST.search(t) and not _RECOMMEND.search(t)
    if named and (_FIT.search(t) or hardware_only) and "why_not" not in kinds:
        add("fit", "asks whether a named model runs on stated hardware")
    price_only = _PRICE_ONLY.search(t) and not workload  # "per 1M tokens": a card's price
    if (
        _COST.search(t)
        and (named or workload)
        and not price_only
        and not (named >= 2 and "compare" in kinds and not workload)
    ):
        add("cost", "asks what a model or a workload costs")
    # with a model named, a term is usually that model's attribute ("the context window of X"):
    # a concept is asked about only in so many words
    cue = _DEFINE.search(t) if named else (_EXPLAIN.search(t) or len(t) <= 24)
    if terms and cue:
        add("explain", "asks what a concept means")
    elif _CRITERIA.search(t) and not named:
        add("explain", "asks about the guide's criteria")
    # a stated need with a model named is still a request for a shortlist ("recommend X"
    # in a question about code completion does not make X the answer); "tell me about X" is not
    if (
        named == 1
        and not kinds
        and (not stated or _ABOUT_STRONG.search(t))
        and not (stated and _RECOMMEND.search(t))
    ):
        add("model", "asks about one named model")
    other_first = bool(kinds) and kinds[0] in ("compare", "fit", "model")
    wants_more = re.search(r"他に|ほかに|代わり|instead|alternative|other", t)
    blocked = "why_not" in kinds or (named and "lifecycle" in kinds)
    if _RECOMMEND.search(t) and not blocked and (not other_first or wants_more):
        add("recommend", "asks which model to use")
    if not kinds:
        if named == 1 and not use_case:
            add("model", "names one model")
        elif stated or named or terms or _DOMAIN.search(t):
            if _TASK.search(t) and not _DOMAIN.search(t):
                add("out_of_scope", "a task, not a question about models")
            else:
                add("recommend", "states needs")
        else:
            add("out_of_scope", "not about choosing or running an LLM")
    elif kinds == ["explain"] and re.search(
        r"どの|どれ|\bwhich\b|\bwhat models?\b|使える|support", t
    ):
        add("recommend", "asks which models fit the concept")
    return Reading(kinds=kinds, text=text, models=models, terms=terms, why=why)


def _other_cue(t: str) -> bool:
    return bool(_FIT.search(t) or _COST.search(t) or _LIFECYCLE.search(t) or _RECOMMEND.search(t))
