"""Hybrid retrieval on the real index: Japanese-aware BM25, dense vectors, named-card lookup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.evaluate import load_sets, retrieval_metrics
from advisor.rag.retrieve import tokenize
from advisor.services import Advisor
from advisor.settings import PROJECT_ROOT, load_settings
from tests.conftest import free_port, wait_port


def test_tokenize_japanese_into_bigrams() -> None:
    tokens = tokenize("社外に出せない文書をRTX 4090で要約")
    assert "社外" in tokens and "要約" in tokens and "rtx" in tokens and "4090" in tokens
    assert "社外に出せない文書を" not in tokens


def test_named_models_come_first(indexed: Advisor) -> None:
    ids = [p.chunk.base_id for p in indexed.retrieve("Mistral 7Bとgemma 2の違いは?", 5)]
    assert ids[0] == "models/mistral-7b"
    assert any(i.startswith("models/gemma-2-") for i in ids[:4])


def test_passages_follow_the_query_language(indexed: Advisor) -> None:
    ja = indexed.retrieve("翻訳に特化したモデルは?", 5)
    en = indexed.retrieve("Which models specialise in translation?", 5)
    assert all(p.chunk.lang == "ja" for p in ja) and all(p.chunk.lang == "en" for p in en)
    from advisor.domain.criteria import is_translation_specialist

    specialists = {c.source_id for c in indexed.catalog if is_translation_specialist(c)}
    assert {"models/nllb-200", "models/m2m-100"} <= specialists  # the guide's own examples
    assert len(specialists & {p.chunk.base_id for p in ja}) >= 2


def test_japanese_query_finds_guide_section(indexed: Advisor) -> None:
    ids = [p.chunk.base_id for p in indexed.retrieve("APIとローカル実行、どちらがいい?", 5)]
    assert "guide/criteria/api-vs-local" in ids


def test_recall_at_5_bar_per_language(indexed: Advisor) -> None:
    cases, _, _ = load_sets(PROJECT_ROOT / "knowledge" / "eval")
    metrics = retrieval_metrics(
        cases, lambda q, k: [p.chunk.base_id for p in indexed.retrieve(q, k)]
    )
    assert metrics["ja"]["n"] >= 30 and metrics["en"]["n"] >= 30
    for lang in ("ja", "en"):
        assert metrics[lang]["recall@5"] >= 0.90, metrics


def test_retrieve_json_contract(indexed: Advisor) -> None:
    env = {**os.environ, "ADVISOR_PATHS__DATA_DIR": str(indexed.settings.paths.data_dir)}
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "advisor.cli",
            "retrieve",
            "LoRAで微調整できるモデル",
            "--json",
            "--k",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["query"] == "LoRAで微調整できるモデル" and len(data["results"]) == 3
    for r in data["results"]:
        assert {"source_id", "title", "lang", "text", "score"} <= set(r)
        assert r["source_id"].startswith(("guide/", "models/", "glossary/"))


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    exe = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        wait_port(port, 60)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def test_chroma_server_mode(chroma_server: int, tmp_path: Path) -> None:
    settings = load_settings(
        paths={"data_dir": tmp_path}, index={"mode": "http", "port": chroma_server}
    )
    adv = Advisor(settings)
    report = adv.build_index()
    assert report.added == report.total and adv.store.count() == report.total
    again = Advisor(settings).build_index()
    assert again.unchanged == again.total
    ids = [p.chunk.base_id for p in adv.retrieve("コード補完に向くモデル", 5)]
    assert any("cod" in i for i in ids)


def test_chroma_server_down_is_a_clear_error(tmp_path: Path) -> None:
    from advisor.errors import BackendError

    settings = load_settings(
        paths={"data_dir": tmp_path}, index={"mode": "http", "port": free_port()}
    )
    with pytest.raises(BackendError, match=r"vector store at 127\.0\.0\.1"):
        Advisor(settings).build_index()


def test_chroma_server_that_hangs_times_out(tmp_path: Path) -> None:
    """A server that accepts the connection and never answers: the configured timeout ends it."""
    import socket
    import time

    from advisor.errors import BackendError

    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        port = srv.getsockname()[1]
        settings = load_settings(
            paths={"data_dir": tmp_path}, index={"mode": "http", "port": port, "timeout_s": 1.5}
        )
        start = time.monotonic()
        with pytest.raises(BackendError, match="unavailable"):
            Advisor(settings).build_index()
        assert time.monotonic() - start < 10
