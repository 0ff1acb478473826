"""The words and patterns people use for each need (ja/en), as regexes over NFKC-lowercased
text. `advisor.domain.needs_rules` decides slots from them; this module only names them."""

from __future__ import annotations

from advisor.domain.catalog import UseCase

# --- concepts ----------------------------------------------------------------------------------

USE_CASE_RULES: list[tuple[str, UseCase]] = [
    (
        r"コード|プログラ|コーディング|補完|\bide\b|code|coding|program|copilot|developer|refactor|"
        r"python|javascript|typescript|バグ|debug|リファクタ|プルリク|pull request|\bpr review|"
        r"vs ?code|autocomplete|エンジニア向け|unit tests?|テストコード|コードレビュー|code review|"
        r"\bsql\b|pytest|\brepos?\b|repositor|リポジトリ|シェルスクリプト|shell scripts?",
        UseCase.code,
    ),
    (
        r"翻訳|訳す|訳し|訳せ|和訳|英訳|通訳|translat|locali[sz]|ローカライズ|"
        r"(?:into|to) (?:english|japanese|chinese|korean|french|german|spanish)\b|"
        r"(?:英語|日本語|中国語|韓国語|多言語)(?:に|へ)(?:直|変換)|を(?:日本語|英語)で読め|"
        r"日→英|英→日|多言語化|(?:英語|日本語|中国語|韓国語)(?:の[^。]{0,12})?を(?:日本語|英語|中国語|韓国語)に"
        r"(?:し|変え|直)|を[ァ-ヴー一-龥]{1,6}語(?:に|へ)(?:し|変え|直|置き換)|"
        r"[ァ-ヴー一-龥]{1,6}語の[^。]{0,16}を[ァ-ヴー一-龥]{1,6}語(?:に|へ|で)|"
        r"(?:go|goes|ship|published|released|out) (?:out )?in \d+ languages|"
        r"(?:全部|すべて|全て|各国)の言語で[^。]{0,12}(?:出|作|書|用意)|nobody (?:here )?can read|"
        r"can'?t read (?:japanese|english|chinese|korean|german|french|spanish)",
        UseCase.translation,
    ),
    (
        r"要約|まとめ|サマリ|summar|digest|tl;?dr|議事録|minutes|condense|recap|要点|"
        r"(?:boil|cut) (?:it |them )?down|短くまとめ|abstract|key points|highlights|"
        r"transcripts?|サマリー|要旨|掻い摘|かいつま|振り返り|(?:を)?まとめさせ|summeri|sumari|"
        r"the gist|\bgist\b|(?:\d+)行に",
        UseCase.summarization,
    ),
    (
        r"チャット|会話|対話|問い合わせ|問合せ|カスタマー|サポート|窓口|接客|返信|応対|faq|"
        r"chat|conversation|assistant|customer (?:support|service|repl|inquir|question|email)|"
        r"help ?desk|\bbot\b|chatbot|reply to customers|answer customers|ボット|返事|お客さん|"
        r"お客様|顧客対応|質問に(?:自動で)?(?:答|返)|replies|support (?:emails?|tickets?)|"
        r"tickets|line(?:で|の)|dms?\b|direct messages|会話させ|プレイヤーと会話|話し相手|雑談|相談相手|"
        r"talk to|someone to talk",
        UseCase.chat,
    ),
    (
        r"\brag\b|検索|社内文書|faq|q ?& ?a (?:bot|system|assistant)|qaボット|社内資料|社内規程|社内規定|社内wiki|ナレッジ|文書検索|情報抽出|抽出|"
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
        r"drafts?\b|dialogue|posts\b|emails?\b|プリント|教材|worksheets?|letters?\b|headlines?|"
        r"見出し|校正|proofread",
        UseCase.text_generation,
    ),
    (
        r"エッジ|組み込み|スマホ|モバイル|ラズパイ|raspberry|edge|on-?device|mobile|phone|"
        r"embedded|iot|jetson|tablets?|タブレット|raspberry pi|端末上|デバイス上|on the device|"
        r"android|ios app|iphone|アプリ(?:に|へ)組み込|ハンディ端末|\bpi ?[45]\b",
        UseCase.edge,
    ),
]

