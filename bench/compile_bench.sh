#!/usr/bin/env bash
# Compile benchmark: xform vs dbt-core on synthetic projects of N models.
#
# usage: bench/compile_bench.sh [options] ["N1 N2 ..."] [XFORM_BIN]
#   "N1 N2 ..."      project sizes (default "1000 10000"); one quoted word or several args
#                    of digits are all taken as sizes
#   XFORM_BIN        xform binary (default ${CARGO_TARGET_DIR:-target}/release/xform);
#                    if missing, xform is skipped with a message
#   --runs K         runs per tool and size; the table shows medians (default 1)
#   --xform PATH     same as XFORM_BIN
#   --no-xform / --no-dbt    skip one tool
#   --dbt-max N      skip dbt for sizes above N (dbt compile at N=10000 takes ~5 min)
#   --venv DIR       dbt venv (default $VENV_DBT or <repo>/../.venv-dbt); created if absent
#   --gen PATH       gen_project.py (default $GEN_PROJECT, bench/gen_project.py, or
#                    /work/shared/bench/gen_project.py)
#
# Each project is generated into bench/out/nN (gen_project.py N, default seed); every run
# copies it to a fresh bench/out/run_<tool>_nN_<i> and runs the tool from inside the copy:
#   xform compile --project-dir . --profiles-dir .
#   dbt compile --no-partial-parse --project-dir . --profiles-dir .
# measured with /usr/bin/time -f '%e %M' (wall seconds, peak RSS KiB). Logs go to
# bench/out/logs/. Prints a markdown table: N, nodes, xform wall s, xform peak MiB,
# dbt wall s, dbt peak MiB, speedup (dbt wall / xform wall).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SIZES=()
RUNS=1
XFORM="${CARGO_TARGET_DIR:-$REPO/target}/release/xform"
DO_XFORM=1
DO_DBT=1
DBT_MAX=""
VENV="${VENV_DBT:-$(cd "$REPO/.." && pwd)/.venv-dbt}"
GEN="${GEN_PROJECT:-}"
positional=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --xform) XFORM="$2"; shift 2 ;;
    --no-xform) DO_XFORM=0; shift ;;
    --no-dbt) DO_DBT=0; shift ;;
    --dbt-max) DBT_MAX="$2"; shift 2 ;;
    --venv) VENV="$2"; shift 2 ;;
    --gen) GEN="$2"; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) positional+=("$1"); shift ;;
  esac
done
for a in "${positional[@]+"${positional[@]}"}"; do
  if [[ "$a" =~ ^[0-9\ ]+$ ]]; then SIZES+=($a); else XFORM="$a"; fi
