"""GreedyGrammar against llama.cpp's own grammar sampling, on the real small GGUF: the same reply
token for token, whether the best candidates hold an allowed token or the whole vocabulary must
be checked."""

from __future__ import annotations

import json

import pytest

from advisor.rag import grammar
from advisor.rag.llm import LlamaCpp
from advisor.rag.picks import pick_schema
from advisor.settings import PROJECT_ROOT, load_settings
from advisor.sources.bundled import fetch

pytest.importorskip("llama_cpp")
pytestmark = pytest.mark.slow

MESSAGES = [
    {"role": "system", "content": "Reply with one JSON object: one sentence per model."},
    {
        "role": "user",
        "content": "Which model suits a support chatbot? Mistral 7B: open weights, Apache-2.0. "
        "GPT-4o mini: API only, cheap.",
    },
]


@pytest.fixture(scope="module")
def llm() -> LlamaCpp:
    path = fetch("smollm2-135m", load_settings(paths={"data_dir": PROJECT_ROOT / "data"}))
    s = load_settings(llm={"llamacpp": {"n_ctx": 1024, "n_threads": 2}})
    return LlamaCpp(s, path)


def _reference(llm: LlamaCpp, schema: dict[str, object], max_tokens: int) -> str:
    """llama.cpp's own path: the schema as response_format, its grammar over the whole vocabulary."""
    return "".join(
        llm.stream(
            MESSAGES,
            max_tokens,
            response_format={"type": "json_object", "schema": schema},
            temperature=0,
        )
    )


@pytest.mark.parametrize("top_k", [grammar.TOP_K, 1])
def test_same_reply_as_llama_cpp_grammar(
    llm: LlamaCpp, top_k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = pick_schema(["Mistral 7B", "GPT-4o mini"], "en")
    want = _reference(llm, schema, 96)
    monkeypatch.setattr(grammar, "TOP_K", top_k)  # 1: the fallback over the whole vocabulary runs
    got = "".join(llm.stream_json(MESSAGES, schema, 96))
    assert got == want
    assert got.startswith('{"Mistral 7B": "Mistral 7B ')
    if got.rstrip().endswith("}"):
        assert list(json.loads(got)) == ["Mistral 7B", "GPT-4o mini"]


def test_fallback_counted_and_grammar_freed(llm: LlamaCpp) -> None:
    schema = pick_schema(["Mistral 7B"], "en")
    proc = grammar.GreedyGrammar(llm.model, grammar.schema_grammar(schema))
    try:
        text = "".join(
            llm.stream(MESSAGES, 40, logits_processor=[proc], temperature=0, repeat_penalty=1.0)
        )
    finally:
        proc.close()
    assert text.startswith('{"Mistral 7B": "Mistral 7B ')
    assert proc.steps > 5
    assert proc.fallbacks < proc.steps  # the best candidates usually hold an allowed token
    proc.close()  # closing twice is harmless


def test_bad_grammar_is_a_backend_error(llm: LlamaCpp) -> None:
    from advisor.errors import BackendError

    with pytest.raises(BackendError, match="grammar"):
        grammar.GreedyGrammar(llm.model, "root ::= ( unclosed")


def test_schema_grammar_has_a_root_rule() -> None:
    gbnf = grammar.schema_grammar(pick_schema(["Mistral 7B"], "ja"))
    assert gbnf.splitlines()[0].startswith("root ::=") or "\nroot ::=" in gbnf
    assert "Mistral" in gbnf
