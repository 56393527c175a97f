#!/usr/bin/env python3
"""DuckDB alone, no tool around it: N small tables -> database file size, blocks used and
peak RSS of the process.

Why it exists: on bench/build_bench.sh N=1000 most of both tools' peak memory is the
embedded engine's. This shows where it goes without xform or dbt in the picture: every
table, however small, gets its own 256 KB block (its columns share it, other tables do
not), and the buffer manager keeps every block it wrote until memory_limit forces it
out. Run it with the same duckdb the dbt venv has (bench/dbt-core-1.12.6-requirements.txt
pins the version bundled by libduckdb-sys):

    ../.venv-dbt/bin/python bench/duckdb_block_cache.py [N] [--memory-limit 128MB]
        [--block-size 16384] [--large ROWS]

Each table is ~1,333 rows of the benchmark's six core columns, about what a generated
model holds. --block-size makes a new file with smaller blocks (DuckDB's ATTACH option),
which packs small tables; --large ROWS builds one table of ROWS rows instead, to show
what smaller blocks cost a large table. One configuration per process, so the peak RSS
is that configuration's.
"""
import argparse
import os
import resource
import tempfile

import duckdb


def rss_mib():
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=1000)
    ap.add_argument("--memory-limit")
    ap.add_argument("--block-size", type=int)
    ap.add_argument("--large", type=int)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cache.duckdb")
        if args.block_size:
            con = duckdb.connect(":memory:")
            con.execute(f"attach '{path}' as cache (block_size {args.block_size})")
            con.execute("use cache")
        else:
            con = duckdb.connect(path)
        if args.large:
            large(con, args.large)
            return
        if args.memory_limit:
            con.execute("set memory_limit = ?", [args.memory_limit])
        start = rss_mib()
        con.execute(
            "create table src as select i as id, i % 100 as customer_id, "
            "(i * 7 % 1000)::decimal(10, 2) as amount, "
            "date '2024-01-01' + (i % 365)::int as event_date, "
            "timestamp '2024-01-01' + to_seconds(i * 60) as updated_at, "
            "'cat' || (i % 5) as category from range(2000) t(i)"
        )
        for i in range(args.n):
            con.execute(f"create table t{i} as select * from src where id % 3 != {i % 3}")
        con.execute("checkpoint")
        name, size, block_size, total, used, free = con.execute(
            "select database_name, database_size, block_size, total_blocks, used_blocks, "
            "free_blocks from pragma_database_size()"
        ).fetchone()[:6]
        blocks = {
            r[0]
            for r in con.execute(
                "select block_id from pragma_storage_info('t1') where block_id >= 0"
            ).fetchall()
        }
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"duckdb {duckdb.__version__}, {args.n} tables, memory_limit "
              f"{args.memory_limit or 'default'}, block size {args.block_size or 'default'}")
        print(f"file {size}, {used} used blocks of {block_size} bytes ({free} free); "
              f"table t1 lives in block(s) {sorted(blocks)}")
        print(f"RSS at start {start} MiB, peak {peak} MiB")


def large(con, rows):
    start = rss_mib()
    con.execute(
        "create table big as select i as id, i % 100000 as customer_id, "
        "(i * 7 % 100000)::decimal(12, 2) as amount, date '2020-01-01' + (i % 1500)::int as d, "
        f"'cat' || (i % 50) as category from range({rows}) t(i)"
    )
    con.execute("checkpoint")
    con.execute("create table agg as select customer_id, d, sum(amount) s, count(*) n from big group by all")
    size, block_size = con.execute(
        "select database_size, block_size from pragma_database_size()"
    ).fetchone()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"duckdb {duckdb.__version__}, one table of {rows} rows and its aggregate, "
          f"block size {block_size}: file {size}, RSS at start {start} MiB, peak {peak} MiB")


if __name__ == "__main__":
    main()
