"""Shared fixtures. Tests use the real knowledge files; state goes to tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

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