FINETUNE = (
    r"ファインチューニング|ファインチューン|ふぁいんちゅーにんぐ|微調整|追加学習|チューニング|\bft\b|"
    r"独自データで学習|自社データで学習|自社データで(?:追加)?学習|学習させ|"
    r"lora|qlora|fine[- ]?tun|finetun|train(?:ing)? (?:it |the model |a model )?on (?:our|my)|"
    r"custom training|adapter|further train|continue(?:d)? training|training (?:set|data)\b|"
    r"学習(?:に使う|データ|用データ)|adapt the model|retrain|(?:train|adapt)(?: or "
    r"(?:train|adapt))? the model"
)
AS_IS = r"そのまま使|そのままで|素のまま|as[- ]is|out of the box|off[- ]the[- ]shelf|no training"

JAPANESE = (
    r"日本語|japanese|和文|敬語|和訳|日英|英日|日→|→日|日本向け|日本の(?:顧客|ユーザー|お客)|"
    r"ja-?en|en-?ja|(?<![a-z])jp(?![a-z])"
)
ENGLISH_ONLY = (
    r"english only|english-only|only english|英語のみ|英語だけ|英語しか|"
    r"英語以外(?:の言語)?(?:は|も)?(?:使わな|使いません|扱わな|扱いません|不要|いらな|要らな)|"
    r"(?:need|use|support) (?:any |no )?languages? other than english|english and nothing else|"
    r"just english|only need english|only (?:\w+ )?english (?:copy|text|content)"
)
JAPANESE_ONLY = (
    r"日本語以外(?:の言語)?(?:は|も)?(?:使わな|使いません|扱わな|扱いません|不要|いらな|要らな)|"
    r"japanese only|日本語のみ|日本語以外(?:は|の言語は)?(?:必要|いり|要り)(?:ません|ない)|"
    r"日本語だけ|日本語しか"
)
OTHER_LANG = r"english|英語|chinese|中国語|korean|韓国語|french|german|spanish|フランス語|ドイツ語"
MANY_LANG = (
    r"多言語|100言語|多数の言語|いろいろな言語|many languages|multilingual|"
    r"\d{2,}\+?\s*languages|low-?resource|少数言語|各国語|multiple languages|several languages|"
    r"\d{2,}(?:以上の|超の)?言語|\d+\s*[かヶカケ]?国語|(?:十数|数十|十何)\s*[かヶカケ]?国語|"
    r"\d{2,}\s*[かヶカケ]国[^。]{0,16}(?:全部|すべて|全て)の言語|a dozen (?:more|other|languages)|"
    r"多くの言語|lots of languages|many different languages|数十(?:の|か国)?(?:言語|語)|dozens of (?:different )?languages|"
    r"いろんな言語|様々な言語|さまざまな言語|各国(?:の)?言語|every major (?:[a-z]+ )*languages?|"
    r"all major languages"
)

