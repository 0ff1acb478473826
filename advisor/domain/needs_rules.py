"""Rules that read a needs profile from free text (ja/en, no LLM), aware of negation and scope.

Each concept (the API, the cloud, confidential data, a GPU, fine-tuning, ...) is a pattern over
the NFKC-lowercased text; `advisor.domain.negation` tells for each mention whether it is affirmed,
negated in its clause, or conditional. Slots follow from those polarities, and every reading
that was inferred rather than stated is recorded in `assumptions`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from advisor.domain import needs_lexicon as lex
from advisor.domain.catalog import UseCase
from advisor.domain.hardware import card_count, lookup_gpu
from advisor.domain.needs import MAX_CONTEXT_TOKENS, Lang, Needs, detect_lang
from advisor.domain.negation import Mention, clauses, mentions, stated
from advisor.domain.negation import has as _any
from advisor.domain.negation import search as _search
from advisor.domain.priority_rules import priority
from advisor.domain.residency_rules import residency
from advisor.domain.workload_rules import number as _number
from advisor.domain.workload_rules import workload

#: RAM assumed for a plain laptop / PC when no size is given (stated as an assumption)
DEFAULT_PC_RAM_GB = 16.0


def assume_pc_ram(data: dict[str, object], notes: list[str]) -> None:
    """CPU only with no RAM stated: a typical laptop's RAM, said as an assumption."""
    if data.get("ram_gb") is None:
        data["ram_gb"] = DEFAULT_PC_RAM_GB
        notes.append(
            f"hardware: RAM not stated; {DEFAULT_PC_RAM_GB:g} GB (a typical laptop) is assumed"
        )


def normalise(text: str) -> str:
    """NFKC (full-width digits and brackets), lowercase, number words as digits."""
    t = unicodedata.normalize("NFKC", text).lower()
    # a run of 24+ digits, commas or dots is no figure anyone states, and the number patterns
    # would backtrack over it quadratically: blank it
    t = re.sub(r"[\d,.]{24,}", " ", t)
    t = t.replace("〜", "~").replace("~", "~")
    for word, digit in lex.NUMBER_WORDS.items():
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
    residency(t, found, notes)
    _deployment(t, lang, found, notes, questions)
    priority(t, found)
    _licence(t, found)
    _sizes_and_workload(t, found, notes)
    _money(t, found)

    found["slot_sources"] = {k: "rules" for k in found if k not in ("lang", "models")}
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

    uses = [uc for pat, uc in lex.USE_CASE_RULES if wanted(pat)]
    if uses:
        found["use_cases"] = list(dict.fromkeys(uses))


def _finetune(t: str, found: dict[str, object]) -> None:
    ft = stated(t, lex.FINETUNE)
    if ft is None and _any(lex.AS_IS, t):
        ft = False
    if ft is not None:
        found["finetune"] = ft
        if ft:
            uses: list[UseCase] = list(found.get("use_cases", []))  # type: ignore[call-overload]
            found["use_cases"] = [*uses, UseCase.finetuning]


def _languages(t: str, lang: Lang, found: dict[str, object], notes: list[str]) -> None:
    ja = stated(t, lex.JAPANESE)
    if _any(lex.JAPANESE_ONLY, t):
        ja = True
    elif _any(lex.ENGLISH_ONLY, t):
        ja = False
    if ja is not None:
        found["japanese"] = ja
    named = {m.group(0) for m in re.finditer(lex.LANGUAGE_NAMES, t)}
    if stated(t, lex.MANY_LANG) or len(named - {"言語", "何語", "外国語"}) >= 4:
        found["many_languages"] = True
    uses = set(found.get("use_cases", []))  # type: ignore[call-overload]
    people_facing = {UseCase.chat, UseCase.summarization, UseCase.rag, UseCase.text_generation}
    if (
        ja is None
        and lang == "ja"
        and uses & people_facing
        and not found.get("many_languages")
        and not _any(lex.OTHER_LANG, t)
    ):
        found["japanese"] = True
        notes.append("japanese: needed, because you wrote in Japanese and named no other language")


