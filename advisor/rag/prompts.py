"""Prompt templates as checked files: `prompts/<id>.<lang>.yaml`, validated at load time."""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from advisor.errors import DataError, safe_yaml

REQUIRED_FIELDS = {
    "answer": {"shortlist", "passages", "question"},
    "picks": {"facts", "passages", "question"},
    "needs": {"question"},
    "summary": {"profile", "shortlist"},
    "plan": {"kind", "facts", "question"},
}


class PromptTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    lang: str = Field(pattern=r"^(ja|en)$")
    system: str = Field(min_length=20)
    user: str = Field(min_length=10)

    @model_validator(mode="after")
    def _placeholders(self) -> PromptTemplate:
        found = {f for _, f, _, _ in string.Formatter().parse(self.user) if f}
        need = REQUIRED_FIELDS.get(self.id, set())
        if found != need:
            raise ValueError(
                f"user template placeholders {sorted(found)} != required {sorted(need)}"
            )
        if any(f for _, f, _, _ in string.Formatter().parse(self.system) if f):
            raise ValueError("the system prompt must be fixed text (it is cached across turns)")
        return self

    def render(self, **values: str) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self.system.strip()},
            {"role": "user", "content": self.user.format(**values).strip()},
        ]


@lru_cache(maxsize=16)
def load_prompt(prompts_dir: Path, prompt_id: str, lang: str) -> PromptTemplate:
    path = prompts_dir / f"{prompt_id}.{lang}.yaml"
    try:
        raw = safe_yaml(path.read_text(encoding="utf-8"))
        tpl = PromptTemplate.model_validate(raw)
    except OSError as exc:
        raise DataError(f"prompt file {path}: {exc.strerror or exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataError(f"{path.name}: not valid YAML ({str(exc).splitlines()[0]})") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise DataError(
            f"{path.name}: {'.'.join(map(str, err['loc'])) or 'template'}: {err['msg']}"
        ) from None
    if tpl.id != prompt_id or tpl.lang != lang:
        raise DataError(f"{path.name}: id/lang fields do not match the file name")
    return tpl
