"""Errors the CLI and UI turn into one-line messages, and the one safe YAML reader."""

from typing import Any

import yaml

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same safety


def safe_yaml(text: str) -> Any:
    """Parse YAML with the safe loader only (no Python objects)."""
    return yaml.load(text, Loader=_SafeLoader)


class AdvisorError(Exception):
    """Base class: the message is shown to the user as one line."""

    exit_code = 1


class InputError(AdvisorError):
    """The user's input cannot be used (exit code 2)."""

    exit_code = 2


class DataError(AdvisorError):
    """A knowledge file or settings file is malformed or missing (exit code 2)."""

    exit_code = 2


class BackendError(AdvisorError):
    """An LLM or embedding backend failed; callers fall back to the extractive answer."""


class MalformedReply(BackendError):
    """The backend answered, but not in the form asked for (the backend itself still works)."""
