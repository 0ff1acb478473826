"""Presentation helpers: ordering of figures, inert output, the report."""

from __future__ import annotations

import datetime as dt

import pytest

from advisor.domain import evidence as ev
from advisor.domain.catalog import UseCase
from advisor.domain.memory import memory_table
from advisor.domain.needs import Needs
from advisor.present.card import card_japanese, japanese_text, lifecycle_text
from advisor.present.catalog import CATALOG_HEADERS, catalog_rows
from advisor.present.profile import profile_lines, profile_markdown
from advisor.present.report import markdown_report, reasons_markdown, uncurated_markdown
from advisor.present.shortlist import SHORTLIST_HEADERS, shortlist_rows
from advisor.present.text import inert_markdown
from advisor.services import Advisor
from advisor.ui import views


def test_compare_memory_row_is_in_label_order(core: Advisor) -> None:
    card = core.catalog.get("mistral-7b")
    _, rows = views.compare_rows([card, core.catalog.get("gemma-3-12b")])
    mem = memory_table(card, 4096)
    assert mem is not None
    row = next(r for r in rows if r[0] == "Memory Q4/Q8/FP16 GB")
    q4, q8, fp16 = (float(x) for x in row[1].split(" / "))
    assert (q4, q8, fp16) == (round(mem["q4"], 1), round(mem["q8"], 1), round(mem["fp16"], 1))
    assert q4 < q8 < fp16


def test_compare_figure_bars_follow_labels(core: Advisor) -> None:
    fig = views.compare_figure([core.catalog.get("mistral-7b"), core.catalog.get("gemma-3-12b")])
    bar = fig.data[0]
    assert list(bar.x) == ["Q4", "Q8", "FP16"] and list(bar.y) == sorted(bar.y)


def test_inert_markdown() -> None:
    out = inert_markdown("<script>alert(1)</script> [x](javascript:alert(1)) ![i](http://e/i.png)")
    assert (
        "<script>" not in out and "](" not in out and "![" not in out and "javascript:" not in out
    )


def test_markdown_report_has_sources_and_reasons(core: Advisor) -> None:
    result = core.recommend(core.needs("コード補完、RTX 4090、ローカル"), top=3)
    report = markdown_report(result, core.catalog, "ja")
    assert report.startswith("# LLM選定レポート")
    assert "guide/criteria/use-case" in report and "https://" in report
    assert all(r.name in report for r in result.recommendations)


def test_catalog_filter(core: Advisor) -> None:
    cards = views.filter_cards(
        core.catalog, "", open_only=True, japanese_min="strong", use_case="chat"
    )
    assert cards and all(c.open_weights and c.japanese.value == "strong" for c in cards)
    assert [c.id for c in views.filter_cards(core.catalog, "swallow")] == [
        c.id for c in core.catalog if "swallow" in c.id
    ]


def test_each_model_of_the_reasons_starts_its_own_block(core: Advisor) -> None:
    """Without a blank line, Markdown joins a model's header to the previous model's last item."""
    result = core.recommend(core.needs("local code completion on 12 GB"), 3)
    lines = reasons_markdown(result, "en").splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("**") and ". " in line]
    assert len(headers) == 3
    assert all(lines[i - 1] == "" for i in headers[1:])


def test_uncurated_section_is_labelled_and_rendered_from_the_models() -> None:
    from advisor.sources.uncurated import Uncurated

    m = Uncurated(
        name="Qwen/Qwen3-14B",
        url="https://huggingface.co/Qwen/Qwen3-14B",
        params_b=14.8,
        context_window=40960,
        license="apache-2.0",
        use_case=None,
        languages=["en", "ja"],
        release_date=None,
        quant="Q4_K_M",
        memory_gb=9.5,
        fit="Good",
        score=80.0,
        origin="llmfit 1.1.17 (uncurated; not reviewed)",
    )
    text = uncurated_markdown([m], None, "ja")
    assert text.startswith("### 未レビュー候補") and "llmfit 1.1.17" in text
    assert "[Qwen/Qwen3-14B](https://huggingface.co/Qwen/Qwen3-14B)" in text
    assert "14.8B" in text and "9.5 GB (Q4_K_M, Good)" in text and "ctx 40,960" in text
    assert uncurated_markdown([], None, "en") == ""
    assert "state your GPU" in uncurated_markdown([], "state your GPU memory", "en")


