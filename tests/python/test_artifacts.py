"""xform's artifacts against dbt's published schemas, as dbt-artifacts-parser models them.

In a temporary copy of the root project: `xform parse` (manifest.json), `xform build`
(manifest.json, run_results.json), then `xform docs generate` (catalog.json). Each file is
parsed with the parser for the schema version its metadata.dbt_schema_version declares.
"""

from __future__ import annotations

import json
import re
import shutil
import typing
from collections import defaultdict
from pathlib import Path

import pytest
from dbt_artifacts_parser import parser as artifacts_parser
from pydantic import BaseModel, TypeAdapter, ValidationError

from xform_testlib import copy_root_project, run_xform, target_dir

SCHEMA_URL = re.compile(r"https://schemas\.getdbt\.com/dbt/([a-z-]+)/v(\d+)\.json")


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory, xform) -> dict[str, Path]:
    """Every artifact, each kept as it was right after the command that wrote it."""
    root = tmp_path_factory.mktemp("artifacts")
    project_dir = copy_root_project(root / "project")
    kept = root / "kept"
    kept.mkdir()
    env = {"XFORM_DUCKDB_PATH": str(root / "github_activity.duckdb")}
    profiles = ["--profiles-dir", str(project_dir / "profiles")]
    target = target_dir(project_dir)
    files: dict[str, Path] = {}

    def keep(name: str, label: str) -> None:
        src = target / name
        if src.is_file():
            files[label] = shutil.copy2(src, kept / f"{label}.json")

    run_xform(xform, ["parse", *profiles], cwd=project_dir, env=env)
    keep("manifest.json", "manifest-parse")
    run_xform(xform, ["build", *profiles], cwd=project_dir, env=env)
    keep("manifest.json", "manifest-build")
    keep("run_results.json", "run_results-build")
    run_xform(xform, ["docs", "generate", *profiles], cwd=project_dir, env=env)
    keep("catalog.json", "catalog-docs")
    return files


def load(artifacts: dict[str, Path], label: str) -> dict:
    assert label in artifacts, f"xform wrote no {label.split('-')[0]}.json"
    return json.loads(artifacts[label].read_text())


def parse_declared(kind: str, data: dict):
    """Parse with the parser of the schema the artifact declares; fail with a digest of the
    validation errors (grouped by resource type for node maps) when it does not fit."""
    declared = data.get("metadata", {}).get("dbt_schema_version", "")
    match = SCHEMA_URL.fullmatch(declared)
    assert match, f"metadata.dbt_schema_version {declared!r} is not a dbt schema URL"
    assert match.group(1).replace("-", "_") == kind, f"{kind} declares {declared}"
    fn_name = f"parse_{kind}_v{match.group(2)}"
    parse_fn = getattr(artifacts_parser, fn_name, None)
    assert parse_fn, f"dbt-artifacts-parser has no {fn_name} (declared {declared})"
    try:
        return parse_fn(data)
    except ValidationError as error:
        failure = error
    model = typing.get_type_hints(parse_fn)["return"]
    pytest.fail(
        f"{kind}.json does not fit {model.__module__}.{model.__name__} ({declared}), "
        f"{failure.error_count()} pydantic errors; per field:\n" + digest(model, data, failure),
        pytrace=False,
    )


# ---- readable failures ---------------------------------------------------------------


def _literal(cls: type[BaseModel], name: str):
    field = cls.model_fields.get(name)
    args = typing.get_args(field.annotation) if field else ()
    return args[0] if args and isinstance(args[0], str) else None


def _variants_by_type(annotation) -> dict[str, list[type[BaseModel]]] | None:
    """For a Dict[str, Union[ModelA, ModelB, ...]] keyed on resource_type: type -> models."""
    if typing.get_origin(annotation) is typing.Union:  # Optional[Dict[...]]
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = inner[0] if len(inner) == 1 else annotation
    if typing.get_origin(annotation) is not dict:
        return None
    value = typing.get_args(annotation)[1]
    variants = typing.get_args(value) if typing.get_origin(value) is typing.Union else ()
    by_type: dict[str, list[type[BaseModel]]] = defaultdict(list)
    for v in variants:
        if isinstance(v, type) and issubclass(v, BaseModel) and _literal(v, "resource_type"):
            by_type[_literal(v, "resource_type")].append(v)
    return by_type or None


def _errors(error: ValidationError) -> list[tuple[str, str]]:
    """(location, problem) per error, with map keys (ids such as model.pkg.name) as <id>."""
    out = []
    for e in error.errors():
        parts = ["<id>" if isinstance(p, str) and "." in p else str(p) for p in e["loc"]]
        out.append((".".join(parts), f"{e['type']}: {e['msg']}"))
    return out


