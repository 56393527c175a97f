#!/usr/bin/env python3
"""Turn dbt-tests-adapter's `basic/` conformance fixtures into standalone dbt projects.

usage: extract_basic.py SRC OUT
  SRC: the unzipped wheel root (the dir containing dbt/tests/adapter/), or
       .../dbt/tests/adapter, or .../dbt/tests/adapter/basic directly.
       bench/conformance/fetch_adapter_tests.sh prints a suitable SRC.
  OUT: one sub-directory per usable `Base*` test class is written here, e.g.
       OUT/simple_materializations/{dbt_project.yml,profiles.yml,models/,seeds/}

Nothing from the suite is imported or executed: test_*.py and files.py are read with
`ast` and only string constants are evaluated (constants, names bound to strings,
`files.<name>`, `+` concatenation and .strip()/.lstrip()/.rstrip()).

For each class whose pytest fixtures `models` / `seeds` / `snapshots` / `tests` /
`macros` / `analyses` return literal dicts of file name -> string, the files are written
into the matching project folder, and `project_config_update` (when it is a literal
dict) is merged into dbt_project.yml, the way dbt's pytest harness does. Classes whose
fixtures depend on runtime values (docs_generate: unique_schema) or that carry no files
(empty, validate_connection) are skipped. Subclasses inherit fixtures from their bases
inside the same module.

Each project uses profile `conformance` with two targets:
  dev  DuckDB (default target; file conformance.duckdb in the project dir, schema
       `conformance`: not `main`, which DuckDB refuses to drop (adapter_method does))
  bq   BigQuery, project `conformance-proj`, dataset `conformance`, method oauth
       (for compile-only comparisons; nothing here connects to it).
OUT/SCENARIOS.md lists the projects, their source class and what dbt's own test
expects (e.g. `dbt test` fails on purpose in singular_tests).
Stdlib only.
"""
import ast
import json
import os
import re
import sys

FIXTURE_DIRS = {
    "models": "models",
    "seeds": "seeds",
    "snapshots": "snapshots",
    "tests": "tests",
    "macros": "macros",
    "analyses": "analyses",
}

# What dbt's own test for each scenario does/expects, so a reader knows which failures
# are intended. Keyed by output directory name; unknown scenarios just get no note.
EXPECT = {
    "simple_materializations": "seed, run; then run -m swappable --vars 'materialized_var: view' / 'incremental'",
    "ephemeral": "seed, run: view_model + table_model built, ephemeral inlined as CTE",
    "generic_tests": "seed, test -m base, run, test: all not_null tests pass",
    "incremental": "seed, run --vars 'seed_name: base', run --vars 'seed_name: added' (10 -> 20 rows)",
    "incremental_not_schema_change": "run twice with --select incremental_not_schema_change: both succeed",
    "incremental_bad_strategy": "seed, run: run is EXPECTED TO FAIL (invalid incremental_strategy)",
    "singular_tests": "test: EXPECTED TO FAIL (failing.sql fails, passing.sql passes)",
    "singular_tests_ephemeral": "seed, test: EXPECTED TO FAIL (failing.sql fails); models are ephemeral-based",
    "snapshot_check_cols": "seed, snapshot, then snapshot --vars 'seed_name: added'",
    "snapshot_timestamp": "seed, snapshot, then snapshot --vars 'seed_name: added'",
    "table_materialization": "seed, run: materialized == seed (sort/dist configs ignored)",
    "adapter_method": "compile/run: model.sql drops+creates the upstream schema at compile time (execute)",
    "get_catalog_for_single_relation": "seed, run (then adapter.get_catalog_for_single_relation)",
}

PROFILE = """conformance:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "conformance.duckdb"
      schema: conformance
      threads: 1
    bq:
      type: bigquery
      method: oauth
      project: conformance-proj
      dataset: conformance
      threads: 1
"""


class Unresolved(Exception):
    pass


