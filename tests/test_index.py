"""The vector index on a real Chroma: incremental refresh, rebuilds, corruption, the lock."""

from __future__ import annotations

import multiprocessing as mp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from advisor.rag.index import all_chunks, card_text
from advisor.services import Advisor
from advisor.settings import PROJECT_ROOT, load_settings


def _advisor(tmp_path: Path, knowledge: Path | None = None, **emb: str) -> Advisor:
    paths = {"data_dir": tmp_path / "data"}
    if knowledge:
        paths["knowledge_dir"] = knowledge
    return Advisor(load_settings(paths=paths, embedding=emb or {"provider": "use-multilingual"}))


def _knowledge_copy(tmp_path: Path) -> Path:
    k = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge" / "guide", k / "guide")
    (k / "models").mkdir(parents=True)
    for mid in ("mistral-7b", "qwen3-8b", "gemma-3-4b"):
        shutil.copy(PROJECT_ROOT / "knowledge" / "models" / f"{mid}.yaml", k / "models")
    return k


def test_chunks_have_stable_ids_in_both_languages(core: Advisor) -> None:
    chunks = all_chunks(core.guide, core.catalog)
    ids = {c.source_id for c in chunks}
    assert "guide/criteria/use-case#ja" in ids and "guide/criteria/use-case#en" in ids
    assert "models/mistral-7b#ja" in ids and "models/mistral-7b#en" in ids
    assert len(ids) == len(chunks) == 2 * (len(core.catalog) + len(core.guide.sections("ja")))
    mistral = next(c for c in chunks if c.source_id == "models/mistral-7b#en")
    assert mistral.url.startswith("https://") and "Apache-2.0" in mistral.text


def test_card_text_carries_figures_from_the_card(core: Advisor) -> None:
    card = core.catalog.get("gpt-oss-20b")
    text = card_text(card, "ja")
    assert f"{card.params_b:g}B" in text and f"{card.context_window:,}" in text


def test_refresh_embeds_only_what_changed(tmp_path: Path) -> None:
    k = _knowledge_copy(tmp_path)
    adv = _advisor(tmp_path, k)
    first = adv.build_index()
    assert first.added == first.total == 2 * (3 + 9)
    assert adv.store.count() == first.total
    again = _advisor(tmp_path, k).build_index()
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, first.total)
    # edit one card, delete another
    card = k / "models" / "qwen3-8b.yaml"
    data = yaml.safe_load(card.read_text(encoding="utf-8"))
    data["strengths"]["en"] = "Edited strength for the test."
    card.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (k / "models" / "gemma-3-4b.yaml").unlink()
    third = _advisor(tmp_path, k).build_index()
    assert third.updated == 1 and third.removed == 2 and third.added == 0
    assert _advisor(tmp_path, k).store.count() == first.total - 2


def test_rebuild_when_the_embedder_changes(tmp_path: Path) -> None:
    k = _knowledge_copy(tmp_path)
    _advisor(tmp_path, k).build_index()
    other = _advisor(tmp_path, k, provider="sentence-transformers")
    report = other.build_index()
    assert report.rebuilt and any("embedder" in n for n in report.notices)
    assert other.store.count() == report.total


def test_corrupt_store_is_rebuilt(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"ADVISOR_PATHS__DATA_DIR": str(data), "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "advisor.cli", "index"]
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=300).returncode == 0
    db = data / "chroma" / "chroma.sqlite3"
    assert db.is_file()
    db.write_bytes(b"this is not a database" * 100)
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "notice: index rebuilt: the store could not be read" in p.stderr
    assert list(data.glob("chroma.corrupt-*")), "the unreadable store is kept aside"
    fresh = Advisor(load_settings(paths={"data_dir": data}))
    assert fresh.build_index().unchanged == fresh.store.count() > 0


def _index_in_process(data_dir: str) -> int:
    adv = Advisor(load_settings(paths={"data_dir": Path(data_dir)}))
    return adv.build_index().total


def test_two_index_runs_at_once_do_not_corrupt(tmp_path: Path) -> None:
    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        totals = pool.map(_index_in_process, [str(tmp_path / "data")] * 2)
    assert totals[0] == totals[1]
    adv = Advisor(load_settings(paths={"data_dir": tmp_path / "data"}))
    assert adv.store.count() == totals[0]
    assert adv.build_index().unchanged == totals[0]


def test_cli_index_then_unchanged(tmp_path: Path) -> None:
    env = {"ADVISOR_PATHS__DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}

    def run(*a: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "advisor.cli", *a],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )

    first = run("index")
    assert first.returncode == 0, first.stderr
    assert "added" in first.stdout
    second = run("index")
    assert second.returncode == 0 and "(0 added, 0 updated, 0 removed" in second.stdout


@pytest.mark.parametrize("provider", ["sentence-transformers"])
def test_sentence_transformers_bundled_minilm(provider: str) -> None:
    from advisor.rag.embeddings import make_embedder
    from advisor.settings import EmbeddingSettings

    emb = make_embedder(EmbeddingSettings(provider=provider))
    vecs = emb.embed_documents(["local LLM for code", "an API model"])
    assert len(vecs) == 2 and len(vecs[0]) == 384


def test_embedding_model_that_fails_to_load_names_the_cause() -> None:
    from advisor.errors import BackendError
    from advisor.rag.embeddings import make_embedder
    from advisor.settings import EmbeddingSettings

    with pytest.raises(BackendError, match="failed to load"):
        make_embedder(
            EmbeddingSettings(provider="sentence-transformers", model="/nonexistent/model")
        )
