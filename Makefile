# One task runner for people and CI.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup run test test-fast lint typecheck check bench clean

setup:            ## venv, torch CPU, llama-cpp-python (CPU flags), project, bundled models
	scripts/setup.sh

run: setup        ## the main job: the Gradio app on the bundled offline defaults (127.0.0.1:7860)
	$(PY) app.py

lint:             ## ruff, and the import contract (one-way layers, no cycle)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/check_layers.py

typecheck:
	$(VENV)/bin/mypy

check: lint typecheck
	$(PY) -m pytest -q

test: setup check ## set up, then lint, type-check and run every test

test-fast:        ## the fast tier: no model, server or browser (fake embedder, spy LLM); under a minute
	$(PY) -m pytest -q -m fast

bench:
	$(PY) bench/run_all.py

clean:
	rm -rf data/chroma .pytest_cache .mypy_cache .ruff_cache
