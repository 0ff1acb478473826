"""The import contract (scripts/check_layers.py): one-way layers, no cycle, no big module."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from advisor.settings import PROJECT_ROOT

pytestmark = pytest.mark.fast


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_layers", PROJECT_ROOT / "scripts" / "check_layers.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["check_layers"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_the_package_keeps_the_contract() -> None:
    assert _checker().violations() == []


def test_the_checker_finds_cycles_and_upward_imports() -> None:
    c = _checker()
    assert c._cycles({"advisor.a": ["advisor.b"], "advisor.b": ["advisor.a"]}) == [
        ["advisor.a", "advisor.b"]
    ]
    assert c._cycles({"advisor.a": ["advisor.b"], "advisor.b": []}) == []
    order = c.ORDER
    assert order.index(c.layer_of("advisor.domain.recommend")) < order.index(
        c.layer_of("advisor.rag.answer")
    )
    assert order.index(c.layer_of("advisor.rag.answer")) < order.index(
        c.layer_of("advisor.cli.base")
    )


def test_no_module_over_450_lines() -> None:
    big = {
        str(p.relative_to(PROJECT_ROOT)): n
        for p in Path(PROJECT_ROOT / "advisor").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    }
    assert not big, big
