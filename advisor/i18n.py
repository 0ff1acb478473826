"""The interface's two languages: the one helper that picks a wording."""

from __future__ import annotations


def t(lang: str, ja: str, en: str) -> str:
    """The Japanese wording for 'ja', else the English one."""
    return ja if lang == "ja" else en
