"""Deployment hardening: local bind, no share link, optional basic auth, input size and queue
limits, secrets never logged, echoed or sent to an endpoint chosen in the UI, and the versions
of the dependencies with known CVEs."""

from __future__ import annotations

import ast
import http.server
import importlib.metadata
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from packaging.version import Version

from advisor.services import Advisor
from advisor.settings import PROJECT_ROOT, Settings, load_settings
from tests.test_load import chat_endpoint, start_app, stop, text_of

KEY = "sk-test-SECRET123"
USER = "alice"
PASSWORD = f"pw-{secrets.token_hex(8)}"
LIMIT = Settings.model_fields["max_input_chars"].default


# --- configuration ----------------------------------------------------------------------------


def test_binds_localhost_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADVISOR_UI__HOST", raising=False)
    monkeypatch.delenv("ADVISOR_SETTINGS_FILE", raising=False)
    assert Settings().ui.host == "127.0.0.1"
    assert load_settings().ui.host == "127.0.0.1"


def test_share_is_never_enabled() -> None:
    sources = {p: p.read_text(encoding="utf-8") for p in [PROJECT_ROOT / "app.py"]}
    sources.update(
        {p: p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "advisor").rglob("*.py")}
    )
    launches = 0
    for path, src in sources.items():
        for node in ast.walk(ast.parse(src)):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                if kw.arg == "share":
                    assert isinstance(kw.value, ast.Constant) and kw.value.value is False, (
                        f"{path.name}:{node.lineno}: share must be the constant False"
                    )
            launch = isinstance(node.func, ast.Attribute) and node.func.attr == "launch"
            if launch and path.parent.name == "ui":
                launches += 1
                share = {kw.arg: kw.value for kw in node.keywords}.get("share")
                assert isinstance(share, ast.Constant) and share.value is False, (
                    f"{path.name}:{node.lineno}: launch() without share=False"
                )
    assert launches >= 1, "no launch() call found in advisor/ui/"


