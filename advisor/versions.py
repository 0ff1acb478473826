"""Installed versions of distributions (the packages that carry datasets, the llmfit wheel).

A leaf module: `datasets` and `uncurated` both read versions here, so neither imports the other
for it (datasets -> uncurated is the only direction between them).
"""

from __future__ import annotations

from importlib import metadata


def package_version(dist: str) -> str | None:
    """The installed version of a distribution, or None when it is not installed."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None
