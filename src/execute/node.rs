//! One node's run: a compiled node + the warehouse -> built relation or test verdict, with
//! the statements executed (for target/run) and dbt's status for run_results.json.

use std::path::Path;
use std::time::Instant;

use serde_json::{Value as Json, json};

use crate::adapter::{Adapter, AdapterError, RelationKind};
use crate::dialect::Dialect;
use crate::node::{Node, ResourceType};
use crate::plan::{self, incremental, snapshot};

/// dbt's node statuses, as written in run_results.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Success,
    Error,
    Skipped,
    Pass,
    Fail,
    Warn,
    /// Nothing to run (an exposure in `build`), reported as dbt does.
    NoOp,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Success => "success",
            RunStatus::Error => "error",
            RunStatus::Skipped => "skipped",
            RunStatus::Pass => "pass",
            RunStatus::Fail => "fail",
            RunStatus::Warn => "warn",
            RunStatus::NoOp => "no-op",
        }
    }

    /// Whether dependents must be skipped (a build error or an error-severity failure).
    pub fn blocks(self) -> bool {
        matches!(
            self,
            RunStatus::Error | RunStatus::Fail | RunStatus::Skipped
        )
    }
}

/// What happened to one node.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: RunStatus,
    /// dbt's short description (`created sql view model`, `loaded seed file`) or the
    /// error text.
    pub message: String,
    /// Failing rows of a test.
    pub failures: Option<u64>,
    /// Rows written, where the warehouse tells.
    pub rows_affected: Option<u64>,
    /// The statements that built the node, for target/run.
    pub executed: Vec<String>,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub seconds: f64,
    /// The worker thread that ran it (1-based).
    pub thread: usize,
}

impl Outcome {
    pub fn adapter_response(&self) -> Json {
        match self.rows_affected {
            Some(n) => json!({"_message": format!("OK {n}"), "code": "OK", "rows_affected": n}),
            None if self.status.blocks() => json!({}),
            None => json!({"_message": "OK", "code": "OK"}),
        }
    }
}

/// What every node run needs besides the node itself.
pub struct RunContext<'a> {
    pub adapter: &'a dyn Adapter,
    /// The project root: seed files are read relative to it.
    pub root: &'a Path,
    pub full_refresh: bool,
    /// `--store-failures` for every test.
    pub store_failures: bool,
    /// Selected seeds' CSV files, read and typed before anything ran (by unique id).
    pub seeds: &'a std::collections::HashMap<String, crate::seed::SeedTable>,
    /// What unit tests render their model with (None: unit tests error).
    pub unit: Option<&'a crate::testing::unit::UnitEnv<'a>>,
    /// What exists in the warehouse, kept current as nodes build.
    pub relations: &'a super::RelationCache,
}

/// A step failed: the message shown to the user (the warehouse's own words).
pub struct Failed(pub String);

impl From<AdapterError> for Failed {
    fn from(e: AdapterError) -> Failed {
        Failed(e.to_string())
    }
}

impl From<plan::PlanError> for Failed {
    fn from(e: plan::PlanError) -> Failed {
        Failed(e.to_string())
    }
}

/// Runs one node and reports its outcome; never panics on warehouse errors.
pub fn run_node(node: &Node, ctx: &RunContext) -> Outcome {
    let started_at = chrono::Utc::now();
    let clock = Instant::now();
    let mut executed = Vec::new();
    let result = crate::adapter::for_node(&node.unique_id, || match node.resource_type {
        ResourceType::Test => crate::testing::data::run(node, ctx, &mut executed),
        ResourceType::UnitTest => crate::testing::unit::run(node, ctx, &mut executed),
        ResourceType::Seed => build_seed(node, ctx, &mut executed),
        ResourceType::Snapshot => build_snapshot(node, ctx, &mut executed),
        _ => build_model(node, ctx, &mut executed),
    });
    let (status, message, failures, rows_affected) = match result {
        Ok(v) => (v.status, v.message, v.failures, v.rows_affected),
        Err(Failed(message)) => (RunStatus::Error, message, None, None),
    };
    Outcome {
        status,
        message,
        failures,
        rows_affected,
        executed,
        started_at,
        seconds: clock.elapsed().as_secs_f64(),
        thread: super::schedule::worker_id(),
    }
}

/// The part of an outcome a runner decides.
pub struct Verdict {
    pub status: RunStatus,
    pub message: String,
    pub failures: Option<u64>,
    pub rows_affected: Option<u64>,
}

impl Verdict {
    pub fn success(message: String) -> Verdict {
        Verdict {
            status: RunStatus::Success,
            message,
            failures: None,
            rows_affected: None,
        }
    }
}

