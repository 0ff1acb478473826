"""Presentation helpers: ordering of figures, inert output, the report."""

from __future__ import annotations

from advisor import views
from advisor.hardware import memory_table
from advisor.services import Advisor


def test_compare_memory_row_is_in_label_order(core: Advisor) -> None:
    card = core.catalog.get("mistral-7b")
    _, rows = views.compare_rows([card, core.catalog.get("gemma-3-12b")])
    mem = memory_table(card.params_b, 4096)
    assert mem is not None
    row = next(r for r in rows if r[0] == "memory Q4/Q8/FP16 GB")
    q4, q8, fp16 = (float(x) for x in row[1].split(" / "))
    assert (q4, q8, fp16) == (round(mem["q4"], 1), round(mem["q8"], 1), round(mem["fp16"], 1))
    assert q4 < q8 < fp16


def test_compare_figure_bars_follow_labels(core: Advisor) -> None:
    fig = views.compare_figure([core.catalog.get("mistral-7b"), core.catalog.get("gemma-3-12b")])
    bar = fig.data[0]
    assert list(bar.x) == ["Q4", "Q8", "FP16"] and list(bar.y) == sorted(bar.y)


def test_inert_markdown() -> None:
    out = views.inert_markdown(
        "<script>alert(1)</script> [x](javascript:alert(1)) ![i](http://e/i.png)"
    )
    assert (
        "<script>" not in out and "](" not in out and "![" not in out and "javascript:" not in out
    )


def test_markdown_report_has_sources_and_reasons(core: Advisor) -> None:
    result = core.recommend(core.needs("コード補完、RTX 4090、ローカル"), top=3)
    report = views.markdown_report(result, core.catalog, "ja")
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
    lines = views.reasons_markdown(result, "en").splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("**") and ". " in line]
    assert len(headers) == 3
    assert all(lines[i - 1] == "" for i in headers[1:])


def test_uncurated_section_is_labelled_and_rendered_from_the_models() -> None:
    from advisor.uncurated import Uncurated

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
    text = views.uncurated_markdown([m], None, "ja")
    assert text.startswith("### 未レビュー候補") and "llmfit 1.1.17" in text
    assert "[Qwen/Qwen3-14B](https://huggingface.co/Qwen/Qwen3-14B)" in text
    assert "14.8B" in text and "9.5 GB (Q4_K_M, Good)" in text and "ctx 40,960" in text
    assert views.uncurated_markdown([], None, "en") == ""
    assert "state your GPU" in views.uncurated_markdown([], "state your GPU memory", "en")
