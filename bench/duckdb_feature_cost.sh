#!/usr/bin/env bash
# What an optional DuckDB extension would add to a cold build: compiles the C++ files the
# bundled libduckdb-sys build adds for an extension (its list in DuckDB's manifest.json),
# with the flags of a release build, two at a time as cargo does on 2 cores, and prints
# the wall time next to the json extension's (which xform already builds).
#
# usage: bench/duckdb_feature_cost.sh [EXTENSION...]   (default: parquet json)
# Needs the sources a previous build unpacked under $CARGO_TARGET_DIR/duckdb-sources.
# `icu` cannot be measured this way: libduckdb-sys builds it only through its cmake
# backend (feature `bundled-cmake`), which needs cmake on the build machine.
set -euo pipefail

TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/xform-target}"
SRC="$(ls -d "$TARGET"/duckdb-sources/*/ 2>/dev/null | head -1)"
[[ -n "$SRC" && -f "$SRC/duckdb/manifest.json" ]] || {
  echo "duckdb_feature_cost: no unpacked DuckDB sources under $TARGET/duckdb-sources (build once first)" >&2
  exit 1
}
EXTS=("$@")
[[ ${#EXTS[@]} -gt 0 ]] || EXTS=(parquet json)
JOBS="${JOBS:-2}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

for ext in "${EXTS[@]}"; do
  # One compile command per file, with the base include dirs plus the extension's own.
  python3 - "$SRC" "$ext" "$OUT" >"$OUT/$ext.cmds" <<'PY'
import json, shlex, sys
src, ext, out = sys.argv[1:]
m = json.load(open(f"{src}/duckdb/manifest.json"))
e = m["extensions"].get(ext)
if e is None:
    sys.exit(f"no extension {ext!r}; available: {sorted(m['extensions'])}")
incs = ["duckdb"] + [f"duckdb/{d}" for d in m["base"]["include_dirs"] + e["include_dirs"]]
flags = ["-O3", "-DNDEBUG", "-ffunction-sections", "-fdata-sections", "-fPIC", "-std=c++17", "-w",
         f"-DDUCKDB_EXTENSION_{ext.upper()}_LINKED=1"]
flags += [f"-I{src}/{i}" for i in incs]
for i, f in enumerate(e["cpp_files"]):
    print(shlex.join(["c++", *flags, "-c", f"{src}/{f}", "-o", f"{out}/{ext}_{i}.o"]))
PY
  n=$(wc -l <"$OUT/$ext.cmds")
  start=$(date +%s.%N)
  xargs -P "$JOBS" -d '\n' -I{} sh -c '{}' <"$OUT/$ext.cmds"
  end=$(date +%s.%N)
  python3 -c "import sys; print('%s: %d C++ files, %.0f s wall with %s jobs (release flags)' % (sys.argv[1], int(sys.argv[2]), float(sys.argv[4]) - float(sys.argv[3]), sys.argv[5]))" \
    "$ext" "$n" "$start" "$end" "$JOBS"
done
