"""The UI's strings in both languages, and small wording helpers."""

from __future__ import annotations

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
    "data_fix": ("データの扱い(クリックで訂正)", "Where data may go (click to correct)"),
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
    return f"{base} — {secs:.1f} s, {int(n)} tok{rate}"


def _working(base: str, usage: dict[str, float], lang: str, llm: bool) -> str:
    """The status while an answer is still coming: with a language model, it ends with '…'
    until the answer is done."""
    now = _progress(base, usage)
    if not llm:
        return now
    return now + " …" if now != base else base + (" — 作成中…" if lang == "ja" else " — writing…")