done
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(1000 10000)
[[ "$XFORM" = /* ]] || XFORM="$PWD/$XFORM"

if [[ -z "$GEN" ]]; then
  for c in "$HERE/gen_project.py" "$REPO/../shared/bench/gen_project.py" /work/shared/bench/gen_project.py; do
    [[ -f "$c" ]] && { GEN="$c"; break; }
  done
fi
[[ -n "$GEN" && -f "$GEN" ]] || { echo "compile_bench: gen_project.py not found (use --gen)" >&2; exit 1; }

# --- prerequisites -------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
  echo "compile_bench: installing GNU time (/usr/bin/time missing)" >&2
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y time >&2 || { apt-get update >&2 && apt-get install -y time >&2; }
  else sudo apt-get install -y time >&2 || { sudo apt-get update >&2 && sudo apt-get install -y time >&2; }; fi
fi

if [[ $DO_XFORM -eq 1 && ! -x "$XFORM" ]]; then
  echo "compile_bench: xform binary not found at $XFORM: skipping xform (build with cargo build --release)" >&2
  DO_XFORM=0
fi

if [[ $DO_DBT -eq 1 ]]; then
  if [[ ! -x "$VENV/bin/dbt" ]]; then
    # Same steps as shared/notes/dbt-core.md: dbt-core 1.12 pins dbt-core-experimental-parser,
    # whose build downloads a binary from outside the registries; dbt never imports it,
    # so install dbt-core's other requirements and then dbt-core/dbt-duckdb with --no-deps.
    REQ="${DBT_REQUIREMENTS:-}"
    for c in "$HERE/dbt-core-1.12.6-requirements.txt" /work/shared/notes/dbt-core-1.12.6-requirements.txt; do
      [[ -z "$REQ" && -f "$c" ]] && REQ="$c"
    done
    [[ -n "$REQ" ]] || { echo "compile_bench: dbt-core-1.12.6-requirements.txt not found" >&2; exit 1; }
    echo "compile_bench: creating dbt venv in $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -r "$REQ" >&2
    "$VENV/bin/pip" install -q --no-deps dbt-core==1.12.6 dbt-duckdb==1.11.1 >&2
  fi
  export DBT_SEND_ANONYMOUS_USAGE_STATS=false
  "$VENV/bin/dbt" --version 2>/dev/null | grep -E 'installed|duckdb:' | sed 's/^/compile_bench: /' >&2 || true
fi

OUT="$REPO/bench/out"
LOGS="$OUT/logs"
mkdir -p "$LOGS"

median() { # median of numbers on stdin; "-" when none
  python3 -c 'import sys,statistics as s; v=[float(x) for x in sys.stdin.read().split()]; print("%.2f" % s.median(v) if v else "-")'
}

# run_tool NAME N P CMD... : RUNS timed runs; prints "wall_median peak_mib_median" or "FAIL FAIL"
run_tool() {
  local name="$1" n="$2" p="$3"; shift 3
  local walls="" peaks="" i tf log
  for ((i = 1; i <= RUNS; i++)); do
    # Each run gets a fresh copy of the generated project: deleting thousands of files
    # right before a run makes ext4 slow to create new ones, which skews short runs.
    local run="$OUT/run_${name}_n${n}_${i}"
    rm -rf "$run"
    cp -r "$p" "$run"
    rm -rf "$run/target" "$run"/*.duckdb "$run"/*.duckdb.wal
    sync
    tf="$LOGS/${name}_n${n}_run${i}.time"
    log="$LOGS/${name}_n${n}_run${i}.log"
    echo "compile_bench: $name compile N=$n run $i/$RUNS ..." >&2
    if ! (cd "$run" && /usr/bin/time -o "$tf" -f '%e %M' "$@" >"$log" 2>&1); then
      echo "compile_bench: $name failed for N=$n (see $log)" >&2
      echo "FAIL FAIL"; return 0
    fi
    read -r w m <"$tf"
    mib="$(python3 -c "print('%.0f' % ($m / 1024))")"
    echo "compile_bench:   $name N=$n: ${w}s, $mib MiB" >&2
    walls+="$w "; peaks+="$mib "
  done
  echo "$(echo "$walls" | median) $(echo "$peaks" | python3 -c 'import sys,statistics as s; v=[float(x) for x in sys.stdin.read().split()]; print("%.0f" % s.median(v))')"
}

rows=()
for n in "${SIZES[@]}"; do
  p="$OUT/n$n"
  echo "compile_bench: generating $p" >&2
  gen_out="$(python3 "$GEN" "$n" "$p" --force)"
  echo "compile_bench: $gen_out" >&2
  # nodes = models + data tests (generic + singular) + seeds, as in dbt's manifest "nodes"
  nodes="$(echo "$gen_out" | python3 -c '
import re,sys; t=sys.stdin.read()
g=lambda k: int(re.search(r"(\d+) "+k, t).group(1)) if re.search(r"(\d+) "+k, t) else 0
print(g("models") + g("data tests") + g("seeds"))')"

  xw="-"; xm="-"; dw="-"; dm="-"
  if [[ $DO_XFORM -eq 1 ]]; then
    read -r xw xm < <(run_tool xform "$n" "$p" "$XFORM" compile --project-dir . --profiles-dir .)
  fi
  if [[ $DO_DBT -eq 1 ]]; then
    if [[ -n "$DBT_MAX" && "$n" -gt "$DBT_MAX" ]]; then
      echo "compile_bench: skipping dbt for N=$n (--dbt-max $DBT_MAX)" >&2
    else
      read -r dw dm < <(run_tool dbt "$n" "$p" "$VENV/bin/dbt" compile --no-partial-parse --project-dir . --profiles-dir .)
    fi
  fi
  speed="-"
  if [[ "$xw" =~ ^[0-9.]+$ && "$dw" =~ ^[0-9.]+$ ]]; then
    speed="$(python3 -c "x=$xw; d=$dw; print('%.1fx' % (d / x) if x > 0 else 'inf')")"
  fi
  rows+=("| $n | $nodes | $xw | $xm | $dw | $dm | $speed |")
done

echo
echo "runs per tool: $RUNS (medians); $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| N | nodes | xform wall s | xform peak MiB | dbt wall s | dbt peak MiB | speedup |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
