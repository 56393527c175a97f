"""xform as the dbt executable of dagster-dbt.

The root project is copied to a temporary directory, its manifest made with `xform parse`,
and its models, seeds and snapshots materialised as Dagster assets through
`DbtCliResource(dbt_executable=<xform>)`, with the data tests as asset checks.

dagster-dbt reads a dbt-core executable's `LogModelResult`/`LogTestResult`/... events and a
dbt Fusion executable's `NodeFinished` events, choosing by the major version that
`EXE --version` prints. Every test here runs in both modes: "core" runs xform itself, "fusion"
runs it through a wrapper whose `--version` says 2.0.0 (everything else goes to xform).
"""

from __future__ import annotations

import csv
import json
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dagster import (
    AssetCheckKey,
    AssetKey,
    AssetSelection,
    AssetsDefinition,
    DagsterInstance,
    materialize,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from xform_testlib import copy_root_project, run_xform, target_dir

ASSET_TYPES = {"model", "seed", "snapshot"}
UNIQUE_ID = "dagster_dbt/unique_id"  # the metadata key dagster-dbt puts on specs and events

# The root project's staging models read the source github.raw_github_events, which is the
# table the seed raw_github_events loads, and also ref the seed. With source metadata on
# its deps, Dagster (1.13) re-points the source dep at the seed asset of the same table name,
# so those models would depend on the seed twice and any subset of the job fails to resolve
# ("Cannot set a dependency on asset ... more than once"). That is Dagster's doing, whatever
# the dbt executable; the source stays an asset of its own without that metadata.
TRANSLATOR = DagsterDbtTranslator(DagsterDbtTranslatorSettings(enable_source_metadata=False))


# --------------------------------------------------------------------------------------
# Setup
# --------------------------------------------------------------------------------------


@dataclass
class Invocation:
    """One `dbt.cli(["build"])` made by the asset function, as dagster-dbt ran it."""

    args: list[str]
    target_path: Path


@dataclass
class Deployment:
    style: str  # "core" or "fusion"
    executable: str
    project_dir: Path
    profiles_dir: Path
    db_path: Path
    manifest: dict[str, Any]
    assets: AssetsDefinition
    resource: DbtCliResource
    invocations: list[Invocation] = field(default_factory=list)

    # unique_id <-> asset key, as the assets definition itself says
    def key_by_uid(self) -> dict[str, AssetKey]:
        return {
            self.assets.get_asset_spec(key).metadata[UNIQUE_ID]: key for key in self.assets.keys
        }

    def uid_by_key(self) -> dict[AssetKey, str]:
        return {key: uid for uid, key in self.key_by_uid().items()}

    def check_key_by_test_uid(self) -> dict[str, AssetCheckKey]:
        return {spec.metadata[UNIQUE_ID]: spec.key for spec in self.assets.check_specs}

    def run(self, selection=None):
        env = {"XFORM_DUCKDB_PATH": str(self.db_path)}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        before = len(self.invocations)
        try:
            result = materialize(
                [self.assets],
                selection=selection,
                resources={"dbt": self.resource},
                instance=DagsterInstance.ephemeral(),
                raise_on_error=False,
            )
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        return result, self.invocations[before:]


def fusion_wrapper(xform: str, directory: Path) -> str:
    """A stand-in executable that reports a dbt Fusion version and otherwise runs xform."""
    path = directory / "xform-as-fusion"
    path.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then\n'
        '  echo "dbt-fusion 2.0.0 (wrapping $(' + f"'{xform}'" + ' --version))"\n'
        "  exit 0\n"
        "fi\n"
        f"exec '{xform}' \"$@\"\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(path)


def make_assets(manifest_path: Path, project: DbtProject, sink: list[Invocation]):
    @dbt_assets(manifest=manifest_path, project=project, dagster_dbt_translator=TRANSLATOR)
    def github_activity_dbt(context, dbt: DbtCliResource):
        invocation = dbt.cli(["build"], context=context)
        try:
            yield from invocation.stream()
        finally:
            sink.append(Invocation(list(invocation.process.args), invocation.target_path))
            # When the event stream fails, dagster-dbt leaves the process running; let it
            # finish so it does not hold the DuckDB file's lock into the next test.
            process = invocation.process
            if process.poll() is None:
                if process.stdout and not process.stdout.closed:
                    for _ in process.stdout:
                        pass
                process.wait(timeout=600)

    return github_activity_dbt


@pytest.fixture(scope="module", params=["core", "fusion"])
def deployment(request, tmp_path_factory, xform) -> Deployment:
    style = request.param
    root = tmp_path_factory.mktemp(f"dagster-{style}")
    project_dir = copy_root_project(root / "project")
    profiles_dir = project_dir / "profiles"
    db_path = root / "github_activity.duckdb"
    executable = xform if style == "core" else fusion_wrapper(xform, root)

    # The manifest, the way a user makes it before starting Dagster: `xform parse` in the
    # project, no DBT_TARGET_PATH, so it lands in the project's target-path.
    run_xform(
        xform,
        ["parse", "--profiles-dir", str(profiles_dir)],
        cwd=project_dir,
        env={"XFORM_DUCKDB_PATH": str(db_path)},
    )
    manifest_path = target_dir(project_dir) / "manifest.json"
    assert manifest_path.is_file(), f"`xform parse` wrote no {manifest_path}"
    manifest = json.loads(manifest_path.read_text())

    project = DbtProject(
        project_dir=project_dir,
        profiles_dir=profiles_dir,
        target_path=target_dir(project_dir).relative_to(project_dir),
        target="dev",
    )
    invocations: list[Invocation] = []
    return Deployment(
        style=style,
        executable=executable,
        project_dir=project_dir,
        profiles_dir=profiles_dir,
        db_path=db_path,
        manifest=manifest,
        assets=make_assets(manifest_path, project, invocations),
        resource=DbtCliResource(project_dir=project, dbt_executable=executable),
        invocations=invocations,
    )


@pytest.fixture(scope="module")
def full_build(deployment):
    """Materialise every asset (and run every check) once; later tests build on its data."""
    return deployment.run()


# --------------------------------------------------------------------------------------
# What the manifest says should happen
# --------------------------------------------------------------------------------------


def asset_uids(manifest) -> set[str]:
    return {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ASSET_TYPES
        and node.get("config", {}).get("materialized") != "ephemeral"
    }


def attached_asset(manifest, test_uid) -> str | None:
    """The asset a data test checks: its only parent, else the node it is attached to."""
    test = manifest["nodes"][test_uid]
    parents = test["depends_on"]["nodes"]
    attached = parents[0] if len(parents) == 1 else test.get("attached_node")
    return attached if attached in asset_uids(manifest) else None


def check_test_uids(manifest) -> set[str]:
    """Data tests that become asset checks (unit tests never do)."""
    return {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and attached_asset(manifest, uid)
    }


def descendants(manifest, uid) -> set[str]:
    assets = asset_uids(manifest)
    seen, todo = {uid}, [uid]
    while todo:
        for child in manifest["child_map"].get(todo.pop(), []):
            if child in assets and child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


# --------------------------------------------------------------------------------------
# What happened
# --------------------------------------------------------------------------------------


def failure_text(result) -> str:
    lines = []
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        lines.append(error.to_string() if error else str(event))
    return "\n".join(lines)[-6000:]


def materialized(result) -> Counter:
    return Counter(event.asset_key for event in result.get_asset_materialization_events())


def check_evaluations(result):
    return result.get_asset_check_evaluations()


def assert_success(result, invocations):
    assert result.success, (
        "the Dagster run failed; dbt commands: "
        + "; ".join(" ".join(i.args) for i in invocations)
        + "\n"
        + failure_text(result)
    )


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------


def test_version_selects_event_style(deployment):
    """dagster-dbt takes the first X.Y.Z of `EXE --version`; major >= 2 means dbt Fusion."""
    version = deployment.resource._cli_version
    if deployment.style == "core":
        assert version.major < 2, f"xform --version gave {version}, read as dbt Fusion"
    else:
        assert version.major >= 2


def test_asset_graph_matches_manifest(deployment):
    """One asset per model/seed/snapshot, one check per data test, lineage from depends_on."""
    manifest = deployment.manifest
    key_by_uid = deployment.key_by_uid()
    assert set(key_by_uid) == asset_uids(manifest)
    assert len(key_by_uid) == len(set(key_by_uid.values()))
    assert {uid.split(".")[0] for uid in key_by_uid} == {"model", "seed", "snapshot"}

    checks = deployment.check_key_by_test_uid()
    assert set(checks) == check_test_uids(manifest)
    assert not any(uid.startswith("unit_test.") for uid in checks)
    for test_uid, check_key in checks.items():
        assert check_key.asset_key == key_by_uid[attached_asset(manifest, test_uid)]

    source_keys = {
        uid: TRANSLATOR.get_asset_key(node) for uid, node in manifest["sources"].items()
    }
    deps = {spec.key: {dep.asset_key for dep in spec.deps} for spec in deployment.assets.specs}
    for uid, key in key_by_uid.items():
        parents = manifest["nodes"][uid]["depends_on"].get("nodes", [])
        expected = {key_by_uid.get(p) or source_keys[p] for p in parents}
        assert deps[key] == expected, f"lineage of {uid}"


def test_full_build_materialises_every_asset(deployment, full_build):
    result, invocations = full_build
    assert_success(result, invocations)
    counts = materialized(result)
    expected = set(deployment.key_by_uid().values())
    assert set(counts) == expected, (
        f"{len(counts)} of {len(expected)} assets materialised; missing: "
        f"{sorted(k.to_user_string() for k in expected - set(counts))[:10]}"
    )
    assert all(n == 1 for n in counts.values()), counts


def test_full_build_checks_pass(deployment, full_build):
    result, invocations = full_build
    assert_success(result, invocations)
    evaluations = check_evaluations(result)
    expected = set(deployment.check_key_by_test_uid().values())
    got = Counter(e.asset_check_key for e in evaluations)
    assert set(got) == expected, f"{len(got)} of {len(expected)} checks evaluated"
    assert all(n == 1 for n in got.values()), got
    failed = [e.asset_check_key.to_user_string() for e in evaluations if not e.passed]
    assert not failed, f"checks that did not pass: {failed}"
    for e in evaluations:
        assert not str(e.metadata["unique_id"].value).startswith("unit_test.")


def test_full_build_writes_artifacts_to_dbt_target_path(deployment, full_build):
    """dagster-dbt points DBT_TARGET_PATH at a fresh directory per invocation and reads
    run_results.json (get_artifact) from there."""
    result, invocations = full_build
    assert len(invocations) == 1
    target_path = invocations[0].target_path
    run_results = target_path / "run_results.json"
    assert run_results.is_file(), (
        f"no run_results.json in DBT_TARGET_PATH={target_path}; "
        f"{target_dir(deployment.project_dir)} has {sorted(p.name for p in target_dir(deployment.project_dir).iterdir())}"
    )
    ran = {r["unique_id"] for r in json.loads(run_results.read_text())["results"]}
    assert asset_uids(deployment.manifest) <= ran


def test_full_build_fills_duckdb(deployment, full_build):
    result, invocations = full_build
    assert_success(result, invocations)
    with open(deployment.project_dir / "seeds" / "raw_github_events.csv", newline="") as f:
        seed_rows = sum(1 for _ in csv.reader(f)) - 1
    con = duckdb.connect(str(deployment.db_path), read_only=True)
    try:
        def count(table):
            return con.execute(f"select count(*) from main.{table}").fetchall()[0][0]

        assert count("raw_github_events") == seed_rows
        assert count("fct_events") > 0
        assert count("dim_repo") > 0
    finally:
        con.close()


def test_select_one_asset_and_downstream(deployment, full_build):
    """Materialising fct_events and what depends on it runs exactly those nodes (dagster-dbt
    passes their fqn names to --select)."""
    manifest = deployment.manifest
    key_by_uid = deployment.key_by_uid()
    start = "model.github_activity.fct_events"
    expected_uids = descendants(manifest, start)
    expected = {key_by_uid[uid] for uid in expected_uids}
    assert len(expected) > 1 and len(expected) < len(key_by_uid)

    result, invocations = deployment.run(AssetSelection.assets(key_by_uid[start]).downstream())
    assert_success(result, invocations)
    assert len(invocations) == 1
    args = invocations[0].args
    assert "--select" in args, args
    selected = set(args[args.index("--select") + 1].split())
    assert selected == {".".join(manifest["nodes"][uid]["fqn"]) for uid in expected_uids}

    counts = materialized(result)
    assert set(counts) == expected, (
        f"materialised {sorted(k.to_user_string() for k in counts)}, "
        f"expected {sorted(k.to_user_string() for k in expected)}"
    )
    checks = deployment.check_key_by_test_uid()
    expected_checks = {key for key in checks.values() if key.asset_key in expected}
    got = {e.asset_check_key for e in check_evaluations(result)}
    assert got == expected_checks
    assert all(e.passed for e in check_evaluations(result))


def test_select_asset_with_one_of_its_checks(deployment, full_build):
    """An asset with only one of its checks: dagster-dbt selects the model and that test by
    fqn and sets DBT_INDIRECT_SELECTION=empty, so the model's other tests must not run."""
    manifest = deployment.manifest
    key_by_uid = deployment.key_by_uid()
    model = "model.github_activity.dim_actor"
    tests = sorted(
        uid
        for uid, key in deployment.check_key_by_test_uid().items()
        if key.asset_key == key_by_uid[model]
    )
    assert len(tests) >= 2, "dim_actor should carry several data tests"
    check_key = deployment.check_key_by_test_uid()[tests[0]]

    selection = AssetSelection.assets(key_by_uid[model]).without_checks() | AssetSelection.checks(
        check_key
    )
    result, invocations = deployment.run(selection)
    assert_success(result, invocations)
    args = invocations[0].args
    selected = set(args[args.index("--select") + 1].split())
    assert selected == {".".join(manifest["nodes"][u]["fqn"]) for u in (model, tests[0])}

    assert set(materialized(result)) == {key_by_uid[model]}
    assert [e.asset_check_key for e in check_evaluations(result)] == [check_key]
    observed = [
        e.asset_observation_data.asset_observation.metadata["unique_id"].value
        for e in result.get_asset_observation_events()
    ]
    assert not observed, f"tests outside the selection ran: {observed}"


# --------------------------------------------------------------------------------------
# More than 200 selected resources: dagster-dbt writes a selectors.yml
# --------------------------------------------------------------------------------------

WIDE_MODELS = 205


def write_wide_project(project_dir: Path, db_path: Path) -> None:
    """A project of one seed and WIDE_MODELS views on it."""
    (project_dir / "models").mkdir(parents=True)
    (project_dir / "seeds").mkdir()
    (project_dir / "dbt_project.yml").write_text(
        "name: wide\nversion: '1.0.0'\nconfig-version: 2\nprofile: wide\n"
        "models:\n  wide:\n    +materialized: view\n"
    )
    (project_dir / "profiles.yml").write_text(
        "wide:\n  target: dev\n  outputs:\n    dev:\n"
        f"      type: duckdb\n      path: '{db_path}'\n      schema: main\n      threads: 2\n"
    )
    (project_dir / "seeds" / "numbers.csv").write_text("n\n1\n2\n3\n")
    for i in range(WIDE_MODELS):
        (project_dir / "models" / f"m_{i:03d}.sql").write_text(
            f"select n, n * {i} as v from {{{{ ref('numbers') }}}}\n"
        )


def test_large_selection_uses_generated_selector(tmp_path, xform):
    """Above 200 selected resources dagster-dbt runs `build --selector dagster_run_<id>`
    in a copy of the project with a generated selectors.yml (a `union` of fqn names)."""
    project_dir = tmp_path / "wide"
    db_path = tmp_path / "wide.duckdb"
    write_wide_project(project_dir, db_path)
    run_xform(xform, ["parse", "--profiles-dir", str(project_dir)], cwd=project_dir)
    manifest_path = target_dir(project_dir) / "manifest.json"
    project = DbtProject(
        project_dir=project_dir,
        profiles_dir=project_dir,
        target_path=target_dir(project_dir).relative_to(project_dir),
    )
    invocations: list[Invocation] = []
    assets = make_assets(manifest_path, project, invocations)
    left_out = AssetKey([f"m_{WIDE_MODELS - 1:03d}"])
    result = materialize(
        [assets],
        selection=AssetSelection.all() - AssetSelection.assets(left_out),
        resources={"dbt": DbtCliResource(project_dir=project, dbt_executable=xform)},
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert_success(result, invocations)
    args = invocations[0].args
    assert "--selector" in args and re.fullmatch(
        r"dagster_run_[0-9a-f-]+", args[args.index("--selector") + 1]
    ), args
    counts = materialized(result)
    # the seed and every model but one
    assert len(counts) == WIDE_MODELS, (
        f"{len(counts)} of {WIDE_MODELS} assets materialised by `{' '.join(args)}`"
    )
    assert left_out not in counts
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        views = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        }
    finally:
        con.close()
    assert f"m_{WIDE_MODELS - 2:03d}" in views
    assert left_out.path[-1] not in views


def test_parse_writes_manifest_to_dbt_target_path(tmp_path, xform):
    """What dagster-dbt's project preparer does: `EXE parse --quiet` with DBT_TARGET_PATH set
    to the DbtProject's target_path, then it loads <project>/<target_path>/manifest.json."""
    project_dir = copy_root_project(tmp_path / "project")
    project = DbtProject(
        project_dir=project_dir, profiles_dir=project_dir / "profiles", target_path="dagster-target"
    )
    os.environ["XFORM_DUCKDB_PATH"] = str(tmp_path / "unused.duckdb")
    try:
        DbtCliResource(project_dir=project, dbt_executable=xform).cli(
            ["parse", "--quiet"], target_path=project.target_path
        ).wait()
    finally:
        os.environ.pop("XFORM_DUCKDB_PATH", None)
    assert project.manifest_path.is_file(), (
        f"no {project.manifest_path}; xform wrote "
        f"{sorted(str(p.relative_to(project_dir)) for p in project_dir.rglob('manifest.json'))}"
    )
