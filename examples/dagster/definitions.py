"""Dagster definitions for the github_activity project, with xform as the dbt executable.

Every model, seed and snapshot of the root project becomes a Dagster asset (lineage from the
manifest's depends_on), and every data test attached to one becomes an asset check.

The profile target picks the warehouse:
    XFORM_DBT_TARGET=dev   (default) DuckDB, the file named by XFORM_DUCKDB_PATH
                           (default github_activity.duckdb in the repository root)
    XFORM_DBT_TARGET=prod  BigQuery, project XFORM_BQ_PROJECT, application default credentials
XFORM names the xform binary (default: `xform` on PATH).

See README.md beside this file.
"""

import os
from pathlib import Path

from dagster import AssetExecutionContext, Definitions
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

REPO = Path(__file__).resolve().parents[2]
XFORM = os.environ.get("XFORM", "xform")
TARGET = os.environ.get("XFORM_DBT_TARGET", "dev")

# target_path matches dbt_project.yml's `target-path` (Cargo owns target/ in this repository).
project = DbtProject(
    project_dir=REPO,
    profiles_dir=REPO / "profiles",
    target=TARGET,
    target_path="xform-target",
)

# dagster-dbt's own preparer would run `dbt parse`, so the manifest is made here with xform:
# always under `dagster dev` (picks up edits to the project), otherwise only when missing.
if os.environ.get("DAGSTER_IS_DEV_CLI") or not project.manifest_path.exists():
    DbtCliResource(project_dir=project, dbt_executable=XFORM).cli(
        ["parse", "--quiet"], target_path=project.target_path
    ).wait()

# The staging models read the source github.raw_github_events, which is the very table the
# seed raw_github_events loads (and they also ref the seed). With source metadata on the
# dependency, Dagster re-points it at the seed asset because the table names match, the
# models then depend on the seed twice, and selecting a subset of assets fails. Without that
# metadata the source stays an external asset of its own.
translator = DagsterDbtTranslator(DagsterDbtTranslatorSettings(enable_source_metadata=False))


@dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=translator)
def github_activity(context: AssetExecutionContext, dbt: DbtCliResource):
    # One artifacts directory per run, inside xform-target/ rather than dagster-dbt's
    # default of target/.
    run_dir = project.target_path / "dagster" / context.run.run_id
    yield from dbt.cli(["build"], context=context, target_path=run_dir).stream()


defs = Definitions(
    assets=[github_activity],
    resources={"dbt": DbtCliResource(project_dir=project, dbt_executable=XFORM)},
)
