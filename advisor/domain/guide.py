"""The guide "LLMモデルの選び方", restated in Japanese and English, by stable section id."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from advisor.errors import DataError, safe_yaml

Lang = Literal["ja", "en"]
MAX_GUIDE_BYTES = 256 * 1024

#: criterion key (DESIGN.md) -> guide section id
CRITERION_SECTIONS: dict[str, str] = {
    "use_case": "guide/criteria/use-case",
    "accuracy": "guide/criteria/accuracy",
    "compute_cost": "guide/criteria/compute-cost",
    "customization": "guide/criteria/customization",
    "multilingual": "guide/criteria/multilingual",
    "deployment": "guide/criteria/api-vs-local",
}
REQUIRED_SECTIONS = [*CRITERION_SECTIONS.values(), "guide/models-overview", "guide/summary"]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^guide/[a-z0-9/\-]+$")
    number: str
    title: str
    body: str = Field(min_length=1)
    note: str | None = None

    @property
    def source_id(self) -> str:
        return self.id


class GuideDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    lang: Lang
    title: str
    as_of: dt.date
    sections: list[Section]


class Guide:
    """Both language versions; `section(id, lang)` gives one section."""

    def __init__(self, docs: dict[str, GuideDoc]):
        self.docs = docs
        self._by = {(s.id, lang): s for lang, d in docs.items() for s in d.sections}

    def section(self, section_id: str, lang: str = "ja") -> Section:
        try:
            return self._by[(section_id, lang)]
        except KeyError:
            raise DataError(f"unknown guide section: {section_id!r} ({lang})") from None

    def sections(self, lang: str) -> list[Section]:
        return list(self.docs[lang].sections)

    @property
    def langs(self) -> list[str]:
        return sorted(self.docs)


def load_guide(guide_dir: Path) -> Guide:
    docs: dict[str, GuideDoc] = {}
    for lang in ("ja", "en"):
        path = guide_dir / f"{lang}.yaml"
        if not path.is_file():
            raise DataError(f"guide file not found: {path}")
        if path.stat().st_size > MAX_GUIDE_BYTES:
            raise DataError(f"{path.name}: guide file over {MAX_GUIDE_BYTES} bytes")
        try:
            raw = safe_yaml(path.read_text(encoding="utf-8"))
            doc = GuideDoc.model_validate(raw)
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise DataError(f"{path.name}: not valid YAML ({str(exc).splitlines()[0]})") from None
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise DataError(f"{path.name}: field '{where}': {err['msg']}") from None
        if doc.lang != lang:
            raise DataError(f"{path.name}: lang is {doc.lang!r}, expected {lang!r}")
        missing = set(REQUIRED_SECTIONS) - {s.id for s in doc.sections}
        if missing:
            raise DataError(f"{path.name}: missing sections {sorted(missing)}")
        docs[lang] = doc
    return Guide(docs)
