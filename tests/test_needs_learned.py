"""The second needs reader (char n-gram classifiers) and how it combines with the rules; the
data-residency slot and its local-first shortlist."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.domain.catalog import Catalog
from advisor.domain.dialogue import CLARIFY
from advisor.domain.needs import Needs
from advisor.domain.needs_learned import Reading, combine, reader
from advisor.services import Advisor

pytestmark = pytest.mark.fast
EVAL = Path(__file__).resolve().parents[1] / "knowledge" / "eval"


def test_the_rules_win_where_they_fired() -> None:
    rules = Needs(deployment="api", privacy=False, slot_sources={"deployment": "rules"})
    learned = Reading(
        values={"priority": "cost", "deployment": "api"},
        confidence={"priority": 0.9, "deployment": 0.95},
    )
    got = combine(rules, learned)
    assert got.deployment == "api" and got.priority == "cost"
    assert got.slot_sources == {"deployment": "rules", "priority": "learned (0.90)"}


def test_an_unconfident_value_fills_nothing() -> None:
    got = combine(Needs(), Reading(values={"priority": "cost"}, confidence={"priority": 0.5}))
    assert got.priority is None and not got.slot_sources


def test_a_private_reading_wins_and_asks() -> None:
    rules = Needs(deployment="api", slot_sources={"deployment": "rules"})
    learned = Reading(values={"privacy": "true"}, confidence={"privacy": 0.7})
    got = combine(rules, learned)
    assert got.deployment == "local" and got.privacy is True and got.questions == ["api_if_masked"]
    assert all(q in CLARIFY for q in got.questions)  # the dialogue can ask it
    assert "private reading" in got.slot_sources["privacy"]


def test_it_is_trained_once_and_cached(tmp_path: Path) -> None:
    r = reader(EVAL, tmp_path)
    assert list(tmp_path.glob("needs-learned-*.npz"))
    again = reader(EVAL, tmp_path)
    assert again is r
    text = "顧客の個人情報を含むので外部には出せません。問い合わせの自動返信に使いたい"
    got = r.read(text)  # its time per phrasing: bench/bench_needs_readers.py (a timed test flakes)
    assert set(got.values) >= {"deployment", "privacy"} and all(
        0 < p <= 1 for p in got.confidence.values()
    )


def test_the_cache_reads_as_the_trained_reader(tmp_path: Path) -> None:
    """The sentence embedding's weights travel in the cache: a reader loaded from it reads
    every phrasing as the one just trained."""
    from advisor.domain import needs_learned as nl

    trained = nl.LearnedReader(*nl.training_data(EVAL), enc=nl.encoder())
    assert trained.embedded == (nl.encoder() is not None)
    path = tmp_path / "needs-learned-x.npz"
    nl._save(trained, path)
    loaded = nl._load_or_train(EVAL, "x", tmp_path)
    assert loaded.embedded == trained.embedded and loaded.w.shape == trained.w.shape
    for text in ("院外に出せないカルテの要約", "any hosted API is fine, the data is public"):
        assert loaded.read(text) == trained.read(text)


def test_needs_json_records_the_source_of_each_slot(core: Advisor) -> None:
    n = core.needs("社外秘の資料を要約したい。RTX 4090がある")
    assert n.slot_sources.get("gpu_gb") == "rules" and n.slot_sources.get("privacy", "").startswith(
        ("rules", "learned")
    )
    assert "slot_sources" in n.model_dump(mode="json")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Our customer data must not leave Japan.", "jp"),
        ("データは国外に出せない決まりです。議事録を要約したい", "jp"),
        ("Cloud is OK as long as it is hosted in the EU.", "eu"),
        ("EUリージョンのAPIなら使えます", "eu"),
    ],
)
def test_residency_is_its_own_slot(core: Advisor, text: str, code: str) -> None:
    assert core.needs(text).residency == code


def test_residency_admits_only_models_that_run_locally(core: Advisor) -> None:
    needs = core.needs("A cloud API is fine as long as the data is hosted in the EU.")
    assert needs.residency == "eu"
    result = core.recommend(needs, top=5)
    assert result.recommendations and all(r.open_weights for r in result.recommendations)
    alone = core.recommend(needs, top=1, catalog=Catalog([core.card("gpt-5.5")]))
    assert not alone.recommendations
    assert "the EU" in alone.excluded[0].reason and "region" in alone.excluded[0].reason
