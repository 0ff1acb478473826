"""Chunks of the guide and the model cards, embedded into a Chroma collection, refreshed by hash."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from advisor.domain.catalog import Catalog, ModelCard
from advisor.domain.glossary import Glossary
from advisor.domain.guide import Guide, Section
from advisor.errors import BackendError
from advisor.i18n import t
from advisor.present.card import card_facts
from advisor.rag.embeddings import embedder_id
from advisor.settings import Settings

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

#: bump when the chunk format changes: every stored hash becomes stale
CHUNK_VERSION = "1"


@dataclass(frozen=True)
class Chunk:
    source_id: str  # e.g. "guide/criteria/use-case#ja", "models/mistral-7b#en"
    base_id: str  # the section or card id, without the language suffix
    title: str
    lang: str
    kind: str  # "guide" | "model"
    url: str
    text: str

    @property
    def hash(self) -> str:
        return hashlib.sha256(
            f"{CHUNK_VERSION}\0{self.title}\0{self.text}\0{self.url}".encode()
        ).hexdigest()[:16]

    def metadata(self) -> dict[str, str]:
        return {
            "source_id": self.source_id,
            "base_id": self.base_id,
            "title": self.title,
            "lang": self.lang,
            "kind": self.kind,
            "url": self.url,
            "hash": self.hash,
        }


GUIDE_URL = "guide"  # the guide is this project's own restatement: its "url" is its section id


def guide_chunks(guide: Guide) -> list[Chunk]:
    out = []
    for lang in guide.langs:
        for s in guide.sections(lang):
            out.append(_section_chunk(s, lang))
    return out


def _section_chunk(s: Section, lang: str) -> Chunk:
    text = f"{s.title}\n{s.body.strip()}"
    if s.note:
        text += f"\n{s.note.strip()}"
    return Chunk(
        source_id=f"{s.id}#{lang}",
        base_id=s.id,
        title=s.title,
        lang=lang,
        kind="guide",
        url=s.id,
        text=text,
    )


def card_text(c: ModelCard, lang: str) -> str:
    """A card's facts as one passage, in `lang`; every figure comes from the card."""
    lines = [f"{t(lang, 'モデル', 'Model')}: {c.name} ({c.vendor})"]
    lines += [f"{label}: {value}" for label, value in card_facts(c, lang)]
    return "\n".join(lines)


def card_chunks(catalog: Catalog) -> list[Chunk]:
    return [
        Chunk(
            source_id=f"{c.source_id}#{lang}",
            base_id=c.source_id,
            title=c.name,
            lang=lang,
            kind="model",
            url=c.url,
            text=card_text(c, lang),
        )
        for c in catalog
        for lang in ("ja", "en")
    ]


def all_chunks(guide: Guide, catalog: Catalog, glossary: Glossary | None = None) -> list[Chunk]:
    extra = glossary_chunks(glossary) if glossary is not None else []
    return guide_chunks(guide) + card_chunks(catalog) + extra


def glossary_chunks(glossary: Glossary) -> list[Chunk]:
    """One chunk per term and language; its url is the first public page it cites."""
    return [
        Chunk(
            source_id=f"{term.source_id}#{lang}",
            base_id=term.source_id,
            title=term.title.get(lang),
            lang=lang,
            kind="glossary",
            url=str(term.sources[0]),
            text=f"{term.title.get(lang)}\n{term.text.get(lang)}",
        )
        for term in glossary.terms
        for lang in ("ja", "en")
    ]


@dataclass
class IndexReport:
    total: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    rebuilt: bool = False
    notices: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        return self.total - self.added - self.updated


def _probe(host: str, port: int, seconds: float) -> None:
    import httpx

    httpx.get(f"http://{host}:{port}/api/v2/heartbeat", timeout=seconds).raise_for_status()


