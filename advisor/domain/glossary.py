"""A small sourced ja/en glossary (`knowledge/glossary.yaml`) and the terms a question names."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from advisor.domain.catalog import Bilingual, Catalog, ModelCard
from advisor.errors import DataError, safe_yaml

#: which cards illustrate a term (the `illustrate` key of an entry)
ILLUSTRATE = {
    "memory": lambda c: c.runs_locally and c.params_b is not None and not c.deprecated,
    "long_context": lambda c: (c.context_window or 0) >= 200_000 and not c.deprecated,
    "moe": lambda c: c.active_params_b is not None and c.runs_locally,
    "lora": lambda c: "lora" in c.finetune and not c.deprecated,
    "rag": lambda c: "rag" in c.use_cases and not c.deprecated,
    "open": lambda c: c.open_weights and not c.deprecated,
    "price": lambda c: c.price_per_mtok is not None and not c.deprecated,
    "finetune": lambda c: bool({"lora", "full", "api"} & set(c.finetune)) and not c.deprecated,
}


#: the largest open model that one 24-32 GB GPU holds at Q4, in billions of parameters
SINGLE_GPU_B = 40


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9\-]+$")
    title: Bilingual
    names: list[str] = Field(min_length=1)
    guide: str = Field(pattern=r"^guide/[a-z0-9/\-]+$")
    illustrate: str
    text: Bilingual
    sources: list[HttpUrl] = Field(min_length=1)

    @property
    def source_id(self) -> str:
        return f"glossary/{self.id}"

    def examples(self, catalog: Catalog, k: int = 3) -> list[ModelCard]:
        """Current cards that show the concept, newest first."""
        keep = ILLUSTRATE.get(self.illustrate, lambda c: False)
        cards = [c for c in catalog if keep(c)]
        # what people run on one GPU first (a 1T-parameter model illustrates LoRA poorly)
        cards.sort(
            key=lambda c: (
                c.runs_locally and (c.params_b or 0) <= SINGLE_GPU_B,
                c.release_date or dt.date.min,
                c.id,
            ),
            reverse=True,
        )
        return cards[:k]


class Glossary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    as_of: dt.date
    terms: list[Term]

    @cached_property
    def by_id(self) -> dict[str, Term]:
        return {t.id: t for t in self.terms}

    @cached_property
    def _patterns(self) -> list[tuple[re.Pattern[str], str]]:
        pats = []
        for term in self.terms:
            for name in term.names:
                key = _norm(name)
                # latin names need word edges ("rag" in "storage" is no question about RAG)
                body = re.escape(key).replace(r"\ ", r"[\s\-_]*")
                edge = r"(?<![a-z0-9])" if key[:1].isascii() else ""
                tail = r"(?![a-z0-9])" if key[-1:].isascii() else ""
                pats.append((re.compile(f"{edge}{body}{tail}"), term.id))
        pats.sort(key=lambda p: -len(p[0].pattern))
        return pats

    def mentioned(self, text: str) -> list[str]:
        """Ids of the terms the text names, in the order they appear."""
        norm = _norm(text)
        found: dict[str, int] = {}
        for pat, tid in self._patterns:
            if m := pat.search(norm):
                found[tid] = min(found.get(tid, m.start()), m.start())
        return sorted(found, key=lambda t: found[t])


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def load_glossary(path: Path) -> Glossary:
    """The glossary file; a knowledge folder without one has an empty glossary."""
    if not path.exists():
        return Glossary(as_of=dt.date.today(), terms=[])
    if not path.is_file():
        raise DataError(f"glossary is not a file: {path}")
    try:
        return Glossary.model_validate(safe_yaml(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        raise DataError(f"{path.name}: not valid YAML ({str(exc).splitlines()[0]})") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(glossary)"
        raise DataError(f"{path.name}: field '{field}': {err['msg']}") from None
