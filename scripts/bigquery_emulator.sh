#!/usr/bin/env bash
# Installs and starts the local BigQuery emulator (bqemulator 1.4.0, pinned as in
# ../shared/notes/bigquery-emulator.md) for the BigQuery tests, or stops it.
#   scripts/bigquery_emulator.sh start [port]   -> prints the BIGQUERY_EMULATOR_HOST value
#   scripts/bigquery_emulator.sh stop
#   scripts/bigquery_emulator.sh install           -> only the cached venv
# The venv is cached in $XFORM_BQEMU_VENV (default ~/.cache/xform-bqemu); the install
# takes ~3 minutes and ~580 MB once. Offline start needs the spatial extension
# installed from its PyPI wheel, not downloaded by DuckDB at start-up.
set -euo pipefail

VENV="${XFORM_BQEMU_VENV:-$HOME/.cache/xform-bqemu}"
STATE="${XFORM_BQEMU_STATE:-${TMPDIR:-/tmp}/xform-bqemu}"
PORT="${2:-9050}"

install() {
    if [ -x "$VENV/bin/bqemulator" ] && [ -f "$VENV/.xform-ready" ]; then
        return
    fi
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "bqemulator==1.4.0" "duckdb==1.5.5" numpy \
        "duckdb-extensions==1.5.5" "duckdb-extension-spatial==1.5.5"
    "$VENV/bin/python" -c "from duckdb_extensions import import_extension; import_extension('spatial')"
    touch "$VENV/.xform-ready"
}

start() {
    install
    mkdir -p "$STATE"
    "$VENV/bin/bqemulator" start --rest-host 127.0.0.1 --rest-port "$PORT" \
        --grpc-host 127.0.0.1 --grpc-port "$((PORT + 10))" --project xform-test \
        >"$STATE/emulator.log" 2>&1 &
    echo $! >"$STATE/emulator.pid"
    for _ in $(seq 1 300); do
        if curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; then
            echo "127.0.0.1:$PORT"
            return
        fi
        if ! kill -0 "$(cat "$STATE/emulator.pid")" 2>/dev/null; then
            cat "$STATE/emulator.log" >&2
            echo "the BigQuery emulator exited during start-up" >&2
            exit 1
        fi
        sleep 0.2
    done
    echo "the BigQuery emulator did not answer on port $PORT within 60 s" >&2
    exit 1
}

stop() {
    if [ -f "$STATE/emulator.pid" ]; then
        kill "$(cat "$STATE/emulator.pid")" 2>/dev/null || true
        rm -f "$STATE/emulator.pid"
    fi
}

case "${1:-}" in
install) install ;;
start) start ;;
stop) stop ;;
*)
    echo "usage: $0 install | start [port] | stop" >&2
    exit 2
    ;;
esac
