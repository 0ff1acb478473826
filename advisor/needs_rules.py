"""Rules that read a needs profile from free text (ja/en, no LLM), aware of negation and scope.

Each concept (the API, the cloud, confidential data, a GPU, fine-tuning, ...) is a pattern over
the NFKC-lowercased text; `advisor.negation` tells for each mention whether it is affirmed,
negated in its clause, or conditional. Slots follow from those polarities, and every reading
that was inferred rather than stated is recorded in `assumptions`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from advisor.catalog import UseCase
from advisor.hardware import card_count, lookup_gpu
from advisor.needs import MAX_CONTEXT_TOKENS, Lang, Needs, detect_lang
from advisor.negation import Mention, clauses, mentions, stated

#: RAM assumed for a plain laptop / PC when no size is given (stated as an assumption)
DEFAULT_PC_RAM_GB = 16.0

# --- concepts ----------------------------------------------------------------------------------

_USE_CASE_RULES: list[tuple[str, UseCase]] = [
    (
        r"コード|プログラ|コーディング|補完|\bide\b|code|coding|program|copilot|developer|refactor|"
        r"python|javascript|typescript|バグ|debug|リファクタ|プルリク|pull request|\bpr review|"
        r"vs ?code|autocomplete|エンジニア向け|unit tests?|テストコード|コードレビュー|code review",
        UseCase.code,
    ),
    (
        r"翻訳|訳す|訳し|訳せ|和訳|英訳|通訳|translat|locali[sz]|ローカライズ|"
        r"(?:into|to) (?:english|japanese|chinese|korean|french|german|spanish)\b|"
        r"(?:英語|日本語|中国語|韓国語|多言語)(?:に|へ)(?:直|変換)|を(?:日本語|英語)で読め|"
        r"日→英|英→日|多言語化|(?:英語|日本語|中国語|韓国語)(?:の[^。]{0,12})?を(?:日本語|英語|中国語|韓国語)に"
        r"(?:し|変え|直)",
        UseCase.translation,
    ),
    (
        r"要約|まとめ|サマリ|summar|digest|tl;?dr|議事録|minutes|condense|recap|要点|"
        r"(?:boil|cut) (?:it |them )?down|短くまとめ|abstract|key points|highlights|"
        r"transcripts?|サマリー|要旨|掻い摘|かいつま|振り返り|(?:を)?まとめさせ",
        UseCase.summarization,
    ),
    (
        r"チャット|会話|対話|問い合わせ|問合せ|カスタマー|サポート|窓口|接客|返信|応対|faq|"
        r"chat|conversation|assistant|customer (?:support|service|repl|inquir|question|email)|"
        r"help ?desk|\bbot\b|chatbot|reply to customers|answer customers|ボット|返事|お客さん|"
        r"お客様|顧客対応|質問に(?:自動で)?(?:答|返)|replies|support (?:emails?|tickets?)|"
        r"tickets|line(?:で|の)|dms?\b|direct messages|会話させ|プレイヤーと会話",
        UseCase.chat,
    ),
    (
        r"\brag\b|検索|社内文書|社内資料|社内規程|社内規定|社内wiki|ナレッジ|文書検索|情報抽出|抽出|"
        r"マニュアル(?:から|に基|をもと)(?!.{0,6}訳)|規程集|retriev|(?<!re)search|knowledge base|"
        r"q ?& ?a over|extract|(?:internal|company|our) (?:wiki|docs|documents|documentation|"
        r"manuals?|policies|handbook|knowledge)|from (?:our|the) (?:wiki|docs|documents|"
        r"manuals?|pdfs?|handbook)|over (?:our|the) (?:docs|documents|pdfs|manuals)|"
        r"(?:資料|文書|ドキュメント|pdf|マニュアル|wiki)(?:を|から|に)(?:検索|参照|もとに|基に|元に)|"
        r"(?:マニュアル|文書|資料|規程|規定|wiki|ドキュメント|ログ|議事録|ナレッジ)[^。.]{0,16}"
        r"(?:答え|回答|探)|(?:から|を)(?:答えを)?探して|confluence|notion|sharepoint|"
        r"(?:マニュアル|規程|文書)[^。]{0,6}q ?& ?a|(?:from|using) (?:our|the) [^,.]{0,30}(?:manuals?|"
        r"docs|documents|handbook|wiki|pages|pdfs?|policies)\b|google drive|questions about [^,.]{0,30}(?:contracts|documents|policies|manuals|docs|"
        r"records|handbook)|answers? from (?:the |our )?[^,.]{0,20}(?:manuals?|docs|documents|"
        r"pages|wiki|handbook|pdfs?)",
        UseCase.rag,
    ),
    (
        r"文章|記事|ブログ|執筆|作文|コピー|ライティング|メール|writ|blog|article|copy|essay|"
        r"content generation|text generation|marketing|キャッチ|広告文|原稿|newsletter|sns投稿|"
        r"説明文|商品説明|シナリオ|小説|物語|台本|description|stories|story|novel|scripts? for|"
        r"セリフ|台詞|自動生成|下書き|文面|文案|(?:問題|問題文|コメント|解説)(?:を)?(?:作|書|つけ|生成)|"
        r"drafts?\b|dialogue|posts\b|emails?\b",
        UseCase.text_generation,
    ),
    (
        r"エッジ|組み込み|スマホ|モバイル|ラズパイ|raspberry|edge|on-?device|mobile|phone|"
        r"embedded|iot|jetson|tablets?|タブレット|raspberry pi|端末上|デバイス上|on the device",
        UseCase.edge,
    ),
]

_FINETUNE = (
    r"ファインチューニング|ファインチューン|ふぁいんちゅーにんぐ|微調整|追加学習|チューニング|\bft\b|"
    r"独自データで学習|自社データで学習|自社データで(?:追加)?学習|学習させ|"
    r"lora|qlora|fine[- ]?tun|finetun|train(?:ing)? (?:it |the model |a model )?on (?:our|my)|"
    r"custom training|adapter|further train|adapt the model|retrain|(?:train|adapt)(?: or "
    r"(?:train|adapt))? the model"
)
_AS_IS = r"そのまま使|そのままで|素のまま|as[- ]is|out of the box|off[- ]the[- ]shelf|no training"

_JAPANESE = (
    r"日本語|japanese|和文|敬語|和訳|日英|英日|日→|→日|日本向け|日本の(?:顧客|ユーザー|お客)|"
    r"ja-?en|en-?ja"
)
_ENGLISH_ONLY = (
    r"english only|english-only|only english|英語のみ|英語だけ|英語しか|"
    r"英語以外(?:の言語)?(?:は|も)?(?:使わな|使いません|扱わな|扱いません|不要|いらな|要らな)|"
    r"(?:need|use|support) (?:any |no )?languages? other than english|english and nothing else"
)
_JAPANESE_ONLY = (
    r"日本語以外(?:の言語)?(?:は|も)?(?:使わな|使いません|扱わな|扱いません|不要|いらな|要らな)|"
    r"japanese only|日本語のみ|"
    r"日本語だけ|日本語しか"
)
_OTHER_LANG = r"english|英語|chinese|中国語|korean|韓国語|french|german|spanish|フランス語|ドイツ語"
_MANY_LANG = (
    r"多言語|100言語|多数の言語|いろいろな言語|many languages|multilingual|"
    r"\d{2,}\+?\s*languages|low-?resource|少数言語|各国語|multiple languages|several languages|"
    r"\d{2,}(?:以上の|超の)?言語|\d+\s*か?国語|多くの言語|lots of languages|many different languages|数十(?:の|か国)?(?:言語|語)|dozens of (?:different )?languages|"
    r"いろんな言語|様々な言語|さまざまな言語|各国(?:の)?言語|every major (?:[a-z]+ )*languages?|"
    r"all major languages"
)

_LOCAL = (
    r"ローカル|オンプレ|社内サーバ|自社サーバ|社内のサーバ|自社のサーバ|自前|手元|自己ホスト|"
    r"セルフホスト|オフライン|閉域|社内ネットワーク|社内環境|社内で(?:動|運用|完結)|"
    r"\blocal(?:ly)?\b|on-?prem|self-?host|offline|air-?gap|behind (?:our|the) firewall|"
    r"in-?house server|our (?:own )?(?:servers?|hardware|infrastructure|datacenter|data center)|"
    r"my (?:own )?(?:pc|laptop|machine|server|computer|desktop)|自分のpc|自分のパソコン|"
    r"gpu(?:で|を)?動か|run (?:it )?(?:ourselves|myself)|on-?device|うちの(?:pc|パソコン|サーバ|マシン)|"
    r"社内pc|自社pc|院内|社内のpc|ネット(?:に|へ)?(?:つなが|繋が)(?:って|ってい|ら)?(?:ない|ません)|"
    r"(?:ネット|インターネット)接続(?:は|が)?(?:不可|なし|無し|できない)|no internet|without internet|"
    r"internet-?free|disconnected|ろーかる"
)
_API = (
    r"\bapis?\b|クラウド|saas|ホステッド|(?<!self-)(?<!self )hosted(?! on)|cloud|managed service|"
    r"外部サービス|外部のサービス|third[- ]party (?:service|provider|api)|"
    r"openai|chatgpt|anthropic|gemini api|bedrock|azure openai|vertex"
)
_OWN_INFRA = (
    r"サーバ(?:ー)?(?:は|を)?(?:持|用意|運用|管理)|インフラ(?:は|を)?(?:持|用意|運用|管理)|"
    r"自前で(?:サーバ|運用|ホスト)|(?:host|run|manage|maintain) (?:anything |it |models? )?"
    r"(?:ourselves|myself|on our own)|(?:our|my) own (?:servers?|infrastructure|gpus?)|"
    r"self-?host|運用(?:の手間|負担)"
)
_EITHER = (
    r"どちらでも|どっちでも|apiでもローカルでも|ローカルでもapiでも|either (?:way|is fine|works)|"
    r"doesn'?t matter whether|どこで動かしても|どこでも(?:いい|よい|大丈夫|ok)|happy with either|"
    r"either (?:a |an )?(?:hosted|api|cloud|local)|(?:don'?t|do not) care where|"
    r"wherever it runs|不問|either (?:route|option|approach|one)"
)
_ALSO_OK = (
    r"でも(?:ok|いい|よい|大丈夫|構わ|かまわ|可)|も(?:ok|いい|可)|also (?:ok|fine|acceptable|works?)|"
    r"would also work|is also fine|as well|otherwise|でも(?:別に)?(?:いい|よい)|ても(?:いい|よい|ok|大丈夫|構わ)"
)
_BALANCE = r"バランス|balance|both accurate and (?:cheap|affordable|inexpensive)|両立"
_COUNTERFACTUAL = (
    r"would be (?:fine|ok|okay|possible|an option) if [^.;]*(?:weren'?t|wasn'?t|were not|was not) "
    r"(?:so )?(?:confidential|sensitive|private|personal)|"
    r"(?:機密|個人情報|社外秘)(?:で)?(?:さえ|じゃ)?なければ[^。]*(?:api|クラウド)"
)
_FUTURE = (
    r"予定|買う|購入|導入したい|取れれば|来年|将来|いずれ|might get|next year|plan(?:ning)? to|"
    r"will (?:buy|get)|going to (?:buy|get)|later|eventually|someday|if we get"
)
_SPEED_COMPLAINT = (
    r"遅(?:い|く)(?:と|のは|のが|て)|待ちきれ|待たされ|too slow|takes (?:\w+ ){0,2}(?:seconds|minutes) "
    r"to|abandon it if"
)
_MODERATE = r"^(?:は|が)?(?:そこそこ|ほどほど|まあまあ|それなり|最低限|普通で)|good enough|doesn'?t have to be"
_EXCLUSIVE = r"しか|のみ|\bonly\b|has to|have to|must|need to"
# data that must be protected (the mention alone makes the advisor local-first)
_SENSITIVE = (
    r"社外秘|機密|秘密|極秘|個人情報|顧客データ|顧客情報|顧客名|お客様の(?:データ|情報)|患者|カルテ|"
    r"医療(?:データ|情報)|診療|病院|退院|カウンセリング|人事(?:データ|情報)|マイナンバー|プライバシ|"
    r"銀行|口座|人事|評価コメント|住民|相談内容|取引先の情報|健康診断|保健|成績|設計図面|"
    r"セキュリティポリシー|security policy|student records|grades|residents|benefit applications|"
    r"tax returns|proprietary|confidential|sensitive|private data|privacy|\bpii\b|personal (?:data|information|"
    r"info)|customer (?:data|records|information|info)|client (?:data|files|records|information)|"
    r"patient|medical|clinic|hospital|therap|health (?:data|records)|hipaa|gdpr|"
    r"trade secrets?|proprietary (?:data|code|documents)|internal[- ]only|classified|秘匿|"
    r"account data|\bbank\b|employee (?:data|records)"
)
# data leaving the premises (negated: the data must stay inside)
_DATA_OUT = (
    r"(?:社外|外部|外|クラウド|ネット|第三者|海外|ベンダー)(?:の[^、。]{0,10}?)?(?:に|へ|で)(?:は|も)?"
    r"[^、。]{0,8}?(?:出|送|上げ|渡|漏|預け|置|保存|アップ|入れ|投げ|経由)|"
    r"(?:paste|put|upload|send)\w* (?:\w+ ){0,3}into (?:chatgpt|any|an? |the cloud|external|hosted)|"
    r"(?:データ|情報|文書|資料|ソースコード|ファイル)(?:は|を|も)?(?:一切)?(?:出|渡|送|預け)(?:せ|さ|れ|し)|"
    r"外部送信|持ち出|外に漏|"
    r"leav(?:e|es|ing) (?:our|the|my|it|this)\b|"
    r"(?:go|leave|be sent|get sent|sent|move|goes) outside (?:of )?(?:our|the|my) \w+|"
    r"send (?:\w+ ){0,2}(?:out|off-?site|outside)\b|"
    r"(?:go|sent|send|upload|share|shared|transfer|transmitted|stored)\w* (?:\w+ ){0,3}"
    r"(?:to|with|on|in|outside) (?:an? |the |any )?(?:external|third|cloud|outside|vendor|"
    r"openai|internet|us servers|public)|stay (?:in-?house|inside|on-?prem|internal|local|"
    r"on our|within)"
)
_STAY_INSIDE = (
    r"stays? (?:in-?house|inside|on[- ]?prem|internal|local|on|in|within) (?:our|the|my)|"
    r"stays? (?:in-?house|inside|on[- ]?prem|internal|local)|社内(?:に留め|だけで|で完結)"
)
_NOT_SENSITIVE = (
    r"公開(?:済み|されている|情報|データ)|public (?:data|information|docs|documents)|"
    r"data is (?:all )?public|nothing (?:private|sensitive|confidential)|no (?:sensitive|private|"
    r"personal) data"
)
_DATA = r"データ|情報|文書|資料|書類|記録|data|records|documents|files|information"

_ACCURACY = (
    r"精度|高性能|最高|一番賢|賢い|正確|品質|高品質|難しい|複雑な|推論力|性能重視|ミスが許され|"
    r"\bbest\b|most accurate|accura|highest quality|top quality|state of the art|sota|smartest|"
    r"complex reasoning|quality|precise|precision|correct answers?|reliab|right answers?|"
    r"間違え(?:ない|ず)|ミスが(?:許|でき)|(?:can'?t|cannot) afford (?:any )?(?:mistakes|errors)|"
    r"no room for (?:error|mistakes)|no mistakes|正答|賢さ|has to be right|get it right|正確さ"
)
_NO_OBJECT = (
    r"regardless of cost|(?:cost|money|price|budget) is no object|コストは(?:問わ|気にしな)|"
    r"予算は(?:問わ|気にしな|気にしま|潤沢|いくらでも)|コストは気にしま|金に糸目|お金はかけて|費用は気にし|"
    r"(?:don'?t|do not) care (?:about|how much)(?: the)? (?:cost|price|money)|unlimited budget|"
    r"いくらかかっても|高くても(?:いい|よい|構わ|大丈夫)|お金はかけられ|費用は問わ|"
    r"cost (?:isn'?t|is not) (?:really )?(?:a|an) (?:concern|issue|problem)|not price[- ]sensitive|"
    r"(?:price|money|cost) (?:is not|isn'?t) an? (?:issue|concern)|money is no"
)
_COST = (
    r"安く|安い|安さ|安価|低コスト|低価格|コストを抑|コスト重視|コスト優先|価格重視|節約|無料|タダ|格安|"
    r"費用を抑|affordable|without breaking the bank|not too expensive|reasonably priced|手頃|\bcheap|low cost|low-cost|lowest cost|inexpensive|\bfree\b|cost-?effective|"
    r"minimi[sz]e (?:the )?cost|high volume|大量|高頻度|keep (?:the )?costs? down|コスパ|"
    r"cost matters|cost is (?:important|key|the priority)|cost-?sensitive|(?:cost|コスト)"
    r"(?:は|が)?(?:一番|最優先|重要|大事)"
)
_SPEED = (
    r"速い|速さ|速度|高速|早く|早い|スピード|低遅延|レイテンシ|リアルタイム|即答|即時|レスポンス|"
    r"応答(?:の)?(?:速|時間)|待たせ|サクサク|軽量|軽い|小型|小さ|"
    r"\bfast|speed|latency|real-?time|quick|snappy|responsive|instant|lightweight|tiny|"
    r"\bsmall (?:model|and fast)|low delay|遅(?:い|く)(?:と|のは|のが)|待ちきれ|"
    r"\d+\s*秒以内|within \d+ ?(?:ms|seconds?)|sub-?second|come back fast|response time|応答時間"
)
_TOP_PRIORITY = (
    r"一番|最も|何より|最優先|第一|重視|大事|重要|優先|most important|top priority|above all|"
    r"first and foremost|matters most|key|priority|crucial|critical|main concern|first\b|"
    r"何よりも|とにかく"
)
_COMMERCIAL = (
    r"商用|製品に組み込|自社製品|サービスに組み込|販売|有償|commercial|product|business|"
    r"enterprise|company|customers|clients|saas|収益|売り物|マネタイズ|monetiz|sell"
)
_NONCOMMERCIAL = (
    r"研究目的|研究用|非商用|個人利用|趣味|学術|個人的な|個人プロジェクト|research only|"
    r"non-?commercial|personal (?:use|project)|hobby|academic|side project|for fun"
)
_COMMERCIAL_REQUIRED = (
    r"商用(?:で|利用)?(?:が)?(?:使えない|できない|不可)(?:な)?(?:ライセンス|もの|モデル)?(?:は|だと)?"
    r"(?:困|ダメ|だめ|ng|不可|避け|使えない)|(?:licen[cs]e|model)s? (?:that|which) "
    r"(?:forbid|prohibit|don'?t allow) commercial|商用(?:利用)?(?:でき|使え)ない(?:モデル|もの)?(?:なら|は)?[^。]{0,8}"
    r"(?:外して|除外|除いて)"
)
_LOW_BUDGET = (
    r"\bno budget|no money|tight budget|limited budget|small budget|shoestring|as cheap as possible|"
    r"lowest cost|minimal cost|お金(?:は|が)?(?:ない|かけられない)|予算(?:は|が)?(?:ない|ほぼない|"
    r"少な|多くな|限られ|あまりな|ほとんどな)|安さ|安く|安い|安価|格安|低コスト|低価格|無料|節約|cheap|"
    r"low[- ]cost|inexpensive|\bfree\b|コスト重視|コスト優先|予算(?:は|が)?(?:ほぼ)?(?:ゼロ|0円|なし)|ほぼゼロ"
)
_OPEN = (
    r"オープン(?:ソース|ウェイト|モデル)|open[- ]?(?:source|weights?)|重み(?:が|を)?公開|\boss\b|"
    r"weights? (?:must be |are |is )?downloadable|download the weights|inspect the weights|"
    r"重み(?:を|が)?ダウンロード|need (?:the )?weights|no api-?only models|"
    r"api(?:提供)?(?:だけ|のみ)の(?:モデル)?(?:は|を)?除外"
)

_MAX_PARAMS = (
    r"(?:under|below|at most|up to|less than|max(?:imum)?|no (?:more|bigger|larger) than|<=?)\s*"
    r"(\d+(?:\.\d+)?)\s*b\b|"
    r"(\d+(?:\.\d+)?)\s*b\s*(?:程度まで|くらいまで|まで|以下|未満|以内|前後まで|を超えない|"
    r"を超えな|or (?:smaller|less|under|below))|(?:larger|bigger) than (\d+(?:\.\d+)?)\s*b\b|"
    r"(\d+(?:\.\d+)?)\s*bより(?:大きい|大きな|上)|(\d+(?:\.\d+)?)\s*bクラスまで|"
    r"(\d+(?:\.\d+)?)\s*bを超える(?:もの|モデル)?(?:は)?(?:無理|ng|不可|ダメ|載らない|使えない)|"
    r"(?:nothing|no model|none) (?:over|above|larger than|bigger than) (\d+(?:\.\d+)?)\s*b\b|(?:go|be) (?:above|over|beyond) (\d+(?:\.\d+)?)\s*b\b"
)
#: a number as people write it: "12", "1.5", "10,000"
_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_PER_DAY = (
    rf"(?:1日|一日|毎日|日に|日)\s*(?:に|あたり)?\s*(?:約|だいたい)?\s*{_NUM}\s*(万|千|k)?\s*(?:件|回|リクエスト|問|人)|"
    rf"{_NUM}\s*(k|m|million)?\s*(?:requests?|req|msgs?|calls?|queries|messages|conversations|chats|tickets|"
    r"(?:support )?emails?|documents?|items?)\s*(?:per|a|an|each|/)\s*day|"
    rf"(?:about|around|roughly|~)\s*{_NUM}\s*(k)?\s*(?:a|per|/)\s*day|"
    rf"{_NUM}\s*(k|m)?\s*(?:requests?|calls?|queries|messages)\s*daily"
)
_PER_REQUEST = (
    rf"{_NUM}\s*(k)?\s*(?:tokens?|トークン)\s*(?:per|each|/|ずつ|の)\s*(?:request|call|リクエスト|件)|"
    rf"(?:1件|1回|1リクエスト)(?:あたり)?\s*{_NUM}\s*(k|千)?\s*(?:tokens?|トークン)"
)
_DEVICE = (
    r"スマホ|スマートフォン|携帯|ブラウザ|ラズパイ|raspberry|smartphone|phone|mobile|browser|jetson"
)
_GPU = r"gpu|グラボ|ぐらぼ|グラフィックボード|グラフィックカード|ビデオカード|vram|cuda|graphics card|dedicated graphics"
_PLAIN_PC = (
    r"ノートpc|ノートパソコン|普通のpc|普通のパソコン|事務用(?:の)?pc|事務用(?:の)?パソコン|"
    r"一般的な(?:pc|パソコン)|家庭用(?:の)?(?:pc|パソコン)|社用pc|業務用pc|"
    r"(?:just|only|regular|ordinary|normal|plain|office|standard|old|cheap) (?:a )?"
    r"(?:laptop|pc|desktop|computer|notebook)s?|(?:a |my |our )?laptops?\b|notebook pc|"
    r"ultrabook|chromebook|thinkpad"
)
_MAC = r"\bmac(?:book(?: air| pro)?| mini| studio|s)?\b|\bimac\b|マック|マックブック"
_GB = r"(\d+(?:\.\d+)?)\s*(?:gb|gib|ギガ(?:バイト)?|g\b)"
_VRAM = rf"(?:vram|gpu|グラボ|ビデオメモリ)[^\d\n]{{0,20}}{_GB}|{_GB}\s*(?:の|of)?\s*(?:vram|gpu|グラボ)"
_RAM = (
    rf"(?:\bram\b|メモリ|memory|主記憶)[^\d\n]{{0,12}}{_GB}|"
    rf"{_GB}\s*(?:の|of)?\s*(?:system |unified )?(?:\bram\b|メモリ|memory)"
)
_COUNT = rf"{_NUM}\s*(k|千|万|m)?"
#: a token count: "32k tokens", "32,000 トークン", "128k context", "コンテキスト長 200k"
_CONTEXT_COUNTS = (
    rf"{_COUNT}[\s\-]*(?:tokens?|トークン)",
    rf"{_COUNT}[\s\-]*(?:の)?\s*(?:context|コンテキスト|文脈)",
    r"(?:context(?:[\s\-](?:window|length))?|コンテキスト(?:長|ウィンドウ)?)\s*(?:of|:|は|が|=)?\s*"
    rf"(?:at least|最低|少なくとも)?\s*{_COUNT}(?![\d.]|\s*(?:gb|ページ|pages?))",
)
_LONG_TEXTS = (
    r"長文|長い文書|長いドキュメント|書籍|本一冊|論文|契約書|long (?:documents?|context|reports?)|"
    r"books?|entire codebase|large pdf"
)

# money: "月3万円", "予算10万円", "$500 a month", "under $0.001 per request", "1リクエスト0.5円"
_YEN = (
    rf"{_NUM}\s*(万|千)?\s*(?:円|yen|jpy)|[¥￥]\s*{_NUM}\s*(万|千|k)?|"
    rf"(?:予算|月額|月)\D{{0,4}}?{_NUM}\s*(万|千)(?!\s*(?:件|回|トークン|tokens?|リクエスト|人|文字|ページ))"
)
_USD = rf"\$\s*{_NUM}\s*(k|m)?|{_NUM}\s*(k|m)?\s*(?:usd|dollars?|bucks|ドル|米ドル)"
_CENTS = r"(\d+(?:\.\d+)?)\s*(?:cents?|セント|¢)"
_PER_REQ_WORDS = (
    r"per (?:request|call|query|message)|/ ?(?:request|call|query|件|回)|a request|each request|"
    r"リクエスト|1回|1件|一回|一件|1問|件あたり|回あたり|につき"
)
_PER_MONTH_WORDS = (
    r"per month|a month|/ ?mo(?:nth)?\b|monthly|月|毎月|ひと月|1か月|一か月|1ヶ月|月額"
)
_HARD_LIMIT = r"以内|以下|まで|未満|上限|超えない|を超え|under|at most|max(?:imum)?|no more than|below|cap|hard limit|within|less than|ceiling"


_NUMBER_WORDS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "eight": "8",
    "a pair of": "2",
    "二枚": "2枚",
    "三枚": "3枚",
    "四枚": "4枚",
    "八枚": "8枚",
    "二台": "2台",
    "四台": "4台",
}


def _search(pattern: str, text: str) -> re.Match[str] | None:
    # ASCII word boundaries, so "apiで" still matches r"\bapi\b"
    return re.search(pattern, text, re.ASCII)


def _any(pattern: str, text: str) -> bool:
    return _search(pattern, text) is not None


def normalise(text: str) -> str:
    """NFKC (full-width digits and brackets), lowercase, number words as digits."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = t.replace("〜", "~").replace("~", "~")
    for word, digit in _NUMBER_WORDS.items():
        t = re.sub(rf"(?<![a-z]){word}(?![a-z])", digit, t)
    return t


