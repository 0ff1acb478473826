"""The needs dialogue's callbacks without a browser: every reply is read, skips, clarifying
questions, the edit form, and a shown recommendation that follows the profile."""

from __future__ import annotations

from typing import Any

import pytest

from advisor.domain.dialogue import CLARIFY, QUESTIONS, SKIP
from advisor.present.shortlist import SHORTLIST_HEADERS
from advisor.services import Advisor
from advisor.ui import Handlers, views

JA = "日本語"


@pytest.fixture(scope="module")
def h(core: Advisor) -> Handlers:
    return Handlers(core, core.chain("extractive"))


def _reply(h: Handlers, view: tuple[Any, ...], text: str, lang: str = JA) -> tuple[Any, ...]:
    return h.dialogue_reply(text, view[2], view[3], lang)


def _card(view: tuple[Any, ...]) -> str:
    return str(view[4])


def test_view_has_one_output_per_component(h: Handlers) -> None:
    view = h.dialogue_start(JA)
    assert len(view) == h.VIEW_LEN
    assert view[0] == f"**{QUESTIONS['use_case'].ja}**" and "未定" in _card(view)
    assert SKIP.ja in view[1]["choices"]


def test_the_issue_dialogue_reads_every_reply(h: Handlers) -> None:
    view = h.dialogue_start(JA)
    view = _reply(h, view, "日本語の問い合わせ対応チャットボットを作りたい")
    assert "チャットボット" in _card(view) and view[0].startswith("**②")
    view = _reply(h, view, "APIでもよいが個人情報は出せない")
    # not an answer to ②: ② is asked again, with the clarification under it
    assert view[0].startswith("**②") and CLARIFY["api_if_masked"][0] in view[0]
    view = _reply(h, view, "予算は月3万円くらい")
    view = _reply(h, view, "GPUはない")
    view = _reply(h, view, "精度重視")
    card = _card(view)
    assert "30,000 JPY / 月" in card and "GPUなし(CPUのみ)・RAM 16 GB _(推定)_" in card
    assert "精度重視" in card
    profile = view[2]
    assert profile["cpu_only"] and profile["deployment"] == "local" and profile["ram_gb"] == 16


def test_replies_after_the_last_question_still_change_the_profile(h: Handlers) -> None:
    view = h.dialogue_start("English")
    for text in (
        "code completion",
        "balanced",
        "RTX 4090",
        "no",
        "English only",
        "local, the data stays in-house",
    ):
        view = _reply(h, view, text, "English")
    assert "everything I need" in view[0]
    view = _reply(h, view, "Actually we have no GPU, just a laptop", "English")
    assert view[2]["cpu_only"] and view[2]["gpu_gb"] is None
    assert "no GPU (CPU only)" in _card(view)


def test_skip_moves_on_and_an_unrelated_reply_asks_again(h: Handlers) -> None:
    view = h.dialogue_start(JA)
    view = _reply(h, view, SKIP.ja)
    assert view[0].startswith("**②") and view[3] == ["use_case"]
    view = _reply(h, view, "わからない")
    assert view[0].startswith("**③") and view[3] == ["accuracy", "use_case"]
    view = _reply(h, view, "ファインチューニングはしません")  # answers ④ while ③ is asked
    assert view[0].startswith("**③") and view[2]["finetune"] is False
    view = _reply(h, view, "ない")  # 「ない」 to the hardware question: CPU only
    assert view[2]["cpu_only"] and "RAM 16 GB _(推定)_" in _card(view)


def test_edit_form_applies_or_warns_without_losing_anything(h: Handlers) -> None:
    view = _reply(h, h.dialogue_start(JA), "社内文書の要約、GPUなし")
    values = list(view[11:])  # after the data-reading radio
    form = [v["value"] for v in values]
    fields = list(views.FORM_FIELDS)
    form[fields.index("ram_gb")] = 64
    edited = h.dialogue_edit(view[2], view[3], JA, *form)
    assert edited[2]["ram_gb"] == 64 and "RAM 64 GB" in _card(edited)
    form[fields.index("ram_gb")] = -2
    with pytest.warns(UserWarning, match="RAM GB"):
        bad = h.dialogue_edit(edited[2], edited[3], JA, *form)
    assert len(bad) == h.VIEW_LEN and all(u == {"__type__": "update"} for u in bad)


def test_json_editor_validates(h: Handlers) -> None:
    view = h.dialogue_start("English")
    with pytest.warns(UserWarning, match="not valid JSON"):
        assert h.dialogue_json("{oops", view[2], view[3], "English")[2] == {"__type__": "update"}
    with pytest.warns(UserWarning, match="profile"):
        h.dialogue_json('{"gpu_gb": -1}', view[2], view[3], "English")
    ok = h.dialogue_json('{"use_cases": ["code"], "gpu_gb": 12}', view[2], view[3], "English")
    assert ok[2]["gpu_gb"] == 12 and "GPU 12 GB" in _card(ok)


def test_a_shown_recommendation_follows_the_profile(h: Handlers) -> None:
    view = _reply(h, h.dialogue_start(JA), "日本語のチャットボット、社外秘、RTX 4090")
    idle = list(h.dialogue_refresh(view[2], JA, False))
    assert idle == [tuple({"__type__": "update"} for _ in range(4))]
    first = next(h.dialogue_refresh(view[2], JA, True))
    names = [row[1] for row in first[0]["value"]]
    view = _reply(h, view, "やっぱりGPUはない")
    after = next(h.dialogue_refresh(view[2], JA, True))
    rows = after[0]["value"]
    assert [row[1] for row in rows] != names
    assert all(row[2] == "オープン" for row in rows)
    assert after[0]["headers"] == SHORTLIST_HEADERS["ja"]
