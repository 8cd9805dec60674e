#!/usr/bin/env bash
# Idempotent set-up for `make lab` and `make test` on a Debian machine (run as root):
#   - Debian's chromium (browser tests), redis-server (shared-state tests) and, if missing,
#     python3.11 / Node.js + npm;
#   - the virtualenv .venv (Python 3.11);
#   - `pip install -e ".[test]"`, whose build hook (hatch_build.py) builds the JS bundle.
# A stamp in .venv skips the pip step while pyproject.toml and hatch_build.py are unchanged;
# the JS bundle is rebuilt whenever anything under js/ (but node_modules) changes.
# NBSTATE_SKIP_JS=1 skips the JS build; PYTHON=... picks another python3.11 binary.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
VENV="$ROOT/.venv"
PY_STAMP="$VENV/.nbstate-setup-python"
JS_STAMP="$VENV/.nbstate-setup-js"
PYTHON=${PYTHON:-python3.11}
SKIP_JS=${NBSTATE_SKIP_JS:-0}

export DEBIAN_FRONTEND=noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_PROGRESS_BAR=off
export npm_config_fund=false
export npm_config_audit=false
export npm_config_update_notifier=false

log() { printf '[setup] %s\n' "$*"; }

apt_updated=0
apt_install() {
    if [ "$(id -u)" != 0 ]; then
        log "need root to apt-get install $*; install it, or run this script as root" >&2
        exit 1
    fi
    if [ "$apt_updated" = 0 ]; then
        apt-get update -q
        apt_updated=1
    fi
    apt-get install -y -q --no-install-recommends "$@"
}

# --- system packages -----------------------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
    log "installing chromium (apt)"
    apt_install chromium
else
    log "chromium: /usr/bin/chromium"
fi

# redis-server: the shared-state tests start their own on a free port (no persistence).
if ! command -v redis-server >/dev/null 2>&1; then
    log "installing redis-server (apt)"
    apt_install redis-server
else
    log "redis-server: $(command -v redis-server)"
fi

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    log "installing python3.11 (apt)"
    apt_install python3.11 python3.11-venv
fi

if [ "$SKIP_JS" != 1 ] && ! command -v npm >/dev/null 2>&1; then
    log "installing nodejs and npm (apt)"
    apt_install nodejs npm
fi

# --- virtualenv ----------------------------------------------------------------------------
if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    if [ -e "$VENV" ]; then
        log "$VENV is not a working Python 3.11 virtualenv; recreating it"
        rm -rf "$VENV"
    fi
    log "creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi

# --- hashes of the inputs ------------------------------------------------------------------
hash_files() { # hash_files FILE... : one digest over names and contents (missing files count)
    local f
    for f in "$@"; do
        if [ -f "$f" ]; then sha256sum "$f"; else echo "missing $f"; fi
    done | sha256sum | cut -d' ' -f1
}

python_hash() {
    {
        "$VENV/bin/python" --version 2>&1
        hash_files pyproject.toml hatch_build.py
    } | sha256sum | cut -d' ' -f1
}

js_hash() {
    {
        echo "skip=$SKIP_JS"
        if [ -d js ]; then
            find js \( -name node_modules -o -name coverage -o -name .vite \) -prune \
                -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
        fi
    } | sha256sum | cut -d' ' -f1
}

bundle_present() {
    [ "$SKIP_JS" = 1 ] && return 0
    local f
    for f in view.js loader.js hub.js markdown.js view.css; do
        [ -f "nbstate/static/$f" ] || return 1
    done
}

installed() { # the editable install is registered and importable
    "$VENV/bin/python" - <<'EOF' 2>/dev/null
import importlib.metadata, importlib.util, sys
importlib.metadata.version("nbstate")
sys.exit(importlib.util.find_spec("nbstate") is None)
EOF
}

build_js() { # same steps as hatch_build.py, without a pip round trip
    if [ ! -d js/node_modules ] || [ js/package-lock.json -nt js/node_modules/.package-lock.json ]; then
        log "npm ci (js/)"
        (cd js && npm ci --no-audit --no-fund)
    fi
    log "npm run build (js/ -> nbstate/static/)"
    (cd js && npm run build)
    if ! bundle_present; then
        log "npm run build did not write every file of nbstate/static/ (view.js, loader.js, hub.js, markdown.js, view.css)" >&2
        exit 1
    fi
}

# --- install / rebuild ---------------------------------------------------------------------
py_now=$(python_hash)
js_now=$(js_hash)

if [ "$(cat "$PY_STAMP" 2>/dev/null)" != "$py_now" ] || ! installed; then
    log "pip install -e \".[test]\" (the build hook builds the JS bundle; this takes a while)"
    rm -f "$PY_STAMP" "$JS_STAMP"
    # (pip -q still warns about this machine's unused local index dirs: drop that noise)
    "$VENV/bin/python" -m pip install -q -e ".[test]" 2>&1 |
        { grep -v "is ignored: it is neither a file nor a directory" || true; }
    if ! bundle_present; then
        log "the build did not produce every file of nbstate/static/ (view.js, loader.js, hub.js, markdown.js, view.css)" >&2
        exit 1
    fi
    echo "$py_now" >"$PY_STAMP"
    echo "$js_now" >"$JS_STAMP"
elif [ "$(cat "$JS_STAMP" 2>/dev/null)" != "$js_now" ] || ! bundle_present; then
    if [ "$SKIP_JS" = 1 ]; then
        log "NBSTATE_SKIP_JS=1: not building the JS bundle"
    else
        build_js
    fi
    echo "$js_now" >"$JS_STAMP"
else
    log "nothing changed; .venv and the JS bundle are up to date"
fi

if [ "$SKIP_JS" != 1 ] && [ ! -d js/node_modules ] && [ -f js/package.json ]; then
    # make test runs npm scripts directly (typecheck, vitest): they need node_modules.
    log "npm ci (js/)"
    (cd js && npm ci --no-audit --no-fund)
fi

# Jupyter serves share/jupyter/labextensions/ to its pages; a wheel installs the view ESM there
# (nbstate/static/loader.js; see nbstate/_wire/assets.py, ModuleBase). For this checkout's
# editable install, link the folder, so the served file is always the one the kernel sends.
served="$VENV/share/jupyter/labextensions/nbstate/static"
mkdir -p "$(dirname "$served")"
[ -L "$served" ] || rm -rf "$served"
ln -sfn "$ROOT/nbstate/static" "$served"

# An editable install leaves the package uncompiled, and this machine sets
# PYTHONDONTWRITEBYTECODE: without cached bytecode every kernel would compile nbstate on import
# (about 110 ms), which pip does once for an installed wheel. Only changed files are recompiled.
"$VENV/bin/python" -m compileall -q nbstate >/dev/null

log "ready: $("$VENV/bin/python" --version 2>&1) in $VENV"
