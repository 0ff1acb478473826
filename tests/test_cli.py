"""The CLI as a user runs it: a real subprocess, JSON contracts, one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REC_KEYS = {
    "model_id",
    "name",
    "aliases",
    "score",
    "rank",
    "criteria",
    "open_weights",
    "params_b",
    "context_window",
    "license",
    "commercial_use",
    "japanese",
    "languages",
    "use_cases",
    "memory_gb",
    "price_per_mtok",
    "sources",
}
CRITERIA = {"use_case", "accuracy", "compute_cost", "customization", "multilingual", "deployment"}


def run(*args: str | bytes, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    cmd: list[str | bytes] = [sys.executable, "-m", "advisor.cli", *args]
    return subprocess.run(cmd, capture_output=True, timeout=120, input=stdin)


@pytest.mark.parametrize(
    ("stdin", "message"),
    [(("コード補完 " * 40_000).encode(), "the limit is 20,000"), (b"\xff\xfe", "not valid UTF-8")],
)
def test_long_or_binary_stdin_refused(stdin: bytes, message: str) -> None:
    p = run("recommend", "-", stdin=stdin)
    assert p.returncode == 2 and message in p.stderr.decode() and b"Traceback" not in p.stderr


def test_needs_from_stdin() -> None:
    p = run("recommend", "-", "--json", "--top", "2", stdin="翻訳を100言語で".encode())
    assert p.returncode == 0
    top = json.loads(p.stdout)["recommendations"][0]
    assert "translation" in top["use_cases"] and "chat" not in top["use_cases"]


def test_recommend_json_contract() -> None:
    p = run("recommend", "ローカルでコード補完、RTX 4090", "--json", "--top", "3")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert set(data) == {"needs", "recommendations", "excluded"}
    recs = data["recommendations"]
    assert [r["rank"] for r in recs] == [1, 2, 3]
    for r in recs:
        assert set(r) >= REC_KEYS
        assert set(r["criteria"]) == CRITERIA
        assert all({"score", "reason", "cite"} <= set(c) for c in r["criteria"].values())
        assert r["japanese"] in ("strong", "good", "basic", "none")
        assert set(r["memory_gb"]) == {"q4", "q8", "fp16"}
        assert r["sources"] and r["open_weights"] is True
    assert data["needs"]["deployment"] == "local" and data["needs"]["gpu_gb"] == 24
    assert all({"model_id", "reason"} == set(e) for e in data["excluded"])


def test_recommend_human_output_follows_language() -> None:
    ja = run("recommend", "日本語チャットボットをAPIで")
    en = run("recommend", "Japanese chatbot via API")
    assert ja.returncode == 0 and en.returncode == 0
    assert "おすすめ" in ja.stdout.decode() and "Recommendations" in en.stdout.decode()
    forced = run("recommend", "日本語チャットボットをAPIで", "--lang", "en")
    assert "Recommendations" in forced.stdout.decode()


def test_flags_override_extraction() -> None:
    p = run(
        "recommend", "a chatbot", "--local", "--gpu-gb", "8", "--japanese", "--json", "--top", "3"
    )
    data = json.loads(p.stdout)
    assert data["needs"]["deployment"] == "local" and data["needs"]["gpu_gb"] == 8
    for r in data["recommendations"]:
        assert r["open_weights"] and r["japanese"] in ("strong", "good")


def test_models_json_has_every_card_field() -> None:
    p = run("models", "--json")
    assert p.returncode == 0
    models = json.loads(p.stdout)["models"]
    assert len(models) >= 80
    assert {"id", "name", "aliases", "sources", "as_of", "japanese", "deployment"} <= set(models[0])
    p = run("models", "--json", "--open", "--japanese", "strong")
    assert all(
        m["open_weights"] and m["japanese"] == "strong" for m in json.loads(p.stdout)["models"]
    )


def test_show() -> None:
    p = run("show", "mistral-7b")
    assert p.returncode == 0 and b"https://" in p.stdout and b"Apache-2.0" in p.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("recommend", ""), "input is empty"),
        (("recommend", "   "), "input is empty"),
        (("recommend", "chat\x07bot"), "control characters"),
        (("recommend", b"bad \xff\xfe bytes"), "not valid UTF-8"),
        (("show", "no-such-model"), "unknown model id"),
        (("recommend", "chatbot", "--local", "--api"), "contradict"),
        (("recommend", "chatbot", "--cpu-only", "--gpu-gb", "8"), "contradict"),
        (("recommend", "chatbot", "--lang", "fr"), "--lang must be"),
        (("recommend", "chatbot", "--top", "0"), "--top"),
        (("models", "--japanese", "fluent"), "--japanese must be"),
        (("recommend",), "Missing argument"),
    ],
)
def test_bad_input_one_line_exit_2(args: tuple[str | bytes, ...], message: str) -> None:
    p = run(*args)
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 2, err
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_malformed_settings_file(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("llm: {mode: telepathy}\n", encoding="utf-8")
    p = run("--settings", str(bad), "models")
    err = p.stderr.decode()
    assert p.returncode == 2 and "settings: 'llm.mode'" in err and "Traceback" not in err