/// Runs a plan: preparation statements, then the atomic part in one transaction.
pub(crate) fn execute_plan(
    ctx: &RunContext,
    p: &plan::Plan,
    executed: &mut Vec<String>,
) -> Result<(), Failed> {
    for statement in &p.prepare {
        ctx.adapter.execute(statement)?;
        executed.push(statement.clone());
    }
    if !p.atomic.is_empty() {
        executed.extend(p.atomic.iter().cloned());
        ctx.adapter.execute_atomically(&p.atomic)?;
    }
    Ok(())
}

fn existing_kind(ctx: &RunContext, node: &Node) -> Result<Option<RelationKind>, Failed> {
    Ok(ctx
        .relations
        .kind(&node.database, &node.schema, &node.alias))
}

fn record_built(ctx: &RunContext, node: &Node, kind: RelationKind) {
    ctx.relations
        .built(&node.database, &node.schema, &node.alias, kind);
}

fn build_model(
    node: &Node,
    ctx: &RunContext,
    executed: &mut Vec<String>,
) -> Result<Verdict, Failed> {
    let existing = existing_kind(ctx, node)?;
    let materialized = node.materialized();
    let p = if materialized == "incremental" {
        plan_incremental(node, ctx, existing, executed)?
    } else {
        plan::plan(node, ctx.adapter.dialect(), existing)?
    };
    let Some(p) = p else {
        return Ok(Verdict::success("ephemeral".into()));
    };
    let kind = match materialized {
        "view" => RelationKind::View,
        _ => RelationKind::Table,
    };
    match execute_plan(ctx, &p, executed) {
        Err(Failed(message))
            if ctx.adapter.dialect() == Dialect::BigQuery
                && existing == Some(RelationKind::Table)
                && p.atomic
                    .iter()
                    .any(|s| s.starts_with("create or replace table"))
                && plan::bigquery::table::refused_for_spec(&message) =>
        {
            // The partitioning or clustering changed: BigQuery wants a drop first.
            let sql = node
                .compiled_code
                .as_deref()
                .ok_or_else(|| Failed(format!("`{}` was not compiled", node.name)))?;
            let rebuild = plan::bigquery::table::plan_rebuild(node, sql)?;
            execute_plan(ctx, &rebuild, executed)?;
        }
        other => other?,
    }
    record_built(ctx, node, kind);
    Ok(Verdict::success(format!("sql {materialized} model")))
}

/// An incremental model builds a table on its first run, on --full-refresh and over a
/// view; otherwise it merges the new rows in by its strategy.
fn plan_incremental(
    node: &Node,
    ctx: &RunContext,
    existing: Option<RelationKind>,
    executed: &mut Vec<String>,
) -> Result<Option<plan::Plan>, Failed> {
    let dialect = ctx.adapter.dialect();
    if existing != Some(RelationKind::Table) || full_refresh(node, ctx) {
        return Ok(Some(plan::plan_as(
            node,
            dialect,
            existing,
            RelationKind::Table,
        )?));
    }
    let sql = node
        .compiled_code
        .as_deref()
        .ok_or_else(|| Failed(format!("`{}` was not compiled", node.name)))?;
    let target = dialect.relation(&node.database, &node.schema, &node.alias);
    let existing = ctx
        .adapter
        .columns(&node.database, &node.schema, &node.alias)?;
    let incoming = ctx.adapter.describe(sql)?;
    let input = incremental::IncrementalInput {
        node,
        dialect,
        sql,
        target: &target,
        existing: &existing,
        incoming: &incoming,
    };
    // Planned first, so a plan that fails (on_schema_change: fail) changes nothing.
    let copy = match dialect {
        Dialect::BigQuery => plan::bigquery::copy_partitions::plan(&input)?,
        _ => None,
    };
    let atomic = match copy {
        Some(_) => Vec::new(),
        None => incremental::plan_incremental(&input)?,
    };
    if dialect == Dialect::BigQuery {
        // Adding nullable nested fields is harmless if the script then fails.
        for w in plan::bigquery::widenings(&input)? {
            ctx.adapter.widen_struct(
                &node.database,
                &node.schema,
                &node.alias,
                &w.column,
                &w.data_type,
            )?;
            // Shown in target/run beside the script, as the step it is.
            executed.push(format!(
                "-- tables.patch {target}: added {} to the STRUCT column {}",
                w.fields.join(", "),
                w.column
            ));
        }
    }
    if let Some(copy) = copy {
        // Its steps run here; nothing is left for the atomic part.
        copy_partitions(ctx, node, &copy, executed)?;
    }
    Ok(Some(plan::Plan {
        prepare: Vec::new(),
        atomic,
    }))
}

