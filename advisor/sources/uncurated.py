"""Uncurated candidates: open-weight models from llmfit's dataset that the catalog lacks.

llmfit (a pinned PyPI wheel with a static binary) knows ~16,000 open-weight models, with
parameters, memory per quantisation, context, licence and languages, and ranks them for a
stated amount of memory. The advisor asks it, offline, for models that fit the user's hardware,
keeps first-party releases only (no community re-quantisations or merges), drops what the
curated catalog already covers, and shows the rest *apart* from the curated shortlist, each
labelled with its origin: nothing here was reviewed by hand.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from advisor.domain.catalog import Catalog, UseCase, normalize_name
from advisor.domain.needs import Needs
from advisor.versions import package_version

TIMEOUT_S = 30.0

#: Hugging Face organisations that publish their own models (original releases only)
FIRST_PARTY = frozenset(
    s.lower()
    for s in (
        "Qwen", "google", "meta-llama", "microsoft", "mistralai", "deepseek-ai", "ibm-granite",
        "allenai", "tiiuae", "HuggingFaceTB", "nvidia", "CohereLabs", "CohereForAI", "LiquidAI",
        "tokyotech-llm", "llm-jp", "elyza", "sbintuitions", "pfnet", "cyberagent", "stabilityai",
        "zai-org", "THUDM", "internlm", "tencent", "openai", "moonshotai", "MiniMaxAI",
        "LGAI-EXAONE", "baidu", "swiss-ai", "openbmb", "01-ai", "ai21labs", "Salesforce",
        "bigcode", "rinna", "stockmark", "SakanaAI", "karakuri-ai", "Rakuten", "kotoba-tech",
        "upstage", "utter-project", "BSC-LT", "sarvamai", "ServiceNow-AI", "arcee-ai",
    )
)  # fmt: skip
#: re-packagings of someone else's weights (quantised, converted) are not separate models
_REPACKAGED = re.compile(
    r"[-_.](awq|gptq|gguf|mlx|fp8|fp4|nvfp4|mxfp4|int[48]|bnb|[2-8]bit|exl2|w4a16|w8a8|onnx)\b",
    re.IGNORECASE,
)
#: a Hugging Face repository name (so a link built from it is plain)
_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
_NOT_A_CHAT_LLM = re.compile(r"speech|embedding|transcription|reward", re.IGNORECASE)
#: licences that allow commercial use without a separate agreement
PERMISSIVE = frozenset({"apache-2.0", "mit", "bsd-2-clause", "bsd-3-clause", "cc-by-4.0"})
_CATEGORY = {UseCase.code: "coding", UseCase.chat: "chat"}


class Uncurated(BaseModel):
    """An open-weight model known only from llmfit's dataset; its figures are llmfit's."""

    name: str
    url: str
    params_b: float | None
    context_window: int | None
    license: str | None
    use_case: str | None
    languages: list[str]
    release_date: str | None
    quant: str | None
    memory_gb: float | None
    fit: str | None
    score: float | None
    origin: str

    @property
    def memory(self) -> str | None:
        """llmfit's memory need with its quantisation and fit, as shown to the user."""
        return f"{self.memory_gb:g} GB ({self.quant}, {self.fit})" if self.memory_gb else None


def binary() -> Path | None:
    """The llmfit executable of this environment (its wheel puts it beside the interpreter)."""
    beside = Path(sys.executable).parent / "llmfit"
    if beside.is_file():
        return beside
    found = shutil.which("llmfit")
    return Path(found) if found else None


def version() -> str | None:
    return package_version("llmfit")


def _run(args: list[str]) -> Any:
    exe = binary()
    if exe is None:
        raise FileNotFoundError("llmfit is not installed")
    env = {k: v for k, v in os.environ.items() if k != "LOCALMAXXING_API_KEY"}
    out = subprocess.run(
        [str(exe), "--json", *args],
        capture_output=True,
        timeout=TIMEOUT_S,
        check=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    return json.loads(out.stdout)


@lru_cache(maxsize=1)
def dataset() -> dict[str, dict[str, Any]]:
    """Every model llmfit knows, by repository name ({} if llmfit is absent or fails)."""
    try:
        rows = _run(["list"])
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}
    return {str(r["name"]): r for r in rows if isinstance(r, dict) and "name" in r}


