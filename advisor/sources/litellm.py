"""LiteLLM's model map (`litellm/model_prices_and_context_window_backup.json`), taken as data
only from a pinned, hash-checked wheel that is never installed or imported: deprecation dates,
successors and the vendors' deprecation pages, output limits."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from advisor.domain.catalog import ModelCard
from advisor.errors import BackendError, DataError
from advisor.sources.common import card_keys, match_key, pins

#: catalog vendor -> LiteLLM's first-party providers (most direct first)
LITELLM_PROVIDERS = {
    "OpenAI": ("openai",),
    "Anthropic": ("anthropic",),
    "Google": ("gemini", "vertex_ai-language-models"),
    "Google DeepMind": ("gemini", "vertex_ai-language-models"),
    "Mistral AI": ("mistral",),
    "DeepSeek": ("deepseek",),
    "Cohere": ("cohere_chat", "cohere"),
    "xAI": ("xai",),
    "Moonshot AI": ("moonshot",),
    "Z.ai (Zhipu AI)": ("zai",),
    "Alibaba Cloud (Qwen team)": ("dashscope",),
    "Meta": ("meta_llama",),
}


def litellm_path(data_dir: Path) -> Path:
    pin = pins()["litellm"]
    return data_dir / "datasets" / f"litellm-{pin.version}-model_prices.json"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_litellm(data_dir: Path) -> Path:
    """Download the pinned LiteLLM wheel (pip --require-hashes, never installed), extract its
    model map and check the map's SHA-256. Does nothing when the checked file is there."""
    from advisor.sources.bundled import pip_download

    pin = pins()["litellm"]
    if not (pin.wheel and pin.wheel_sha256 and pin.member and pin.member_sha256):
        raise DataError("datasets.yaml: litellm needs wheel, wheel_sha256, member, member_sha256")
    target = litellm_path(data_dir)
    if target.is_file() and _sha256(target) == pin.member_sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # the wheel's name fixes its platform tag: the same file (and hash) on any machine
    platform = pin.wheel.removesuffix(".whl").split("-")[-1]
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        wheel = pip_download(
            [f"litellm=={pin.version} --hash=sha256:{pin.wheel_sha256}"],
            Path(tmp),
            ["--only-binary=:all:", "--platform", platform, "--python-version", "3.11"],
            what="LiteLLM's model map",
        )["litellm"]
        partial = target.with_suffix(".partial")
        with zipfile.ZipFile(wheel) as zf, zf.open(pin.member) as src, partial.open("wb") as out:
            while block := src.read(1 << 20):
                out.write(block)
        got = _sha256(partial)
        if got != pin.member_sha256:
            partial.unlink()
            raise BackendError(f"{pin.member}: SHA-256 {got[:12]}… != {pin.member_sha256[:12]}…")
        partial.replace(target)
    return target


@lru_cache(maxsize=4)
def litellm_map(data_dir: Path) -> dict[str, dict[str, Any]] | None:
    """LiteLLM's model map as plain JSON (None when it was not fetched or is not the pinned one)."""
    path = litellm_path(data_dir)
    pin = pins()["litellm"]
    if not path.is_file() or path.stat().st_size > 50_000_000:
        return None
    if _sha256(path) != pin.member_sha256:
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if isinstance(v, dict) and k != "sample_spec"}


def litellm_entries(
    data: dict[str, dict[str, Any]], providers: tuple[str, ...]
) -> list[tuple[str, dict[str, Any]]]:
    """(model id without provider prefix, entry) of these providers, in the providers' order."""
    rank = {p: i for i, p in enumerate(providers)}
    rows = [
        (key.split("/", 1)[1] if "/" in key else key, entry)
        for key, entry in data.items()
        if entry.get("litellm_provider") in rank
    ]
    rows.sort(key=lambda r: (rank[str(r[1]["litellm_provider"])], r[0]))
    return rows


def find_litellm(
    card: ModelCard, data: dict[str, dict[str, Any]] | None
) -> tuple[str, dict[str, Any]] | None:
    """The LiteLLM entry of a card ("provider/id" key and entry), first-party providers only."""
    providers = LITELLM_PROVIDERS.get(card.vendor)
    if data is None or providers is None:
        return None
    wanted = card_keys(card)
    for model_id, entry in litellm_entries(data, providers):
        if match_key(model_id) in wanted:
            return f"{entry['litellm_provider']}/{model_id}", entry
    return None
