#!/usr/bin/env bash
# Build benchmark: `xform build` vs `dbt build` (dbt-core 1.12.6 + dbt-duckdb 1.11.1) on a
# synthetic project of N models, from an empty database and then a second (incremental)
# build; plus the pure-DuckDB floor: every statement xform executed, replayed in order on
# one DuckDB connection by examples/replay_sql.rs with nothing else around it (in xform's
# project copy, so seed paths resolve, into a database file of the same name, so the
# catalog name in the statements matches).
#
# usage: bench/build_bench.sh [N] [--xform PATH] [--replay PATH] [--venv DIR] [--no-dbt]
#   N          project size (default 1000)
#   --xform    xform binary (default ${CARGO_TARGET_DIR:-target}/release/xform)
#   --replay   replay binary (default ${CARGO_TARGET_DIR:-target}/release/examples/replay_sql)
#              build both with: cargo build --release --bin xform --example replay_sql
#   --venv     dbt venv (default $VENV_DBT or <repo>/../.venv-dbt; created if absent)
#
# Every tool runs in its own fresh copy of the generated project with its own database
# file; times are wall seconds and peak RSS from /usr/bin/time. One run per tool: the
# machines are noisy, so compare the ratios printed at the end (all from this one run).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
N=1000
XFORM="${CARGO_TARGET_DIR:-$REPO/target}/release/xform"
REPLAY="${CARGO_TARGET_DIR:-$REPO/target}/release/examples/replay_sql"
VENV="${VENV_DBT:-$(cd "$REPO/.." && pwd)/.venv-dbt}"
DO_DBT=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --xform) XFORM="$2"; shift 2 ;;
    --replay) REPLAY="$2"; shift 2 ;;
    --venv) VENV="$2"; shift 2 ;;
    --no-dbt) DO_DBT=0; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) N="$1"; shift ;;
  esac
done
GEN=""
for c in "$HERE/gen_project.py" "$REPO/../shared/bench/gen_project.py" /work/shared/bench/gen_project.py; do
  [[ -z "$GEN" && -f "$c" ]] && GEN="$c"
done
[[ -n "$GEN" ]] || { echo "build_bench: gen_project.py not found" >&2; exit 1; }
for b in "$XFORM" "$REPLAY"; do
  [[ -x "$b" ]] || { echo "build_bench: $b missing: cargo build --release --bin xform --example replay_sql" >&2; exit 1; }
done
[[ -x /usr/bin/time ]] || apt-get install -y time >&2

if [[ $DO_DBT -eq 1 && ! -x "$VENV/bin/dbt" ]]; then
  REQ=""
  for c in "$HERE/dbt-core-1.12.6-requirements.txt" /work/shared/notes/dbt-core-1.12.6-requirements.txt; do
    [[ -z "$REQ" && -f "$c" ]] && REQ="$c"
  done
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$REQ" >&2
  "$VENV/bin/pip" install -q --no-deps dbt-core==1.12.6 dbt-duckdb==1.11.1 >&2
fi
export DBT_SEND_ANONYMOUS_USAGE_STATS=false

OUT="$REPO/bench/out/build_n$N"
rm -rf "$OUT"
mkdir -p "$OUT/logs"
python3 "$GEN" "$N" "$OUT/project" --force >&2

# timed LABEL DIR CMD... -> "wall_s peak_mib" (FAIL FAIL on a non-zero exit)
timed() {
  local label="$1" dir="$2"; shift 2
  local tf="$OUT/logs/$label.time" log="$OUT/logs/$label.log"
  if (cd "$dir" && /usr/bin/time -o "$tf" -f '%e %M' "$@" >"$log" 2>&1); then
    read -r w m <"$tf"
    echo "$w $(( m / 1024 ))"
  else
    echo "build_bench: $label failed (see $log)" >&2
    echo "FAIL FAIL"
  fi
}

fresh() { rm -rf "$OUT/$1"; cp -r "$OUT/project" "$OUT/$1"; sync; }

echo "build_bench: xform (N=$N)" >&2
fresh xform
export SYNTH_DUCKDB_PATH="$OUT/xform/bench.duckdb"
read -r xw1 xm1 < <(XFORM_STATEMENT_LOG="$OUT/xform1.sql" timed xform_build1 "$OUT/xform" "$XFORM" build --profiles-dir .)
read -r xw2 xm2 < <(XFORM_STATEMENT_LOG="$OUT/xform2.sql" timed xform_build2 "$OUT/xform" "$XFORM" build --profiles-dir .)

echo "build_bench: DuckDB floor (replaying xform's statements)" >&2
rm -rf "$OUT/floor"; mkdir -p "$OUT/floor"
read -r fw1 fm1 < <(timed floor_build1 "$OUT/xform" "$REPLAY" "$OUT/xform1.sql" "$OUT/floor/bench.duckdb")
read -r fw2 fm2 < <(timed floor_build2 "$OUT/xform" "$REPLAY" "$OUT/xform2.sql" "$OUT/floor/bench.duckdb")

dw1=- dm1=- dw2=- dm2=-
if [[ $DO_DBT -eq 1 ]]; then
  echo "build_bench: dbt (N=$N)" >&2
  fresh dbt
  export SYNTH_DUCKDB_PATH="$OUT/dbt/bench.duckdb"
  read -r dw1 dm1 < <(timed dbt_build1 "$OUT/dbt" "$VENV/bin/dbt" build --no-partial-parse --profiles-dir .)
  read -r dw2 dm2 < <(timed dbt_build2 "$OUT/dbt" "$VENV/bin/dbt" build --no-partial-parse --profiles-dir .)
fi

ratio() { python3 -c "import sys; a,b=sys.argv[1:]; print('-' if 'FAIL' in (a+b) or '-' in (a,b) else '%.1fx' % (float(a)/float(b)))" "$1" "$2"; }
echo
echo "| build (N=$N) | xform s | xform MiB | dbt s | dbt MiB | floor s | dbt/xform | xform/floor | xform RSS / dbt RSS |"
echo "|---|---|---|---|---|---|---|---|---|"
echo "| first (empty db) | $xw1 | $xm1 | $dw1 | $dm1 | $fw1 | $(ratio "$dw1" "$xw1") | $(ratio "$xw1" "$fw1") | $(ratio "$xm1" "$dm1") |"
echo "| second (incremental) | $xw2 | $xm2 | $dw2 | $dm2 | $fw2 | $(ratio "$dw2" "$xw2") | $(ratio "$xw2" "$fw2") | $(ratio "$xm2" "$dm2") |"
