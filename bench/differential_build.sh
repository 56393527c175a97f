#!/usr/bin/env bash
# Differential build test (run by .ci/run): xform and dbt-core 1.12.6 + dbt-duckdb 1.11.1
# build the root project and the synthetic N=100 project twice each; every relation must
# hold the same rows and columns and every node the same verdict (differential_build.py).
#
# usage: bench/differential_build.sh [XFORM_BIN]   (default: $CARGO_TARGET_DIR/debug/xform)
# The dbt venv is created at $VENV_DBT (default <repo>/../.venv-dbt) when missing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
XFORM="${1:-${CARGO_TARGET_DIR:-$REPO/target}/debug/xform}"
VENV="${VENV_DBT:-$(cd "$REPO/.." && pwd)/.venv-dbt}"
[[ -x "$XFORM" ]] || { echo "differential: no xform binary at $XFORM" >&2; exit 1; }
if [[ ! -x "$VENV/bin/dbt" ]]; then
  echo "differential: installing dbt-core 1.12.6 + dbt-duckdb 1.11.1 into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$HERE/dbt-core-1.12.6-requirements.txt"
  "$VENV/bin/pip" install -q --no-deps dbt-core==1.12.6 dbt-duckdb==1.11.1
fi
# The oracle must run the DuckDB that xform bundles, or engine changes between releases
# (2.0.1 rounds some doubles differently from 2.0.0) show up as differences. libduckdb-sys
# 1.MMmmpp.x bundles DuckDB MM.mm.pp.
SYS="$(awk '/^name = "libduckdb-sys"/{getline; gsub(/[^0-9.]/, ""); print; exit}' "$REPO/Cargo.lock")"
CODE="$(cut -d. -f2 <<<"$SYS")"
WANT="$((CODE / 10000)).$((CODE / 100 % 100)).$((CODE % 100))"
HAVE="$("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)')"
if [[ "$HAVE" != "$WANT" ]]; then
  echo "differential: the venv has duckdb $HAVE, xform bundles $WANT; installing $WANT" >&2
  "$VENV/bin/pip" install -q "duckdb==$WANT"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
status=0
echo "== differential: root project" >&2
"$VENV/bin/python" "$HERE/differential_build.py" "$REPO" --xform "$XFORM" --dbt "$VENV/bin/dbt" \
  --work "$WORK/root" --profiles-dir profiles --db-env XFORM_DUCKDB_PATH || status=1
echo "== differential: synthetic N=100" >&2
"$VENV/bin/python" "$HERE/differential_build.py" "$REPO/tests/fixtures/synth_n100" --xform "$XFORM" \
  --dbt "$VENV/bin/dbt" --work "$WORK/n100" --db-env SYNTH_DUCKDB_PATH || status=1
exit $status
