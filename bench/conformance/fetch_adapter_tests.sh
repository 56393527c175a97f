#!/usr/bin/env bash
# Fetch dbt's adapter conformance suite (dbt-tests-adapter 1.20.0, from PyPI) and unzip it.
#
# usage: bench/conformance/fetch_adapter_tests.sh [CACHE_DIR] [OUT_DIR]
#   CACHE_DIR  where the wheel is downloaded and unpacked (default $HOME/.cache/xform-conformance)
#   OUT_DIR    optional: also run extract_basic.py into OUT_DIR (one dbt project per basic/ scenario)
# Prints the unpacked root (SRC for extract_basic.py / extract_incremental.py) on stdout:
#   SRC/dbt/tests/adapter/{basic,utils,incremental,...}
# Uses $PIP if set, else /work/.venv-dbt/bin/pip or `python3 -m pip`. Re-runs reuse the cache.
set -euo pipefail

VERSION=1.20.0
CACHE="${1:-$HOME/.cache/xform-conformance}"
OUT="${2:-}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ -n "${PIP:-}" ]]; then pip_cmd=($PIP)
elif [[ -x "${VENV_DBT:-/work/.venv-dbt}/bin/pip" ]]; then pip_cmd=("${VENV_DBT:-/work/.venv-dbt}/bin/pip")
else pip_cmd=(python3 -m pip); fi

mkdir -p "$CACHE"
whl="$CACHE/dbt_tests_adapter-$VERSION-py3-none-any.whl"
if [[ ! -f "$whl" ]]; then
  "${pip_cmd[@]}" download --quiet --no-deps "dbt-tests-adapter==$VERSION" -d "$CACHE" >&2
fi
[[ -f "$whl" ]] || { echo "fetch_adapter_tests: $whl not found after pip download" >&2; exit 1; }

src="$CACHE/dbt-tests-adapter-$VERSION"
if [[ ! -f "$src/dbt/tests/adapter/basic/files.py" ]]; then
  rm -rf "$src"
  # python's zipfile instead of unzip(1): always available
  python3 -m zipfile -e "$whl" "$src"
fi

if [[ -n "$OUT" ]]; then
  python3 "$HERE/extract_basic.py" "$src" "$OUT" >&2
fi
echo "$src"
