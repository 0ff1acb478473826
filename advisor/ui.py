"""Gradio UI: an adapter over the services. Callbacks only call services and views."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr

from advisor import views
from advisor.answer import AnswerChain, Turn
from advisor.dialogue import apply_reply, next_question
from advisor.errors import AdvisorError
from advisor.needs import Needs, unknown_criteria
from advisor.services import Advisor
from advisor.settings import LLMSettings, Settings, load_settings, merge

CSS = """
.citations details { margin: 4px 0; } .citations pre.passage { white-space: pre-wrap; font-size: 0.85em; }
#status { font-size: 0.9em; opacity: 0.85; }
"""

T = {
    "title": ("# LLMアドバイザー — どのLLMを使うべき?", "# LLM advisor — which LLM should I use?"),
    "tab_chat": ("チャット", "Chat"),
    "tab_needs": ("ニーズ診断", "Tell me your needs"),
    "tab_catalog": ("カタログと比較", "Catalog & compare"),
    "tab_settings": ("設定", "Settings"),
    "ask": (
        "質問を入力(例: 社外に出せない文書の要約、RTX 4090)",
        "Ask (e.g. local summarisation on an RTX 4090)",
    ),
    "send": ("送信", "Send"),
    "reply": ("自由記述で答える", "Answer in your own words"),
    "recommend": ("推薦を表示", "Show recommendation"),
    "reset": ("最初から", "Start over"),
    "search": ("検索(名前・ベンダー)", "Search (name, vendor)"),
    "compare": ("比較するモデル(2〜4)", "Models to compare (2-4)"),
}
LANG_CHOICES = ["日本語", "English"]


def _lang(choice: str) -> str:
    return "en" if choice == "English" else "ja"


def _tabs(key: str) -> str:
    """Tab labels carry both languages (Gradio cannot relabel tabs after load)."""
    ja, en = T[key]
    return f"{ja} / {en}"


def _t(lang: str, key: str) -> str:
    ja, en = T[key]
    return ja if lang == "ja" else en


class Handlers:
    """The callbacks: each turns UI values into service calls and service results into views."""

    def __init__(self, advisor: Advisor, chain: AnswerChain):
        self.adv = advisor
        self.chain = chain
        ui = advisor.settings.ui
        # the settings tab changes the server for everyone: only a local or authenticated app allows it
        self.can_admin = ui.host in ("127.0.0.1", "localhost", "::1") or bool(
            ui.auth_user and ui.auth_password
        )

    READ_ONLY = "⚠️ settings are read-only on a shared server without auth (set ADVISOR_UI__AUTH_USER/PASSWORD)"

    # --- chat ---
    def chat(
        self, message: str, history: list[dict[str, str]], turns: list[Turn]
    ) -> Iterator[tuple[Any, ...]]:
        history = list(history or [])
        turns = list(turns or [])
        try:
            prepared = self.chain.prepare(message, turns)
        except AdvisorError as exc:
            history += [
                {"role": "user", "content": views.inert_markdown(message[:500])},
                {"role": "assistant", "content": f"⚠️ {exc}"},
            ]
            yield history, turns, gr.update(), "", f"⚠️ {exc}", ""
            return
        lang = prepared.lang
        status = f"{'回答' if lang == 'ja' else 'Answering with'}: {self.chain.llm.label}"
        rows = views.shortlist_rows(prepared.result)
        history += [
            {"role": "user", "content": views.inert_markdown(message)},
            {"role": "assistant", "content": ""},
        ]
        # the structured part first, at once
        yield (
            history,
            turns,
            gr.update(value=rows, headers=views.SHORTLIST_HEADERS[lang]),
            views.citations_html(prepared, list(range(1, len(prepared.passages) + 1)), lang),
            status,
            "",
        )
        text = ""
        for piece in self.chain.stream(prepared):
            text += piece
            history[-1] = {"role": "assistant", "content": views.inert_markdown(text)}
            yield history, turns, gr.update(), gr.update(), status, ""
        answer = self.chain.finish(prepared, text)
        history[-1] = {"role": "assistant", "content": views.inert_markdown(answer.answer)}
        turns.append(Turn(question=message, needs=prepared.needs, answer=answer.answer))
        if answer.notices:
            status += " — " + " / ".join(answer.notices)
        yield (
            history,
            turns,
            gr.update(),
            views.citations_html(prepared, [c.n for c in answer.citations], lang),
            status,
            "",
        )

    # --- needs dialogue ---
    def dialogue_start(self, lang_choice: str) -> tuple[Any, ...]:
        needs = Needs(lang=_lang(lang_choice))
        return self._dialogue_view(needs, set())

    def dialogue_reply(
        self, reply: str, needs_json: dict[str, Any], skipped: list[str], lang_choice: str
    ) -> tuple[Any, ...]:
        lang = _lang(lang_choice)
        needs = (
            Needs.model_validate(needs_json) if needs_json else Needs.model_validate({"lang": lang})
        )
        needs.lang = lang  # type: ignore[assignment]
        q = next_question(needs, set(skipped))
        if q is not None and reply and reply.strip():
            try:
                needs = apply_reply(needs, q, reply[:2000], lang)
            except AdvisorError as exc:
                gr.Warning(str(exc))
            needs.lang = lang  # type: ignore[assignment]
            if q.criterion in unknown_criteria(needs):  # the reply did not settle it: move on
                skipped = [*skipped, q.criterion]
        return self._dialogue_view(needs, set(skipped))

    def _dialogue_view(self, needs: Needs, skipped: set[str]) -> tuple[Any, ...]:
        lang = needs.lang
        q = next_question(needs, skipped)
        profile = needs.model_dump(mode="json")
        if q is None:
            text = "✅ " + (
                "必要な情報がそろいました。「推薦を表示」を押してください。"
                if lang == "ja"
                else "That is everything I need. Press “Show recommendation”."
            )
            return text, gr.update(choices=[], value=None, visible=False), profile, sorted(skipped)
        return (
            f"**{q.text(lang)}**",
            gr.update(choices=q.labels(lang), value=None, visible=True),
            profile,
            sorted(skipped),
        )

    @staticmethod
    def _profile(needs_json: dict[str, Any], lang: str) -> tuple[Needs | None, str]:
        """The dialogue's profile (possibly edited by hand), or None and why it does not validate."""
        try:
            needs = Needs.model_validate(needs_json or {"lang": lang})
        except Exception as exc:
            return None, str(exc).splitlines()[0]
        needs.lang = lang  # type: ignore[assignment]
        return needs, ""

    def dialogue_recommend(
        self, needs_json: dict[str, Any], lang_choice: str
    ) -> Iterator[tuple[Any, ...]]:
        lang = _lang(lang_choice)
        needs, error = self._profile(needs_json, lang)
        if needs is None:
            gr.Warning(f"profile: {error}")
            yield gr.update(), None, "", None
            return
        result = self.adv.recommend(needs, top=5)
        reasons = views.reasons_markdown(result, lang)
        yield (  # at once: llmfit below may take a second
            gr.update(value=views.shortlist_rows(result), headers=views.SHORTLIST_HEADERS[lang]),
            views.criteria_figure(result, lang),
            reasons,
            None,
        )
        extra = views.uncurated_markdown(*self.adv.uncurated(needs), lang)
        report = views.markdown_report(result, self.adv.catalog, lang, extra)
        path = Path(tempfile.mkdtemp(prefix="advisor-report-")) / "llm-report.md"
        path.write_text(report, encoding="utf-8")
        yield gr.update(), gr.update(), reasons + "\n\n" + extra, str(path)

    def dialogue_summary(self, needs_json: dict[str, Any], lang_choice: str) -> Iterator[str]:
        """The LLM's wording of the recommendation, streamed (empty without an LLM)."""
        needs, _ = self._profile(needs_json, _lang(lang_choice))
        if not self.chain.llm.is_llm or needs is None:  # dialogue_recommend warned about a bad one
            yield ""
            return
        head = f"**{self.chain.llm.label}**: "
        text, notices = "", list[str]()
        for piece in self.chain.explain(self.adv.recommend(needs, top=5), notices):
            text += piece
            yield head + views.inert_markdown(text)
        if notices:
            text += "\n\n⚠️ " + " / ".join(notices)
        yield head + views.inert_markdown(text) if text else ""

    # --- catalog ---
    def catalog(self, text: str, open_only: bool, japanese_min: str, use_case: str) -> Any:
        cards = views.filter_cards(
            self.adv.catalog, text or "", bool(open_only), japanese_min or "", use_case or ""
        )
        return gr.update(value=views.catalog_rows(cards), headers=views.CATALOG_HEADERS)

    def compare(self, ids: list[str]) -> tuple[Any, ...]:
        ids = list(ids or [])[:4]
        if len(ids) < 2:
            return gr.update(value=[], headers=["-"]), None
        cards = [self.adv.catalog.get(i) for i in ids]
        headers, rows = views.compare_rows(cards)
        return gr.update(value=rows, headers=headers), views.compare_figure(cards)

    # --- settings ---
    def apply_backend(self, mode: str, base_url: str, api_key: str, model: str, gguf: str) -> str:
        if not self.can_admin:
            return self.READ_ONLY
        llm_cfg: dict[str, Any] = {"mode": mode}
        if mode == "openai":
            llm_cfg["openai"] = {
                "base_url": base_url or None,
                "model": model or "gpt-4.1-mini",
                **({"api_key": api_key} if api_key else {}),
            }
            if not api_key and (base_url or None) != self.adv.settings.llm.openai.base_url:
                # the server's key goes only to the endpoint it was configured for
                llm_cfg["openai"]["api_key"] = None
        if mode == "llamacpp" and gguf:
            llm_cfg["llamacpp"] = {"model_path": gguf}
        try:
            data = merge(self.adv.settings.llm.model_dump(), llm_cfg)
            llm_settings = LLMSettings.model_validate(data)
        except Exception as exc:
            return f"⚠️ {str(exc).splitlines()[0]}"
        self.adv.use_llm_settings(llm_settings)
        self.chain.llm = self.adv.llm(mode)
        note = f" — {' / '.join(self.adv.notices)}" if self.adv.notices else ""
        return f"backend: {self.chain.llm.label}{note}"  # the key is never echoed

    def index_status(self) -> str:
        try:
            count = self.adv.store.count()
        except AdvisorError as exc:
            return f"⚠️ {exc}"
        return (
            f"index: {count} chunks ({self.adv.store.embedder_name}); catalog: {len(self.adv.catalog)} cards, "
            f"data as of {max(c.as_of for c in self.adv.catalog)}"
        )

    def rebuild(self) -> str:
        if not self.can_admin:
            return self.READ_ONLY
        report = self.adv.build_index(rebuild=True)
        return f"rebuilt: {report.total} chunks. " + self.index_status()

    # --- interface language ---
    def switch_language(self, choice: str) -> tuple[Any, ...]:
        lang = _lang(choice)
        return (
            _t(lang, "title"),
            gr.update(label=_t(lang, "ask"), placeholder=_t(lang, "ask")),
            gr.update(value=_t(lang, "send")),
            gr.update(label=_t(lang, "reply")),
            gr.update(value=_t(lang, "recommend")),
            gr.update(label=_t(lang, "search")),
            gr.update(label=_t(lang, "compare")),
            *self.dialogue_start(choice),
        )


