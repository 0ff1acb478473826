"""The Gradio layout and the server launch: wires components to the handlers."""

from __future__ import annotations

from typing import Any

import gradio as gr

import advisor.ui.views as views
from advisor.errors import AdvisorError
from advisor.present.catalog import CATALOG_HEADERS, catalog_rows
from advisor.present.shortlist import SHORTLIST_HEADERS
from advisor.rag.answer import AnswerChain
from advisor.services import Advisor
from advisor.settings import Settings, load_settings
from advisor.ui.handlers import Handlers
from advisor.ui.strings import LANG_CHOICES, _t, _tabs

CSS = """
.citations details { margin: 4px 0; } .citations pre.passage { white-space: pre-wrap; font-size: 0.85em; }
#status { font-size: 0.9em; opacity: 0.85; }
#shortlist .table-wrap *, #dlg-table .table-wrap *, #cat-table .table-wrap *,
#cmp-table .table-wrap * { font-family: var(--font) !important; font-size: var(--text-sm); }
#cmp-table .table-wrap * { overflow-wrap: anywhere; }
#dlg-card table { width: 100%; }
#dlg-card td, #dlg-card th { padding: 4px 8px; }
"""


def build_ui(advisor: Advisor, chain: AnswerChain | None = None) -> gr.Blocks:
    if chain is None:
        chain = advisor.chain()
        if chain.llm.is_llm:
            chain.warm_up()  # the fixed system prefix, in the background: status says so meanwhile
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
                    with gr.Column(scale=5):
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
                        data_fix = gr.Radio(
                            [], label=_t(lang0, "data_fix"), elem_id="data-fix", visible=False
                        )
                    with gr.Column(scale=4):
                        shortlist = gr.Dataframe(
                            headers=SHORTLIST_HEADERS[lang0],
                            interactive=False,
                            elem_id="shortlist",
                            wrap=True,
                            column_widths=views.SHORTLIST_WIDTHS,
                        )
                        cites = gr.HTML("", elem_id="citations")
                outputs = [bot, turns, shortlist, cites, status, msg, data_fix]
                send.click(
                    h.chat,
                    [msg, bot, turns],
                    outputs,
                    concurrency_limit=advisor.settings.ui.concurrency,
                    concurrency_id="llm",
                    # the status line shows the progress: Gradio's animated overlay repainted
                    # the page the whole time and took CPU from a local model
                    show_progress="hidden",
                )
                msg.submit(
                    h.chat,
                    [msg, bot, turns],
                    outputs,
                    concurrency_limit=advisor.settings.ui.concurrency,
                    concurrency_id="llm",
                    # the status line shows the progress: Gradio's animated overlay repainted
                    # the page the whole time and took CPU from a local model
                    show_progress="hidden",
                )
                data_fix.input(
                    h.chat_correct,
                    [data_fix, bot, turns],
                    [bot, turns, shortlist, data_fix, status],
                    concurrency_limit=8,
                )
            with gr.Tab(_tabs("tab_needs"), id="needs"):
                skipped = gr.State([])
                profile = gr.State({})  # the profile as a dict: what recommend/summary read
                shown = gr.State(False)  # a recommendation is shown: it follows every change
                with gr.Row():
                    with gr.Column(scale=2):
                        question = gr.Markdown(elem_id="dlg-question")
                        quick = gr.Radio([], show_label=False, elem_id="dlg-choices")
                        reply = gr.Textbox(label=_t(lang0, "reply"), elem_id="dlg-reply")
                        with gr.Row():
                            reply_send = gr.Button(
                                _t(lang0, "reply_send"), size="sm", elem_id="dlg-send"
                            )
                            reset = gr.Button(_t(lang0, "reset"), size="sm", elem_id="dlg-reset")
                        go = gr.Button(
                            _t(lang0, "recommend"), variant="primary", elem_id="dlg-recommend"
                        )
                    with gr.Column(scale=3):
                        card_title = gr.Markdown(_t(lang0, "profile"))
                        dlg_data = gr.Radio(
                            [], label=_t(lang0, "data_fix"), elem_id="dlg-data", visible=False
                        )
                        card = gr.Markdown(elem_id="dlg-card")
                        form: dict[str, Any] = {}
                        labels, choices = views.form_labels(lang0), views.form_choices(lang0)

                        def control(key: str, kind: str, **kw: Any) -> None:
                            common = {"label": labels[key], "elem_id": f"dlg-f-{key}", **kw}
                            if kind == "dropdown":
                                form[key] = gr.Dropdown(choices[key], **common)
                            elif kind == "number":
                                form[key] = gr.Number(**common)
                            else:
                                form[key] = gr.Checkbox(**common)

                        with gr.Accordion(_t(lang0, "edit"), open=False) as edit_box:
                            control("use_cases", "dropdown", multiselect=True)
                            control("priority", "dropdown")
                            with gr.Row():
                                control("gpu_gb", "number", min_width=100)
                                control("cpu_only", "checkbox", min_width=100)
                                control("ram_gb", "number", min_width=100)
                            control("finetune", "dropdown")
                            with gr.Row():
                                control("japanese", "dropdown", min_width=120)
                                control("many_languages", "checkbox", min_width=100)
                            with gr.Row():
                                control("deployment", "dropdown", min_width=120)
                                control("privacy", "checkbox", min_width=100)
                            with gr.Row():
                                control("budget_amount", "number", min_width=100)
                                control("budget_currency", "dropdown", min_width=80)
                                control("budget_period", "dropdown", min_width=80)
                                control("budget_hard", "checkbox", min_width=70)
                            with gr.Row():
                                control("requests_per_day", "number", min_width=100)
                                control("context_tokens", "number", min_width=100)
                            apply_form = gr.Button(
                                _t(lang0, "apply"), size="sm", elem_id="dlg-apply"
                            )
                        with gr.Accordion(_t(lang0, "advanced"), open=False) as adv_box:
                            raw = gr.JSON(label="profile", elem_id="dlg-profile")
                            profile_edit = gr.Code(
                                language="json", label=_t(lang0, "json_edit"), elem_id="dlg-edit"
                            )
                            apply_json = gr.Button(
                                _t(lang0, "apply_json"), size="sm", elem_id="dlg-apply-json"
                            )
                dlg_table = gr.Dataframe(
                    headers=SHORTLIST_HEADERS[lang0],
                    interactive=False,
                    elem_id="dlg-table",
                    wrap=True,
                    column_widths=views.SHORTLIST_WIDTHS,
                )
                dlg_summary = gr.Markdown(elem_id="dlg-summary")
                dlg_plot = gr.Plot(elem_id="dlg-plot")
                dlg_reasons = gr.Markdown(elem_id="dlg-reasons")
                dlg_file = gr.File(label="report.md", elem_id="dlg-report")
                controls = [form[k] for k in views.FORM_FIELDS]
                dlg_out = [
                    question,
                    quick,
                    profile,
                    skipped,
                    card,
                    raw,
                    profile_edit,
                    edit_box,
                    adv_box,
                    apply_form,
                    dlg_data,
                    *controls,
                ]
                results = [dlg_table, dlg_plot, dlg_reasons, dlg_file]
                llm_queue = {
                    "concurrency_id": "llm",
                    "concurrency_limit": advisor.settings.ui.concurrency,
                }

                def follow(event: Any) -> Any:
                    """After any change of the profile: a shown recommendation follows it."""
                    return event.then(
                        h.dialogue_refresh, [profile, lang, shown], results, concurrency_limit=8
                    ).then(h.dialogue_resummary, [profile, lang, shown], dlg_summary, **llm_queue)

                follow(
                    quick.input(
                        h.dialogue_reply,
                        [quick, profile, skipped, lang],
                        dlg_out,
                        concurrency_limit=8,
                    )
                )
                for event in (reply.submit, reply_send.click):
                    follow(
                        event(
                            h.dialogue_reply,
                            [reply, profile, skipped, lang],
                            dlg_out,
                            concurrency_limit=8,
                        ).then(lambda: "", None, reply)
                    )
                follow(
                    dlg_data.input(
                        h.dialogue_data,
                        [dlg_data, profile, skipped, lang],
                        dlg_out,
                        concurrency_limit=8,
                    )
                )
                follow(
                    apply_form.click(h.dialogue_edit, [profile, skipped, lang, *controls], dlg_out)
                )
                follow(
                    apply_json.click(
                        h.dialogue_json, [profile_edit, profile, skipped, lang], dlg_out
                    )
                )
                reset.click(h.dialogue_start, [lang], dlg_out).then(
                    h.dialogue_clear, None, [shown, *results, dlg_summary]
                )
                # shown first: a correction made while the first results are still coming
                # (llmfit's part takes a second) must already re-rank them
                go.click(lambda: True, None, shown).then(
                    h.dialogue_recommend, [profile, lang], results, concurrency_limit=8
                ).then(
                    # the structured part is shown; the LLM's wording follows in the LLM queue
                    h.dialogue_summary,
                    [profile, lang],
                    dlg_summary,
                    **llm_queue,
                )
            with gr.Tab(_tabs("tab_catalog"), id="catalog"):
                filters = views.catalog_filter_choices(lang0)
                with gr.Row():
                    search = gr.Textbox(label=_t(lang0, "search"), elem_id="cat-search")
                    open_only = gr.Checkbox(label=_t(lang0, "open_only"), elem_id="cat-open")
                    ja_min = gr.Dropdown(
                        filters["japanese"],
                        value="",
                        label=_t(lang0, "ja_min"),
                        elem_id="cat-ja",
                    )
                    use = gr.Dropdown(
                        filters["use_case"],
                        value="",
                        label=_t(lang0, "use_case"),
                        elem_id="cat-use",
                    )
                table = gr.Dataframe(
                    value=catalog_rows(list(advisor.catalog), lang0),
                    headers=CATALOG_HEADERS[lang0],
                    datatype=views.CATALOG_TYPES,  # type: ignore[arg-type]
                    column_widths=views.CATALOG_WIDTHS,
                    interactive=False,
                    elem_id="cat-table",
                    wrap=True,
                    max_height=420,
                )
                cat_in = [search, open_only, ja_min, use, lang]
                for comp in (search, open_only, ja_min, use):
                    comp.change(h.catalog, cat_in, table, concurrency_limit=8)
                pick = gr.Dropdown(
                    cat_ids,
                    multiselect=True,
                    max_choices=4,
                    label=_t(lang0, "compare"),
                    elem_id="cmp-pick",
                )
                cmp_table = gr.Dataframe(interactive=False, elem_id="cmp-table", wrap=True)
                cmp_plot = gr.Plot(elem_id="cmp-plot")
                pick.change(h.compare, [pick, lang], [cmp_table, cmp_plot], concurrency_limit=8)
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
                reply_send,
                go,
                reset,
                card_title,
                profile_edit,
                apply_json,
                search,
                open_only,
                ja_min,
                use,
                pick,
            ],
        )
        follow(lang.change(h.dialogue_show, [profile, skipped, lang], dlg_out))
        lang.change(h.catalog, cat_in, table, concurrency_limit=8)
        lang.change(h.compare, [pick, lang], [cmp_table, cmp_plot], concurrency_limit=8)
        demo.load(h.dialogue_start, [lang], dlg_out).then(h.index_status, None, idx_status)
    return demo


def launch(settings: Settings, **kwargs: Any) -> Any:
    """Build services, the index (first run) and the UI; serve on settings.ui.host:port."""
    advisor = Advisor(settings)
    # the index (built or refreshed) and the embedder, now rather than at the first question
    advisor.open_retrieval()
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
