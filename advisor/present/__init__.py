"""Presentation: one formatter per fact, shared by the CLI, the UI views, extractive answers
and the index's chunk text."""
