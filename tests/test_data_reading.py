"""Where data may go: the one-line reading, its one-click corrections (chat and dialogue
callbacks, no browser) and the CLI's --data flag."""

from __future__ import annotations

import json
from typing import Any

import pytest

from advisor.domain import data_reading
from advisor.domain.needs import Needs
from advisor.present.profile import data_line
from advisor.services import Advisor
from advisor.ui import Handlers
from tests.test_fast_cli import fake_env, invoke  # noqa: F401 (the CLI's module fixture)

pytestmark = pytest.mark.fast

JA = "日本語"
PRIVATE_JA = "患者のカルテを要約したい。データは院外に出せない。"


@pytest.fixture(scope="module")
def h(core: Advisor) -> Handlers:
    return Handlers(core, core.chain("extractive"))


def _api_only(adv: Advisor, ids: list[str]) -> list[str]:
    return [i for i in ids if not adv.catalog.get(i).runs_locally]


@pytest.mark.parametrize(
    ("needs", "choice"),
    [
        (Needs(privacy=True, deployment="local"), "private"),
        (Needs(residency="jp"), "region:jp"),
        (Needs(deployment="local"), "local"),
        (Needs(deployment="api"), "api"),
        (Needs(), "any"),
        (Needs(deployment="either"), "any"),
    ],
)
def test_reading_of_the_needs(needs: Needs, choice: str) -> None:
    assert data_reading.reading(needs) == choice
    assert choice in data_reading.choices(needs)


def test_apply_sets_the_three_slots_together() -> None:
    n = Needs(privacy=True, deployment="local", questions=["api_if_masked"])
    api = data_reading.apply(n, "api")
    assert (api.deployment, api.privacy, api.residency) == ("api", False, None)
    assert api.questions == [] and api.slot_sources["privacy"] == "corrected"
    back = data_reading.apply(api, "private")
    assert (back.deployment, back.privacy) == ("local", True)
    region = data_reading.apply(api, "region:eu")
    assert (region.residency, region.privacy, region.deployment) == ("eu", False, None)
    assert data_reading.reading(data_reading.apply(region, "any")) == "any"
    with pytest.raises(ValueError, match="not a data reading"):
        data_reading.apply(n, "region:mars")


def test_a_correction_survives_a_follow_up(core: Advisor) -> None:
    fixed = data_reading.apply(core.needs(PRIVATE_JA), "api")
    follow = core.needs("もっと安いのは?", previous=fixed)
    assert (follow.deployment, follow.privacy) == ("api", False)


def test_the_line_names_the_reading_and_who_read_it(core: Advisor) -> None:
    n = core.needs(PRIVATE_JA)
    line = data_line(n, "ja")
    assert line.startswith("データの扱い: データは社外に出せない → ローカルのみ"), line
    assert "ルール" in line or "学習モデル" in line
    en = data_line(core.needs("Data must not leave Japan. A contract-review assistant."), "en")
    assert en.startswith("Data handling: data must stay in Japan → local models only"), en
    fixed = data_line(data_reading.apply(n, "api"), "en")
    assert fixed == "Data handling: data may go to an API → APIs included (read by: corrected)"


def test_chat_correction_changes_the_shortlist(h: Handlers, core: Advisor) -> None:
    *_, last = list(h.chat(PRIVATE_JA, [], []))
    history, turns, radio = last[0], last[1], last[6]
    assert radio["value"] == "private" and radio["visible"]
    assert {c for _, c in radio["choices"]} >= {"private", "api", "any"}
    before = [r.model_id for r in core.recommend(turns[-1].needs, top=5).recommendations]
    assert not _api_only(core, before)  # private data: no API-only model
    bot, turns2, table, radio2, _ = h.chat_correct("api", history, turns)
    assert radio2["value"] == "api"
    assert turns2[-1].needs.deployment == "api" and not turns2[-1].needs.privacy
    after = [r.model_id for r in core.recommend(turns2[-1].needs, top=5).recommendations]
    assert after != before and _api_only(core, after)
    assert [row[1] for row in table["value"]] != [], table
    assert "訂正しました" in bot[-1]["content"] and "APIに送ってよい" in bot[-1]["content"]
    # the same choice again, or a choice nobody offered, changes nothing
    assert h.chat_correct("api", bot, turns2)[1] == turns2
    assert h.chat_correct("region:mars", bot, turns2)[1] == turns2
    assert h.chat_correct("api", [], [])[1] == []


def test_chat_answer_head_carries_the_data_line(h: Handlers) -> None:
    *_, last = list(h.chat(PRIVATE_JA, [], []))
    answer = last[0][-1]["content"]
    assert "データの扱い: データは社外に出せない → ローカルのみ" in answer


def test_dialogue_correction_changes_the_profile(h: Handlers) -> None:
    view = h.dialogue_start(JA)
    view = h.dialogue_reply(PRIVATE_JA, view[2], view[3], JA)
    radio = view[10]
    assert radio["value"] == "private" and "データの扱い" in str(view[4])
    fixed = h.dialogue_data("api", view[2], view[3], JA)
    profile: dict[str, Any] = fixed[2]
    assert (profile["deployment"], profile["privacy"]) == ("api", False)
    assert fixed[10]["value"] == "api" and "APIに送ってよい" in str(fixed[4])
    assert len(fixed) == h.VIEW_LEN


def test_cli_data_flag_corrects_the_reading() -> None:
    r = invoke("recommend", PRIVATE_JA, "--json", "--data", "api")
    assert r.exit_code == 0, r.output
    needs = json.loads(r.stdout)["needs"]
    assert (needs["deployment"], needs["privacy"]) == ("api", False)
    assert needs["slot_sources"]["privacy"] == "corrected"
    human = invoke("recommend", PRIVATE_JA)
    assert "データの扱い: データは社外に出せない → ローカルのみ" in human.stdout


def test_cli_chat_corrects_the_last_turn() -> None:
    text = f"{PRIVATE_JA}\n/data api\n/data moon\n".encode()
    r = invoke("chat", stdin=text)
    assert r.exit_code == 0, r.output
    assert "データの扱い: データは社外に出せない → ローカルのみ" in r.output
    assert (
        "訂正しました — データの扱い: APIに送ってよい → APIを含む(読み取り: 訂正済み)" in r.output
    )
    assert "/data takes private, local, api, any or region:jp, not 'moon'" in r.output