def _hardware(text: str, t: str, found: dict[str, object], notes: list[str]) -> None:
    gpu = mentions(t, lex.GPU)
    # a card planned for later is not the one owned now: "we might get an A100 next year"
    owned = " ".join(c for c in clauses(t) if not _any(lex.FUTURE, c)) or t
    hw = lookup_gpu(owned)
    no_gpu = bool(gpu) and all(m.negated for m in gpu) and hw is None
    if hw is not None:
        found.update(gpu_gb=hw.memory_gb, gpu_name=hw.name, gpu_kind=hw.kind)
        if "×" in hw.name:
            notes.append(
                f"hardware: {hw.name} = {hw.memory_gb:g} GB, the model split across the cards"
            )
    elif not no_gpu and (m := _search(lex.VRAM, t)):
        gb = float(next(g for g in m.groups() if g))
        n = card_count(t[m.end() : m.end() + 20])
        name = f"{n}× GPU {gb:g} GB" if n > 1 else f"GPU {gb:g} GB"
        found.update(gpu_gb=gb * n, gpu_kind="gpu", gpu_name=name)
    mac = _search(lex.MAC, t)
    if mac and "gpu_gb" not in found and not no_gpu:
        size = _search(lex.GB, t[mac.end() : mac.end() + 30])
        found["gpu_kind"] = "unified"
        found["gpu_name"] = "Mac"
        if size:
            found["gpu_gb"] = float(size.group(1))
            found["gpu_name"] = f"Mac {float(size.group(1)):g} GB"
            notes.append("hardware: a Mac's unified memory, shared by the model and the system")
    ram = _search(lex.RAM, t)
    # system RAM named as such ("64 gigs of RAM, RTX 4060") stands beside a GPU's memory
    explicit_ram = ram is not None and _any(r"\bram\b", ram.group(0))
    if ram and (explicit_ram or ("gpu_gb" not in found and found.get("gpu_kind") != "unified")):
        found["ram_gb"] = float(next(g for g in ram.groups() if g))
    plain_pc = (
        _any(lex.PLAIN_PC, t) and "gpu_gb" not in found and found.get("gpu_kind") != "unified"
    )
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
        and not stated(t, lex.API)
    ):
        # "メモリ32GB" with no GPU stated: system RAM, run on the CPU
        found.update(cpu_only=True, gpu_kind="cpu")
        notes.append("hardware: only RAM was stated, so CPU-only is assumed")
    if found.get("cpu_only"):
        assume_pc_ram(found, notes)
    del text


def _deployment(
    t: str, lang: Lang, found: dict[str, object], notes: list[str], questions: list[str]
) -> None:
    api = mentions(t, lex.API)
    local = mentions(t, lex.LOCAL)
    own = mentions(t, lex.OWN_INFRA)
    sensitive = mentions(t, lex.SENSITIVE)
    # "must not leave Japan" limits the country (the residency slot), not the organisation
    out = [m for m in mentions(t, lex.DATA_OUT) if not _place_scoped(m.clause, found)]

    api_yes = [m for m in api if not m.negated]
    api_no = [m for m in api if m.negated]
    # "we don't want to run servers" asks for a hosted API; "our own servers" for local
    own_no = [m for m in own if m.negated]
    local_yes = [m for m in local if not m.negated] + [m for m in own if not m.negated]
    local_no = [m for m in local if m.negated]
    # 「ローカルにこだわりはない」 denies a preference, not the option: with an API allowed, either
    preference_only = [m for m in local_no if _any(lex.PREFERENCE_DENIED, m.clause)]
    # 「月10万件を超えたらローカルを考えます」: a later plan, not today's setting
    local_yes = [
        m
        for m in local_yes
        if not (
            _any(lex.LATER_PLAN, m.clause) and _any(lex.FUTURE + r"|考え|検討|consider", m.clause)
        )
    ]
    data_stays = [m for m in out if m.negated] or any(
        _any(lex.STAY_INSIDE, c) and not _place_scoped(c, found) for c in clauses(t)
    )
    not_sensitive = _any(lex.NOT_SENSITIVE, t)
    sensitive_yes = [] if not_sensitive else [m for m in sensitive if not m.negated]
    sensitive_no = [m for m in sensitive if m.negated]
    data_goes_out = [m for m in out if not m.negated]
    either = _any(lex.EITHER, t)
    if preference_only and len(preference_only) == len(local_no) and api_yes:
        local_no, either = [], True
    no_ops = _any(lex.NO_OPS, t)

    def conditional(ms: list[Mention]) -> bool:
        return any(m.polarity.value == "conditional" for m in ms)

    def exclusive(ms: list[Mention]) -> bool:
        return any(_any(lex.EXCLUSIVE, m.clause) for m in ms)

    counterfactual = _any(lex.COUNTERFACTUAL, t)
    actual = _actual_data(t)
    if (
        actual == "public"
    ):  # 「本番データならオンプレ必須だけど、今回は匿名化済み」: this data may go
        data_stays, sensitive_yes, not_sensitive, counterfactual = False, [], True, False
        local_yes = [m for m in local_yes if m.polarity.value != "conditional"]
    elif actual == "private":  # "we'd go API if it were anonymised, but it's patient records"
        counterfactual = True
    if counterfactual:  # "an API would be fine if the contracts weren't confidential"
        api_no, api_yes, data_stays = [*api_no, *api_yes], [], True
    privacy: bool | None = None
    if data_stays or sensitive_yes:
        privacy = True
    elif api_no and _any(lex.DATA, t):
        privacy = True  # 「外部APIには投げられないデータ」: the data is why
    elif sensitive_no or not_sensitive or data_goes_out:
        privacy = False

    also_ok = any(_any(lex.ALSO_OK, m.clause) for m in [*api_yes, *local_yes])
    device = _any(lex.DEVICE, t) or _any(r"on-?device|raspberry|jetson|エッジ|組み込み", t)
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
    elif (own_no and not local_yes) or (api_yes and not local_yes) or (no_ops and not local_yes):
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


