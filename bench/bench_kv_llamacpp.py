"""The KV cache and compute buffers that llama.cpp itself allocates for the bundled GGUFs, at
n_ctx 4096 and 32768, against the architecture formula (advisor/domain/memory.py).

Each load runs in a child process (llama.cpp logs to the C stderr); the figures come from its
'llama_kv_cache: size = ...' / 'KV self size' and 'compute buffer size' lines. The formula's
inputs come from the GGUF's own metadata. Prints one JSON object per model and context.
Run: .venv/bin/python bench/bench_kv_llamacpp.py [--json]"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, sys
from llama_cpp import Llama
llm = Llama(model_path=sys.argv[1], n_ctx=int(sys.argv[2]), n_threads=2, n_batch=512,
            verbose=True, use_mmap=True)
meta = llm.metadata
print("META " + json.dumps(meta), flush=True)
"""
MIB = 1024 * 1024


def measure(path: Path, n_ctx: int) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(n_ctx)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = proc.stderr
    meta: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("META "):
            meta = json.loads(line[5:])
    kv = re.findall(
        r"(?:llama_kv_cache(?:_unified)?:\s+size\s*=|KV self size\s*=)\s*([\d.]+)\s*MiB", log
    )
    compute = re.findall(r"(\w+) compute buffer size\s*=\s*([\d.]+)\s*MiB", log)
    return {
        "meta": meta,
        "kv_mib": sum(float(x) for x in kv) if kv else None,
        "compute_mib": {name: float(v) for name, v in compute},
        "rc": proc.returncode,
    }


def formula_bytes_per_token(meta: dict[str, str]) -> float:
    arch = meta["general.architecture"]
    layers = int(meta[f"{arch}.block_count"])
    heads = int(meta[f"{arch}.attention.head_count"])
    kv_heads = int(meta.get(f"{arch}.attention.head_count_kv", heads))
    emb = int(meta[f"{arch}.embedding_length"])
    k = int(meta.get(f"{arch}.attention.key_length", emb // heads))
    v = int(meta.get(f"{arch}.attention.value_length", emb // heads))
    from advisor.domain.catalog import Architecture
    from advisor.domain.memory import kv_bytes_per_token

    a = Architecture(
        layers=layers,
        kv_heads=kv_heads,
        head_dim=k,
        v_head_dim=v if v != k else None,
        sources=["https://github.com/ggml-org/ggml/blob/master/docs/gguf.md"],
        as_of=dt.date.today(),  # read from the file itself, now
    )
    return kv_bytes_per_token(a, 4096)


def main() -> None:
    from advisor.settings import load_settings
    from advisor.sources.bundled import DEFAULT, model_path

    settings = load_settings()
    for name in DEFAULT:
        path = model_path(settings, name)
        if not path.is_file():
            print(json.dumps({"model": name, "error": f"not found: {path}"}))
            continue
        for n_ctx in (4096, 32768):
            got = measure(path, n_ctx)
            meta: dict[str, str] = got.pop("meta")  # type: ignore[assignment]
            per_token = formula_bytes_per_token(meta) if meta else None
            formula_mib = per_token * n_ctx / MIB if per_token else None
            kv = cast(float | None, got["kv_mib"])
            print(
                json.dumps(
                    {
                        "model": name,
                        "n_ctx": n_ctx,
                        "llama_cpp_kv_mib": kv,
                        "formula_kv_mib": round(formula_mib, 2) if formula_mib else None,
                        "error": round(kv / formula_mib - 1, 4) if kv and formula_mib else None,
                        "compute_mib": got["compute_mib"],
                        "n_vocab": meta.get(f"{meta.get('general.architecture')}.vocab_size")
                        or None,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
