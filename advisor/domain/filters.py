"""Hard filters: lifecycle (retired, shutting down soon) and what rules a model out for the
stated needs, each with a reason in the person's language."""

from __future__ import annotations

import datetime as dt

from advisor.domain import budget
from advisor.domain.catalog import ModelCard, UseCase
from advisor.domain.criteria import Ctx, context_for, is_specialist
from advisor.domain.hardware import Quant
from advisor.domain.memory import fit
from advisor.i18n import t as _t

#: residency codes as a reader names them (ja, en)
RESIDENCY_NAMES = {
    "jp": ("日本", "Japan"),
    "eu": ("EU", "the EU"),
    "us": ("米国", "the US"),
    "de": ("ドイツ", "Germany"),
}
#: a model whose shutdown date is this close is shown with it and never ranked first
SHUTDOWN_WARNING_DAYS = 60


# --- lifecycle ---------------------------------------------------------------------------------


def is_retired(card: ModelCard, today: dt.date) -> bool:
    """Out of service for a new choice: its shutdown date is past, or it is deprecated and
    API-only (open weights stay downloadable)."""
    past = card.shutdown_date is not None and card.shutdown_date < today
    return past or (card.deprecated and not card.open_weights)


def shuts_down_soon(card: ModelCard, today: dt.date) -> bool:
    """Its shutdown date is within SHUTDOWN_WARNING_DAYS (and not past)."""
    d = card.shutdown_date
    return d is not None and today <= d <= today + dt.timedelta(days=SHUTDOWN_WARNING_DAYS)


def _successor(card: ModelCard, c: Ctx) -> str:
    """The replacement as the user reads it: a card's name, or a name outside the catalog
    with the vendor page that names it."""
    if not card.successor:
        return ""
    if card.successor in c.catalog.by_id:
        return c.catalog.by_id[card.successor].name
    src = f" ({card.successor_source})" if card.successor_source else ""
    return _t(
        c.lang, f"{card.successor}(カタログ外){src}", f"{card.successor} (not in the catalog){src}"
    )


def lifecycle_notice(card: ModelCard, c: Ctx) -> str | None:
    """Retired (with the date), deprecated (with the shutdown date), or shutting down soon;
    and what replaces it."""
    lang, when = c.lang, card.shutdown_date
    succ = _successor(card, c)
    then = _t(lang, f"。後継: {succ}", f"; replaced by {succ}") if succ else ""
    if when is not None and when < c.today:
        return _t(lang, f"{when}に提供終了{then}", f"retired on {when}{then}")
    if card.deprecated:
        date = _t(lang, f"({when}に提供終了予定)", f"; shuts down on {when}") if when else ""
        return _t(lang, f"非推奨{date}{then}", f"deprecated{date}{then}")
    if shuts_down_soon(card, c.today):
        return _t(lang, f"{when}に提供終了予定{then}", f"shuts down on {when}{then}")
    return None


# --- hard filters ------------------------------------------------------------------------------


def exclusion(card: ModelCard, c: Ctx) -> str | None:
    n, lang = c.needs, c.lang
    if n.budget_hard and (verdict := budget.check(card, n, c.rate)) and not verdict.within:
        return verdict.text
    named = card.id in n.models
    if is_retired(card, c.today) and not named:
        return lifecycle_notice(card, c)
    if n.wants_local and not card.runs_locally:
        why = (
            _t(lang, "データを社外に出せない", "data must stay in-house")
            if n.privacy
            else _t(lang, "ローカル実行が必要", "local deployment required")
        )
        return _t(lang, f"API提供のみ(重み非公開)で、{why}", f"API only (closed weights); {why}")
    if n.residency and not card.runs_locally:
        place = RESIDENCY_NAMES.get(n.residency, (n.residency, n.residency))
        return _t(
            lang,
            f"データを{place[0]}の外に出せない: このAPIのリージョンはカードに記録がない",
            f"data must stay in {place[1]}: no region is recorded for this API",
        )
    if n.deployment == "api" and not card.via_api:
        return _t(
            lang,
            "開発元のAPI提供がない(自前ホストが必要)",
            "no first-party API (needs self-hosting)",
        )
    if n.open_weights and not card.open_weights:
        return _t(lang, "重みが公開されていない", "weights are not open")
    if n.commercial and card.commercial_use == "no":
        return _t(
            lang,
            f"ライセンス({card.license})が商用利用を認めない",
            f"licence ({card.license}) does not allow commercial use",
        )
    if n.japanese and card.japanese.level < 2:
        return _t(
            lang,
            f"日本語対応が弱い({card.japanese.value})",
            f"weak Japanese ({card.japanese.value})",
        )
    if n.finetune and card.finetune == ["none"]:
        return _t(lang, "ファインチューニングできない", "cannot be fine-tuned")
    if n.max_params_b is not None and (card.params_b is None or card.params_b > n.max_params_b):
        size = f"{card.params_b:g}B" if card.params_b else "?"
        return _t(
            lang,
            f"{size}は上限{n.max_params_b:g}Bを超える",
            f"{size} is over the {n.max_params_b:g}B limit",
        )
    if n.context_tokens and n.context_tokens > 16_000 and card.context_window is None:
        return _t(lang, "コンテキスト長が不明", "context window unknown")
    if n.context_tokens and card.context_window and card.context_window < n.context_tokens:
        return _t(
            lang,
            f"コンテキスト長 {card.context_window:,} が必要量 {n.context_tokens:,} に足りない",
            f"context window {card.context_window:,} is below the {n.context_tokens:,} needed",
        )
    wanted = set(n.use_cases) - {UseCase.finetuning, UseCase.edge}
    if is_specialist(card) and not wanted & set(card.use_cases):
        uses = ", ".join(u.value for u in card.use_cases)
        return _t(lang, f"{uses} 専用のモデル", f"a specialised model ({uses} only)")
    if c.hw is not None and card.runs_locally and (n.wants_local or not card.via_api):
        if card.params_b is None:
            return _t(
                lang,
                "パラメータ数が非公開でメモリ量を見積もれない",
                "parameter count unknown, memory cannot be estimated",
            )
        f = fit(card, c.hw, context_for(card, c))
        if not f.fits:
            return _t(
                lang,
                f"Q4でも約{f.needed_gb['q4']:.0f}GB必要で {c.hw.name}(使用可能 {f.usable_gb:g}GB)に収まらない",
                f"needs about {f.needed_gb['q4']:.0f} GB even at Q4; {c.hw.name} has {f.usable_gb:g} GB usable",
            )
    return None


def fit_label(card: ModelCard, c: Ctx) -> Quant | None:
    if c.hw is None or not card.runs_locally or card.params_b is None:
        return None
    f = fit(card, c.hw, context_for(card, c))
    return f.best
