"""Answer backends, one small seam each: `stream(messages) -> tokens`. SDKs are imported lazily."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from advisor.errors import BackendError, MalformedReply
from advisor.settings import Settings

Message = dict[str, str]


class LLM(ABC):
    """A chat model. Capabilities are attributes; the one method streams text pieces."""

    name: str = "llm"
    label: str = "LLM"
    is_llm: bool = True
    structured: bool = False  # can reply with a JSON object (see `json`)
    #: `stream_json` follows the schema's patterns token by token (a grammar), so the text a
    #: pattern fixes is known before the model writes it
    grammar: bool = False
    max_tokens: int = 384  # the longest answer; each backend takes its own from its settings

    @abstractmethod
    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        """Yield pieces of the reply; raise BackendError with a one-line cause on failure."""

    def json(self, messages: list[Message], schema: dict[str, Any], max_tokens: int) -> Any:
        """A reply constrained to a JSON object (following `schema` where the backend can)."""
        raise BackendError(f"backend {self.name!r} gives no structured output")

    def stream_json(
        self, messages: list[Message], schema: dict[str, Any], max_tokens: int
    ) -> Iterator[str]:
        """Stream a reply that should be a JSON object (a grammar or JSON mode where the backend
        has one; here only the prompt asks for it, and the caller parses what comes)."""
        yield from self.stream(messages, max_tokens)

    #: the last generation's {"prompt_tokens", "completion_tokens", "seconds"} (None: unknown)
    last_usage: dict[str, float] | None = None

    def warm(self, messages: list[Message]) -> None:
        """Prepare for prompts that start like `messages` (a local model evaluates the fixed
        system prefix once, so the first question does not pay for it). Nothing by default."""
        return None


def parse_json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise MalformedReply("the model's reply is not valid JSON") from None
    if not isinstance(value, dict):
        raise MalformedReply("the model's reply is not a JSON object")
    return value


class Extractive(LLM):
    """No LLM: the answer chain composes a templated answer itself."""

    name = "extractive"
    label = "offline (no LLM)"
    is_llm = False

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:  # pragma: no cover
        raise BackendError("the extractive backend does not generate text")


class OpenAICompatible(LLM):
    """Any OpenAI-compatible server (OpenAI, vLLM, Ollama, LM Studio, llama.cpp server)."""

    name = "openai"
    structured = True

    def __init__(self, settings: Settings):
        cfg = settings.llm.openai
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:  # pragma: no cover
            raise BackendError("backend 'openai' needs `pip install langchain-openai`") from exc
        key = cfg.api_key.get_secret_value() if cfg.api_key else None
        if not key and not cfg.base_url:
            raise BackendError(
                "backend 'openai' needs OPENAI_API_KEY (or a base_url of a local server)"
            )
        self.model = cfg.model
        self.max_tokens = cfg.max_tokens
        self.label = f"API {cfg.model} @ {cfg.base_url or 'api.openai.com'}"
        self._chat = ChatOpenAI(
            model=cfg.model,
            api_key=key or "not-needed",
            base_url=cfg.base_url,
            timeout=cfg.timeout_s,
            max_retries=cfg.max_retries,
            temperature=settings.llm.temperature,
            streaming=True,
            stream_usage=True,
        )

    def stream(self, messages: list[Message], max_tokens: int, **kwargs: Any) -> Iterator[str]:
        finished = False
        started = time.monotonic()
        pieces = 0
        self.last_usage = None
        try:
            for chunk in self._chat.stream(messages, max_tokens=max_tokens, **kwargs):
                if chunk.response_metadata.get("finish_reason"):
                    finished = True
                meta = getattr(chunk, "usage_metadata", None)
                if meta:
                    self.last_usage = {
                        "prompt_tokens": meta.get("input_tokens", 0),
                        "completion_tokens": meta.get("output_tokens", 0),
                        "seconds": round(time.monotonic() - started, 2),
                    }
                text = chunk.content if isinstance(chunk.content, str) else ""
                if text:
                    pieces += 1
                    yield text
        except BackendError:
            raise
        except Exception as exc:
            if pieces and isinstance(exc, AssertionError | ValueError):
                # a parser failing after text arrived: the stream was cut, not the reply odd
                raise BackendError(
                    f"API stream ended before the answer finished ({type(exc).__name__})"
                ) from exc
            raise BackendError(describe_api_error(exc)) from exc
        if self.last_usage is None:
            self.last_usage = {
                "prompt_tokens": 0,
                "completion_tokens": pieces,
                "seconds": round(time.monotonic() - started, 2),
            }
        else:
            self.last_usage["seconds"] = round(time.monotonic() - started, 2)
        if not finished:  # the connection closed before the server said the answer was done
            raise BackendError("API stream ended before the answer finished")

    def stream_json(
        self, messages: list[Message], schema: dict[str, Any], max_tokens: int
    ) -> Iterator[str]:
        """JSON mode, streamed (the schema's shape is in the prompt; the caller checks it)."""
        yield from self.stream(messages, max_tokens, response_format={"type": "json_object"})

    def json(self, messages: list[Message], schema: dict[str, Any], max_tokens: int) -> Any:
        """JSON mode (`response_format: json_object`), which OpenAI and the common local servers
        accept; the caller validates the fields."""
        try:
            reply = self._chat.invoke(
                messages, max_tokens=max_tokens, response_format={"type": "json_object"}
            )
        except Exception as exc:
            raise (BackendError if _unreachable(exc) else MalformedReply)(
                describe_api_error(exc)
            ) from exc
        return parse_json_object(reply.content if isinstance(reply.content, str) else "")


def _unreachable(exc: BaseException) -> bool:
    """Down, refused, timed out, rate-limited or unauthorised: the next call would fail too.
    Anything else (no JSON mode, a reply cut at the length limit) is only this reply's fault."""
    status = getattr(exc, "status_code", None)
    if status is not None:
        return status in (401, 403, 429) or status >= 500
    name = type(exc).__name__.lower()
    return "connect" in name or "timeout" in name


def describe_api_error(exc: BaseException) -> str:
    """One line naming the cause: HTTP status, timeout, connection refused, malformed reply."""
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    if status is not None:
        return f"API error HTTP {status} ({name})"
    text = str(exc).splitlines()[0] if str(exc) else name
    if "No generation chunks" in text:
        return "API returned no answer (an empty or malformed reply)"
    if isinstance(exc, AssertionError | ValueError) or "json" in text.lower():
        # the SDK's parser choked on the body ("{not json" where a stream was expected)
        return f"API returned a malformed reply ({name})"
    if "timed out" in text.lower() or "timeout" in name.lower():
        return f"API timeout ({name})"
    if "connect" in name.lower() or "connection" in text.lower():
        cause = exc.__cause__ or exc.__context__
        detail = f": {type(cause).__name__}" if cause else ""
        return f"API connection failed ({name}{detail})"
    return f"API error: {name}: {text[:160]}"


class LlamaCpp(LLM):
    """A local GGUF through llama-cpp-python. One generation at a time (the model is not reentrant).

    The system message and the fixed parts of the prompt come first, so llama.cpp reuses their
    KV cache across turns (it keeps the longest common token prefix of consecutive prompts).
    """

    name = "llamacpp"
    structured = True
    grammar = True

    def __init__(self, settings: Settings, model_path: Path, verify_sha: str | None = None):
        cfg = settings.llm.llamacpp
        try:
            import llama_cpp
        except ImportError as exc:  # pragma: no cover
            raise BackendError(
                "backend 'llamacpp' needs llama-cpp-python (scripts/setup.sh builds it)"
            ) from exc
        if verify_sha:
            _verify_once(model_path, verify_sha)
        elif not model_path.is_file():
            raise BackendError(f"model file not found: {model_path}")
        try:
            self._llm: Any = llama_cpp.Llama(
                model_path=str(model_path),
                n_ctx=cfg.n_ctx,
                n_threads=cfg.n_threads,
                n_threads_batch=cfg.n_threads,
                verbose=False,
                seed=cfg.seed,
            )
        except Exception as exc:
            raise BackendError(
                f"model {model_path.name} failed to load: {type(exc).__name__}"
            ) from exc
        self.temperature = settings.llm.temperature
        self.seed = cfg.seed
        self.max_tokens = cfg.max_tokens
        self.label = f"local {model_path.name}"
        self.lock = threading.Lock()

    @property
    def model(self) -> Any:
        """The underlying `llama_cpp.Llama` (benchmarks read its timings and KV cache)."""
        return self._llm

    def stream(self, messages: list[Message], max_tokens: int, **kwargs: Any) -> Iterator[str]:
        with self.lock:
            started = time.monotonic()
            tokens = 0
            self.last_usage = None
            try:
                params: dict[str, Any] = {
                    "temperature": self.temperature,
                    "repeat_penalty": 1.1,
                    "seed": self.seed,  # per call: an answer does not depend on earlier ones
                    **kwargs,
                }
                for part in self._llm.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, stream=True, **params
                ):
                    tokens += 1  # llama-cpp-python streams one chunk per sampled token
                    text = part["choices"][0]["delta"].get("content")
                    if text:
                        yield text
            except Exception as exc:
                raise BackendError(f"local model failed: {type(exc).__name__}: {exc}") from exc
            finally:
                generated = max(tokens - 2, 0)  # the role chunk and the finish chunk
                self.last_usage = {
                    "prompt_tokens": max(int(self._llm.n_tokens) - generated, 0),
                    "completion_tokens": generated,
                    "seconds": round(time.monotonic() - started, 2),
                }

    def stream_json(
        self, messages: list[Message], schema: dict[str, Any], max_tokens: int
    ) -> Iterator[str]:
        """The schema becomes a grammar: the reply is that JSON object, token by token, decoded
        greedily with the grammar checked on the best candidates first (`grammar.GreedyGrammar`)."""
        from advisor.rag.grammar import GreedyGrammar, schema_grammar

        proc = GreedyGrammar(self._llm, schema_grammar(schema))
        try:
            yield from self.stream(
                messages,
                max_tokens,
                logits_processor=[proc],
                temperature=0,
                repeat_penalty=1.0,  # the processor applies it before the grammar
            )
        finally:
            proc.close()

    def warm(self, messages: list[Message]) -> None:
        """Evaluate the fixed system prefix now: llama.cpp keeps the longest common token prefix
        of consecutive prompts, so the next question starts after it."""
        system = [m for m in messages if m["role"] == "system"]
        with self.lock:
            try:
                self._llm.create_chat_completion(
                    messages=[*system, {"role": "user", "content": ""}], max_tokens=1, temperature=0
                )
            except Exception as exc:
                raise BackendError(f"local model failed: {type(exc).__name__}: {exc}") from exc

    def json(self, messages: list[Message], schema: dict[str, Any], max_tokens: int) -> Any:
        """llama.cpp turns the schema into a grammar, so the reply follows it token by token."""
        with self.lock:
            try:
                out = self._llm.create_chat_completion(
                    messages=messages,
                    max_tokens=max_tokens,
                    temperature=0,
                    seed=self.seed,
                    response_format={"type": "json_object", "schema": schema},
                )
            except Exception as exc:
                raise BackendError(f"local model failed: {type(exc).__name__}: {exc}") from exc
        return parse_json_object(out["choices"][0]["message"]["content"] or "")