def extract_needs(text: str, model_ids: Iterable[str] = (), lang: Lang | None = None) -> Needs:
    """Fill a Needs profile from free text by rules; record assumptions and questions.

    `model_ids` are the catalog ids the text mentions (found by `Catalog.mentioned`).
    """
    t = normalise(text)
    lang = lang or detect_lang(text)
    found: dict[str, object] = {"lang": lang, "models": list(model_ids)}
    notes: list[str] = []
    questions: list[str] = []

    _use_cases(t, found)
    _finetune(t, found)
    _languages(t, lang, found, notes)
    _hardware(text, t, found, notes)
    _deployment(t, lang, found, notes, questions)
    _priority(t, found)
    _licence(t, found)
    _sizes_and_workload(t, found, notes)
    _money(t, found)

    needs = Needs.model_validate(found)
    needs.assumptions = notes
    needs.questions = questions
    return needs


# --- slots -------------------------------------------------------------------------------------


_USE_NEGATED_AFTER = re.compile(
    r"^(?:は|には|に|用|の用途)?(?:は)?(?:使わない|不要|しない|ではなく|じゃなく|じゃない|以外|いらない)"
)
_USE_NEGATED_BEFORE = re.compile(r"\b(?:not for|no|don'?t need|isn'?t for|not)\s+(?:\w+\s+){0,2}$")