def build_ui(advisor: Advisor, chain: AnswerChain | None = None) -> gr.Blocks:
    chain = chain or advisor.chain()
    h = Handlers(advisor, chain)
    lang0 = "ja"
    cat_ids = [c.id for c in advisor.catalog]
    with gr.Blocks(title="LLM advisor") as demo:
        with gr.Row():
            title = gr.Markdown(_t(lang0, "title"))
            lang = gr.Radio(
                LANG_CHOICES, value="日本語", label="UI", elem_id="ui-lang", scale=0, min_width=200
            )
        with gr.Tabs():
            with gr.Tab(_tabs("tab_chat"), id="chat"):
                turns = gr.State([])
                with gr.Row():
                    with gr.Column(scale=3):
                        bot = gr.Chatbot(
                            elem_id="chatbot", height=460, sanitize_html=True, buttons=["copy"]
                        )
                        msg = gr.Textbox(
                            label=_t(lang0, "ask"),
                            placeholder=_t(lang0, "ask"),
                            elem_id="ask",
                            max_length=advisor.settings.max_input_chars,
                            lines=2,
                        )
                        send = gr.Button(_t(lang0, "send"), variant="primary", elem_id="send")
                        status = gr.Markdown("", elem_id="status")
                    with gr.Column(scale=2):
                        shortlist = gr.Dataframe(
                            headers=views.SHORTLIST_HEADERS[lang0],
                            interactive=False,
                            elem_id="shortlist",
                            wrap=True,
                        )
                        cites = gr.HTML("", elem_id="citations")
                outputs = [bot, turns, shortlist, cites, status, msg]
                send.click(
                    h.chat,
                    [msg, bot, turns],
                    outputs,
                    concurrency_limit=advisor.settings.ui.concurrency,
                    concurrency_id="llm",
                )
                msg.submit(
                    h.chat,
                    [msg, bot, turns],
                    outputs,
                    concurrency_limit=advisor.settings.ui.concurrency,
                    concurrency_id="llm",
                )
            with gr.Tab(_tabs("tab_needs"), id="needs"):
                skipped = gr.State([])
                with gr.Row():
                    with gr.Column(scale=2):
                        question = gr.Markdown(elem_id="dlg-question")
                        quick = gr.Radio([], label="", elem_id="dlg-choices")
                        reply = gr.Textbox(label=_t(lang0, "reply"), elem_id="dlg-reply")
                        with gr.Row():
                            reset = gr.Button(_t(lang0, "reset"), elem_id="dlg-reset")
                            go = gr.Button(
                                _t(lang0, "recommend"), variant="primary", elem_id="dlg-recommend"
                            )
                    with gr.Column(scale=2):
                        profile = gr.JSON(label="profile", elem_id="dlg-profile")
                        profile_edit = gr.Code(
                            language="json", label="edit profile (JSON)", elem_id="dlg-edit"
                        )
                        apply_edit = gr.Button("apply edit", size="sm", elem_id="dlg-apply")
                dlg_table = gr.Dataframe(
                    headers=views.SHORTLIST_HEADERS[lang0], interactive=False, elem_id="dlg-table"
                )
                dlg_summary = gr.Markdown(elem_id="dlg-summary")
                dlg_plot = gr.Plot(elem_id="dlg-plot")
                dlg_reasons = gr.Markdown(elem_id="dlg-reasons")
                dlg_file = gr.File(label="report.md", elem_id="dlg-report")
                dlg_out = [question, quick, profile, skipped]
                quick.input(
                    h.dialogue_reply, [quick, profile, skipped, lang], dlg_out, concurrency_limit=8
                )
                reply.submit(
                    h.dialogue_reply, [reply, profile, skipped, lang], dlg_out, concurrency_limit=8
                ).then(lambda: "", None, reply)
                reset.click(h.dialogue_start, [lang], dlg_out)
                profile.change(
                    lambda p: __import__("json").dumps(p, ensure_ascii=False, indent=1),
                    profile,
                    profile_edit,
                )
                apply_edit.click(_parse_json, profile_edit, profile)
                go.click(
                    h.dialogue_recommend,
                    [profile, lang],
                    [dlg_table, dlg_plot, dlg_reasons, dlg_file],
                    concurrency_limit=8,
                ).then(  # the structured part is shown; the LLM's wording follows in the LLM queue
                    h.dialogue_summary,
                    [profile, lang],
                    dlg_summary,
                    concurrency_id="llm",
                    concurrency_limit=advisor.settings.ui.concurrency,
                )
            with gr.Tab(_tabs("tab_catalog"), id="catalog"):
                with gr.Row():
                    search = gr.Textbox(label=_t(lang0, "search"), elem_id="cat-search")
                    open_only = gr.Checkbox(label="open weights", elem_id="cat-open")
                    ja_min = gr.Dropdown(
                        ["", "basic", "good", "strong"], value="", label="Japanese ≥"
                    )
                    use = gr.Dropdown(
                        [
                            "",
                            "text_generation",
                            "code",
                            "translation",
                            "summarization",
                            "chat",
                            "rag",
                            "finetuning",
                            "edge",
                        ],
                        value="",
                        label="use case",
                    )
                table = gr.Dataframe(
                    value=views.catalog_rows(list(advisor.catalog)),
                    headers=views.CATALOG_HEADERS,
                    interactive=False,
                    elem_id="cat-table",
                    wrap=True,
                    max_height=420,
                )
                for comp in (search, open_only, ja_min, use):
                    comp.change(
                        h.catalog, [search, open_only, ja_min, use], table, concurrency_limit=8
                    )
                pick = gr.Dropdown(
                    cat_ids,
                    multiselect=True,
                    max_choices=4,
                    label=_t(lang0, "compare"),
                    elem_id="cmp-pick",
                )
                cmp_table = gr.Dataframe(interactive=False, elem_id="cmp-table", wrap=True)
                cmp_plot = gr.Plot(elem_id="cmp-plot")
                pick.change(h.compare, pick, [cmp_table, cmp_plot], concurrency_limit=8)
            with gr.Tab(_tabs("tab_settings"), id="settings"):
                mode = gr.Radio(
                    ["extractive", "llamacpp", "openai"],
                    value=chain.llm.name
                    if chain.llm.name in ("extractive", "llamacpp", "openai")
                    else "extractive",
                    label="backend",
                )
                base_url = gr.Textbox(
                    label="OpenAI-compatible base URL",
                    value=advisor.settings.llm.openai.base_url or "",
                )
                api_key = gr.Textbox(label="API key (never shown again or logged)", type="password")
                model = gr.Textbox(label="model name", value=advisor.settings.llm.openai.model)
                gguf = gr.Textbox(label="GGUF path (empty = bundled model)")
                apply = gr.Button("apply", elem_id="set-apply")
                backend_status = gr.Markdown(f"backend: {chain.llm.label}", elem_id="set-status")
                apply.click(
                    h.apply_backend, [mode, base_url, api_key, model, gguf], backend_status
                ).then(lambda: "", None, api_key)
                idx_status = gr.Markdown(elem_id="idx-status")
                rebuild = gr.Button("rebuild index", elem_id="idx-rebuild")
                rebuild.click(h.rebuild, None, idx_status, concurrency_limit=1)
        lang.change(
            h.switch_language,
            lang,
            [
                title,
                msg,
                send,
                reply,
                go,
                search,
                pick,
                *dlg_out,
            ],
        )
        demo.load(h.dialogue_start, [lang], dlg_out).then(h.index_status, None, idx_status)
    return demo


def _parse_json(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        gr.Warning(f"not valid JSON: {exc.msg}")
        return gr.update()


def launch(settings: Settings, **kwargs: Any) -> Any:
    """Build services, the index (first run) and the UI; serve on settings.ui.host:port."""
    advisor = Advisor(settings)
    advisor.build_index()
    demo = build_ui(advisor)
    demo.queue(max_size=settings.ui.max_queue, default_concurrency_limit=settings.ui.concurrency)
    ui = settings.ui
    auth = None
    if ui.auth_user and ui.auth_password:
        auth = (ui.auth_user, ui.auth_password.get_secret_value())
    return demo.launch(
        server_name=ui.host,
        server_port=ui.port,
        share=False,
        auth=auth,
        css=CSS,
        footer_links=[],
        show_error=False,
        max_file_size="1mb",
        **kwargs,
    )


def main() -> None:
    import sys

    try:
        settings = load_settings()
    except AdvisorError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(exc.exit_code) from None
    launch(settings)
