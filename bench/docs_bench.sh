#!/usr/bin/env bash
# Docs benchmark: `xform docs generate` (manifest, catalog from DuckDB, column lineage and
# the static site) vs `dbt docs generate` (dbt-core 1.12.6 + dbt-duckdb 1.11.1) on a
# synthetic project of N models that xform has built once; dbt reads a copy of the same
# database, so both catalog the same relations.
#
# usage: bench/docs_bench.sh [N] [--xform PATH] [--venv DIR] [--no-dbt] [--runs R]
#   N        project size (default 1000)
#   --xform  xform binary (default ${CARGO_TARGET_DIR:-target}/release/xform;
#            cargo build --release --bin xform)
#   --venv   dbt venv (default $VENV_DBT or <repo>/../.venv-dbt; created if absent)
#   --runs   timed runs of xform (default 3; the best and the median are printed)
#
# Wall seconds from one machine in one run: compare the ratio, not the absolute figures.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
N=1000
RUNS=3
XFORM="${CARGO_TARGET_DIR:-$REPO/target}/release/xform"
VENV="${VENV_DBT:-$(cd "$REPO/.." && pwd)/.venv-dbt}"
DO_DBT=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --xform) XFORM="$2"; shift 2 ;;
    --venv) VENV="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --no-dbt) DO_DBT=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) N="$1"; shift ;;
  esac
done
GEN=""
for c in "$REPO/../shared/bench/gen_project.py" /work/shared/bench/gen_project.py; do
  [[ -z "$GEN" && -f "$c" ]] && GEN="$c"
done
[[ -n "$GEN" ]] || { echo "docs_bench: gen_project.py not found" >&2; exit 1; }
[[ -x "$XFORM" ]] || { echo "docs_bench: $XFORM missing: cargo build --release --bin xform" >&2; exit 1; }
if [[ $DO_DBT -eq 1 && ! -x "$VENV/bin/dbt" ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$HERE/dbt-core-1.12.6-requirements.txt" >&2
  "$VENV/bin/pip" install -q --no-deps dbt-core==1.12.6 dbt-duckdb==1.11.1 >&2
fi
export DBT_SEND_ANONYMOUS_USAGE_STATS=false

OUT="$REPO/bench/out/docs_n$N"
rm -rf "$OUT"
mkdir -p "$OUT"
python3 "$GEN" "$N" "$OUT/xform" > /dev/null
(cd "$OUT/xform" && "$XFORM" build --profiles-dir . -q > "$OUT/build.log" 2>&1) || {
  tail -n 20 "$OUT/build.log"; echo "docs_bench: xform build failed" >&2; exit 1; }
cp -r "$OUT/xform" "$OUT/dbt"
rm -rf "$OUT/dbt/target"

now() { date +%s.%N; }
times=()
for ((r = 1; r <= RUNS; r++)); do
  t0=$(now)
  (cd "$OUT/xform" && "$XFORM" docs generate --profiles-dir . -q)
  t1=$(now)
  times+=("$(echo "$t1 - $t0" | bc)")
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
best=${sorted[0]}
median=${sorted[$(( RUNS / 2 ))]}
models=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for n in d['nodes'] if n['type']=='model'))" \
  <(sed -n 's/.*<script type="application\/json" id="xform-data">\(.*\)<\/script>.*/\1/p' "$OUT/xform/target/index.html"))
size=$(stat -c %s "$OUT/xform/target/index.html")
printf 'xform docs generate, N=%s: best %.2f s, median %.2f s of %s runs (site: %s models, index.html %s bytes)\n' \
  "$N" "$best" "$median" "$RUNS" "$models" "$size"

if [[ $DO_DBT -eq 1 ]]; then
  t0=$(now)
  (cd "$OUT/dbt" && "$VENV/bin/dbt" docs generate --profiles-dir . > "$OUT/dbt.log" 2>&1) || {
    tail -n 20 "$OUT/dbt.log"; echo "docs_bench: dbt docs generate failed" >&2; exit 1; }
  t1=$(now)
  dbt_s=$(echo "$t1 - $t0" | bc)
  printf 'dbt docs generate,   N=%s: %.2f s (no column lineage)\n' "$N" "$dbt_s"
  printf 'ratio dbt / xform (median): %.1fx\n' "$(echo "$dbt_s / $median" | bc -l)"
fi
