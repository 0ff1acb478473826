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
        page.locator("#dlg-choices label", has_text=label).first.click()
        page.wait_for_timeout(700)
    assert "そろいました" in page.inner_text("#dlg-question")
    profile = page.inner_text("#dlg-profile")
    assert "code" in profile and "12" in profile
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


def test_dialogue_free_text_reply(page) -> None:
    page.get_by_role("tab", name="ニーズ診断").click()
    page.fill("#dlg-reply textarea", "翻訳に使いたい")
    page.press("#dlg-reply textarea", "Enter")
    page.wait_for_function(
        "document.querySelector('#dlg-question').innerText.includes('②')", timeout=10_000
    )
    assert "translation" in page.inner_text("#dlg-profile")


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
    from advisor.bundled import fetch
    from advisor.settings import PROJECT_ROOT, load_settings

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
        pg.screenshot(path=str(tmp_path / "local-model.png"), full_page=True)
        ctx.close()
    finally:
        proc.terminate()
        proc.wait(20)