def digest(model: type[BaseModel], data: dict, error: ValidationError, limit: int = 60) -> str:
    """The validation errors, one line per (resource type, field) rather than per node."""
    lines: dict[str, None] = {}
    for name, field in model.model_fields.items():
        variants = _variants_by_type(field.annotation)
        value = data.get(name)
        if variants and isinstance(value, dict):
            # Judge each entry against the schema variant of its own resource_type only.
            for entry in value.values():
                rtype = entry.get("resource_type")
                best = None
                for cls in variants.get(rtype, []):
                    try:
                        cls.model_validate(entry)
                        best = []
                        break
                    except ValidationError as e:
                        if best is None or len(e.errors()) < len(best):
                            best = _errors(e)
                if best is None:
                    lines[f"{name}[{rtype}]: no schema variant has this resource_type"] = None
                for loc, msg in best or []:
                    lines[f"{name}[{rtype}].{loc}: {msg}"] = None
            continue
        if name not in data:
            if field.is_required():
                lines[f"{name}: required top-level key missing"] = None
            continue
        try:
            TypeAdapter(field.annotation).validate_python(value)
        except ValidationError as e:
            for loc, msg in _errors(e):
                lines[f"{name}.{loc}: {msg}" if loc else f"{name}: {msg}"] = None
    for extra in sorted(set(data) - set(model.model_fields)):
        lines[f"{extra}: top-level key not in the schema"] = None
    text = sorted(lines)
    more = f"\n... and {len(text) - limit} more" if len(text) > limit else ""
    return "\n".join(text[:limit]) + more if text else str(error)[:4000]


# ---- the tests -----------------------------------------------------------------------


def _model_uids(data: dict) -> set[str]:
    return {uid for uid, n in data["nodes"].items() if n["resource_type"] == "model"}


@pytest.mark.parametrize("label", ["manifest-parse", "manifest-build"])
def test_manifest_parses(artifacts, label):
    data = load(artifacts, label)
    manifest = parse_declared("manifest", data)
    assert manifest.metadata.project_name == "github_activity"
    assert manifest.metadata.adapter_type == "duckdb"
    assert manifest.metadata.invocation_id
    models = _model_uids(data)
    assert models and models <= set(manifest.nodes)
    for uid in models:
        node = manifest.nodes[uid]
        assert node.unique_id == uid
        assert node.fqn[0] == "github_activity"
        assert node.config.materialized in {"view", "table", "incremental", "ephemeral"}
        assert node.checksum.checksum, f"{uid} has an empty checksum"
    assert manifest.sources and manifest.parent_map and manifest.child_map
    assert manifest.unit_tests, "the root project's unit tests are missing"
    fct = manifest.nodes["model.github_activity.fct_events"]
    assert "model.github_activity.stg_github__events" in fct.depends_on.nodes


def test_run_results_parse(artifacts):
    data = load(artifacts, "run_results-build")
    results = parse_declared("run_results", data)
    assert results.metadata.invocation_id
    assert results.elapsed_time > 0
    by_uid = {r.unique_id: r for r in results.results}
    manifest = load(artifacts, "manifest-build")
    assert _model_uids(manifest) <= set(by_uid)
    for uid, result in by_uid.items():
        # exposures are in a build's results too, as no-ops
        ok = {"success", "pass"} | ({"no-op"} if uid.startswith("exposure.") else set())
        assert result.status.value in ok, f"{uid}: {result.status}"
        assert result.thread_id
        assert result.execution_time >= 0
        assert {t.name for t in result.timing} >= {"compile", "execute"}, uid
    model = by_uid["model.github_activity.dim_repo"]
    assert model.adapter_response and model.relation_name


def test_catalog_parses(artifacts):
    data = load(artifacts, "catalog-docs")
    catalog = parse_declared("catalog", data)
    assert catalog.metadata.invocation_id
    manifest = load(artifacts, "manifest-build")
    built = {
        uid
        for uid, n in manifest["nodes"].items()
        if n["resource_type"] in {"model", "seed", "snapshot"}
        and n["config"].get("materialized") != "ephemeral"
    }
    assert built <= set(catalog.nodes)
    dim_repo = catalog.nodes["model.github_activity.dim_repo"]
    assert dim_repo.metadata.type.upper() in {"BASE TABLE", "TABLE"}
    assert dim_repo.columns and all(c.type for c in dim_repo.columns.values())
    assert sorted(c.index for c in dim_repo.columns.values())[0] == 1
    assert set(catalog.sources) == set(manifest["sources"])
