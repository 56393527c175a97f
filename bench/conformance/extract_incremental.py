#!/usr/bin/env python3
"""Turn dbt-tests-adapter's `incremental/` fixtures into standalone dbt projects.

usage: extract_incremental.py SRC OUT
  SRC: the unzipped wheel root (the dir containing dbt/tests/adapter/), as printed by
       bench/conformance/fetch_adapter_tests.sh, or .../dbt/tests/adapter/incremental.
  OUT: one sub-directory per test class is written here, e.g.
       OUT/incremental_unique_key/{dbt_project.yml,profiles.yml,models/,seeds/}

Same rules as extract_basic.py (nothing is imported or executed; string constants only,
`fixtures.<name>` resolves to incremental/fixtures.py), for the modules the conformance
suite covers: unique_id, on_schema_change, merge_exclude_columns and predicates
(microbatch is not extracted: xform refuses that strategy).

A project is written for every `Base*` class that has pytest test methods (its own or a
base's; setup-only bases such as BaseIncrementalOnSchemaChangeSetup are left out), and
for every `Test*` class that overrides a fixture (TestPredicatesDeleteInsert swaps
`+incremental_predicates` for the older `+predicates`). Nested fixture dicts become
sub-directories (models/expected/), and non-CSV files in `seeds` (the .sql files the
unique_id test runs by hand between two dbt runs) are written as they are.
Stdlib only.
"""
import ast
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from extract_basic import extract, has_test_methods, module_strings, snake  # noqa: E402

MODULES = [
    "test_incremental_unique_id.py",
    "test_incremental_on_schema_change.py",
    "test_incremental_merge_exclude_columns.py",
    "test_incremental_predicates.py",
]

EXPECT = {
    "incremental_unique_key": "per unique_key shape: seed --full-refresh, run --full-refresh, "
    "insert rows with seeds/*.sql, run; model == seed or == models/expected/*; "
    "not_found_* fail on the second run naming thisisnotacolumn",
    "incremental_on_schema_change": "run twice per on_schema_change mode, model == *_target; "
    "`fail` errors on the second run with a Compilation Error",
    "merge_exclude_columns": "seed, run --full-refresh, run: model == expected seed (msg kept)",
    "incremental_predicates": "seed, run --full-refresh, run (delete+insert, "
    "incremental_predicates id != 2): model == expected seed",
    "predicates_delete_insert": "as incremental_predicates, with the older `+predicates` key",
}


def find_incremental(src):
    for cand in (os.path.join(src, "dbt", "tests", "adapter", "incremental"), os.path.join(src, "incremental"), src):
        if os.path.isfile(os.path.join(cand, "fixtures.py")) and os.path.basename(cand.rstrip("/")) == "incremental":
            return cand
    sys.exit("extract_incremental.py: no dbt/tests/adapter/incremental/fixtures.py under %s" % src)


def main(src, out):
    suite = find_incremental(src)
    fixtures_tree = ast.parse(open(os.path.join(suite, "fixtures.py"), encoding="utf-8").read())
    mods = {"fixtures": module_strings(fixtures_tree, {})}

    def pick(name, classes, own):
        if name.startswith("Base") and has_test_methods(name, classes):
            return snake(name)
        if name.startswith("Test") and own:
            return snake(name[len("Test"):])
        return None

    extract(suite, out, mods, MODULES, "dbt-tests-adapter incremental/ scenarios", EXPECT, pick)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
