#!/usr/bin/env bash
# Creates bench/.venv-peers, a bench-only virtualenv with reflex==0.10.1 (from PyPI), used only to
# run the Reflex rows of B1 and B3 in a subprocess. nbstate's own .venv is never touched.
# Idempotent: does nothing when reflex 0.10.1 already imports there.
#   PYTHON=...   the interpreter to build the venv with (default: python3.11, else python3)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
VENV="$PWD/.venv-peers"
REFLEX_VERSION="0.10.1"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_PROGRESS_BAR=off

log() { printf '[setup_peers] %s\n' "$*"; }

if [ -x "$VENV/bin/python" ] &&
    "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('reflex') != '$REFLEX_VERSION')" 2>/dev/null; then
    log "reflex $REFLEX_VERSION already in $VENV"
    exit 0
fi

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
    if command -v python3.11 >/dev/null 2>&1; then PYTHON=python3.11; else PYTHON=python3; fi
fi
if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi
log "installing reflex==$REFLEX_VERSION into $VENV (pip, PyPI)"
"$VENV/bin/python" -m pip install -q "reflex==$REFLEX_VERSION"
"$VENV/bin/python" -c "import reflex, importlib.metadata as m; print('[setup_peers] reflex', m.version('reflex'), 'ok')"