def _set_http_timeout(client: Any, seconds: float) -> None:
    """Chroma's HttpClient creates its httpx session with timeout=None; bound every call."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds)


class Store:
    """The Chroma collection (persistent under data_dir, or a `chroma run` server)."""

    def __init__(self, settings: Settings, embedder: Embeddings):
        self.settings = settings
        self.embedder = embedder
        self.embedder_name = embedder_id(embedder)
        self._client: Any = None
        self._collection: Any = None
        self.notices: list[str] = []

    @property
    def path(self) -> Path:
        return self.settings.paths.data_dir / "chroma"

    def client(self) -> Any:
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            cfg = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            idx = self.settings.index
            try:
                if idx.mode == "http":
                    _probe(
                        idx.host, idx.port, idx.timeout_s
                    )  # the client's own first calls have no timeout
                    self._client = chromadb.HttpClient(host=idx.host, port=idx.port, settings=cfg)
                    _set_http_timeout(self._client, idx.timeout_s)
                    self._client.heartbeat()
                else:
                    self._preflight()
                    self.path.mkdir(parents=True, exist_ok=True)
                    self._client = chromadb.PersistentClient(path=str(self.path), settings=cfg)
            except Exception as exc:
                self._client = None
                where = f"{idx.host}:{idx.port}" if idx.mode == "http" else str(self.path)
                raise BackendError(
                    f"vector store at {where} unavailable: {type(exc).__name__}: {exc}"
                ) from exc
        return self._client

    def collection(self) -> Any:
        if self._collection is None:
            self._collection = self.client().get_or_create_collection(
                name=self.settings.index.collection,
                embedding_function=None,
                metadata={"hnsw:space": "cosine", "embedder": self.embedder_name},
            )
        return self._collection

    def reset(self) -> None:
        """Drop the collection (and, for a persistent store, a corrupt folder)."""
        try:
            self.client().delete_collection(self.settings.index.collection)
        except Exception:
            if self.settings.index.mode == "persistent":
                self._client = None
                shutil.rmtree(self.path, ignore_errors=True)
        self._collection = None

    def _preflight(self) -> None:
        """Check the store's SQLite file before Chroma opens it: once Chroma has failed on a corrupt
        file it keeps that connection for the process, so the check must come first."""
        import sqlite3
        import time

        db = self.path / "chroma.sqlite3"
        if not db.is_file():
            return
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
                ok = con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            ok = False
        if not ok:
            aside = self.path.with_name(f"chroma.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            self.path.rename(aside)
            self.notices.append(
                f"index rebuilt: the store could not be read; the old one is kept in {aside.name}"
            )

    def stored(self) -> dict[str, str]:
        """source_id -> stored hash."""
        got = self.collection().get(include=["metadatas"])
        return {
            i: (m or {}).get("hash", "") for i, m in zip(got["ids"], got["metadatas"], strict=True)
        }

    def check_compatible(self) -> str | None:
        """Why the collection must be rebuilt (other embedder or dimension), or None."""
        col = self.collection()
        meta = col.metadata or {}
        if meta.get("embedder") not in (None, self.embedder_name):
            return f"built with embedder {meta.get('embedder')!r}, now {self.embedder_name!r}"
        sample = col.get(limit=1, include=["embeddings"])
        embs = sample.get("embeddings")
        if embs is not None and len(embs) and len(embs[0]) != self.dim:
            return f"stored vectors have dimension {len(embs[0])}, the embedder gives {self.dim}"
        return None

    @property
    def dim(self) -> int:
        dim = getattr(self.embedder, "dim", None)
        return int(dim) if dim else len(self.embedder.embed_query("x"))

    def refresh(
        self,
        chunks: list[Chunk],
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> IndexReport:
        """Embed and store only what changed (by content hash); delete what is gone."""
        report = IndexReport(total=len(chunks))
        from filelock import FileLock, Timeout

        lock_path = self.settings.paths.data_dir / "index.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(str(lock_path), timeout=300):
                return self._refresh_locked(chunks, rebuild, progress, report)
        except Timeout:
            raise BackendError("another `advisor index` holds the index lock; try again") from None

    def _refresh_locked(
        self,
        chunks: list[Chunk],
        rebuild: bool,
        progress: Callable[[int, int], None] | None,
        report: IndexReport,
    ) -> IndexReport:
        reason = None
        if not rebuild:
            try:
                reason = self.check_compatible()
            except Exception as exc:  # a corrupt store
                if self.settings.index.mode == "http":
                    raise
                raise BackendError(f"vector store unreadable: {type(exc).__name__}: {exc}") from exc
        report.notices.extend(self.notices)
        report.rebuilt = bool(self.notices)
        self.notices.clear()
        if rebuild or reason:
            if reason:
                report.notices.append(f"index rebuilt: {reason}")
            self.reset()
            report.rebuilt = True
        stored = self.stored()
        want = {c.source_id: c for c in chunks}
        todo = [c for c in chunks if stored.get(c.source_id) != c.hash]
        report.added = sum(1 for c in todo if c.source_id not in stored)
        report.updated = len(todo) - report.added
        gone = [i for i in stored if i not in want]
        col = self.collection()
        if gone:
            col.delete(ids=gone)
            report.removed = len(gone)
        batch = 64
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            vecs = self.embedder.embed_documents([c.text for c in part])
            col.upsert(
                ids=[c.source_id for c in part],
                embeddings=vecs,
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
            )
            if progress:
                progress(min(start + batch, len(todo)), len(todo))
        return report

    def query(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """(source_id, cosine similarity) of the k nearest chunks."""
        col = self.collection()
        res = col.query(query_embeddings=[vector], n_results=k, include=["distances"])
        ids, dists = res["ids"][0], res["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]

    def count(self) -> int:
        return int(self.collection().count())
