"""Shared fixtures. Tests use the real knowledge files; state goes to tmp_path."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from advisor.services import Advisor
from advisor.settings import PROJECT_ROOT, Settings, load_settings

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def core() -> Advisor:
    """Catalog, guide and recommender over the real knowledge files (no index, no LLM)."""
    return Advisor(load_settings(llm={"mode": "extractive"}))


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return load_settings(paths={"data_dir": tmp_path / "data"}, llm={"mode": "extractive"})


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def fast_indexed(tmp_path_factory: pytest.TempPathFactory) -> Advisor:
    """An advisor over the real knowledge files and a real Chroma index in a session temp dir,
    embedded by the deterministic fake embedder (no model: built in a few seconds)."""
    data = tmp_path_factory.mktemp("fast-indexed")
    adv = Advisor(
        load_settings(
            paths={"data_dir": data}, llm={"mode": "extractive"}, embedding={"provider": "fake"}
        )
    )
    adv.build_index()
    return adv


@pytest.fixture(scope="session")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Advisor:
    """An advisor whose real Chroma index (USE multilingual vectors) lives in a session temp dir."""
    data = tmp_path_factory.mktemp("indexed")
    adv = Advisor(load_settings(paths={"data_dir": data}, llm={"mode": "extractive"}))
    adv.build_index()
    return adv


# The fast tier (`make test-fast`, `pytest -m fast`): these modules need no model, no server and no
# browser. Their tests are marked `fast` here, except any that is marked slow or browser or that
# uses the real-embedder index; new fast-only modules mark themselves with `pytestmark`.
FAST_MODULES = {
    "test_catalog",
    "test_datasets",
    "test_eval",
    "test_evidence",
    "test_guide",
    "test_hardware",
    "test_lifecycle",
    "test_memory",
    "test_needs_learned",
    "test_kinds",
    "test_needs",
    "test_recommend",
    "test_settings",
    "test_ui_dialogue",
    "test_views",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = getattr(item, "module", None)
        if module is None or module.__name__.rsplit(".", 1)[-1] not in FAST_MODULES:
            continue
        if item.get_closest_marker("slow") or item.get_closest_marker("browser"):
            continue
        if "indexed" in getattr(item, "fixturenames", ()):
            continue
        item.add_marker(pytest.mark.fast)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 60.0, proc: Any = None) -> None:
    """Wait until 127.0.0.1:port accepts; give up early when `proc` (a Popen) has exited."""
    import socket
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise TimeoutError(
                f"the process exited with {proc.returncode} before listening on {port}"
            )
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (skipped where either is missing)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
