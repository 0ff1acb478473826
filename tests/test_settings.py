"""The order of the settings sources, highest first: explicit arguments to `load_settings`, the
environment (ADVISOR_*), the settings file, OPENAI_API_KEY / OPENAI_BASE_URL, the defaults.
Each backend reads its own limits."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from advisor.errors import DataError
from advisor.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ADVISOR_* or OPENAI_* variable of the machine running the tests leaks in."""
    for name in list(os.environ):
        if name.startswith(("ADVISOR_", "OPENAI_")):
            monkeypatch.delenv(name)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- environment over the settings file ----------------------------------------------------------


def test_a_variable_set_to_the_default_overrides_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """llamacpp is the default mode: exporting it must still undo the file's openai."""
    file = write(tmp_path, "llm:\n  mode: openai\n")
    monkeypatch.setenv("ADVISOR_LLM__MODE", "llamacpp")
    assert load_settings(file).llm.mode == "llamacpp"


def test_a_nested_variable_set_to_the_default_overrides_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = write(tmp_path, "offline: false\nllm:\n  openai:\n    timeout_s: 5\n")
    monkeypatch.setenv("ADVISOR_LLM__OPENAI__TIMEOUT_S", "30")  # the default
    monkeypatch.setenv("ADVISOR_OFFLINE", "true")  # the default, a top-level field
    s = load_settings(file)
    assert s.llm.openai.timeout_s == 30.0
    assert s.offline is True


def test_a_variable_overrides_the_file_named_by_advisor_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = write(tmp_path, "llm:\n  mode: openai\n")
    monkeypatch.setenv("ADVISOR_SETTINGS_FILE", str(file))
    monkeypatch.setenv("ADVISOR_LLM__MODE", "extractive")
    assert load_settings().llm.mode == "extractive"
    monkeypatch.setenv("ADVISOR_LLM__MODE", "llamacpp")
    assert load_settings().llm.mode == "llamacpp"


# --- explicit arguments over the environment -----------------------------------------------------