def _use_cases(t: str, found: dict[str, object]) -> None:
    """A use case counts unless refused in so many words (「コードは不要」, "not for coding"):
    a negation elsewhere in the clause ("no GPU, summarise PDFs") does not reach it."""

    def wanted(pattern: str) -> bool:
        ms = mentions(t, pattern)
        return any(
            not _USE_NEGATED_AFTER.search(m.clause[m.end :])
            and not _USE_NEGATED_BEFORE.search(m.clause[: m.start])
            for m in ms
        )

    uses = [uc for pat, uc in _USE_CASE_RULES if wanted(pat)]
    if uses:
        found["use_cases"] = list(dict.fromkeys(uses))


def _finetune(t: str, found: dict[str, object]) -> None:
    ft = stated(t, _FINETUNE)
    if ft is None and _any(_AS_IS, t):
        ft = False
    if ft is not None:
        found["finetune"] = ft
        if ft:
            uses: list[UseCase] = list(found.get("use_cases", []))  # type: ignore[call-overload]
            found["use_cases"] = [*uses, UseCase.finetuning]


def _languages(t: str, lang: Lang, found: dict[str, object], notes: list[str]) -> None:
    ja = stated(t, _JAPANESE)
    if _any(_JAPANESE_ONLY, t):
        ja = True
    elif _any(_ENGLISH_ONLY, t):
        ja = False
    if ja is not None:
        found["japanese"] = ja
    if stated(t, _MANY_LANG):
        found["many_languages"] = True
    uses = set(found.get("use_cases", []))  # type: ignore[call-overload]
    people_facing = {UseCase.chat, UseCase.summarization, UseCase.rag, UseCase.text_generation}
    if (
        ja is None
        and lang == "ja"
        and uses & people_facing
        and not found.get("many_languages")
        and not _any(_OTHER_LANG, t)
    ):
        found["japanese"] = True
        notes.append("japanese: needed, because you wrote in Japanese and named no other language")