/// Runs a copy_partitions plan; the staging table is dropped whether or not it succeeds.
fn copy_partitions(
    ctx: &RunContext,
    node: &Node,
    copy: &plan::bigquery::copy_partitions::CopyPlan,
    executed: &mut Vec<String>,
) -> Result<(), Failed> {
    executed.extend(copy.stage.iter().cloned());
    ctx.adapter.execute_atomically(&copy.stage)?;
    let copied = (|| -> Result<(), Failed> {
        executed.push(copy.partition_ids.clone());
        let ids = ctx.adapter.query(&copy.partition_ids)?;
        for row in &ids.rows {
            let id = row.first().and_then(Json::as_str).unwrap_or_default();
            // Ids come from BigQuery's own formatting; anything else would be a decorator
            // xform did not mean.
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                return Err(Failed(format!(
                    "`{}`: `{id}` is not a partition id xform can copy",
                    node.name
                )));
            }
            // Shown in target/run beside the SQL, as the step it is.
            executed.push(format!(
                "-- copy job: {staging}${id} over {target}${id} (write_truncate)",
                staging = copy.staging,
                target = copy.table
            ));
            ctx.adapter.copy_partition(
                (&node.database, &node.schema),
                &copy.staging,
                &copy.table,
                id,
            )?;
        }
        executed.extend(copy.finish.iter().cloned());
        ctx.adapter.execute_atomically(&copy.finish)?;
        Ok(())
    })();
    executed.push(copy.drop.clone());
    let dropped = ctx.adapter.execute(&copy.drop);
    copied?;
    dropped.map_err(Failed::from)
}

/// dbt's should_full_refresh: the node's `full_refresh` config wins over the flag.
pub fn full_refresh(node: &Node, ctx: &RunContext) -> bool {
    node.config
        .get("full_refresh")
        .and_then(Json::as_bool)
        .unwrap_or(ctx.full_refresh)
}

fn build_seed(
    node: &Node,
    ctx: &RunContext,
    executed: &mut Vec<String>,
) -> Result<Verdict, Failed> {
    let table = ctx
        .seeds
        .get(&node.unique_id)
        .ok_or_else(|| Failed(format!("seed `{}` was not read", node.name)))?;
    let existing = existing_kind(ctx, node)?;
    let existing_columns = match existing {
        Some(_) => ctx
            .adapter
            .columns(&node.database, &node.schema, &node.alias)?,
        None => Vec::new(),
    };
    let csv_path = ctx.root.join(&node.origin.file);
    let csv_path = csv_path.to_string_lossy();
    let p = plan::seed::plan_seed(
        &plan::seed::SeedLoad {
            node,
            table,
            csv_path: &csv_path,
            existing,
            existing_columns: &existing_columns,
            full_refresh: full_refresh(node, ctx),
        },
        ctx.adapter.dialect(),
    )?;
    execute_plan(ctx, &p, executed)?;
    record_built(ctx, node, RelationKind::Table);
    Ok(Verdict {
        status: RunStatus::Success,
        message: format!("INSERT {}", table.rows),
        failures: None,
        rows_affected: Some(table.rows as u64),
    })
}

fn build_snapshot(
    node: &Node,
    ctx: &RunContext,
    executed: &mut Vec<String>,
) -> Result<Verdict, Failed> {
    let dialect = ctx.adapter.dialect();
    let existing = match existing_kind(ctx, node)? {
        Some(RelationKind::View) => {
            return Err(Failed(format!(
                "the snapshot target {}.{} is a view; snapshots need a table (drop the view)",
                node.schema, node.alias
            )));
        }
        Some(RelationKind::Table) => Some(ctx.adapter.columns(
            &node.database,
            &node.schema,
            &node.alias,
        )?),
        None => None,
    };
    let sql = node
        .compiled_code
        .as_deref()
        .ok_or_else(|| Failed(format!("`{}` was not compiled", node.name)))?;
    let source_columns = ctx.adapter.describe(sql)?;
    let target = dialect.relation(&node.database, &node.schema, &node.alias);
    let atomic = snapshot::plan_snapshot(&snapshot::SnapshotInput {
        node,
        dialect,
        sql,
        target: &target,
        existing: existing.as_deref(),
        source_columns: &source_columns,
    })?;
    let p = plan::Plan {
        prepare: vec![format!(
            "create schema if not exists {}",
            dialect.relation(&node.database, &node.schema, "")
        )],
        atomic,
    };
    execute_plan(ctx, &p, executed)?;
    record_built(ctx, node, RelationKind::Table);
    Ok(Verdict::success("snapshot".into()))
}