# --- the profile card ----------------------------------------------------------------------------


def _no_gpu_profile() -> Needs:
    """The issue's dialogue: Japanese support bot, data stays in-house, 30,000 JPY a month, no GPU."""
    return Needs(
        lang="ja",
        use_cases=[UseCase.chat],
        priority="accuracy",
        cpu_only=True,
        gpu_kind="cpu",
        ram_gb=16.0,
        japanese=True,
        deployment="local",
        privacy=True,
        budget_amount=30000,
        budget_currency="JPY",
        budget_period="month",
        assumptions=["hardware: RAM not stated; 16 GB (a typical laptop) is assumed"],
    )


def test_profile_lines_in_both_languages_with_assumed_and_unknown_values() -> None:
    n = _no_gpu_profile()
    ja = profile_lines(n, "ja")
    assert [label for label, _, _ in ja] == [
        "① 用途",
        "② 精度・優先",
        "③ 計算資源",
        "④ カスタマイズ",
        "⑤ 言語",
        "⑥ 提供形態・データ",
        "予算",
        "利用量",
        "コンテキスト",
    ]
    by = {label: (value, assumed) for label, value, assumed in ja}
    assert by["① 用途"] == ("チャットボット", False)
    assert by["② 精度・優先"] == ("精度重視", False)
    assert by["③ 計算資源"] == ("GPUなし(CPUのみ)・RAM 16 GB", True)  # the RAM was assumed
    assert by["④ カスタマイズ"] == ("未定", False)  # unknown is never "assumed"
    assert by["⑥ 提供形態・データ"] == ("ローカル(自社運用)・データは社外に出さない", False)
    assert by["予算"] == ("30,000 JPY / 月", False)
    en = {label: value for label, value, _ in profile_lines(n, "en")}
    assert en["③ Compute / hardware"] == "no GPU (CPU only), RAM 16 GB"
    assert en["④ Customisation"] == "—" and en["Budget"] == "30,000 JPY / month"
    hard = n.model_copy(
        update={"budget_amount": 500.0, "budget_currency": "USD", "budget_hard": True}
    )
    assert dict((k, v) for k, v, _ in profile_lines(hard, "en"))["Budget"] == (
        "500 USD / month (limit)"
    )
    assert dict((k, v) for k, v, _ in profile_lines(hard, "ja"))["予算"] == ("500 USD / 月(上限)")


def test_profile_lines_name_the_gpu_workload_context_and_languages() -> None:
    n = Needs(
        lang="en",
        gpu_gb=24.0,
        gpu_name="RTX 4090",
        gpu_kind="gpu",
        japanese=True,
        many_languages=True,
        deployment="api",
        requests_per_day=1000,
        context_tokens=32000,
        finetune=False,
        assumptions=["japanese: needed, because you wrote in Japanese"],
    )
    lines = {label: (value, assumed) for label, value, assumed in profile_lines(n, "en")}
    assert lines["③ Compute / hardware"] == ("RTX 4090 (24 GB)", False)
    assert lines["⑤ Languages"] == ("Japanese, many languages", True)
    assert lines["⑥ Deployment & privacy"] == ("API", False)
    assert lines["④ Customisation"] == ("no fine-tuning", False)
    assert lines["Workload"] == ("1,000 requests/day", False)
    assert lines["Context"] == ("32,000 tokens", False)
    api_only = {k: v for k, v, _ in profile_lines(Needs(deployment="api"), "ja")}
    assert api_only["③ 計算資源"] == "不要(APIを使う)"


