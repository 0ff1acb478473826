"""The callbacks: each turns UI values into service calls and service results into views."""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

import advisor.ui.views as views
from advisor.domain import data_reading
from advisor.domain.dialogue import CLARIFY, apply_reply, is_skip, next_question
from advisor.domain.needs import Needs, unknown_criteria
from advisor.errors import AdvisorError
from advisor.present.catalog import CATALOG_HEADERS, catalog_rows
from advisor.present.profile import correction_text, data_line, profile_markdown
from advisor.present.report import markdown_report, reasons_markdown, uncurated_markdown
from advisor.present.shortlist import SHORTLIST_HEADERS, shortlist_rows
from advisor.present.text import inert_markdown
from advisor.rag.answer import AnswerChain, Turn
from advisor.services import Advisor
from advisor.settings import LLMSettings, merge
from advisor.ui.strings import _lang, _progress, _t, _working

#: the status line's progress (elapsed seconds, tokens/s) is refreshed at most this often
TICK_SECONDS = 0.5


class Handlers:
    """The callbacks: each turns UI values into service calls and service results into views."""

    def __init__(self, advisor: Advisor, chain: AnswerChain):
        self.adv = advisor
        self.chain = chain
        #: one folder per app for the downloadable reports, each named by its content
        self.reports = Path(tempfile.mkdtemp(prefix="advisor-reports-"))
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
                {"role": "user", "content": inert_markdown(message[:500])},
                {"role": "assistant", "content": f"⚠️ {exc}"},
            ]
            yield history, turns, gr.update(), "", f"⚠️ {exc}", "", gr.update()
            return
        lang = prepared.lang
        status = f"{'回答' if lang == 'ja' else 'Answering with'}: {self.chain.llm.label}"
        if not self.chain.warm.is_set():  # the model is still evaluating its fixed prefix
            status += " — " + ("準備中(ウォームアップ)…" if lang == "ja" else "warming up…")
        rows = shortlist_rows(prepared.result, lang)
        history += [
            {"role": "user", "content": inert_markdown(message)},
            {"role": "assistant", "content": ""},
        ]
        # the structured part first, at once
        yield (
            history,
            turns,
            gr.update(value=rows, headers=SHORTLIST_HEADERS[lang]),
            views.citations_html(prepared, list(range(1, len(prepared.passages) + 1)), lang),
            status,
            "",
            gr.update(),
        )
        text = ""
        base = status.split(" — ")[0]
        shown = 0.0
        llm = self.chain.llm.is_llm

        def working() -> str:
            return _working(base, prepared.usage, lang, llm)

        for piece in self.chain.stream(prepared):
            if not piece:  # a tick: the status line only, at most twice a second; re-rendering
                now = time.monotonic()  # the chat per token took CPU from a local model
                if now - shown >= TICK_SECONDS:
                    shown = now
                    yield gr.update(), turns, gr.update(), gr.update(), working(), "", gr.update()
                continue
            text += piece
            history[-1] = {"role": "assistant", "content": inert_markdown(text)}
            yield history, turns, gr.update(), gr.update(), working(), "", gr.update()
        status = _progress(base, prepared.usage)
        answer = self.chain.finish(prepared, text)
        history[-1] = {"role": "assistant", "content": inert_markdown(answer.answer)}
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
            views.data_fix_update(prepared.needs, lang),
        )

    def chat_correct(
        self, choice: str, history: list[dict[str, str]], turns: list[Turn]
    ) -> tuple[Any, ...]:
        """One click on the data reading: the last turn's needs corrected, the shortlist ranked
        again from them (no LLM), a line in the chat saying what changed; later follow-ups
        inherit the correction."""
        history, turns = list(history or []), list(turns or [])
        if not turns or not choice or not data_reading.is_choice(choice):
            return gr.update(), turns, gr.update(), gr.update(), gr.update()
        last = turns[-1]
        lang = last.needs.lang
        if choice == data_reading.reading(last.needs):
            return gr.update(), turns, gr.update(), gr.update(), gr.update()
        needs, result = self.adv.correct_data(last.needs, choice)
        turns[-1] = Turn(question=last.question, needs=needs, answer=last.answer)
        text = correction_text(needs, [r.name for r in result.recommendations[:3]], lang)
        history.append({"role": "assistant", "content": inert_markdown(text)})
        return (
            history,
            turns,
            gr.update(value=shortlist_rows(result, lang), headers=SHORTLIST_HEADERS[lang]),
            views.data_fix_update(needs, lang),
            "",
        )

    # --- needs dialogue ---
    #: outputs of every dialogue view: question, quick replies, profile, skipped, card, raw JSON,
    #: JSON editor, the edit and advanced folds, the apply button, then one per edit control
    VIEW_LEN = 11 + len(views.FORM_FIELDS)

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

    def dialogue_data(
        self, choice: str, needs_json: dict[str, Any], skipped: list[str], lang_choice: str
    ) -> tuple[Any, ...]:
        """One click on the data reading corrects the profile (the recommendation follows)."""
        lang = _lang(lang_choice)
        needs, _ = self._profile(needs_json, lang)
        if needs is None or not choice or not data_reading.is_choice(choice):
            return tuple(gr.update() for _ in range(self.VIEW_LEN))
        if choice == data_reading.reading(needs):
            return self._dialogue_view(needs, set(skipped or []))
        return self._dialogue_view(data_reading.apply(needs, choice), set(skipped or []))

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
            f"**{inert_markdown(data_line(needs, lang))}**\n\n" + profile_markdown(needs, lang),
            profile,
            json.dumps(profile, ensure_ascii=False, indent=1),
            gr.update(label=_t(lang, "edit")),
            gr.update(label=_t(lang, "advanced")),
            gr.update(value=_t(lang, "apply")),
            views.data_fix_update(needs, lang),
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
        reasons = reasons_markdown(result, lang)
        yield (  # at once: llmfit below may take a second
            gr.update(
                value=shortlist_rows(result, lang),
                headers=SHORTLIST_HEADERS[lang],
            ),
            views.criteria_figure(result, lang),
            reasons,
            None,
        )
        extra = uncurated_markdown(*self.adv.uncurated(needs), lang)
        report = markdown_report(result, self.adv.catalog, lang, extra)
        digest = hashlib.sha256(report.encode("utf-8")).hexdigest()[:16]
        path = self.reports / f"llm-report-{digest}.md"  # the same report, the same file
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
            yield head + inert_markdown(text)
        if notices:
            text += "\n\n⚠️ " + " / ".join(notices)
        yield head + inert_markdown(text) if text else ""

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
        return gr.update(value=catalog_rows(cards, lang), headers=CATALOG_HEADERS[lang])

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
