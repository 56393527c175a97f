//! An insert_overwrite incremental with `partition_by.copy_partitions: true` -> the steps
//! that replace each partition its new rows touch by a copy job, as dbt-bigquery does (a
//! copy job is not billed; the insert_overwrite MERGE is billed for what it scans).
//!
//! The executor runs, in order:
//! 1. `stage`, one script: the target's schema changes (on_schema_change, as for the
//!    MERGE), then `<table>__dbt_tmp` in the target's dataset, partitioned and clustered
//!    like the target, with the target's columns in the target's order, expiring in 12
//!    hours. A real table, because a copy job cannot read a script's temp table; anything
//!    wrong with the model's SQL fails here, before the target is touched.
//! 2. `partition_ids`: the ids of the partitions the staged rows fill (dynamic), or of
//!    the static `partitions` that hold staged rows.
//! 3. one copy job per id, `<table>__dbt_tmp$<id>` over `<table>$<id>` with
//!    WRITE_TRUNCATE: each partition is replaced all or nothing.
//! 4. `finish`, one script: the static partitions that got no staged rows are emptied,
//!    and staged rows no copy carried (a NULL or out-of-range partition value, or outside
//!    the static list) are inserted, as the MERGE would.
//! 5. `drop`: the staging table goes.
//!
//! Unlike the MERGE this is not one atomic statement: a failure between two copies leaves
//! the partitions copied so far replaced; rerunning the model converges, since every step
//! replaces rather than adds (except step 4's insert, which runs after every copy).

use super::super::PlanError;
use super::super::incremental::schema::{find, same_name};
use super::super::incremental::{IncrementalInput, OnSchemaChange, Strategy};
use super::incremental::Settings;
use super::partition::{PartitionBy, cluster_clause};
use super::quote;
use super::schema_change::{same_type, settle, widenings};
use super::table::declare_max_partition;
use crate::dialect::Dialect;

/// What the executor runs for one copy_partitions incremental, in field order.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyPlan {
    /// The target table's name, in its project and dataset.
    pub table: String,
    pub stage: Vec<String>,
    /// The staging table's name, in the target's project and dataset.
    pub staging: String,
    /// A query of one STRING column: the partition ids to copy.
    pub partition_ids: String,
    pub finish: Vec<String>,
    pub drop: String,
}

/// The copy steps, or `None` when the model does not set `copy_partitions` (it then
/// runs the plan of [`super::incremental::plan`]).
pub fn plan(input: &IncrementalInput) -> Result<Option<CopyPlan>, PlanError> {
    let s = Settings::from_node(input.node)?;
    let Some(p) = s.partition.as_ref().filter(|p| p.copy_partitions) else {
        return Ok(None);
    };
    // `Settings` refuses copy_partitions with any other strategy.
    debug_assert_eq!(s.config.strategy, Strategy::InsertOverwrite);
    let node = input.node;
    let alias = if node.alias.is_empty() {
        &node.name
    } else {
        &node.alias
    };
    let staging_name = format!("{alias}__dbt_tmp");
    let staging = Dialect::BigQuery.relation(&node.database, &node.schema, &staging_name);
    let target = input.target;

    let mut stage: Vec<String> = declare_max_partition(p, target, input.sql)
        .into_iter()
        .collect();
    stage.extend(settle(input, s.config.on_schema_change, &s.always_true())?.statements);
    let columns = target_columns(input, s.config.on_schema_change)?;
    let projection: Vec<String> = columns.iter().map(|c| c.select.clone()).collect();
    let mut ddl = format!("create or replace table {staging}\n{}", p.clause());
    if let Some(cluster) = cluster_clause(node)? {
        ddl.push('\n');
        ddl.push_str(&cluster);
    }
    ddl.push_str(&format!(
        "\noptions(expiration_timestamp=timestamp_add(current_timestamp(), interval 12 hour))\nas (\nselect {}\nfrom (\n{}\n)\n)",
        projection.join(", "),
        input.sql
    ));
    stage.push(ddl);

    let listed = (!s.partitions.is_empty()).then(|| s.partitions.join(", "));
    let rendered = p.render_wrapped(None);
    let (copied, left) = match &listed {
        Some(list) => (
            format!("{} and {rendered} in ({list})", p.partitioned(None)),
            format!("{} or {rendered} not in ({list})", p.unpartitioned(None)),
        ),
        None => (p.partitioned(None), p.unpartitioned(None)),
    };
    let partition_ids = format!(
        "select distinct {} as partition_id\nfrom {staging}\nwhere {copied}\norder by partition_id",
        p.partition_id(None)
    );

    let mut finish = Vec::new();
    if let Some(list) = &listed {
        finish.push(empty_listed(p, target, &staging, list));
    }
    let names: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();
    let names = names.join(", ");
    finish.push(format!(
        "insert into {target} ({names})\nselect {names}\nfrom {staging}\nwhere {left}"
    ));
    Ok(Some(CopyPlan {
        table: alias.clone(),
        stage,
        staging: staging_name,
        partition_ids,
        finish,
        drop: format!("drop table if exists {staging}"),
    }))
}

/// Deletes the rows of the listed partitions that no copy replaces (they hold no staged
/// rows), as the MERGE's `when not matched by source` would.
fn empty_listed(p: &PartitionBy, target: &str, staging: &str, list: &str) -> String {
    let rendered = p.render_wrapped(None);
    format!(
        "delete from {target}\nwhere {rendered} in ({list})\n  and {rendered} not in (\n    select distinct {rendered} from {staging} where {}\n  )",
        p.partitioned(None)
    )
}

/// A column of the staging table: its name and the expression that fills it.
struct Staged {
    name: String,
    select: String,
}

/// The target's columns as they stand once the schema changes ran, each filled from the
/// model's column of that name (cast to the target's type where the target keeps its
/// own), or NULL where the model has none: a copy job needs identical schemas.
fn target_columns(
    input: &IncrementalInput,
    mode: OnSchemaChange,
) -> Result<Vec<Staged>, PlanError> {
    // Patched into the table before the script runs: the target has the model's type.
    let widened: Vec<String> = match mode {
        OnSchemaChange::AppendNewColumns | OnSchemaChange::SyncAllColumns => {
            widenings(input)?.into_iter().map(|w| w.column).collect()
        }
        _ => Vec::new(),
    };
    let keeps_own_type = !matches!(mode, OnSchemaChange::SyncAllColumns);
    let mut out = Vec::new();
    for old in input.existing {
        let column = quote(&old.name);
        let select = match find(input.incoming, &old.name) {
            None if mode == OnSchemaChange::SyncAllColumns => continue,
            None => format!("cast(null as {}) as {column}", old.data_type),
            Some(new)
                if keeps_own_type
                    && !same_type(&old.data_type, &new.data_type)
                    && !widened.iter().any(|w| same_name(w, &old.name)) =>
            {
                format!("cast({column} as {}) as {column}", old.data_type)
            }
            Some(_) => column,
        };
        out.push(Staged {
            name: old.name.clone(),
            select,
        });
    }
    if matches!(
        mode,
        OnSchemaChange::AppendNewColumns | OnSchemaChange::SyncAllColumns
    ) {
        for new in input.incoming {
            if find(input.existing, &new.name).is_none() {
                out.push(Staged {
                    name: new.name.clone(),
                    select: quote(&new.name),
                });
            }
        }
    }
    Ok(out)
}