def test_profile_markdown_marks_assumptions_and_is_inert() -> None:
    n = _no_gpu_profile().model_copy(update={"gpu_name": None})
    md = profile_markdown(n, "ja")
    assert md.splitlines()[0] == "| 項目 | 内容 |"
    assert "| **③ 計算資源** | GPUなし(CPUのみ)・RAM 16 GB _(推定)_ |" in md
    assert "| **④ カスタマイズ** | 未定 |" in md and "推定したこと" in md
    evil = Needs(gpu_gb=8.0, gpu_name="<img src=x onerror=alert(1)> | x", gpu_kind="gpu", lang="en")
    out = profile_markdown(evil, "en")
    assert "<img" not in out and "\\| x" in out and "(assumed)" not in out


def test_needs_from_form_applies_edits_and_keeps_the_rest() -> None:
    n = _no_gpu_profile()
    form = views.profile_form(n)
    assert form["cpu_only"] is True and form["ram_gb"] == 16.0 and form["finetune"] == "unknown"
    edited = views.needs_from_form(
        n, {**form, "ram_gb": 32, "finetune": "no", "use_cases": ["chat", "rag"]}, "ja"
    )
    assert edited.ram_gb == 32 and edited.finetune is False
    assert [u.value for u in edited.use_cases] == ["chat", "rag"]
    assert edited.budget_amount == 30000 and edited.privacy and edited.deployment == "local"
    assert not any(a.startswith("hardware:") for a in edited.assumptions)  # now stated
    gpu = views.needs_from_form(n, {**form, "cpu_only": False, "gpu_gb": 12}, "en")
    assert (gpu.gpu_gb, gpu.gpu_kind, gpu.gpu_name, gpu.cpu_only) == (12, "gpu", "GPU 12 GB", False)
    back = views.needs_from_form(gpu, {**views.profile_form(gpu), "cpu_only": True}, "en")
    assert back.gpu_gb is None and back.gpu_kind == "cpu" and back.cpu_only
    no_budget = views.needs_from_form(n, {**form, "budget_amount": None}, "en")
    assert no_budget.budget_amount is None and no_budget.budget_currency is None
    assert views.needs_from_form(n, form, "ja") == n  # nothing edited, nothing changed


def test_needs_from_form_rejects_bad_values_in_one_line() -> None:
    n = _no_gpu_profile()
    form = views.profile_form(n)
    for bad, words in (
        ({"ram_gb": -1}, "RAM GB"),
        ({"budget_amount": "lots"}, "予算"),
        ({"context_tokens": 10**9}, "コンテキスト"),
    ):
        with pytest.raises(ValueError) as exc:
            views.needs_from_form(n, {**form, **bad}, "ja")
        assert words in str(exc.value) and "\n" not in str(exc.value)


# --- Japanese level with its basis, lifecycle, the catalog table ---------------------------------


def test_japanese_level_says_its_basis(core: Advisor) -> None:
    assert japanese_text("strong", 0.675, "en") == "strong (Swallow 0.675)"
    assert japanese_text("good", None, "en") == "good (estimated)"
    assert japanese_text("good", None, "ja") == "良い (推定)"
    measured = next(c for c in core.catalog if ev.score(c, ev.JA_AVG) is not None)
    assert "Swallow" in card_japanese(measured, "ja")
    estimated = next(c for c in core.catalog if ev.score(c, ev.JA_AVG) is None)
    assert card_japanese(estimated, "ja").endswith("(推定)")


