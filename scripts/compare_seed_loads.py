#!/usr/bin/env python3
"""Load tests/fixtures/seeds_types with real dbt and with xform's planned SQL; compare tables.

Needs the dbt venv (dbt-core, dbt-duckdb, duckdb) and cargo:
    /work/.venv-dbt/bin/python scripts/compare_seed_loads.py

1. copies the fixture to a temp dir and runs `dbt seed` there into dbt/<db>.duckdb;
2. runs the fixture test with XFORM_SEED_SQL_OUT to get xform's statements per seed;
3. runs those statements in a fresh xform/<db>.duckdb (same file name, so the same
   catalog name);
4. compares every table: column names, DuckDB types and all values.
Prints one line per seed and exits 1 on any difference.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests/fixtures/seeds_types"
DBT = Path(sys.executable).parent / "dbt"


def snapshot(path):
    con = duckdb.connect(str(path), read_only=True)
    out = {}
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()
    for (t,) in tables:
        cols = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'main' and table_name = ? order by ordinal_position",
            [t],
        ).fetchall()
        rows = con.execute(f'select * from main."{t}" order by all').fetchall()
        out[t] = (cols, [tuple(repr(v) for v in r) for r in rows])
    return out


def main():
    work = Path(tempfile.mkdtemp(prefix="seedcmp-"))
    project = work / "project"
    shutil.copytree(FIXTURE, project)
    (work / "dbt").mkdir()
    (work / "xform").mkdir()
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false",
               XFORM_DUCKDB_PATH=str(work / "dbt/test.duckdb"))
    subprocess.run([str(DBT), "seed", "--profiles-dir", "."], cwd=project, env=env, check=True,
                   stdout=subprocess.DEVNULL)

    sql_file = work / "xform.json"
    cargo_env = dict(os.environ, XFORM_SEED_SQL_OUT=str(sql_file))
    subprocess.run(["cargo", "test", "--no-default-features", "--lib",
                    "fixture_seeds_get_the_types_dbt_gave_them"],
                   cwd=ROOT, env=cargo_env, check=True, stdout=subprocess.DEVNULL)
    plans = json.loads(sql_file.read_text())
    con = duckdb.connect(str(work / "xform/test.duckdb"))
    for seed, statements in plans.items():
        con.execute("begin")
        for s in statements:
            # The test planned against the repository's fixture; both copies are identical.
            con.execute(s)
        con.execute("commit")
    con.close()

    want, got = snapshot(work / "dbt/test.duckdb"), snapshot(work / "xform/test.duckdb")
    bad = 0
    for seed in sorted(set(want) | set(got)):
        same = want.get(seed) == got.get(seed)
        bad += not same
        print(f"{'same' if same else 'DIFFERENT'}  {seed}")
        if not same:
            print("   dbt:  ", want.get(seed))
            print("   xform:", got.get(seed))
    shutil.rmtree(work)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
