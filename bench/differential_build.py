#!/usr/bin/env python3
"""Differential build test: xform vs dbt-core + dbt-duckdb on the same project.

usage: differential_build.py PROJECT_DIR --xform BIN --dbt BIN [--work DIR] [--builds K]
       [--profiles-dir DIR] [--db-env VAR]

Copies PROJECT_DIR twice (one copy per tool), runs `build` K times (default 2: a first
build from an empty database, then an incremental one) with each tool, each on its own
DuckDB file, and after every build compares:
  * every relation dbt built: same kind (table/view), same column names and types, same
    rows as a multiset (EXCEPT ALL both ways);
  * every node's status in run_results.json (success/pass/fail/warn/error/skipped).
The database path is passed through the profile's env var (--db-env, default
XFORM_DUCKDB_PATH). Exits 1 and prints each difference when anything differs.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import duckdb


SNAPSHOT_TIME_COLUMNS = {"dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"}


def run(tool, cwd, profiles, env):
    cmd = [tool, "build", "--profiles-dir", profiles]
    if os.path.basename(tool) == "dbt":
        cmd.insert(2, "--no-partial-parse")
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def relations(con, catalog):
    rows = con.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_catalog = ? and table_schema not in ('information_schema', 'pg_catalog')",
        [catalog],
    ).fetchall()
    return {(s, t): kind for s, t, kind in rows}


def columns(con, catalog, schema, table):
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [catalog, schema, table],
    ).fetchall()


def statuses(project):
    path = os.path.join(project, target_dir(project), "run_results.json")
    with open(path) as f:
        return {r["unique_id"]: r["status"] for r in json.load(f)["results"]}


def target_dir(project):
    text = open(os.path.join(project, "dbt_project.yml")).read()
    for line in text.splitlines():
        if line.startswith("target-path:"):
            return line.split(":", 1)[1].strip().strip("'\"")
    return "target"


def compare(dbt_db, xf_db, dbt_dir, xf_dir):
    problems = []
    con = duckdb.connect()
    con.execute(f"attach '{dbt_db}' as d (read_only)")
    con.execute(f"attach '{xf_db}' as x (read_only)")
    want = relations(con, "d")
    have = relations(con, "x")
    for (schema, table), kind in sorted(want.items()):
        name = f"{schema}.{table}"
        if (schema, table) not in have:
            problems.append(f"{name}: dbt built it, xform did not")
            continue
        if have[(schema, table)] != kind:
            problems.append(f"{name}: dbt made a {kind}, xform a {have[(schema, table)]}")
        cd = columns(con, "d", schema, table)
        cx = columns(con, "x", schema, table)
        if cd != cx:
            problems.append(f"{name}: columns differ\n    dbt:   {cd}\n    xform: {cx}")
            continue
        q = f'"{schema}"."{table}"'
        names = [c for c, _ in cd]
        # Snapshot meta columns hold the wall-clock time of each run: compare the rest.
        if "dbt_scd_id" in names:
            names = [c for c in names if c not in SNAPSHOT_TIME_COLUMNS]
        cols = ", ".join(f'"{c}"' for c in names)
        diff = con.execute(
            f"select (select count(*) from (select {cols} from d.{q} except all select {cols} from x.{q})),"
            f" (select count(*) from (select {cols} from x.{q} except all select {cols} from d.{q}))"
        ).fetchone()
        if diff != (0, 0):
            problems.append(f"{name}: {diff[0]} rows only in dbt's, {diff[1]} only in xform's")
    for key in sorted(set(have) - set(want)):
        problems.append(f"{key[0]}.{key[1]}: xform built it, dbt did not")
    sd, sx = statuses(dbt_dir), statuses(xf_dir)
    for uid in sorted(set(sd) | set(sx)):
        if sd.get(uid) != sx.get(uid):
            problems.append(f"{uid}: dbt {sd.get(uid)}, xform {sx.get(uid)}")
    return problems, len(want), len(sd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("--xform", required=True)
    ap.add_argument("--dbt", required=True)
    ap.add_argument("--work", default=None)
    ap.add_argument("--builds", type=int, default=2)
    ap.add_argument("--profiles-dir", default=".")
    ap.add_argument("--db-env", default="XFORM_DUCKDB_PATH")
    a = ap.parse_args()
    work = os.path.abspath(a.work or os.path.join("/tmp", "xform-diff-" + os.path.basename(a.project.rstrip("/"))))
    shutil.rmtree(work, ignore_errors=True)
    dirs = {}
    for tool in ("dbt", "xform"):
        d = os.path.join(work, tool)
        shutil.copytree(a.project, d, ignore=shutil.ignore_patterns(".git", "target", "xform-target", "*.duckdb", "*.duckdb.wal", "dbt_packages", "logs"))
        dirs[tool] = d
    failed = False
    for k in range(1, a.builds + 1):
        for tool, binary in (("dbt", a.dbt), ("xform", a.xform)):
            env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
            env[a.db_env] = os.path.join(dirs[tool], f"{tool}.duckdb")
            code, out = run(os.path.abspath(binary) if os.sep in binary else binary, dirs[tool], a.profiles_dir, env)
            if code not in (0, 1):
                print(f"build {k}: {tool} exited {code}\n{out[-4000:]}")
                return 1
        problems, nrel, nres = compare(
            os.path.join(dirs["dbt"], "dbt.duckdb"),
            os.path.join(dirs["xform"], "xform.duckdb"),
            dirs["dbt"],
            dirs["xform"],
        )
        if problems:
            failed = True
            print(f"build {k}: {len(problems)} difference(s):")
            for p in problems:
                print("  " + p)
        else:
            print(f"build {k}: {nrel} relations and {nres} node results identical")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