def _hardware(text: str, t: str, found: dict[str, object], notes: list[str]) -> None:
    gpu = mentions(t, _GPU)
    # a card planned for later is not the one owned now: "we might get an A100 next year"
    owned = " ".join(c for c in clauses(t) if not _any(_FUTURE, c)) or t
    hw = lookup_gpu(owned)
    no_gpu = bool(gpu) and all(m.negated for m in gpu) and hw is None
    if hw is not None:
        found.update(gpu_gb=hw.memory_gb, gpu_name=hw.name, gpu_kind=hw.kind)
        if "×" in hw.name:
            notes.append(
                f"hardware: {hw.name} = {hw.memory_gb:g} GB, the model split across the cards"
            )
    elif not no_gpu and (m := _search(_VRAM, t)):
        gb = float(next(g for g in m.groups() if g))
        n = card_count(t[m.end() : m.end() + 20])
        name = f"{n}× GPU {gb:g} GB" if n > 1 else f"GPU {gb:g} GB"
        found.update(gpu_gb=gb * n, gpu_kind="gpu", gpu_name=name)
    mac = _search(_MAC, t)
    if mac and "gpu_gb" not in found and not no_gpu:
        size = _search(_GB, t[mac.end() : mac.end() + 30])
        found["gpu_kind"] = "unified"
        found["gpu_name"] = "Mac"
        if size:
            found["gpu_gb"] = float(size.group(1))
            found["gpu_name"] = f"Mac {float(size.group(1)):g} GB"
            notes.append("hardware: a Mac's unified memory, shared by the model and the system")
    ram = _search(_RAM, t)
    if ram and "gpu_gb" not in found and found.get("gpu_kind") != "unified":
        found["ram_gb"] = float(next(g for g in ram.groups() if g))
    plain_pc = _any(_PLAIN_PC, t) and "gpu_gb" not in found and found.get("gpu_kind") != "unified"
    if no_gpu or (plain_pc and not any(m.affirmed for m in gpu)):
        found.update(cpu_only=True, gpu_kind="cpu")
        found.pop("gpu_gb", None)
        found.pop("gpu_name", None)
        if not no_gpu:
            notes.append("hardware: a laptop / PC with no GPU named, so CPU-only is assumed")
    elif (
        "ram_gb" in found
        and "gpu_gb" not in found
        and found.get("gpu_kind") != "unified"
        and not stated(t, _API)
    ):
        # "メモリ32GB" with no GPU stated: system RAM, run on the CPU
        found.update(cpu_only=True, gpu_kind="cpu")
        notes.append("hardware: only RAM was stated, so CPU-only is assumed")
    if found.get("cpu_only") and "ram_gb" not in found:
        found["ram_gb"] = DEFAULT_PC_RAM_GB
        notes.append(
            f"hardware: RAM not stated; {DEFAULT_PC_RAM_GB:g} GB (a typical laptop) is assumed"
        )
    del text


