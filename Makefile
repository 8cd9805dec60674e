# Two entry points; both first run scripts/setup.sh (idempotent: chromium, .venv, the package
# in editable mode with its test extras, and the JS bundle, rebuilt when js/ changes).
#   make lab    JupyterLab on notebooks/ (localhost), with a private redis-server for the
#               shared-state notebooks; extra options: make lab LAB_ARGS="--port=9999"
#   make test   typecheck + vitest (js/), ruff, mypy, then one pytest run: tests/ and the
#               notebooks/ checked by nbval. Stops at the first failure.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test
.PHONY: lab test

VENV := .venv
LAB_ARGS ?=
# Jupyter refuses to start as root without --allow-root (CI and the dev machines run as root).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
# nbval collects only notebooks/ (tests/ holds no .ipynb); plain tests come from tests/.
NBVAL := $(if $(wildcard notebooks/*.ipynb),--nbval notebooks --nbval-current-env --ignore-glob='*/tests/*.ipynb',)

lab:
	bash scripts/setup.sh
	$(VENV)/bin/python scripts/lab.py --ServerApp.ip=localhost $(ALLOW_ROOT) $(LAB_ARGS)

test:
	bash scripts/setup.sh
	npm --prefix js run typecheck
	npm --prefix js test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest tests $(NBVAL) -p no:cacheprovider