@lru_cache(maxsize=64)
def _ranked(args: tuple[str, ...]) -> list[dict[str, Any]]:
    """llmfit's ranking for one hardware/use-case question (the same question, the same answer)."""
    models = _run(list(args)).get("models", [])
    return [m for m in models if isinstance(m, dict) and "name" in m]


def _curated_names(catalog: Catalog) -> set[str]:
    names: set[str] = set()
    for card in catalog:
        names.update(normalize_name(n) for n in (card.id, card.name, *card.aliases))
        for url in card.sources:
            m = re.match(r"https://huggingface\.co/([^/]+/[^/?#]+)", str(url))
            if m:
                names.add(normalize_name(m.group(1).split("/")[1]))
    return names


def _hardware_args(needs: Needs) -> list[str] | None:
    if needs.gpu_gb is not None:
        args = ["--memory", f"{needs.gpu_gb:g}G"]
    elif needs.cpu_only and needs.ram_gb is not None:
        args = ["--memory", "0G"]
    else:
        return None
    if needs.ram_gb is not None:
        args += ["--ram", f"{needs.ram_gb:g}G"]
    return args


def _family(repo: str) -> str:
    """A repository name without its tuning suffix: base and instruct variants are one model."""
    return normalize_name(re.sub(r"[-_](instruct|it|chat)([-_.]?v?[\d.]+)?$", "", repo, flags=re.I))


def _keep(row: dict[str, Any], needs: Needs, curated: set[str]) -> bool:
    name = str(row.get("name", ""))
    org, _, repo = name.partition("/")
    if org.lower() not in FIRST_PARTY or not _REPO.fullmatch(repo) or _REPACKAGED.search(repo):
        return False
    if _NOT_A_CHAT_LLM.search(f"{repo} {row.get('use_case', '')}"):
        return False
    if normalize_name(repo) in curated or _family(repo) in curated:
        return False
    if needs.commercial and str(row.get("license") or "").lower() not in PERMISSIVE:
        return False
    if needs.max_params_b is not None and float(row.get("params_b") or 0) > needs.max_params_b:
        return False
    return not (needs.context_tokens and int(row.get("context_length") or 0) < needs.context_tokens)


def candidates(needs: Needs, catalog: Catalog, k: int = 3) -> tuple[list[Uncurated], str | None]:
    """Up to `k` uncurated models that fit the stated hardware, in llmfit's order; or a reason
    why there are none to show."""
    ja = needs.lang == "ja"
    if needs.deployment == "api" and not needs.privacy:
        return [], None
    hw = _hardware_args(needs)
    if hw is None:
        return [], (
            "GPU メモリ(または CPU のみの RAM)を書くと、未レビュー候補も表示します"
            if ja
            else "state your GPU memory (or CPU-only RAM) to see uncurated candidates"
        )
    args = [*hw, "recommend", "--limit", "400", "--no-dashboard", "--force-runtime", "llamacpp"]
    wanted = [_CATEGORY[u] for u in needs.use_cases if u in _CATEGORY]
    if wanted:
        args += ["--use-case", wanted[0]]
    if binary() is None:
        return [], "llmfit がインストールされていません" if ja else "llmfit is not installed"
    try:
        ranked = _ranked(tuple(args))
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return [], f"llmfit failed ({type(exc).__name__})"
    facts = dataset()
    curated = _curated_names(catalog)
    origin = f"llmfit {version()} (uncurated; not reviewed)"
    out: list[Uncurated] = []
    seen: set[str] = set()
    for row in ranked:
        listed = facts.get(str(row.get("name")), {})
        languages = [str(x) for x in listed.get("languages") or []]
        if not _keep(row, needs, curated):
            continue
        if needs.japanese and "ja" not in languages:
            continue
        family = _family(str(row["name"]).partition("/")[2])
        if family in seen:
            continue
        seen.add(family)
        out.append(
            Uncurated(
                name=str(row["name"]),
                url=f"https://huggingface.co/{row['name']}",
                params_b=row.get("params_b"),
                context_window=row.get("context_length"),
                license=row.get("license"),
                use_case=row.get("use_case"),
                languages=languages,
                release_date=row.get("release_date"),
                quant=row.get("best_quant"),
                memory_gb=row.get("memory_required_gb"),
                fit=row.get("fit_level"),
                score=row.get("score"),
                origin=origin,
            )
        )
        if len(out) >= k:
            break
    if out:
        return out, None
    return [], (
        "カタログ外で条件に合う公式リリースは llmfit にありません"
        if ja
        else "llmfit lists no first-party model beyond the catalog that fits"
    )
