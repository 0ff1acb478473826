"""The services the CLI and the UI call. They hold no UI code; the UI and CLI hold no logic."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from advisor.catalog import Catalog, ModelCard, load_catalog
from advisor.guide import Guide, load_guide
from advisor.needs import Needs, clean_text, extract_needs, unknown_criteria
from advisor.recommend import Result, recommend
from advisor.settings import Settings


class Advisor:
    """Entry point of the core: catalog, guide and recommender, built lazily from settings."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def catalog(self) -> Catalog:
        return load_catalog(self.settings.paths.knowledge_dir / "models")

    @cached_property
    def guide(self) -> Guide:
        return load_guide(self.settings.paths.knowledge_dir / "guide")

    def needs(self, text: str, previous: Needs | None = None, **overrides: Any) -> Needs:
        """Needs from free text (validated), merged over a previous turn's, with explicit overrides."""
        text = clean_text(text, self.settings.max_input_chars)
        needs = extract_needs(text, self.catalog.mentioned(text))
        if previous is not None:
            needs = previous.merged(needs)
        return apply_overrides(needs, overrides)

    def recommend(self, needs: Needs, top: int | None = None) -> Result:
        return recommend(needs, self.catalog, top or self.settings.top_n)

    def card(self, model_id: str) -> ModelCard:
        return self.catalog.get(model_id)


def apply_overrides(needs: Needs, overrides: dict[str, Any]) -> Needs:
    """Explicit choices (CLI flags, UI edits) win over what was extracted."""
    fields = {k: v for k, v in overrides.items() if v is not None}
    if not fields:
        return needs
    data = needs.model_dump()
    data.update(fields)
    if "gpu_gb" in fields:
        data.setdefault("gpu_kind", "gpu")
        data["gpu_name"] = data.get("gpu_name") or f"GPU {fields['gpu_gb']:g} GB"
        data["cpu_only"] = False
    out = Needs.model_validate(data)
    out.unknown = unknown_criteria(out)
    return out
