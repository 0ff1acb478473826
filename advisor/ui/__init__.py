"""Gradio UI: an adapter over the services. Callbacks only call services and views.

Gradio reads these before it is first imported: no analytics, no hub, no telemetry."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from advisor.ui.handlers import Handlers
from advisor.ui.layout import CSS, build_ui, launch, main
from advisor.ui.strings import _progress

__all__ = ["CSS", "Handlers", "_progress", "build_ui", "launch", "main"]
