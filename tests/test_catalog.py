from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from advisor.domain.catalog import ModelCard, load_catalog, normalize_name
from advisor.errors import DataError
from advisor.services import Advisor

GUIDE_NAMED = [
    "gpt-4",
    "gpt-3.5-turbo",
    "claude-3-opus",
    "claude-3-sonnet",
    "claude-3-haiku",
    "gemini-1.0-pro",
    "llama-2-70b",
    "mistral-7b",
    "falcon-40b",
    "gemma-2b",
    "gemma-7b",
    "phi-2",
    "codellama-34b",
    "starcoder",
    "nllb-200",
    "m2m-100",
    "bart-large",
]
CURRENT = [
    "gpt-4o",
    "gpt-4.1",
    "gpt-5",
    "claude-sonnet-4.5",
    "claude-haiku-4.5",
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "llama-3.1-8b",
    "llama-3.3-70b",
    "llama-4-scout",
    "qwen2.5-7b-instruct",
    "qwen2.5-coder-7b-instruct",
    "qwen3-8b",
    "qwen3-30b-a3b",
    "deepseek-v3",
    "deepseek-r1",
    "mixtral-8x7b",
    "codestral",
    "phi-3-mini",
    "phi-4",
    "gemma-2-9b",
    "gemma-3-12b",
    "gpt-oss-20b",
    "gpt-oss-120b",
    "command-r",
    "llama-3.1-swallow-8b-instruct",
    "llama-3-elyza-jp-8b",
    "llm-jp-3-13b",
    "sarashina2-7b",
    "plamo-2-8b",
    "calm3-22b-chat",
    "madlad-400-3b",
    "seamless-m4t-v2-large",
]


def test_catalog_has_80_valid_sourced_cards(core: Advisor) -> None:
    cat = core.catalog
    assert len(cat) >= 80
    for card in cat:
        assert card.sources, card.id
        assert all(str(s).startswith("https://") for s in card.sources), card.id
        assert card.strengths.ja and card.strengths.en and card.cautions.ja and card.cautions.en


@pytest.mark.parametrize("model_id", GUIDE_NAMED)
def test_guide_named_models_present(core: Advisor, model_id: str) -> None:
    card = core.catalog.get(model_id)
    assert card.guide_named, model_id


@pytest.mark.parametrize("model_id", CURRENT)
def test_current_models_present(core: Advisor, model_id: str) -> None:
    assert core.catalog.get(model_id).id == model_id


def test_moe_cards_have_active_params(core: Advisor) -> None:
    for mid in ("mixtral-8x7b", "deepseek-v3", "qwen3-30b-a3b", "gpt-oss-120b"):
        c = core.catalog.get(mid)
        assert c.params_b and c.active_params_b and c.active_params_b < c.params_b, mid


def test_closed_models_have_no_parameter_guess(core: Advisor) -> None:
    for c in core.catalog:
        if not c.open_weights:
            assert c.params_b is None, f"{c.id}: closed model with a parameter count"


def test_successors_point_to_newer_or_equal_models(core: Advisor) -> None:
    """A successor in the catalog is newer; one outside it names its vendor page."""
    for c in core.catalog:
        if c.successor and c.successor not in core.catalog.by_id:
            assert c.successor_source is not None, c.id
        if c.successor and c.release_date and c.successor in core.catalog.by_id:
            succ = core.catalog.get(c.successor)
            if succ.release_date:
                assert succ.release_date >= c.release_date, (c.id, succ.id)


def test_no_alias_names_two_models(core: Advisor) -> None:
    owner: dict[str, str] = {}
    for c in core.catalog:
        for name in {c.id, c.name, *c.aliases}:
            key = normalize_name(name)
            assert owner.setdefault(key, c.id) == c.id, f"{name!r}: {owner[key]} and {c.id}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mistral 7Bとgemma 2の違いは?", {"mistral-7b", "gemma-2-9b"}),
        ("Compare Llama 2 70B with GPT-4", {"llama-2-70b", "gpt-4"}),
        ("qwen2.5-coder-7b-instruct はRTX 4060で動く?", {"qwen2.5-coder-7b-instruct"}),
        ("Phi-2 vs Phi-4", {"phi-2", "phi-4"}),
    ],
)
def test_mentioned_models(core: Advisor, text: str, expected: set[str]) -> None:
    found = set(core.catalog.mentioned(text))
    assert expected <= found, found


def test_mentioned_does_not_invent(core: Advisor) -> None:
    assert core.catalog.mentioned("I want something cheap for my blog") == []


def _copy_cards(tmp_path: Path, ids: list[str]) -> Path:
    d = tmp_path / "models"
    d.mkdir()
    for mid in ids:
        shutil.copy(Path("knowledge/models") / f"{mid}.yaml", d)
    return d


def _edit(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for k, v in changes.items():
        if v is ...:
            data.pop(k)
        else:
            data[k] = v
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"license": ...}, "mistral-7b.yaml: field 'license': Field required"),
        ({"params_b": "seven"}, "mistral-7b.yaml: field 'params_b'"),
        ({"japanese": "fluent"}, "mistral-7b.yaml: field 'japanese'"),
        (
            {"successor": "no-such-model"},
            "mistral-7b.yaml: field 'successor': 'no-such-model' is not a card id",
        ),
        ({"sources": ["not a url"]}, "mistral-7b.yaml: field 'sources.0'"),
        ({"surprise": 1}, "mistral-7b.yaml: field 'surprise': Extra inputs are not permitted"),
        ({"id": "mistral-8b"}, "mistral-7b.yaml: field 'id'"),
    ],
)
def test_bad_card_names_file_and_field(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    d = _copy_cards(tmp_path, ["mistral-7b", "qwen3-8b"])
    _edit(d / "mistral-7b.yaml", **change)
    with pytest.raises(DataError) as exc:
        load_catalog(d)
    assert message in str(exc.value)


def test_bad_yaml_and_oversize_card(tmp_path: Path) -> None:
    d = _copy_cards(tmp_path, ["mistral-7b"])
    (d / "mistral-7b.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"mistral-7b\.yaml: not valid YAML"):
        load_catalog(d)
    (d / "mistral-7b.yaml").write_text("x: " + "a" * 70_000, encoding="utf-8")
    with pytest.raises(DataError, match="over the 65536 limit"):
        load_catalog(d)


def test_yaml_is_read_safely(tmp_path: Path) -> None:
    d = _copy_cards(tmp_path, ["mistral-7b"])
    (d / "mistral-7b.yaml").write_text(
        "!!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match="not valid YAML"):
        load_catalog(d)


def test_card_schema_rejects_inconsistent_deployment() -> None:
    data = yaml.safe_load(Path("knowledge/models/gpt-4.yaml").read_text(encoding="utf-8"))
    data["deployment"] = "local"
    with pytest.raises(ValueError, match="open_weights"):
        ModelCard.model_validate(data)