def _deployment(
    t: str, lang: Lang, found: dict[str, object], notes: list[str], questions: list[str]
) -> None:
    api = mentions(t, _API)
    local = mentions(t, _LOCAL)
    own = mentions(t, _OWN_INFRA)
    sensitive = mentions(t, _SENSITIVE)
    out = mentions(t, _DATA_OUT)

    api_yes = [m for m in api if not m.negated]
    api_no = [m for m in api if m.negated]
    # "we don't want to run servers" asks for a hosted API; "our own servers" for local
    own_no = [m for m in own if m.negated]
    local_yes = [m for m in local if not m.negated] + [m for m in own if not m.negated]
    local_no = [m for m in local if m.negated]
    data_stays = [m for m in out if m.negated] or _any(_STAY_INSIDE, t)
    not_sensitive = _any(_NOT_SENSITIVE, t)
    sensitive_yes = [] if not_sensitive else [m for m in sensitive if not m.negated]
    sensitive_no = [m for m in sensitive if m.negated]
    data_goes_out = [m for m in out if not m.negated]
    either = _any(_EITHER, t)

    def conditional(ms: list[Mention]) -> bool:
        return any(m.polarity.value == "conditional" for m in ms)

    def exclusive(ms: list[Mention]) -> bool:
        return any(_any(_EXCLUSIVE, m.clause) for m in ms)

    counterfactual = _any(_COUNTERFACTUAL, t)
    if counterfactual:  # "an API would be fine if the contracts weren't confidential"
        api_no, api_yes, data_stays = [*api_no, *api_yes], [], True
    privacy: bool | None = None
    if data_stays or sensitive_yes:
        privacy = True
    elif api_no and _any(_DATA, t):
        privacy = True  # 「外部APIには投げられないデータ」: the data is why
    elif sensitive_no or not_sensitive or data_goes_out:
        privacy = False

    also_ok = any(_any(_ALSO_OK, m.clause) for m in [*api_yes, *local_yes])
    device = _any(_DEVICE, t) or _any(r"on-?device|raspberry|jetson|エッジ|組み込み", t)
    deployment: str | None = None
    if local_yes and exclusive(local_yes) and not exclusive(api_yes):
        deployment = "local"  # 「社内サーバーでしか動かせない」
    elif either and not data_stays and not api_no:
        deployment = "either"
    elif api_no or (local_no and not local_yes):
        # 「外部APIは使えない」, "no cloud": local; "not locally": API
        deployment = "local" if api_no else "api"
    elif api_yes and (local_yes or "gpu_gb" in found) and (also_ok or either):
        deployment = "either"  # 「4090あるけどAPIでもOK」
    elif (
        api_yes and local_yes and not any("?" in m.clause or "か" in m.clause[-2:] for m in api_yes)
    ):
        deployment = "either"
    elif local_yes and not api_yes:
        deployment = "local"
    elif (own_no and not local_yes) or (api_yes and not local_yes):
        deployment = "api"
    elif api_yes and local_yes:
        deployment = None  # "API or local?" asks rather than decides

    if privacy and deployment == "api":
        if data_stays and not conditional(api_yes):
            # 「APIでもいいが顧客データは出せない」: the restriction wins, the person is asked
            deployment = "local"
            notes.append(
                "deployment: local, because the data cannot leave, although an API was "
                "mentioned as acceptable"
            )
            questions.append("api_if_masked")
        else:
            # the same person accepts an API for this data ("fine if we mask it")
            privacy = False
            notes.append(
                "deployment: API, which you accepted for this data"
                + (" on a condition (e.g. masking personal data)" if conditional(api_yes) else "")
            )
            questions.append("privacy_confirm")
    elif privacy and deployment in (None, "either"):
        if deployment == "either" or api_yes:
            questions.append("api_if_masked")
        deployment = "local"
        if not local_yes:
            notes.append("deployment: local, because the data must stay in-house")
    if privacy is not None:
        found["privacy"] = privacy
    if deployment is None and "gpu_gb" in found and not api_yes:
        deployment = "local"
        notes.append(f"deployment: local, because a {found.get('gpu_name')} was mentioned")
    if deployment is None and found.get("cpu_only") and not api_yes:
        deployment = "local"
    if deployment is None and device and not api_yes:
        deployment = "local"
        notes.append("deployment: local, because it runs on the device itself")
    if deployment is not None:
        found["deployment"] = deployment
    del lang