LOCAL = (
    r"ローカル|オンプレ|社内サーバ|自社サーバ|社内のサーバ|自社のサーバ|自前|手元|自己ホスト|"
    r"セルフホスト|オフライン|閉域|社内ネットワーク|社内環境|社内で(?:動|運用|完結)|"
    r"\blocal(?:ly)?\b|on-?prem|self-?host|offline|air-?gap|behind (?:our|the) firewall|"
    r"in-?house server|our (?:own )?(?:servers?|hardware|infrastructure|datacenter|data center)|"
    r"my (?:own )?(?:pc|laptop|machine|server|computer|desktop)|自分のpc|自分のパソコン|"
    r"gpu(?:で|を)?動か|(?:run|serve|host) (?:it |them )?(?:ourselves|myself)|on-?device|うちの(?:pc|パソコン|サーバ|マシン)|"
    r"社内pc|自社pc|院内(?!の?(?:規|ルール|ポリシ))|社内のpc|ネット(?:に|へ)?(?:つなが|繋が)(?:って|ってい|ら)?(?:ない|ません)|"
    r"(?:ネット|インターネット)接続(?:は|が)?(?:不可|なし|無し|できない)|no internet|without internet|"
    r"internet-?free|disconnected|ろーかる|端末(?:上|内|の中)で(?:動|実行|完結|処理)"
)
API = (
    r"\bapis?\b|クラウド|saas|ホステッド|(?<!self-)(?<!self )hosted(?! on)|cloud|managed service|"
    r"外部サービス|外部のサービス|third[- ]party (?:service|provider|api)|"
    r"openai|chatgpt|anthropic|gemini api|bedrock|azure openai|vertex|\bproviders?\b|プロバイダ|"
    r"リージョン|cloud region|\b(?:aws|azure|gcp|google cloud)\b"
)
#: nobody to run servers, or a wish not to: a hosted API
NO_OPS = (
    r"運用(?:できる|する)?(?:人|担当|エンジニア|要員)(?:が|は|も)?(?:いない|いません|不在|ゼロ)|"
    r"(?:サーバ|インフラ)[^。]{0,12}(?:管理|運用|面倒を見)[^。]{0,8}(?:無理|できない|できません|したくない)|"
    r"丸投げ|マネージド|no (?:ops|devops|infra|it|sre)(?: people| team| staff| person| engineers?)?\b|"
    r"no one to (?:babysit|maintain|run|manage|look after)|(?:don'?t|do not) have (?:any )?servers|"
    r"zero setup|no setup|call an? (?:endpoint|api)|managed (?:service|api|endpoint)"
)
OWN_INFRA = (
    r"サーバ(?:ー)?(?:は|を)?(?:持|用意|運用|管理)|インフラ(?:は|を)?(?:持|用意|運用|管理)|"
    r"自前で(?:サーバ|運用|ホスト)|(?:host|run|manage|maintain) (?:anything |it |models? )?"
    r"(?:ourselves|myself|on our own)|(?:our|my) own (?:servers?|infrastructure|gpus?)|"
    r"self-?host|運用(?:の手間|負担)"
)
EITHER = (
    r"どちらでも|どっちでも|apiでもローカルでも|ローカルでもapiでも|either (?:way|is fine|works)|"
    r"doesn'?t matter whether|どこで動かしても|どこでも(?:いい|よい|大丈夫|ok)|happy with either|"
    r"either (?:a |an )?(?:hosted|api|cloud|local)|(?:don'?t|do not) care where|"
    r"wherever it runs|不問|either (?:route|option|approach|one)|"
    r"(?:クラウド|api|ローカル|オンプレ)か(?:クラウド|api|ローカル|オンプレ)か(?:は)?(?:問|こだわ|気にし|どちらでも)|"
    r"whether (?:it'?s |it is )?(?:in the )?(?:cloud|api|local|hosted|on-?prem)\w* or (?:cloud|api|local|hosted|"
    r"on-?prem)"
)
#: a condition on a later plan (「…を超えたら」, "once we grow")
LATER_PLAN = r"たら|なら|れば|\bif\b|\bonce\b|\bwhen\b"
#: a preference denied, not a refusal: 「ローカルにこだわりはない」, "not attached to running it locally"
PREFERENCE_DENIED = (
    r"こだわ(?:り|ら)|not attached|(?:don'?t|do not) insist|not set on|no need to|越した"
)
ALSO_OK = (
    r"でも(?:ok|いい|よい|大丈夫|構わ|かまわ|可)|も(?:ok|いい|可)|also (?:ok|fine|acceptable|works?)|"
    r"would also work|is also fine|as well|otherwise|でも(?:別に)?(?:いい|よい)|ても(?:いい|よい|ok|大丈夫|構わ)"
)
COUNTERFACTUAL = (
    r"ない限り(?:は)?[^。]{0,6}(?:不可|ダメ|だめ|ng|使えない|使わない|使えません|できない|禁止)|"
    r"would be (?:fine|ok|okay|possible|an option) if [^.;]*(?:weren'?t|wasn'?t|were not|was not) "
    r"(?:so )?(?:confidential|sensitive|private|personal)|"
    r"(?:機密|個人情報|社外秘)(?:で)?(?:さえ|じゃ)?なければ[^。]*(?:api|クラウド)|"
    # an API on a condition that then fails: 「匿名化できるならAPIでもいいが…無理」, "an API
    # would be fine if we could mask it, but we can't", "legal said masking would do, then
    # compliance vetoed it"
    r"(?:なら|れば|たら|ば)[^。]{0,16}(?:api|クラウド|外に出せ|外部)[^。]{0,24}(?:けど|けれど|が、|ものの)"
    r"[^。]{0,48}(?:無理|できない|できません|不可|だめ|ダメ|ng|出さなかった|認められ|許可(?:が)?(?:出|下り)(?:ない|なかった))|"
    r"(?:would be (?:fine|ok|okay|acceptable)|enough to use an? (?:api|cloud)|assumed an? (?:api|cloud)"
    r"[^.;]{0,20}(?:ok|fine))[^.;]{0,80}\b(?:but|then|however)\b[^.;]{0,60}"
    r"(?:can'?t|cannot|vetoed|won'?t|never|not allowed|isn'?t allowed|no way)"
)
FUTURE = (
    r"予定|買う|購入|導入したい|取れれば|来年|将来|いずれ|might get|next year|plan(?:ning)? to|"
    r"will (?:buy|get)|going to (?:buy|get)|later|eventually|someday|if we get"
)
EXCLUSIVE = r"しか|のみ|\bonly\b|has to|have to|must|need to"
# data that must be protected (the mention alone makes the advisor local-first)
SENSITIVE = (
    r"社外秘|機密|秘密|極秘|個人情報|顧客データ|顧客情報|顧客名|お客様の(?:データ|情報)|患者|カルテ|"
    r"医療(?:データ|情報)|診療|病院|退院|カウンセリング|人事(?:データ|情報)|マイナンバー|プライバシ|"
    r"銀行|口座|人事|評価コメント|住民|相談内容|取引先の情報|健康診断|保健|成績|設計図面|"
    r"セキュリティポリシー|security policy|student records|grades|residents|benefit applications|"
    r"tax returns|proprietary|confidential|sensitive|private data|privacy|\bpii\b|personal (?:data|information|"
    r"info)|customer (?:data|records|information|info)|client (?:data|files|records|information)|"
    r"patient|medical|clinic|hospital|therap|health (?:data|records)|hipaa|gdpr|"
    r"trade secrets?|proprietary (?:data|code|documents)|internal[- ]only|classified|秘匿|"
    r"account data|\bbank\b|employee (?:data|records)|"
    r"守秘義務|秘密保持|開示(?:が|は|を)?(?:禁止|できない|不可)|未発表|未公開|依頼者|依頼人|顧問先|"
    r"クライアントの(?:資料|データ|情報|書類)|通話記録|決算書|\bnda\b|non-?disclosure|unreleased|"
    r"unpublished|call recordings|claim files|incident reports|client info|subprocessors?|"
    r"(?:not|never) (?:permitted|allowed) to disclose"
)
# data leaving the premises (negated: the data must stay inside)
DATA_OUT = (
    r"(?:社外|外部|外|クラウド|ネット|第三者|海外|ベンダー)[一-龥]{0,4}(?:の[^、。]{0,10}?)?(?:に|へ|で)(?:は|も)?"
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
STAY_INSIDE = (
    r"stays? (?:in-?house|inside|on[- ]?prem|internal|local|on|in|within) (?:our|the|my)|"
    r"stays? (?:in-?house|inside|on[- ]?prem|internal|local)|社内(?:に留め|だけで|で完結)|"
    r"(?:社内|院内|自社|省内|庁内|学内|構内)(?:の)?(?:ネットワーク|ネット|サーバー?|データセンター|環境|lan)"
    r"(?:内)?(?:で|に)(?:完結|閉じ|置き|留め|とどめ)|閉域|(?:ネット|インターネット|外部)から隔離|"
    r"外(?:部)?(?:と|とは)(?:は)?(?:物理的に)?(?:つなが|繋が|接続し)(?:って|ってい)?(?:ない|ません)|"
    r"(?:inside|within) (?:our|the) (?:own )?(?:network|firewall|walls|premises)|off-?site|"
    r"(?:zero|no) (?:external|outbound) (?:calls|traffic|connections)|phone home|"
    r"never (?:seen|touched) the internet|(?:district|company|hospital|our) servers"
)
# data residency: data may leave the company but not a country or region ("must not leave Japan",
# 「国外に出せない」, "stay within the EU"); code -> the names of the place
RESIDENCY_PLACES = {
    "jp": r"japan|日本|国内|国外|海外",
    "eu": r"(?<![a-z])eu(?![a-z])|europe|欧州|ヨーロッパ|gdpr",
    "us": r"united states|\bthe us\b|\busa\b|america|米国|アメリカ",
    "de": r"germany|ドイツ",
}
RESIDENCY = (
    r"(?:must(?:n't| not)?|can'?t|cannot|shouldn'?t|may not|not allowed to|never|not)\s+(?:be\s+)?"
    r"(?:leave|cross|go outside|sent outside|stored outside|processed outside|hosted outside)\s+(?:of\s+)?(?:the\s+)?(?P<a>[\w. ]{2,20})|"
    r"(?:stay|remain|be stored|be hosted|be processed|kept|keep it|hosted|stored|processed)\s+(?:in|within|inside)\s+(?:the\s+)?(?P<b>eu|europe|japan|germany|the us|us|usa)\b|"
    r"(?P<c>eu|europe|japan|germany|us)[- ](?:only |based )?(?:region|data ?cent(?:er|re)s?|servers?|hosting)|"
    r"data residency|in-country|"
    r"(?P<d>日本|国内|欧州|eu|ドイツ|米国)(?:の)?(?:リージョン|データセンター|サーバー)|"
    r"(?P<e>日本|国内|eu|欧州)(?:域内|国内)?(?:で|に)(?:完結|保存|保管|置|留め|とどめ)|"
    r"(?P<f>国外|海外|日本の外|eu(?:域)?外|eu ?の外|欧州の外)(?:に|へ|で)?(?:は)?[^、。]{0,8}?(?:出せ|出し|出さ|出たら|送れ|送ら|持ち出|置け|置か|保存でき|NG|不可|ダメ|禁止|アウト)"
)
NOT_SENSITIVE = (
    r"公開(?:済み|されている|されてる|情報|データ|資料)|public (?:\w+ )?(?:data|dataset|information|docs|"
    r"documents)|data is (?:all )?public|nothing (?:private|sensitive|confidential)|no (?:sensitive|"
    r"private|personal) data|合成データ|ダミー(?:データ)?|匿名化(?:済|された|してある|したデータ)|"
    r"仮名化(?:済|された)|オープンデータ|官報|synthetic (?:data|records|documents)|dummy data|"
    r"mock data|fake data|de-?identified|(?:fully |already )?anonymi[sz]ed (?:data|records|already)|"
    r"is anonymi[sz]ed|(?<!un)published (?:online|openly)|publicly available|open data|"
    r"見られても(?:平気|問題|大丈夫|困らない)"
)
#: a turn in the text ("…, but", 「けど」「実際は」): what follows may state the actual data
CONTRAST = (
    r"けど|けれど|ですが|(?<=[いただす])が[、,]|しかし|ただ(?:し)?[、,]|でも[、,]|実際(?:は|には)|"
    r"\bbut\b|\bhowever\b|\bthough\b|\bactually\b|\bin reality\b|\bin practice\b"
)
#: a statement about other data than this ("if this were real data", 「本番データなら」)
HYPOTHETICAL = r"\bif\b|\bwere\b|\bwould\b|\bwe'?d\b|なら|れば|たら|場合"
#: the data of this request ("this time", 「今回は」)
ACTUAL = r"今回|実際|this time|this one|this project|this case|actually|in reality|in practice"
#: a country or region named outright (not as a language or a people: 日本語, Japanese, German)
RESIDENCY_NAMED = {
    "jp": r"日本(?!語|人|企業|向け)|japan(?![a-z])|japanese (?:soil|servers?|data ?cent(?:er|re)s?|region|jurisdiction)|"
    r"tokyo|osaka|東京|大阪",
    "eu": r"(?<![a-z])eu(?![a-z])|(?<![a-z])eea(?![a-z])|europe(?:an union)?\b|欧州|ヨーロッパ|gdpr",
    "us": r"\bu\.s\.|\busa\b|united states|\bthe states\b|\bus[- ](?:only|based|region|data|federal|government|soil|servers?)|"
    r"\b(?:in|leave|outside) the us\b|govcloud|fedramp|米国|アメリカ",
    "de": r"germany|german (?:soil|servers?|data ?cent(?:er|re)s?|borders|jurisdiction|region)|ドイツ|"
    r"frankfurt|フランクフルト",
}
#: a place with no country named: the one the text names, else Japan (in Japanese text)
RESIDENCY_GENERIC = r"国内|国外|海外|in-country"
#: a limit on where data may be, said next to a place in the same sentence
RESIDENCY_LIMIT = (
    r"出せ|出し|出さ|出ては|持ち出|以外|国外|域外|域内|内に|内で|完結|とどめ|留め|とどま|留ま|限る|"
    r"限定|限り|所在|保存|保管|置く|置か|置け|禁止|じゃないと|でないと|必須|"
    r"\bleav|outside|inside|within|\bstay|remain|kept|\bkeep|stored|storage|hosted|processed|"
    r"processing|located|\bsoil\b|resid|-only\b|越境|移転|圏外|経由|リージョン|データセンター|(?<![a-z])dc(?![a-z])|"
    r"cross-?border|transfer|jurisdiction|borders|\bregion\b|\bheld\b|出な|出る|閉じ|アウト|"
    r"boundary|provided|only if|govcloud|\bfederal\b"
)
#: a place refused rather than required (「アメリカのサーバーは経由しない」, "no US servers")
RESIDENCY_REFUSED = (
    r"^[^。、,]{0,12}?(?:は|を|が)?(?:経由し(?:ない|ません)|使え(?:ない|ません)|不可|ng|ダメ|だめ|禁止|避け|"
    r"ngです)|^\w*\s*(?:servers?|regions?|providers?)? ?(?:are|is)? ?(?:not allowed|a no-?go|out)\b"
)
#: a place allowed rather than required (「海外のAPIでも問題ない」, "anywhere is fine")
RESIDENCY_ALLOWED = r"^.{0,12}?(?:でも|も)(?:ok|可|大丈夫|問題|構わ|いい|よい)"
#: no limit on place anywhere in the sentence
RESIDENCY_NONE = (
    r"anywhere|doesn'?t matter where|no (?:data )?residency|no (?:\w+ )?restrictions?|"
    r"(?:縛り|制限|制約)(?:は|も)?(?:特に)?(?:ない|なし|ありません)|問わない|問いません|こだわらない|"
    r"気にしない|どこでも|(?:don'?t|do not) care where"
)
DATA = r"データ|情報|文書|資料|書類|記録|data|records|documents|files|information"
#: the organisation or its premises as the place data must not leave (not a country: residency)
ORG_SCOPE = (
    r"社外|院外|学外|庁外|(?:社内|院内|学内|庁内)(?!の?(?:規|ルール|ポリシ))|自社|会社|社屋|建物|施設|"
    r"事務所|オフィス|部署|"
    r"手元|自前|オンプレ|company|building|premises|office|campus|practice|our (?:own )?(?:servers?|"
    r"network|walls|machines?|hardware)|on-?prem|in-?house|firewall"
)

COMMERCIAL = (
    r"商用|製品に(?:も)?組み込|自社製品|サービスに(?:も)?組み込|販売|有償|有料(?:の)?(?:サービス|アプリ|プラン|版)|"
    r"お客様向け|顧客向け|commercial|product|business|"
    r"enterprise|company|customers|clients|saas|収益|売り物|マネタイズ|monetiz|sell"
)
NONCOMMERCIAL = (
    r"研究目的|研究用|非商用|個人利用|趣味|学術|個人的な|個人プロジェクト|research only|"
    r"non-?commercial|personal (?:use|project)|hobby|academic|side project|for fun"
)
COMMERCIAL_REQUIRED = (
    r"商用(?:で|利用)?(?:が)?(?:使えない|できない|不可)(?:な)?(?:ライセンス|もの|モデル)?(?:は|だと)?"
    r"(?:困|ダメ|だめ|ng|不可|避け|使えない)|(?:licen[cs]e|model)s? (?:that|which) "
    r"(?:forbid|prohibit|don'?t allow) commercial|商用(?:利用)?(?:でき|使え)ない(?:モデル|もの)?(?:なら|は)?[^。]{0,8}"
    r"(?:外して|除外|除いて)|non-?starter|deal-?breaker"
)
#: a language named (to count how many a text needs: four or more is many)
LANGUAGE_NAMES = (
    r"(?<![a-z])(?:english|japanese|chinese|mandarin|cantonese|korean|spanish|french|german|italian|"
    r"portuguese|russian|arabic|hindi|bengali|urdu|swahili|tagalog|vietnamese|thai|indonesian|"
    r"malay|turkish|dutch|polish|persian|farsi|hebrew|greek|swedish|amharic|ukrainian)(?![a-z])|"
    r"[ァ-ヴー一-龥]{1,6}語(?!学|彙)"
)
OPEN = (
    r"オープン(?:ソース|ウェイト|モデル)|open[- ]?(?:source|weights?)|重み(?:が|を)?公開|\boss\b|"
    r"weights? (?:must be |are |is )?downloadable|download the weights|inspect the weights|"
    r"重み(?:を|が)?ダウンロード|need (?:the )?weights|no api-?only models|"
    r"api(?:提供)?(?:だけ|のみ)の(?:モデル)?(?:は|を)?除外|apache|mit ?(?:licen[cs]e|ライセンス)|\bmit\b(?= ?(?:or|か|licensed))|"
    r"open models?\b|オープンな(?:モデル|重み)"
)

MAX_PARAMS = (
    r"(?:under|below|at most|up to|less than|max(?:imum)?|no (?:more|bigger|larger) than|<=?)\s*"
    r"(\d+(?:\.\d+)?)\s*b\b|"
    r"(\d+(?:\.\d+)?)\s*b\s*(?:程度まで|くらいまで|まで|以下|未満|以内|前後まで|を超えない|"
    r"を超えな|or (?:smaller|less|under|below))|(?:larger|bigger) than (\d+(?:\.\d+)?)\s*b\b|"
    r"(\d+(?:\.\d+)?)\s*bより(?:大きい|大きな|上)|(\d+(?:\.\d+)?)\s*bを超える|"
    r"(?:anything |nothing )?(?:above|over|bigger than|larger than) (\d+(?:\.\d+)?)\s*b\b|"
    r"(\d+(?:\.\d+)?)\s*b (?:is|is about) the (?:biggest|largest|max)|(\d+(?:\.\d+)?)\s*bクラスまで|"
    r"(\d+(?:\.\d+)?)\s*bを超える(?:もの|モデル)?(?:は)?(?:無理|ng|不可|ダメ|載らない|使えない)|"
    r"(?:nothing|no model|none) (?:over|above|larger than|bigger than) (\d+(?:\.\d+)?)\s*b\b|(?:go|be) (?:above|over|beyond) (\d+(?:\.\d+)?)\s*b\b"
)
#: a number as people write it: "12", "1.5", "10,000"
NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
PER_DAY = (
    rf"(?:1日|一日|毎日|日に|日)\s*(?:に|あたり)?\s*(?:約|だいたい)?\s*{NUM}\s*(万|千|k)?\s*(?:件|回|リクエスト|問|人|本|通)|"
    rf"(?:1日|一日|毎日)(?:に|あたり)?[^\d。]{{1,12}}?{NUM}\s*(万|千|k)?\s*(?:件|回|本|通)|"
    rf"{NUM}\s*(k|m|million)?\s*(?:[a-z-]+\s+){{0,2}}?(?:requests?|req|msgs?|calls?|queries|prompts?|messages|"
    r"conversations|chats|tickets|(?:support )?emails?|documents?|items?|summaries|answers|replies|reports|"
    r"articles|questions|translations|inquiries)\s*(?:per|a|an|each|/)\s*day|"
    rf"(?:about|around|roughly|~)\s*{NUM}\s*(k)?\s*(?:a|per|/)\s*day|"
    rf"{NUM}\s*(k|m)?\s*(?:requests?|calls?|queries|messages)\s*daily"
)
PER_MONTH = (
    rf"(?:月|毎月|ひと月|1か月|1ヶ月|一ヶ月|月間)\s*(?:に|あたり)?\s*(?:約|だいたい)?\s*{NUM}\s*(万|千|k)?\s*(?:件|回|リクエスト)|"
    rf"{NUM}\s*(k|m|million)?\s*(?:[a-z-]+\s+){{0,2}}?(?:requests?|req|calls?|queries|messages|conversations|"
    r"chats|tickets|summaries|answers|replies|reports|articles|questions|translations|documents?|emails?)\s*"
    r"(?:per|a|an|each|/)\s*month|"
    rf"{NUM}\s*(k|m)?\s*(?:requests?|calls?|queries|messages)\s*monthly"
)
#: requests an hour, counted over a day when the service runs around the clock
PER_HOUR = (
    rf"(?:1時間|一時間|毎時)(?:に|あたり)?\s*(?:約|だいたい)?\s*{NUM}\s*(?:件|回|リクエスト)|"
    rf"{NUM}\s*(?:[a-z-]+\s+){{0,2}}?(?:requests?|calls?|queries|messages|chats|tickets|questions)\s*"
    r"(?:per|an|a|each|/)\s*hour"
)
AROUND_THE_CLOCK = r"24時間|around the clock|24/7|24 ?x ?7|round the clock|day and night|昼夜|終日"
PER_REQUEST = (
    rf"{NUM}\s*(k)?\s*(?:tokens?|トークン)\s*(?:per|each|/|ずつ|の)\s*(?:request|call|query|message|リクエスト|件|回)|"
    rf"{NUM}\s*(k)?\s*(?:tokens?|トークン)\s*(?:each|apiece|ずつ)|"
    rf"(?:1件|1回|1リクエスト|一件|一回)(?:あたり|につき|で)?\s*(?:約|だいたい|平均)?\s*{NUM}\s*(k|千|万)?\s*(?:tokens?|トークン)|"
    rf"[x×*]\s*{NUM}\s*(k|千|万)?\s*(?:tokens?|トークン)|"
    rf"(?:at|avg\.?|average(?: of)?|平均)\s*(?:about |~)?{NUM}\s*(k)?\s*(?:tokens?|トークン)|"
    rf"{NUM}\s*(k)?\s*(?:tokens?|トークン)\s*(?:on average|avg|average)"
)
DEVICE = (
    r"スマホ|スマートフォン|携帯|ブラウザ|ラズパイ|raspberry|smartphone|phone|mobile|browser|jetson"
)
GPU = r"gpu|グラボ|ぐらぼ|グラフィックボード|グラフィックカード|ビデオカード|vram|cuda|graphics card|dedicated graphics"
PLAIN_PC = (
    r"ノートpc|ノートパソコン|普通のpc|普通のパソコン|事務用(?:の)?pc|事務用(?:の)?パソコン|"
    r"一般的な(?:pc|パソコン)|家庭用(?:の)?(?:pc|パソコン)|社用pc|業務用pc|"
    r"(?:just|only|regular|ordinary|normal|plain|office|standard|old|cheap) (?:a )?"
    r"(?:laptop|pc|desktop|computer|notebook)s?|(?:a |my |our )?laptops?\b|notebook pc|"
    r"ultrabook|chromebook|thinkpad"
)
MAC = r"\bmac(?:book(?: air| pro)?| mini| studio|s)?\b|\bimac\b|マック|マックブック"
GB = r"(\d+(?:\.\d+)?)\s*(?:gb|gib|gigs?|ギガ(?:バイト)?|g\b)"
VRAM = rf"(?:vram|gpu|グラボ|ビデオメモリ)[^\d\n]{{0,20}}{GB}|{GB}\s*(?:の|of)?\s*(?:vram|gpu|グラボ|(?:graphics )?card|カード)"
RAM = (
    rf"(?:\bram\b|メモリ|memory|主記憶)[^\d\n]{{0,12}}{GB}|"
    rf"{GB}\s*(?:の|of)?\s*(?:system |unified )?(?:\bram\b|メモリ|memory)"
)
COUNT = rf"{NUM}\s*(k|千|万|m)?"
#: a token count: "32k tokens", "32,000 トークン", "128k context", "コンテキスト長 200k"
CONTEXT_COUNTS = (
    rf"{COUNT}[\s\-]*(?:tokens?|トークン)",
    rf"{COUNT}[\s\-]*(?:の)?\s*(?:context|コンテキスト|文脈)",
    r"(?:context(?:[\s\-](?:window|length))?|コンテキスト(?:長|ウィンドウ)?)\s*(?:of|:|は|が|=)?\s*"
    rf"(?:at least|最低|少なくとも)?\s*{COUNT}(?![\d.]|\s*(?:gb|ページ|pages?))",
)
LONG_TEXTS = (
    r"長文|長い文書|長いドキュメント|書籍|本一冊|論文|契約書|long (?:documents?|context|reports?)|"
    r"(?<![a-z])books?(?![a-z])|entire codebase|large pdf"
)

# money: "月3万円", "予算10万円", "$500 a month", "under $0.001 per request", "1リクエスト0.5円"
YEN = (
    rf"{NUM}\s*(万|千)?\s*(?:円|yen|jpy)|[¥￥]\s*{NUM}\s*(万|千|k)?|"
    rf"(?:予算|月額|月)\D{{0,4}}?{NUM}\s*(万|千)(?!\s*(?:件|回|トークン|tokens?|リクエスト|人|文字|ページ))"
)
USD = rf"\$\s*{NUM}\s*(k|m)?|{NUM}\s*(k|m)?\s*(?:usd|dollars?|bucks|ドル|米ドル)"
CENTS = r"(\d+(?:\.\d+)?|(?<![a-z])a|one)\s*(?:cents?|セント|¢)"
PER_REQ_WORDS = (
    r"per (?:request|call|query|message)|/ ?(?:request|call|query|件|回)|a request|each request|"
    r"リクエスト|1回|1件|一回|一件|1問|件あたり|回あたり|につき"
)
PER_MONTH_WORDS = (
    r"per month|a month|/ ?mo(?:nth)?\b|monthly|月|毎月|ひと月|1か月|一か月|1ヶ月|月額"
)
HARD_LIMIT = r"以内|以下|まで|未満|上限|超えない|を超え|under|at most|max(?:imum)?|no more than|below|cap|hard limit|within|less than|ceiling"


NUMBER_WORDS = {
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
