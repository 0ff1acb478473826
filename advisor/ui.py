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
from advisor.dialogue import CLARIFY, apply_reply, is_skip, next_question
from advisor.errors import AdvisorError
from advisor.needs import Needs, unknown_criteria
from advisor.services import Advisor
from advisor.settings import LLMSettings, Settings, load_settings, merge

CSS = """
.citations details { margin: 4px 0; } .citations pre.passage { white-space: pre-wrap; font-size: 0.85em; }
#status { font-size: 0.9em; opacity: 0.85; }
#shortlist .table-wrap *, #dlg-table .table-wrap *, #cat-table .table-wrap *,
#cmp-table .table-wrap * { font-family: var(--font) !important; font-size: var(--text-sm); }
#cmp-table .table-wrap * { overflow-wrap: anywhere; }
#dlg-card table { width: 100%; }
#dlg-card td, #dlg-card th { padding: 4px 8px; }
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
    "reply_send": ("答える", "Reply"),
    "profile": ("### プロフィール", "### Profile"),
    "edit": ("✏️ プロフィールを編集", "✏️ Edit the profile"),
    "advanced": ("詳細(JSON)", "Advanced (JSON)"),
    "apply": ("適用", "Apply"),
    "apply_json": ("JSONを適用", "Apply JSON"),
    "json_edit": ("プロフィールを編集(JSON)", "Edit the profile (JSON)"),
    "open_only": ("オープンウェイトのみ", "Open weights only"),
    "ja_min": ("日本語", "Japanese"),
    "use_case": ("用途", "Use case"),
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


def _progress(base: str, usage: dict[str, float]) -> str:
    """The status line while the prose streams: elapsed time and generation speed."""
    n, secs = usage.get("completion_tokens", 0), usage.get("seconds", 0.0)
    if not n:
        return base
    gen = secs - usage.get("first_token_seconds", 0.0)
    rate = f", {n / gen:.1f} tok/s" if gen > 0 else ""
    return f"{base} — {secs:.1f} s{rate}"


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
        if not self.chain.warm.is_set():  # the model is still evaluating its fixed prefix
            status += " — " + ("準備中(ウォームアップ)…" if lang == "ja" else "warming up…")
        rows = views.shortlist_rows(prepared.result, lang)
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
        base = status.split(" — ")[0]
        for piece in self.chain.stream(prepared):
            text += piece
            history[-1] = {"role": "assistant", "content": views.inert_markdown(text)}
            yield history, turns, gr.update(), gr.update(), _progress(base, prepared.usage), ""
        status = _progress(base, prepared.usage)
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
    #: outputs of every dialogue view: question, quick replies, profile, skipped, card, raw JSON,
    #: JSON editor, the edit and advanced folds, the apply button, then one per edit control
    VIEW_LEN = 10 + len(views.FORM_FIELDS)

    def dialogue_start(self, lang_choice: str) -> tuple[Any, ...]:
        needs = Needs(lang=_lang(lang_choice))
        return self._dialogue_view(needs, set())

    def dialogue_show(
        self, needs_json: dict[str, Any], skipped: list[str], lang_choice: str
    ) -> tuple[Any, ...]:
        """The current profile again, in the interface language (after a language switch)."""
        needs, _ = self._profile(needs_json, _lang(lang_choice))
        return self._dialogue_view(needs or Needs(lang=_lang(lang_choice)), set(skipped or []))

    def dialogue_reply(
        self, reply: str, needs_json: dict[str, Any], skipped: list[str], lang_choice: str
    ) -> tuple[Any, ...]:
        """Read a reply as the answer to the question just asked, then as free text for
        anything else it states; every reply is read, also once nothing is left to ask."""
        lang = _lang(lang_choice)
        needs, _ = self._profile(needs_json, lang)
        needs = needs or Needs(lang=lang)
        skipped = list(skipped or [])
        text = (reply or "").strip()
        if not text:
            return self._dialogue_view(needs, set(skipped))
        q = next_question(needs, set(skipped))
        try:
            updated = apply_reply(needs, q, text[:2000], lang)
        except AdvisorError as exc:
            gr.Warning(str(exc))
            updated = needs
        updated.lang = lang  # type: ignore[assignment]
        if q is not None and q.criterion in unknown_criteria(updated):
            unchanged = updated.model_dump(exclude={"lang"}) == needs.model_dump(exclude={"lang"})
            if is_skip(text) or unchanged:  # declined, or not understood: move on
                skipped.append(q.criterion)
        return self._dialogue_view(updated, set(skipped))

    def dialogue_edit(
        self, needs_json: dict[str, Any], skipped: list[str], lang_choice: str, *values: Any
    ) -> tuple[Any, ...]:
        """The edit controls applied to the profile; a bad value warns and changes nothing."""
        lang = _lang(lang_choice)
        needs, error = self._profile(needs_json, lang)
        try:
            if needs is None:
                raise ValueError(error)
            edited = views.needs_from_form(
                needs, dict(zip(views.FORM_FIELDS, values, strict=True)), lang
            )
        except ValueError as exc:
            gr.Warning(str(exc).splitlines()[0])
            return tuple(gr.update() for _ in range(self.VIEW_LEN))
        edited.lang = lang  # type: ignore[assignment]
        return self._dialogue_view(edited, set(skipped or []))

    def dialogue_json(
        self, text: str, needs_json: dict[str, Any], skipped: list[str], lang_choice: str
    ) -> tuple[Any, ...]:
        """The profile replaced by the edited JSON; invalid JSON or values warn, change nothing."""
        import json

        lang = _lang(lang_choice)
        try:
            data = json.loads(text or "{}")
        except json.JSONDecodeError as exc:
            gr.Warning(f"not valid JSON: {exc.msg} (line {exc.lineno})")
            return tuple(gr.update() for _ in range(self.VIEW_LEN))
        needs, error = (
            self._profile(data, lang) if isinstance(data, dict) else (None, "not an object")
        )
        if needs is None:
            gr.Warning(f"profile: {error}")
            return tuple(gr.update() for _ in range(self.VIEW_LEN))
        return self._dialogue_view(needs, set(skipped or []))

    def _question_markdown(self, needs: Needs, skipped: set[str]) -> tuple[str, Any]:
        lang = needs.lang
        q = next_question(needs, skipped)
        if q is None:
            text = "✅ " + (
                "必要な情報がそろいました。「推薦を表示」を押してください。"
                "このあと書いたことも、プロフィールと推薦に反映されます。"
                if lang == "ja"
                else "That is everything I need. Press “Show recommendation”. "
                "Anything you write afterwards still updates the profile and the recommendation."
            )
            quick = gr.update(choices=[], value=None, visible=False)
        else:
            text = f"**{q.text(lang)}**"
            quick = gr.update(choices=q.labels(lang), value=None, visible=True)
        for key in needs.questions:
            if key in CLARIFY:
                ja, en = CLARIFY[key]
                text += f"\n\n> 💬 {ja if lang == 'ja' else en}"
        return text, quick

    def _dialogue_view(self, needs: Needs, skipped: set[str]) -> tuple[Any, ...]:
        import json

        lang = needs.lang
        text, quick = self._question_markdown(needs, skipped)
        profile = needs.model_dump(mode="json")
        form = views.profile_form(needs)
        labels, choices = views.form_labels(lang), views.form_choices(lang)
        controls = []
        for k in views.FORM_FIELDS:
            update: dict[str, Any] = {"value": form[k], "label": labels[k]}
            if k in choices:
                update["choices"] = choices[k]
            controls.append(gr.update(**update))
        return (
            text,
            quick,
            profile,
            sorted(skipped),
            views.profile_markdown(needs, lang),
            profile,
            json.dumps(profile, ensure_ascii=False, indent=1),
            gr.update(label=_t(lang, "edit")),
            gr.update(label=_t(lang, "advanced")),
            gr.update(value=_t(lang, "apply")),
            *controls,
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
            gr.update(
                value=views.shortlist_rows(result, lang), headers=views.SHORTLIST_HEADERS[lang]
            ),
            views.criteria_figure(result, lang),
            reasons,
            None,
        )
        extra = views.uncurated_markdown(*self.adv.uncurated(needs), lang)
        report = views.markdown_report(result, self.adv.catalog, lang, extra)
        path = Path(tempfile.mkdtemp(prefix="advisor-report-")) / "llm-report.md"
        path.write_text(report, encoding="utf-8")
        yield gr.update(), gr.update(), reasons + "\n\n" + extra, str(path)

    def dialogue_refresh(
        self, needs_json: dict[str, Any], lang_choice: str, shown: bool
    ) -> Iterator[tuple[Any, ...]]:
        """Once a recommendation is shown, it follows every change of the profile."""
        if not shown:
            yield gr.update(), gr.update(), gr.update(), gr.update()
            return
        yield from self.dialogue_recommend(needs_json, lang_choice)

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

    def dialogue_resummary(
        self, needs_json: dict[str, Any], lang_choice: str, shown: bool
    ) -> Iterator[Any]:
        if not shown:
            yield gr.update()
            return
        yield from self.dialogue_summary(needs_json, lang_choice)

    @staticmethod
    def dialogue_clear() -> tuple[Any, ...]:
        """Start over: no recommendation shown (it stops following the profile)."""
        return False, gr.update(value=[]), None, "", None, ""

    # --- catalog ---
    def catalog(
        self,
        text: str,
        open_only: bool,
        japanese_min: str,
        use_case: str,
        lang_choice: str = "日本語",
    ) -> Any:
        lang = _lang(lang_choice)
        cards = views.filter_cards(
            self.adv.catalog, text or "", bool(open_only), japanese_min or "", use_case or ""
        )
        return gr.update(value=views.catalog_rows(cards, lang), headers=views.CATALOG_HEADERS[lang])

    def compare(self, ids: list[str], lang_choice: str = "日本語") -> tuple[Any, ...]:
        lang = _lang(lang_choice)
        ids = list(ids or [])[:4]
        if len(ids) < 2:
            return gr.update(value=[], headers=["-"]), None
        cards = [self.adv.catalog.get(i) for i in ids]
        headers, rows = views.compare_rows(cards, lang)
        share = 84 // len(cards)  # the label column, then equal shares: never past the panel
        widths: list[str | int] = ["16%", *[f"{share}%" for _ in cards]]
        return (
            gr.update(value=rows, headers=headers, column_widths=widths),
            views.compare_figure(cards, lang),
        )

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
        """Labels of the fixed components; the dialogue, catalog and comparison re-render."""
        lang = _lang(choice)
        filters = views.catalog_filter_choices(lang)
        return (
            _t(lang, "title"),
            gr.update(label=_t(lang, "ask"), placeholder=_t(lang, "ask")),
            gr.update(value=_t(lang, "send")),
            gr.update(label=_t(lang, "reply")),
            gr.update(value=_t(lang, "reply_send")),
            gr.update(value=_t(lang, "recommend")),
            gr.update(value=_t(lang, "reset")),
            _t(lang, "profile"),
            gr.update(label=_t(lang, "json_edit")),
            gr.update(value=_t(lang, "apply_json")),
            gr.update(label=_t(lang, "search")),
            gr.update(label=_t(lang, "open_only")),
            gr.update(label=_t(lang, "ja_min"), choices=filters["japanese"]),
            gr.update(label=_t(lang, "use_case"), choices=filters["use_case"]),
            gr.update(label=_t(lang, "compare")),
        )


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
                    with gr.Column(scale=4):
                        shortlist = gr.Dataframe(
                            headers=views.SHORTLIST_HEADERS[lang0],
                            interactive=False,
                            elem_id="shortlist",
                            wrap=True,
                            column_widths=views.SHORTLIST_WIDTHS,
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
                    headers=views.SHORTLIST_HEADERS[lang0],
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
                go.click(h.dialogue_recommend, [profile, lang], results, concurrency_limit=8).then(
                    lambda: True, None, shown
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
                    value=views.catalog_rows(list(advisor.catalog), lang0),
                    headers=views.CATALOG_HEADERS[lang0],
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