def _priority(t: str, found: dict[str, object]) -> None:
    def level(pattern: str) -> tuple[bool, bool]:
        ms = [m for m in mentions(t, pattern) if not _any(_MODERATE, m.clause[m.end : m.end + 12])]
        return any(not m.negated for m in ms), any(
            not m.negated and _any(_TOP_PRIORITY, m.clause) for m in ms
        )

    no_object = _any(_NO_OBJECT, t)
    accuracy, acc_top = level(_ACCURACY)
    cost, cost_top = level(_COST)
    speed, speed_top = level(_SPEED)
    speed = speed or _any(_SPEED_COMPLAINT, t)
    if no_object:
        cost, cost_top = False, False
        accuracy = True
        found["budget"] = "high"
    low_budget = any(m.affirmed for m in mentions(t, _LOW_BUDGET)) and not no_object
    if low_budget:
        cost = True
        found["budget"] = "low"
    tops = [
        p for p, top in (("accuracy", acc_top), ("cost", cost_top), ("speed", speed_top)) if top
    ]
    if _any(_BALANCE, t):
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


def _licence(t: str, found: dict[str, object]) -> None:
    nonc = stated(t, _NONCOMMERCIAL)
    comm = stated(t, _COMMERCIAL)
    if _any(_COMMERCIAL_REQUIRED, t):
        found["commercial"] = True
    elif nonc or (comm is False and _any(r"商用|commercial", t)):
        found["commercial"] = False
    elif comm:
        found["commercial"] = True
    if stated(t, _OPEN):
        found["open_weights"] = True


