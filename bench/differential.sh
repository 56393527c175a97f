#!/usr/bin/env bash
# Differential test: compile one synthetic project with xform and with dbt, compare the SQL.
#
# usage: bench/differential.sh [--reuse-dbt] [--xform PATH] [--venv DIR] N [differential.py options]
#   N            project size for gen_project.py (project goes to bench/out/diff_nN)
#   --reuse-dbt  keep dbt's output from an earlier run (bench/out/diff_nN/target-dbt) if present
#   --xform      xform binary (default ${CARGO_TARGET_DIR:-target}/release/xform)
#   --venv       dbt venv (default $VENV_DBT or <repo>/../.venv-dbt; see compile_bench.sh)
#   remaining options go to differential.py (e.g. --max-diffs 5, --all-files)
# dbt's tree ends in P/target-dbt, xform's in P/target-xform; compared directory:
#   target-*/compiled/<project name>/models
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
XFORM="${CARGO_TARGET_DIR:-$REPO/target}/release/xform"
VENV="${VENV_DBT:-$(cd "$REPO/.." && pwd)/.venv-dbt}"
GEN="${GEN_PROJECT:-}"
REUSE=0
N=""
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reuse-dbt) REUSE=1; shift ;;
    --xform) XFORM="$2"; shift 2 ;;
    --venv) VENV="$2"; shift 2 ;;
    --gen) GEN="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) if [[ -z "$N" && "$1" =~ ^[0-9]+$ ]]; then N="$1"; else extra+=("$1"); fi; shift ;;
  esac
done
[[ -n "$N" ]] || { sed -n '2,12p' "$0" >&2; exit 2; }
[[ "$XFORM" = /* ]] || XFORM="$PWD/$XFORM"
if [[ -z "$GEN" ]]; then
  for c in "$HERE/gen_project.py" /work/shared/bench/gen_project.py; do
    [[ -f "$c" ]] && { GEN="$c"; break; }
  done
fi
[[ -x "$XFORM" ]] || { echo "differential: xform binary not found at $XFORM" >&2; exit 1; }
[[ -x "$VENV/bin/dbt" ]] || { echo "differential: no dbt in $VENV (run bench/compile_bench.sh --no-xform once to create it)" >&2; exit 1; }
export DBT_SEND_ANONYMOUS_USAGE_STATS=false

P="$REPO/bench/out/diff_n$N"
if [[ $REUSE -eq 1 && -d "$P/target-dbt" ]]; then
  echo "differential: reusing $P/target-dbt" >&2
  mv "$P/target-dbt" "$REPO/bench/out/.target-dbt.$$"
  python3 "$GEN" "$N" "$P" --force >&2
  mv "$REPO/bench/out/.target-dbt.$$" "$P/target-dbt"
else
  python3 "$GEN" "$N" "$P" --force >&2
  echo "differential: dbt compile N=$N" >&2
  (cd "$P" && "$VENV/bin/dbt" compile --no-partial-parse --project-dir "$P" --profiles-dir "$P" >"$P/dbt-compile.log" 2>&1) \
    || { echo "differential: dbt compile failed, see $P/dbt-compile.log" >&2; exit 1; }
  mv "$P/target" "$P/target-dbt"
fi
rm -rf "$P/target" "$P"/*.duckdb
echo "differential: xform compile N=$N" >&2
(cd "$P" && "$XFORM" compile --project-dir "$P" --profiles-dir "$P" >"$P/xform-compile.log" 2>&1) \
  || { echo "differential: xform compile failed, see $P/xform-compile.log" >&2; exit 1; }
rm -rf "$P/target-xform"
mv "$P/target" "$P/target-xform"

name="$(sed -n 's/^name:[[:space:]]*["'\'']\{0,1\}\([A-Za-z0-9_]*\).*/\1/p' "$P/dbt_project.yml" | head -1)"
exec python3 "$HERE/differential.py" "$P/target-xform/compiled/$name/models" "$P/target-dbt/compiled/$name/models" "${extra[@]+"${extra[@]}"}"
