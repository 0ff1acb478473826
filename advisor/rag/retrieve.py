"""Hybrid retrieval: BM25 over Japanese-aware tokens + dense vectors, fused by reciprocal rank,
plus direct lookup of the model cards a question names."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from advisor.domain.catalog import Catalog
from advisor.domain.needs import detect_lang
from advisor.rag.index import Chunk, Store

RRF_K = 60
_LATIN = re.compile(r"[a-z0-9][a-z0-9.+#\-]*[a-z0-9+#]|[a-z0-9]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]+")
_STOP = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "for",
    "and",
    "or",
    "is",
    "in",
    "on",
    "with",
    "what",
    "which",
    "how",
    "i",
    "my",
    "it",
    "be",
    "do",
    "me",
    "should",
    "use",
    "can",
}


def tokenize(text: str) -> list[str]:
    """Latin words plus CJK character bigrams (whitespace does not split Japanese)."""
    t = unicodedata.normalize("NFKC", text).lower()
    tokens = [w for w in _LATIN.findall(t) if w not in _STOP]
    for run in _CJK.findall(t):
        if len(run) == 1:
            tokens.append(run)
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


@dataclass(frozen=True)
class Passage:
    chunk: Chunk
    score: float

    @property
    def source_id(self) -> str:
        return self.chunk.source_id

    def to_contract(self) -> dict[str, object]:
        c = self.chunk
        return {
            "source_id": c.source_id,
            "title": c.title,
            "lang": c.lang,
            "text": c.text,
            "score": round(self.score, 5),
            "url": c.url,
        }


class Retriever:
    """BM25 + dense + name lookup over the chunks; one passage per section/card, in the query's language."""

    def __init__(
        self,
        chunks: list[Chunk],
        store: Store | None,
        embedder: Embeddings | None,
        catalog: Catalog,
    ):
        from rank_bm25 import BM25Okapi

        self.chunks = chunks
        self.by_id = {c.source_id: c for c in chunks}
        self.store = store
        self.embedder = embedder
        self.catalog = catalog
        self._bm25 = BM25Okapi([tokenize(c.text) for c in chunks])

    def bm25_ranking(self, query: str, k: int) -> list[str]:
        tokens = tokenize(query)
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        return [self.chunks[i].source_id for i in order[:k] if scores[i] > 0]

    def dense_ranking(self, query: str, k: int) -> list[str]:
        if self.store is None or self.embedder is None:
            return []
        vec = self.embedder.embed_query(query)
        return [sid for sid, _ in self.store.query(vec, k) if sid in self.by_id]

    def search(self, query: str, k: int = 5, dense: bool = True) -> list[Passage]:
        lang = detect_lang(query)
        depth = max(4 * k, 40)
        scores: dict[str, float] = {}
        rankings = [self.bm25_ranking(query, depth)]
        if dense:
            rankings.append(self.dense_ranking(query, depth))
        for ranking in rankings:
            for rank, sid in enumerate(ranking):
                scores[sid] = scores.get(sid, 0.0) + 1.0 / (RRF_K + rank + 1)
        # cards the question names come first, in the order named
        named = self.catalog.mentioned(query)
        for pos, model_id in enumerate(named[:k]):
            for suffix in ("ja", "en"):
                sid = f"models/{model_id}#{suffix}"
                if sid in self.by_id:
                    scores[sid] = scores.get(sid, 0.0) + 1.0 - pos * 0.01
        # one passage per section/card, in the query's language when the index has it
        best: dict[str, float] = {}
        for sid, s in scores.items():
            base = self.by_id[sid].base_id
            best[base] = max(best.get(base, 0.0), s)
        ranked = []
        for base, s in best.items():
            own = f"{base}#{lang}"
            ranked.append(
                (
                    s,
                    own
                    if own in self.by_id
                    else next(i for i in scores if i.startswith(base + "#")),
                )
            )
        ranked.sort(key=lambda x: (-x[0], x[1]))
        return [Passage(self.by_id[sid], score) for score, sid in ranked[:k]]