def _sizes_and_workload(t: str, found: dict[str, object], notes: list[str]) -> None:
    m = _search(_MAX_PARAMS, t)
    if m:
        found["max_params_b"] = float(next(g for g in m.groups() if g)) or None
    elif _any(_DEVICE, t):
        found["max_params_b"] = 4.5
        notes.append("size: at most about 4B parameters, to run on a phone, browser or board")
    for key, pattern in (("requests_per_day", _PER_DAY), ("tokens_per_request", _PER_REQUEST)):
        m = _search(pattern, t)
        value = _number(*[g for g in m.groups() if g][:2]) if m else 0
        if value > 0:  # "0 requests a day" states nothing usable
            found[key] = value
    ctx = _context_tokens(t)
    if ctx:
        found["context_tokens"] = ctx


def _money(t: str, found: dict[str, object]) -> None:
    cents = _search(_CENTS, t)
    if cents:
        around = t[max(0, cents.start() - 30) : cents.end() + 30]
        period = "request" if _any(_PER_REQ_WORDS, around) else "month"
        found.update(
            budget_amount=float(cents.group(1)) / 100,
            budget_currency="USD",
            budget_period=period,
            budget_hard=_any(_HARD_LIMIT, around),
        )
        return
    for currency, pattern in (("JPY", _YEN), ("USD", _USD)):
        for m in re.finditer(pattern, t, re.ASCII):
            groups = [g for g in m.groups() if g is not None]
            if not groups:
                continue
            unit = groups[1] if len(groups) > 1 else None
            amount = _number(groups[0], unit)
            if amount <= 0:
                continue
            around = t[max(0, m.start() - 16) : m.end() + 16]
            period = "request" if _any(_PER_REQ_WORDS, around) else "month"
            found.update(budget_amount=amount, budget_currency=currency, budget_period=period)
            found["budget_hard"] = _any(_HARD_LIMIT, around)
            return


def _number(num: str, unit: str | None = None) -> float:
    scale = {"k": 1e3, "千": 1e3, "万": 1e4, "m": 1e6, "million": 1e6}.get(unit or "", 1)
    return float(num.replace(",", "")) * scale


def _context_tokens(t: str) -> int | None:
    best = 0
    for pattern in _CONTEXT_COUNTS:
        for m in re.finditer(pattern, t, re.ASCII):
            value = _number(m.group(1), m.group(2))
            best = max(best, int(min(value, MAX_CONTEXT_TOKENS)))  # "9…9 tokens" is inf as float
    if best == 0 and _any(_LONG_TEXTS, t):
        best = 100_000  # "long documents": 100k tokens
    pages = re.search(r"(\d+)\s*(?:ページ|pages?)", t)
    if pages:  # about 600 tokens per page; float(): int() refuses over 4,300 digits
        best = max(best, int(min(float(pages.group(1)) * 600, MAX_CONTEXT_TOKENS)))
    return min(best, MAX_CONTEXT_TOKENS) or None