def test_lifecycle_text(core: Advisor) -> None:
    card = core.catalog.get("mistral-7b")
    today = dt.date(2026, 11, 28)
    assert (
        lifecycle_text(
            card.model_copy(update={"shutdown_date": None, "deprecated": False}), "en", today
        )
        == "available"
    )
    assert (
        lifecycle_text(
            card.model_copy(update={"deprecated": True, "shutdown_date": None}), "ja", today
        )
        == "非推奨"
    )
    soon = card.model_copy(update={"shutdown_date": dt.date(2026, 12, 11)})
    assert lifecycle_text(soon, "en", today) == "ends 2026-12-11"
    gone = card.model_copy(update={"shutdown_date": dt.date(2026, 6, 1)})
    assert lifecycle_text(gone, "ja", today) == "提供終了 2026-06-01"
    window = card.model_copy(update={"available_until": dt.date(2027, 5, 7)})
    assert lifecycle_text(window, "en", today) == "available (until at least 2027-05-07)"
    assert lifecycle_text(window, "ja", today) == "提供中(少なくとも2027-05-07まで)"


def test_catalog_rows_newest_first_in_the_interface_language(core: Advisor) -> None:
    cards = list(core.catalog)
    for lang in ("ja", "en"):
        rows = catalog_rows(cards, lang)
        assert len(rows) == len(cards)
        assert all(len(r) == len(CATALOG_HEADERS[lang]) for r in rows)
        dates = [r[2] for r in rows if r[2] != "-"]
        assert dates == sorted(dates, reverse=True)  # newest first, undated last
        assert all(d == "-" for d in [r[2] for r in rows][len(dates) :])
    ja = catalog_rows(cards, "ja")
    assert {r[4] for r in ja} == {"オープン", "API"}
    assert all(("Swallow" in r[6]) or r[6].endswith("(推定)") for r in ja)
    assert len(views.CATALOG_WIDTHS) == len(views.CATALOG_TYPES) == len(CATALOG_HEADERS["en"])
    assert sum(float(str(w).rstrip("%")) for w in views.CATALOG_WIDTHS) <= 100
    assert sum(float(str(w).rstrip("%")) for w in views.SHORTLIST_WIDTHS) <= 100
    assert not any(h in " ".join(CATALOG_HEADERS["ja"]) for h in ("open", "Japanese", "vendor"))
    filters = views.catalog_filter_choices("ja")
    assert ("すべて", "") in filters["japanese"] and ("翻訳", "translation") in filters["use_case"]


def test_compare_rows_show_the_evidence_in_the_interface_language(core: Advisor) -> None:
    measured = next(c for c in core.catalog if ev.score(c, ev.JA_AVG) is not None)
    other = core.catalog.get("mistral-7b")
    _, rows = views.compare_rows([measured, other], "ja")
    labels = [r[0] for r in rows]
    assert "ベンチマーク" in labels and "日本語" in labels and "提供状況" in labels
    bench = next(r for r in rows if r[0] == "ベンチマーク")
    assert "Swallow" in bench[1] and "CC BY 4.0" in bench[1] and "https://" in bench[1]
    ja = next(r for r in rows if r[0] == "日本語")
    assert "Swallow" in ja[1]


def test_shortlist_rows_match_the_headers(core: Advisor) -> None:
    result = core.recommend(core.needs("社外秘の文書の要約、GPUなし、ノートPC"), top=3)
    for lang in ("ja", "en"):
        rows = shortlist_rows(result, lang)
        assert rows and all(len(r) == len(SHORTLIST_HEADERS[lang]) for r in rows)
    rows = shortlist_rows(result, "ja")
    assert all(r[2] == "オープン" for r in rows)
    assert all(("Swallow" in r[6]) or r[6].endswith("(推定)") for r in rows)


def test_one_formatter_for_a_cards_facts(core: Advisor) -> None:
    """The CLI's card, the comparison and the index text word a card's facts the same way."""
    from advisor.present.card import card_facts
    from advisor.rag.index import card_text

    card = core.catalog.get("gemma-4-31b")
    facts = dict(card_facts(card, "ja"))
    _, rows = views.compare_rows([card, core.catalog.get("qwen3-8b")], "ja")
    compared = {r[0]: r[1] for r in rows}
    text = card_text(card, "ja")
    for label in ("パラメータ数", "ライセンス", "日本語", "メモリ Q4/Q8/FP16 GB"):
        assert compared[label] == facts[label]
        assert f"{label}: {facts[label]}" in text