def _actual_data(t: str) -> str | None:
    """What the latest turn of the text says about this request's data, where it answers a
    hypothetical or a general rule before it: "public" (public, dummy, anonymised data) or
    "private" (sensitive data, after an API allowed on a condition); None otherwise."""
    # the last few turns: a message states its data there (and a text of a thousand "but"s
    # is not read in quadratic time)
    for turn in reversed(list(re.finditer(lex.CONTRAST, t, re.ASCII))[-4:]):
        head, tail = t[: turn.start()], t[turn.end() :]
        if _any(lex.NOT_SENSITIVE, tail):
            return "public" if _any(lex.HYPOTHETICAL, head) or _any(lex.ACTUAL, tail) else None
        if any(m.affirmed for m in mentions(tail, lex.SENSITIVE)):
            hypothetical_api = _any(lex.HYPOTHETICAL, head) and _any(lex.API, head)
            return "private" if hypothetical_api else None
    return None


def _place_scoped(clause: str, found: dict[str, object]) -> bool:
    """A limit on where data may go that names a country or region and not the organisation:
    the residency slot holds it, so it does not make the data private."""
    if not found.get("residency"):
        return False
    return _any(_PLACES, clause) and not _any(lex.ORG_SCOPE, clause)


_PLACES = "|".join([*lex.RESIDENCY_NAMED.values(), lex.RESIDENCY_GENERIC, r"国外|日本の外"])


def _licence(t: str, found: dict[str, object]) -> None:
    nonc = stated(t, lex.NONCOMMERCIAL)
    comm = stated(t, lex.COMMERCIAL)
    if _any(lex.COMMERCIAL_REQUIRED, t):
        found["commercial"] = True
    elif nonc or (comm is False and _any(r"商用|commercial", t)):
        found["commercial"] = False
    elif comm:
        found["commercial"] = True
    if stated(t, lex.OPEN):
        found["open_weights"] = True


def _sizes_and_workload(t: str, found: dict[str, object], notes: list[str]) -> None:
    m = _search(lex.MAX_PARAMS, t)
    if m:
        found["max_params_b"] = float(next(g for g in m.groups() if g)) or None
    elif _any(lex.DEVICE, t):
        found["max_params_b"] = 4.5
        notes.append("size: at most about 4B parameters, to run on a phone, browser or board")
    workload(t, found, notes)
    ctx = _context_tokens(t)
    if ctx and ctx != found.get("tokens_per_request"):  # a request's size is not a context need
        found["context_tokens"] = ctx


def _money(t: str, found: dict[str, object]) -> None:
    cents = _search(lex.CENTS, t)
    if cents:
        around = t[max(0, cents.start() - 30) : cents.end() + 30]
        period = "request" if _any(lex.PER_REQ_WORDS, around) else "month"
        found.update(
            budget_amount=float(cents.group(1).replace("one", "1").replace("a", "1")) / 100,
            budget_currency="USD",
            budget_period=period,
            budget_hard=_any(lex.HARD_LIMIT, around),
        )
        return
    for currency, pattern in (("JPY", lex.YEN), ("USD", lex.USD)):
        for m in re.finditer(pattern, t, re.ASCII):
            groups = [g for g in m.groups() if g is not None]
            if not groups:
                continue
            unit = groups[1] if len(groups) > 1 else None
            amount = _number(groups[0], unit)
            if amount <= 0:
                continue
            around = t[max(0, m.start() - 16) : m.end() + 16]
            period = "request" if _any(lex.PER_REQ_WORDS, around) else "month"
            found.update(budget_amount=amount, budget_currency=currency, budget_period=period)
            found["budget_hard"] = _any(lex.HARD_LIMIT, around)
            return


def _context_tokens(t: str) -> int | None:
    best = 0
    for pattern in lex.CONTEXT_COUNTS:
        for m in re.finditer(pattern, t, re.ASCII):
            value = _number(m.group(1), m.group(2))
            best = max(best, int(min(value, MAX_CONTEXT_TOKENS)))  # "9…9 tokens" is inf as float
    if best == 0 and _any(lex.LONG_TEXTS, t):
        best = 100_000  # "long documents": 100k tokens
    pages = re.search(r"(\d+)\s*(?:ページ|pages?)", t)
    if pages:  # about 600 tokens per page; float(): int() refuses over 4,300 digits
        best = max(best, int(min(float(pages.group(1)) * 600, MAX_CONTEXT_TOKENS)))
    return min(best, MAX_CONTEXT_TOKENS) or None
