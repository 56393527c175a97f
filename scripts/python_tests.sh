#!/usr/bin/env bash
# The Python-side tests (tests/python): xform as dagster-dbt's dbt executable, and xform's
# artifacts against dbt-artifacts-parser, and the docs site in headless Chromium (needs
# Debian's chromium and chromium-driver).
#
# usage: scripts/python_tests.sh XFORM_BIN [PYTEST_ARGS...]
#   XFORM_BIN    the xform binary to test (e.g. $CARGO_TARGET_DIR/debug/xform)
#   PYTEST_ARGS  passed on to pytest (e.g. -k artifacts)
# env: VENV_PY   the virtualenv to create or reuse (default <repo>/../.venv-py)
#      PYTHON    the interpreter that creates it (default python3; needs >= 3.11)
#
# Installs pinned versions from PyPI (only when the pins changed since the last install),
# then runs pytest. Prints pytest's summary on success; on failure, everything.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
VENV="${VENV_PY:-$(cd "$REPO/.." && pwd)/.venv-py}"
PYTHON="${PYTHON:-python3}"

if [[ $# -lt 1 ]]; then
    echo "usage: $0 XFORM_BIN [PYTEST_ARGS...]" >&2
    exit 2
fi
XFORM_BIN="$1"
shift
if [[ "$XFORM_BIN" != */* ]]; then
    XFORM_BIN="$(command -v "$XFORM_BIN" || true)"
fi
if [[ -z "$XFORM_BIN" || ! -x "$XFORM_BIN" || -d "$XFORM_BIN" ]]; then
    echo "python_tests.sh: xform binary '${1:-$XFORM_BIN}' not found or not executable" >&2
    exit 2
fi
XFORM_BIN="$(cd "$(dirname "$XFORM_BIN")" && pwd)/$(basename "$XFORM_BIN")"

# Every package the tests or the example import directly, pinned.
PINS=(
    dagster==1.13.27
    dagster-dbt==0.29.27
    python-dateutil==4.0.0 # dagster-dbt imports it without declaring it
    duckdb==2.0.0 # the DuckDB that xform bundles
    dbt-artifacts-parser==0.15.0
    pydantic==2.14.4
    PyYAML==6.0.4
    pytest==9.2.0
    selenium==4.40.0 # drives Debian's chromium through chromium-driver (browser test)
)
STAMP="$VENV/.xform-python-tests-pins"
WANT="$(printf '%s\n' "${PINS[@]}")"

LOG="$(mktemp "${TMPDIR:-/tmp}/xform-python-tests.XXXXXX")"
trap 'rm -f "$LOG"' EXIT

if [[ ! -x "$VENV/bin/python" ]]; then
    if ! "$PYTHON" -m venv "$VENV" >"$LOG" 2>&1; then
        cat "$LOG" >&2
        echo "python_tests.sh: could not create the virtualenv $VENV with $PYTHON" >&2
        exit 1
    fi
fi
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$WANT" ]]; then
    if ! "$VENV/bin/python" -m pip install --disable-pip-version-check -q "${PINS[@]}" \
        >"$LOG" 2>&1; then
        cat "$LOG" >&2
        echo "python_tests.sh: pip install into $VENV failed" >&2
        exit 1
    fi
    printf '%s\n' "$WANT" >"$STAMP"
fi

cd "$REPO"
export XFORM="$XFORM_BIN"
export PYTHONDONTWRITEBYTECODE=1
# The developer's own dbt settings must not leak into the tests.
unset DBT_TARGET_PATH DBT_LOG_PATH DBT_LOG_FORMAT DBT_PROFILES_DIR DBT_PROJECT_DIR \
    DBT_INDIRECT_SELECTION DAGSTER_HOME
if "$VENV/bin/python" -m pytest tests/python -p no:cacheprovider -q --tb=short \
    --show-capture=no -W ignore::DeprecationWarning "$@" >"$LOG" 2>&1; then
    tail -n 1 "$LOG"
else
    status=$?
    cat "$LOG"
    echo "python_tests.sh: pytest failed (exit $status) with XFORM=$XFORM_BIN" >&2
    exit "$status"
fi
