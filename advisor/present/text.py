"""Text helpers every formatter uses: model-written text made inert for Markdown, text cut short."""

from __future__ import annotations

import html
import re


def inert_markdown(text: str) -> str:
    """Escape HTML and break Markdown links/images, so model output cannot inject active content."""
    text = html.escape(text, quote=False)
    text = text.replace("![", "!\u200b[")
    text = re.sub(r"\]\s*\(", "]\u200b(", text)
    text = re.sub(r"(?i)\b(javascript|data|vbscript):", "\\1\u200b:", text)
    return text


def shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"
