"""Helpers for the Python-side tests: which xform binary to run, and how to lay out a
throw-away copy of the root dbt project (so no test writes into the checkout)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]

# Variables a developer's shell may carry that would change where xform reads or writes.
# Every subprocess started here runs without them unless a test sets them on purpose.
DBT_ENV = (
    "DBT_TARGET_PATH",
    "DBT_LOG_PATH",
    "DBT_LOG_FORMAT",
    "DBT_PROFILES_DIR",
    "DBT_PROJECT_DIR",
    "DBT_INDIRECT_SELECTION",
)


def xform_executable() -> str:
    """The xform binary under test: $XFORM, else `xform` on PATH (absolute path returned)."""
    wanted = os.environ.get("XFORM", "xform")
    found = shutil.which(wanted)
    if not found:
        pytest.fail(f"xform binary {wanted!r} not found (set XFORM to its path)", pytrace=False)
    return os.path.abspath(found)


def project_paths(project_yml: dict) -> list[str]:
    """The directories a dbt project reads, from its dbt_project.yml (dbt's defaults otherwise)."""
    defaults = {
        "model-paths": ["models"],
        "seed-paths": ["seeds"],
        "macro-paths": ["macros"],
        "snapshot-paths": ["snapshots"],
        "analysis-paths": ["analyses"],
        "test-paths": ["tests"],
        "docs-paths": [],
    }
    dirs: list[str] = []
    for key, default in defaults.items():
        for entry in project_yml.get(key, default) or []:
            if entry not in dirs:
                dirs.append(entry)
    return dirs


def copy_root_project(dest: Path) -> Path:
    """Copy the root project's dbt files (not Cargo's tests/ or the target dir) to `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    project_yml = yaml.safe_load((REPO / "dbt_project.yml").read_text())
    for name in project_paths(project_yml) + ["profiles"]:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
    for name in ("dbt_project.yml", "selectors.yml", "packages.yml", "dependencies.yml"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, dest / name)
    return dest


def target_dir(project_dir: Path) -> Path:
    """Where the project's artifacts go when DBT_TARGET_PATH is not set: its `target-path`."""
    project_yml = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    return project_dir / project_yml.get("target-path", "target")


def run_xform(xform: str, args: list[str], cwd: Path, env: dict[str, str] | None = None):
    """Run xform and fail the test with its output when it exits non-zero."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [xform, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=900
    )
    if proc.returncode != 0:
        pytest.fail(
            f"`xform {' '.join(args)}` (cwd {cwd}) exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}",
            pytrace=False,
        )
    return proc
