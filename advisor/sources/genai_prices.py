"""genai-prices (its bundled `genai_prices.data`): API prices and context windows, newer data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from advisor.domain.catalog import ModelCard, Price
from advisor.sources.common import card_keys, data_date, match_key

GENAI_PROVIDERS = {
    "OpenAI": "openai",
    "Anthropic": "anthropic",
    "Google": "google",
    "Google DeepMind": "google",
    "Mistral AI": "mistral",
    "DeepSeek": "deepseek",
    "Cohere": "cohere",
    "xAI": "x-ai",
    "Moonshot AI": "moonshotai",
    "Z.ai (Zhipu AI)": "zai",
}
#: catalog vendor -> LiteLLM's first-party providers (most direct first)


@dataclass(frozen=True)
class GenaiModel:
    provider: str
    id: str
    name: str | None
    context_window: int | None
    price: Price | None
    deprecated: bool
    refs: tuple[str, ...]


@lru_cache(maxsize=1)
def genai_prices() -> dict[str, list[GenaiModel]] | None:
    """provider id -> models of the installed genai-prices (None if absent). Prices are the ones
    in force on the dataset's data date (some entries carry dated price changes)."""
    try:
        from genai_prices.data import providers
    except ImportError:
        return None
    when = dt.datetime.combine(
        data_date("genai-prices") or dt.date.today(), dt.time(12), tzinfo=dt.UTC
    )
    out: dict[str, list[GenaiModel]] = {}
    for prov in providers:
        models = []
        for m in prov.models:
            price = None
            try:
                mp = m.get_prices(when)
                inp, outp = _base(getattr(mp, "input_mtok", None)), _base(mp.output_mtok)
                if inp is not None and outp is not None:
                    price = Price(input=inp, output=outp)
            except (AttributeError, TypeError, ValueError):
                price = None
            models.append(
                GenaiModel(
                    provider=prov.id,
                    id=m.id,
                    name=m.name,
                    context_window=m.context_window,
                    price=price,
                    deprecated=bool(m.deprecated),
                    refs=tuple(prov.pricing_urls or ()),
                )
            )
        out[prov.id] = models
    return out


def _base(value: Any) -> float | None:
    """A genai-prices price (a Decimal, or tiered prices whose base applies to short prompts)."""
    if value is None:
        return None
    value = getattr(value, "base", value)
    return float(value)


def find_genai(card: ModelCard) -> GenaiModel | None:
    """The genai-prices model of a card: the vendor's own provider, matched by id/name/alias."""
    data = genai_prices()
    provider = GENAI_PROVIDERS.get(card.vendor)
    if data is None or provider is None:
        return None
    wanted = card_keys(card)
    for m in data.get(provider, []):
        if match_key(m.id) in wanted or (m.name and match_key(m.name) in wanted):
            return m
    return None