def ev(node, env, mods):
    """Evaluate a string-valued expression from a tiny safe subset of Python.

    env: names bound to strings in the module; mods: imported fixture modules by alias
    (e.g. {"files": {...}} for `from dbt.tests.adapter.basic import files`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        raise Unresolved(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in mods:
        if node.attr in mods[node.value.id]:
            return mods[node.value.id][node.attr]
        raise Unresolved(node.value.id + "." + node.attr)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return ev(node.left, env, mods) + ev(node.right, env, mods)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("strip", "lstrip", "rstrip") and not node.args and not node.keywords):
        return getattr(ev(node.func.value, env, mods), node.func.attr)()
    if isinstance(node, ast.JoinedStr):
        raise Unresolved("f-string")
    raise Unresolved(ast.dump(node)[:60])


def ev_value(node, env, mods):
    """Strings via ev(); otherwise a literal (dict/list/bool/number) with string leaves."""
    if isinstance(node, ast.Dict):
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                raise Unresolved("**splat")
            out[ev_value(k, env, mods)] = ev_value(v, env, mods)
        return out
    if isinstance(node, (ast.List, ast.Tuple)):
        return [ev_value(e, env, mods) for e in node.elts]
    if isinstance(node, ast.Constant) and not isinstance(node.value, str):
        return node.value
    return ev(node, env, mods)


def module_strings(tree, mods):
    env = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                env[node.targets[0].id] = ev(node.value, env, mods)
            except Unresolved:
                pass
    return env


def is_fixture(fn):
    for d in fn.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        if isinstance(target, ast.Attribute) and target.attr == "fixture":
            return True
    return False


def class_fixtures(cls, env, mods):
    """name -> evaluated dict, or the string 'DYNAMIC' when it cannot be resolved statically."""
    out = {}
    for item in cls.body:
        if not isinstance(item, ast.FunctionDef) or not is_fixture(item):
            continue
        if item.name not in FIXTURE_DIRS and item.name != "project_config_update":
            continue
        params = [a.arg for a in item.args.args]
        rets = [n for n in item.body if isinstance(n, ast.Return)]
        if params != ["self"] or len(rets) != 1 or rets[0].value is None:
            out[item.name] = "DYNAMIC"
            continue
        try:
            val = ev_value(rets[0].value, env, mods)
        except Unresolved:
            val = "DYNAMIC"
        out[item.name] = val
    return out


def snake(name):
    name = re.sub(r"^Base", "", name)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(v)  # JSON strings are valid YAML double-quoted scalars


def yaml_dump(obj, indent=0):
    """Minimal YAML writer for the small dicts/lists found in project_config_update."""
    pad = "  " * indent
    lines = []
    for k, v in obj.items():
        if isinstance(v, dict):
            lines.append("%s%s:" % (pad, k))
            lines.append(yaml_dump(v, indent + 1))
        elif isinstance(v, list):
            lines.append("%s%s: [%s]" % (pad, k, ", ".join(yaml_scalar(x) for x in v)))
        else:
            lines.append("%s%s: %s" % (pad, k, yaml_scalar(v)))
    return "\n".join(l for l in lines if l)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def find_basic(src):
    for cand in (os.path.join(src, "dbt", "tests", "adapter", "basic"), os.path.join(src, "basic"), src):
        if os.path.isfile(os.path.join(cand, "files.py")) and os.path.basename(cand.rstrip("/")) == "basic":
            return cand
    sys.exit("extract_basic.py: no dbt/tests/adapter/basic/files.py under %s" % src)


def has_test_methods(name, classes):
    """Whether the class (or a same-module base) defines a pytest `test_*` method."""
    cls = classes[name]
    if any(isinstance(i, ast.FunctionDef) and i.name.startswith("test") for i in cls.body):
        return True
    return any(isinstance(b, ast.Name) and b.id in classes and has_test_methods(b.id, classes)
               for b in cls.bases)


def write_files(base, files):
    """Write a fixture dict the way dbt's pytest harness does: nested dicts are directories,
    non-string values of .yml entries are dumped as YAML."""
    for fname, value in files.items():
        path = os.path.join(base, fname)
        if isinstance(value, dict) and not fname.endswith((".yml", ".yaml")):
            write_files(path, value)
            continue
        if not isinstance(value, str):
            value = yaml_dump(value) + "\n"
        write(path, value)


def extract(suite, out, mods, modules, title, expect, pick):
    """Write one project per selected class of the test modules `modules` (file names in
    directory `suite`). pick(class_name, classes, own_fixtures) -> project dir name or None
    (not a scenario). Returns the written dir names."""
    scenarios = []
    skipped = []
    for fn in modules:
        tree = ast.parse(open(os.path.join(suite, fn), encoding="utf-8").read())
        env = module_strings(tree, mods)
        classes = {c.name: c for c in tree.body if isinstance(c, ast.ClassDef)}
        resolved = {}

        def fixtures_of(name):
            if name in resolved:
                return resolved[name]
            cls = classes[name]
            merged = {}
            for b in cls.bases:  # inherit from same-module bases (left-most wins last)
                if isinstance(b, ast.Name) and b.id in classes:
                    for k, v in fixtures_of(b.id).items():
                        merged.setdefault(k, v)
            merged.update(class_fixtures(cls, env, mods))
            resolved[name] = merged
            return merged

        for name in classes:
            d = pick(name, classes, class_fixtures(classes[name], env, mods))
            if d is None:
                continue
            fx = fixtures_of(name)
            dyn = [k for k, v in fx.items() if v == "DYNAMIC"]
            file_fx = {k: v for k, v in fx.items() if k in FIXTURE_DIRS and isinstance(v, dict) and v}
            if dyn:
                skipped.append((fn, name, "fixtures need runtime values: " + ", ".join(dyn)))
                continue
            if not file_fx:
                skipped.append((fn, name, "no project files"))
                continue
            scenarios.append((d, fn, name, fx, file_fx))

    os.makedirs(out, exist_ok=True)
    index = ["# %s" % title, "",
             "Generated by bench/conformance/%s from %s" % (os.path.basename(sys.argv[0]), suite), "",
             "| project dir | source | dbt project name | what dbt's test does |", "|---|---|---|---|"]
    for d, fn, cls, fx, file_fx in scenarios:
        proj = os.path.join(out, d)
        cfg = {"name": "test", "profile": "conformance", "config-version": 2, "version": "1.0.0"}
        upd = fx.get("project_config_update")
        if isinstance(upd, dict):
            cfg.update(upd)
        cfg["profile"] = "conformance"
        write(os.path.join(proj, "dbt_project.yml"), yaml_dump(cfg) + "\n")
        write(os.path.join(proj, "profiles.yml"), PROFILE)
        for fixture, files in file_fx.items():
            write_files(os.path.join(proj, FIXTURE_DIRS[fixture]), files)
        index.append("| %s | %s::%s | %s | %s |" % (d, fn, cls, cfg["name"], expect.get(d, "")))
        print("wrote %s  (%s::%s)" % (proj, fn, cls))
    index += ["", "Skipped:", ""] + ["- %s::%s: %s" % s for s in skipped]
    write(os.path.join(out, "SCENARIOS.md"), "\n".join(index) + "\n")
    for s in skipped:
        print("skipped %s::%s (%s)" % s)
    return [s[0] for s in scenarios]


def main(src, out):
    basic = find_basic(src)
    files_tree = ast.parse(open(os.path.join(basic, "files.py"), encoding="utf-8").read())
    mods = {"files": module_strings(files_tree, {})}
    modules = sorted(fn for fn in os.listdir(basic) if re.match(r"test_\w+\.py$", fn))

    def pick(name, classes, own):
        # Test* classes only bind a Base* class to the adapter
        return snake(name) if name.startswith("Base") else None

    extract(basic, out, mods, modules, "dbt-tests-adapter basic/ scenarios", EXPECT, pick)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