def _verify_once(path: Path, sha256: str) -> None:
    """The bundled GGUF's SHA-256 (1.1 GB: seconds on a laptop CPU), checked once per file
    version: a stamp beside the file records the hash with the size and mtime it was checked at,
    so a new process does not hash the file again unless it changed."""
    from advisor.sources.bundled import verify

    stamp = path.with_name(path.name + ".verified")
    try:
        st = path.stat()
    except OSError:
        key = ""
    else:
        key = f"{sha256} {st.st_size} {st.st_mtime_ns}"
        with contextlib.suppress(OSError):
            if stamp.read_text(encoding="utf-8") == key:
                return
    verify(path, sha256)
    if key:  # a read-only models dir: check every time
        with contextlib.suppress(OSError):
            stamp.write_text(key, encoding="utf-8")


def make_llm(settings: Settings, mode: str | None = None) -> LLM:
    """The backend chosen in settings (or `mode`); BackendError names the cause when it cannot start."""
    match mode or settings.llm.mode:
        case "extractive":
            return Extractive()
        case "openai":
            return OpenAICompatible(settings)
        case "llamacpp":
            cfg = settings.llm.llamacpp
            if cfg.model_path is not None:
                return LlamaCpp(settings, cfg.model_path)
            from advisor.sources.bundled import BUNDLED, model_path

            spec = BUNDLED[cfg.bundled]
            return LlamaCpp(settings, model_path(settings, spec.name), verify_sha=spec.sha256)
        case other:
            raise BackendError(f"unknown backend {other!r}: use openai, llamacpp or extractive")