def test_queue_limit_and_no_share_link_in_a_real_launch(
    indexed: Advisor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ui.launch() itself, in this process: GRADIO_SHARE=True in the environment is ignored,
    the server binds 127.0.0.1, and requests beyond the queue limit are refused."""
    gradio_client = pytest.importorskip("gradio_client")
    from advisor import ui
    from advisor.rag.answer import AnswerChain
    from tests.conftest import free_port

    monkeypatch.setenv("GRADIO_SHARE", "True")
    original = AnswerChain.stream

    def slow_stream(self: AnswerChain, p: Any) -> Iterator[str]:
        time.sleep(1.5)
        yield from original(self, p)

    monkeypatch.setattr(AnswerChain, "stream", slow_stream)
    port = free_port()
    settings = load_settings(
        paths={"data_dir": indexed.settings.paths.data_dir},
        llm={"mode": "extractive"},
        ui={"port": port, "max_queue": 2, "concurrency": 1, "host": "127.0.0.1"},
    )
    app, _local_url, share_url = ui.launch(settings, prevent_thread_lock=True, quiet=True)
    demo = app.get_blocks()
    try:
        assert share_url is None and demo.share is False
        assert demo.server_name == "127.0.0.1"
        assert demo._queue.max_size == 2
        assert Settings().ui.max_queue <= 1024  # the default is finite
        url = f"http://127.0.0.1:{port}/"
        api_name = chat_endpoint(gradio_client.Client(url, verbose=False))
        jobs = [
            gradio_client.Client(url, verbose=False).submit(
                f"local chat {i}", [], api_name=api_name
            )
            for i in range(6)
        ]
        served, refused = 0, []
        for job in jobs:
            try:
                job.result(timeout=60)
                served += 1
            except Exception as exc:
                refused.append(str(exc))
    finally:
        demo.close()
    print(f"\n[hardening] queue max_size=2, concurrency 1: {served} served, {len(refused)} refused")
    assert 1 <= served <= 3  # one running + two waiting
    assert refused and all("queue is full" in r.lower() for r in refused), refused


def test_dependency_versions_meet_cve_floors() -> None:
    floors = {
        "gradio": "6.16",
        "llama-cpp-python": "0.2.72",
        "langchain-core": "1.2.5",
        "jinja2": "3.1.6",
    }
    low = {}
    for dist, floor in floors.items():
        try:
            have = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            if dist == "llama-cpp-python":  # optional extra: absent is not vulnerable
                continue
            raise
        if Version(have) < Version(floor):
            low[dist] = f"{have} < {floor}"
    assert not low, low


def test_settings_never_show_the_key() -> None:
    s = load_settings(llm={"openai": {"api_key": KEY}})
    assert s.llm.openai.api_key is not None and s.llm.openai.api_key.get_secret_value() == KEY
    for text in (repr(s), str(s), s.model_dump_json(), str(s.model_dump())):
        assert KEY not in text


# --- the running app: auth, input limit, secrets ----------------------------------------------


@pytest.fixture(scope="module")
def secured(indexed: Advisor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """app.py with basic auth and the OpenAI backend holding a key, pointed at a closed port."""
    log = tmp_path_factory.mktemp("hardening") / "app.log"
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    proc, url = start_app(
        indexed.settings.paths.data_dir,
        log,
        ADVISOR_LLM__MODE="openai",
        OPENAI_API_KEY=KEY,
        OPENAI_BASE_URL=f"http://127.0.0.1:{dead}/v1",
        ADVISOR_LLM__OPENAI__TIMEOUT_S="3",
        ADVISOR_LLM__OPENAI__MAX_RETRIES="0",
        ADVISOR_UI__AUTH_USER=USER,
        ADVISOR_UI__AUTH_PASSWORD=PASSWORD,
    )
    try:
        yield {"url": url, "log": log, "proc": proc}
    finally:
        stop(proc)


def _non_loopback_ip() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # UDP: picks a route, sends nothing
            ip = str(s.getsockname()[0])
    except OSError:
        return None
    return None if ip.startswith("127.") or ip == "0.0.0.0" else ip


def test_app_is_not_reachable_on_other_addresses(secured: dict[str, Any]) -> None:
    ip = _non_loopback_ip()
    if ip is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    port = int(secured["url"].rsplit(":", 1)[1].strip("/"))
    with socket.socket() as s:
        s.settimeout(3)
        assert s.connect_ex(("127.0.0.1", port)) == 0
    with socket.socket() as s:
        s.settimeout(3)
        assert s.connect_ex((ip, port)) != 0, f"the app answers on {ip}:{port}"


def test_basic_auth_refuses_anonymous_requests(secured: dict[str, Any]) -> None:
    url = secured["url"]
    page = httpx.get(url)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Mistral 7B" not in page.text  # the login page, not the app
    for path in ("config", "gradio_api/info", "gradio_api/queue/status"):
        r = httpx.get(url + path)
        assert r.status_code == 401, (path, r.status_code)
    for path, body in [
        ("gradio_api/call/chat", {"data": ["hi", []]}),
        ("gradio_api/queue/join", {"data": ["hi", []], "fn_index": 0, "session_hash": "x1"}),
    ]:
        r = httpx.post(url + path, json=body)
        assert r.status_code == 401, (path, r.status_code, r.text[:100])
    wrong = httpx.post(url + "login", data={"username": USER, "password": "wrong"})
    assert wrong.status_code in (400, 401) and "set-cookie" not in wrong.headers
    with httpx.Client() as logged_in:
        ok = logged_in.post(url + "login", data={"username": USER, "password": PASSWORD})
        assert ok.status_code == 200
        config = logged_in.get(url + "config")
        assert config.status_code == 200 and "Mistral 7B" in config.text
    gradio_client = pytest.importorskip("gradio_client")
    with pytest.raises(Exception, match=r"(?i)credentials|auth|login"):
        gradio_client.Client(url, verbose=False)


def _client(url: str) -> Any:
    gradio_client = pytest.importorskip("gradio_client")
    return gradio_client.Client(url, auth=(USER, PASSWORD), verbose=False)


def test_over_long_question_gets_a_message_not_an_answer(secured: dict[str, Any]) -> None:
    client = _client(secured["url"])
    question = ("ローカルでコード補完。" * 2500)[:25_000]
    out = client.predict(question, [], api_name=chat_endpoint(client))
    history, shortlist = out[0], out[1]
    assert [m["role"] for m in history] == ["user", "assistant"]
    reply = text_of(history[-1])
    assert reply.startswith("⚠️") and f"{LIMIT:,}" in reply and "25,000" in reply, reply
    assert "候補" not in reply and "fit your needs" not in reply
    assert len(text_of(history[0])) <= 600  # the echo is cut, not 25,000 characters
    assert not (shortlist or {}).get("data"), shortlist
    # a question at the limit is still answered
    ok = client.predict(
        ("ローカルでコード補完。" * 2000)[:LIMIT], [], api_name=chat_endpoint(client)
    )
    assert not text_of(ok[0][-1]).startswith("⚠️")


@pytest.mark.browser
def test_key_and_password_never_logged_or_shown(browser: Any, secured: dict[str, Any]) -> None:
    url = secured["url"]
    ctx = browser.new_context()
    try:
        login = ctx.request.post(url + "login", form={"username": USER, "password": PASSWORD})
        assert login.ok
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_selector("#ask textarea", timeout=60_000)
        page.fill("#ask textarea", "APIで使える安いチャットボット")
        page.click("#send")
        page.wait_for_selector("#citations details", timeout=60_000)
        page.wait_for_function(  # the OpenAI call failed and the offline answer followed
            "document.querySelector('#status').innerText.includes('オフライン')", timeout=60_000
        )
        page.get_by_role("tab", name="設定").click()
        page.wait_for_timeout(500)
        shown = page.content() + page.inner_text("body")
        config = ctx.request.get(url + "config").text()
        status = page.inner_text("#status")
    finally:
        ctx.close()
    time.sleep(0.5)
    log = secured["log"].read_text(errors="replace")
    assert "127.0.0.1" in status  # the failing endpoint is named ...
    for secret in (KEY, "SECRET123", PASSWORD):
        assert secret not in shown, "secret on the page"
        assert secret not in config, "secret in the app config"
        assert secret not in log, "secret in the app log"


# --- the key goes only to the endpoint it was configured for -----------------------------------


class _Capture(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen.append(str(self.headers) + body.decode(errors="replace"))
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_ui_backend_switch_never_sends_the_server_key_elsewhere(
    indexed: Advisor, tmp_path: Path
) -> None:
    """The settings tab lets a visitor set a base URL: the server's own key must not follow."""
    from advisor.ui import Handlers

    handler: type[_Capture] = type("Capture", (_Capture,), {"seen": []})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        settings = load_settings(
            paths={"data_dir": indexed.settings.paths.data_dir},
            llm={"mode": "openai", "openai": {"api_key": KEY, "max_retries": 0, "timeout_s": 5}},
        )
        adv = Advisor(settings)
        adv.__dict__["retriever"] = indexed.retriever
        h = Handlers(adv, adv.chain())
        evil = f"http://127.0.0.1:{srv.server_address[1]}/v1"
        msg = h.apply_backend("openai", evil, "", "gpt-4.1-mini", "")
        assert KEY not in msg and evil in msg
        ans = h.chain.ask("cheap API chatbot")
        assert ans.backend == "openai->extractive"  # it did call the endpoint, which failed
        assert handler.seen, "the endpoint was never called"
        assert not any("SECRET123" in req for req in handler.seen), "the server key was sent"
        # a key typed into the form is used for that endpoint
        h.apply_backend("openai", evil, "sk-typed-by-user", "gpt-4.1-mini", "")
        h.chain.ask("cheap API chatbot")
        assert "sk-typed-by-user" in handler.seen[-1]
    finally:
        srv.shutdown()


def test_settings_tab_is_read_only_on_a_shared_server_without_auth(indexed) -> None:
    from advisor.services import Advisor as _Advisor
    from advisor.settings import load_settings
    from advisor.ui import Handlers

    shared = _Advisor(
        load_settings(
            paths={"data_dir": indexed.settings.paths.data_dir},
            ui={"host": "0.0.0.0"},
            llm={"mode": "extractive"},
        )
    )
    h = Handlers(shared, shared.chain("extractive"))
    assert "read-only" in h.apply_backend("openai", "http://evil.example/v1", "", "m", "")
    assert "read-only" in h.rebuild()
    assert h.chain.llm.name == "extractive"
    local = _Advisor(
        load_settings(
            paths={"data_dir": indexed.settings.paths.data_dir}, llm={"mode": "extractive"}
        )
    )
    assert Handlers(local, local.chain("extractive")).can_admin
