#!/usr/bin/env python3
"""Differential check: compare xform's compiled SQL with dbt's, file by file.

usage: differential.py XFORM_COMPILED_DIR DBT_COMPILED_DIR [--max-diffs N] [--context N]
                       [--list-only-in] [--all-files]
  e.g. differential.py /tmp/x/target/compiled/synth/models P/target/compiled/synth/models

Every *.sql file under either tree is matched by its path relative to the tree root.
By default only compiled *model* files are compared: files under a directory named
`*.yml`/`*.yaml` (dbt writes generic tests as <properties file>/<test>.sql) are left out;
--all-files compares those too. Both sides are normalised before comparing: every run
of whitespace becomes one space, then the text is stripped. So layout differences
(blank lines, indentation, trailing newline) are ignored, while any token difference
is reported.

Prints counts (same / differ / only in xform / only in dbt), then for up to
--max-diffs differing files (default 10) a unified diff of the normalised texts,
re-split at SQL-ish boundaries so the diff is readable, capped at --max-lines lines
each (default 40). Exit status: 0 if nothing differs and neither side has extra files,
1 otherwise, 2 on usage errors. Stdlib only.
"""
import argparse
import difflib
import os
import re
import sys

WS = re.compile(r"\s+")
# Break normalised one-line SQL before these keywords / after commas, for readable diffs.
SPLIT = re.compile(
    r"(?i)(?<=,) |(?<=\() | (?=\b(?:select|from|where|group by|order by|having|union all|union|"
    r"left join|inner join|join|with|on|and|or|limit|qualify|window)\b)| (?=\))")


def normalise(text):
    return WS.sub(" ", text).strip()


def sql_files(root, all_files):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if not all_files and rel_dir != "." and any(
                part.endswith((".yml", ".yaml")) for part in rel_dir.split(os.sep)):
            dirnames[:] = []
            continue
        for fn in filenames:
            if fn.endswith(".sql"):
                rel = os.path.normpath(os.path.join(rel_dir, fn))
                out[rel] = os.path.join(dirpath, fn)
    return out


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def main(argv=None):
    ap = argparse.ArgumentParser(description="compare compiled SQL trees (whitespace-normalised)")
    ap.add_argument("xform_dir")
    ap.add_argument("dbt_dir")
    ap.add_argument("--max-diffs", type=int, default=10, help="differing files to show (default 10)")
    ap.add_argument("--max-lines", type=int, default=40, help="diff lines per file (default 40)")
    ap.add_argument("--context", type=int, default=2, help="unified diff context lines (default 2)")
    ap.add_argument("--list-only-in", action="store_true", help="list files present on one side only")
    ap.add_argument("--all-files", action="store_true", help="also compare generic tests under *.yml/ dirs")
    a = ap.parse_args(argv)

    for d in (a.xform_dir, a.dbt_dir):
        if not os.path.isdir(d):
            print("differential: not a directory: %s" % d, file=sys.stderr)
            return 2

    x = sql_files(a.xform_dir, a.all_files)
    d = sql_files(a.dbt_dir, a.all_files)
    both = sorted(set(x) & set(d))
    only_x = sorted(set(x) - set(d))
    only_d = sorted(set(d) - set(x))

    same, differ = [], []
    for rel in both:
        nx, nd = normalise(read(x[rel])), normalise(read(d[rel]))
        (same if nx == nd else differ).append((rel, nx, nd))

    print("compared %d file(s) present on both sides" % len(both))
    print("  same:          %d" % len(same))
    print("  differ:        %d" % len(differ))
    print("  only in xform: %d" % len(only_x))
    print("  only in dbt:   %d" % len(only_d))

    if a.list_only_in or len(only_x) + len(only_d) <= 20:
        for rel in only_x:
            print("only in xform: %s" % rel)
        for rel in only_d:
            print("only in dbt:   %s" % rel)
    elif only_x or only_d:
        print("(use --list-only-in to list the %d one-sided files)" % (len(only_x) + len(only_d)))

    for rel, nx, nd in differ[: max(a.max_diffs, 0)]:
        print()
        print("=== %s" % rel)
        lx = SPLIT.sub("\n", nx).split("\n")
        ld = SPLIT.sub("\n", nd).split("\n")
        lines = list(difflib.unified_diff(ld, lx, "dbt/" + rel, "xform/" + rel, n=a.context, lineterm=""))
        for line in lines[: a.max_lines]:
            print(line)
        if len(lines) > a.max_lines:
            print("... (%d more diff lines)" % (len(lines) - a.max_lines))
    if len(differ) > a.max_diffs:
        print()
        print("... %d more differing file(s) not shown (--max-diffs)" % (len(differ) - a.max_diffs))

    return 0 if not differ and not only_x and not only_d else 1


if __name__ == "__main__":
    sys.exit(main())