def test_an_explicit_override_beats_an_exported_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test fixture asking for the offline backend gets it, whatever the shell exported."""
    monkeypatch.setenv("ADVISOR_LLM__MODE", "openai")
    assert load_settings(llm={"mode": "extractive"}).llm.mode == "extractive"


def test_an_explicit_nested_override_beats_the_variable_and_keeps_its_siblings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ADVISOR_LLM__OPENAI__MODEL", "from-env")
    monkeypatch.setenv("ADVISOR_LLM__OPENAI__TIMEOUT_S", "7")
    monkeypatch.setenv("ADVISOR_UI__PORT", "9001")
    s = load_settings(llm={"openai": {"model": "from-arg"}}, ui={"port": 9002})
    assert s.llm.openai.model == "from-arg"
    assert s.llm.openai.timeout_s == 7.0  # the sibling the argument did not name
    assert s.ui.port == 9002


def test_an_explicit_override_beats_the_file(tmp_path: Path) -> None:
    file = write(tmp_path, "llm:\n  mode: openai\n  temperature: 0.7\n")
    s = load_settings(file, llm={"mode": "extractive"})
    assert s.llm.mode == "extractive"
    assert s.llm.temperature == 0.7


# --- the file over the defaults ------------------------------------------------------------------


def test_the_file_overrides_the_defaults_field_by_field(tmp_path: Path) -> None:
    file = write(
        tmp_path, "gpu_hourly_usd: 3.5\nui:\n  port: 9000\nllm:\n  openai:\n    model: m\n"
    )
    s = load_settings(file)
    assert (s.gpu_hourly_usd, s.ui.port, s.llm.openai.model) == (3.5, 9000, "m")
    defaults = Settings()
    assert s.ui.host == defaults.ui.host == "127.0.0.1"
    assert s.llm.openai.timeout_s == defaults.llm.openai.timeout_s
    assert s.llm.mode == "llamacpp"


def test_all_four_levels_merge_within_one_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = write(
        tmp_path,
        "llm:\n  mode: openai\n  temperature: 0.5\n  passage_chars: 500\n"
        "  openai:\n    model: file-model\n    max_retries: 3\n",
    )
    monkeypatch.setenv("ADVISOR_LLM__TEMPERATURE", "0.3")
    monkeypatch.setenv("ADVISOR_LLM__OPENAI__MAX_RETRIES", "2")
    s = load_settings(file, llm={"openai": {"max_retries": 0}})
    assert s.llm.openai.max_retries == 0  # argument
    assert s.llm.temperature == 0.3  # environment
    assert (s.llm.mode, s.llm.passage_chars, s.llm.openai.model) == ("openai", 500, "file-model")
    assert s.llm.context_passages == 4  # default


def test_the_settings_argument_beats_advisor_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = write(tmp_path, "ui:\n  port: 9100\n")
    other = tmp_path / "other.yaml"
    other.write_text("ui:\n  port: 9200\n", encoding="utf-8")
    monkeypatch.setenv("ADVISOR_SETTINGS_FILE", str(other))
    assert load_settings(named).ui.port == 9100
    assert load_settings().ui.port == 9200


# --- OPENAI_* -------------------------------------------------------------------------------------


def test_openai_variables_fill_in_below_the_file_and_the_advisor_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-generic")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://generic/v1")
    plain = load_settings()
    assert plain.llm.openai.base_url == "http://generic/v1"
    assert plain.llm.openai.api_key is not None
    assert plain.llm.openai.api_key.get_secret_value() == "sk-generic"
    file = write(tmp_path, "llm:\n  openai:\n    base_url: http://from-file/v1\n")
    s = load_settings(file)
    assert s.llm.openai.base_url == "http://from-file/v1"
    assert s.llm.openai.api_key is not None  # the key still comes from OPENAI_API_KEY
    monkeypatch.setenv("ADVISOR_LLM__OPENAI__BASE_URL", "http://advisor/v1")
    assert load_settings(file).llm.openai.base_url == "http://advisor/v1"


# --- errors stay one line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("llm: [unclosed\n", "not valid YAML"),
        ("- a list\n", "must be a mapping"),
        ("llm:\n  mode: gpt\n", r"'llm\.mode'"),
        ("top_n: 5\n", "'top_n'"),  # removed: it never changed anything
        ("llm:\n  bogus: 1\n", r"'llm\.bogus'"),
    ],
)
def test_a_bad_settings_file_is_a_one_line_data_error(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(DataError, match=message) as err:
        load_settings(write(tmp_path, text))
    assert "\n" not in str(err.value)


def test_a_missing_settings_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"settings file .*nope\.yaml: No such file"):
        load_settings(tmp_path / "nope.yaml")
    with pytest.raises(DataError, match=r"settings file .*: Is a directory"):
        load_settings(tmp_path)


def test_a_bad_variable_or_argument_is_a_one_line_data_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ADVISOR_UI__PORT", "0")
    with pytest.raises(DataError, match=r"'ui\.port'"):
        load_settings()
    monkeypatch.delenv("ADVISOR_UI__PORT")
    with pytest.raises(DataError, match=r"'llm\.mode'"):
        load_settings(llm={"mode": "gpt"})


# --- each backend its own limits -----------------------------------------------------------------


def test_each_backend_has_its_own_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_settings()
    assert s.llm.openai.max_tokens == s.llm.llamacpp.max_tokens == 384  # today's effective value
    assert s.embedding.threads == s.llm.llamacpp.n_threads == (os.cpu_count() or 1)
    monkeypatch.setenv("ADVISOR_LLM__OPENAI__MAX_TOKENS", "1000")
    monkeypatch.setenv("ADVISOR_EMBEDDING__THREADS", "1")
    s = load_settings(llm={"llamacpp": {"max_tokens": 64, "n_threads": 3}})
    assert (s.llm.openai.max_tokens, s.llm.llamacpp.max_tokens) == (1000, 64)
    assert (s.embedding.threads, s.llm.llamacpp.n_threads) == (1, 3)


def test_the_openai_backend_answers_up_to_its_own_max_tokens() -> None:
    pytest.importorskip("langchain_openai")
    from advisor.rag.llm import OpenAICompatible

    s = load_settings(
        llm={
            "openai": {"base_url": "http://127.0.0.1:9/v1", "max_tokens": 1000},
            "llamacpp": {"max_tokens": 64},
        }
    )
    assert OpenAICompatible(s).max_tokens == 1000  # nothing is sent when it is built


def test_the_chain_asks_the_backend_in_use_for_its_limit(settings: Settings) -> None:
    from advisor.rag.answer import AnswerChain
    from advisor.services import Advisor
    from tests.fakes import SpyLLM

    spy = SpyLLM()
    spy.max_tokens = 700
    chain = AnswerChain(Advisor(settings), spy)
    assert chain.max_tokens == 700
    other = SpyLLM()
    other.max_tokens = 90
    chain.llm = other  # as the settings tab does
    assert chain.max_tokens == 90


def test_the_embedder_takes_its_own_threads(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import advisor.rag.embeddings as embeddings

    seen: dict[str, Any] = {}

    class Recorder:
        def __init__(self, threads: int) -> None:
            seen["threads"] = threads

    monkeypatch.setattr(embeddings, "USEMultilingual", Recorder)
    cfg = settings.embedding.model_copy(update={"threads": 3})
    embeddings.make_embedder(cfg)
    assert seen["threads"] == 3
