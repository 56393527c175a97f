//! Incremental models on BigQuery: the model's compiled SQL + the table's and the model's
//! columns -> one script that brings the new rows in (pure: no I/O here).
//!
//! Strategies (`incremental_strategy`): `merge` (the default), `insert_overwrite`,
//! `append`; anything else is refused, `microbatch` as not supported yet. dbt-bigquery's
//! shapes, with `DBT_INTERNAL_DEST` / `DBT_INTERNAL_SOURCE` usable in
//! `incremental_predicates`:
//!
//! - merge: `merge into <t> as DBT_INTERNAL_DEST using <source> as DBT_INTERNAL_SOURCE
//!   on (<key parts>) and (<predicates>) when matched then update set ... when not matched
//!   then insert ...`. `unique_key` is a column, a comma-separated string or a list; each
//!   part gets its own `=` (or `is not distinct from` with xform's
//!   `null_safe_unique_key: true`, which BigQuery and the emulator both support). With no
//!   key the condition is `FALSE` and every row is inserted. With on_schema_change
//!   `ignore` the model's SQL is the USING source itself; otherwise its rows are staged in
//!   the script temp table `<alias>__dbt_tmp` and the table's schema is settled first (see
//!   `schema_change`). `require_partition_filter` gets dbt's always-true partition
//!   condition so the MERGE is allowed.
//! - insert_overwrite (needs `partition_by`): the partitions the new rows fall in are
//!   replaced by them, in one MERGE (`on FALSE`, `when not matched by source and <in the
//!   partitions> then delete`, `when not matched then insert`), atomic by itself. Static
//!   `partitions: [...]` (SQL literals) names them; otherwise they are the staged rows'
//!   distinct values of the partition expression, `SET` into
//!   `dbt_partitions_for_replacement` (rows whose partition column is NULL are inserted,
//!   the NULL partition is never replaced: an array holding NULL is an error in BigQuery).
//!   As in dbt, int64 partitions are replaced by value, not by whole range bucket, and
//!   `unique_key` and `incremental_predicates` are not used. `copy_partitions: true`
//!   replaces the partitions by copy jobs instead of the MERGE: see [`super::copy_partitions`].
//! - append: `insert into <t> (<columns>) select <columns> from <source>`.
//! - `_dbt_max_partition` in the model's SQL gets dbt's declaration (the table's greatest
//!   partition value) at the top of the script.
//!
//! # Partition-pruned merge (xform, not dbt)
//!
//! dbt's merge reads the whole target table to find matching keys. When the target is
//! partitioned and the merge has a `unique_key`, xform restricts the target side to the
//! partitions the new rows fall in, so BigQuery scans only those. On by default; turn it
//! off per model with `partition_prune_merge: false` to get dbt's plain MERGE. The
//! script (a day-partitioned `date` column `d`):
//!
//! ```sql
//! declare dbt_merge_partitions array<date>;
//! create or replace temp table `fct__dbt_tmp` as (<model sql>);
//! set dbt_merge_partitions = (
//!   select array_agg(distinct date(d)) from `fct__dbt_tmp` where d is not null
//! );
//! merge into <t> as DBT_INTERNAL_DEST using `fct__dbt_tmp` as DBT_INTERNAL_SOURCE
//! on (DBT_INTERNAL_SOURCE.id = DBT_INTERNAL_DEST.id)
//!   and (date(DBT_INTERNAL_DEST.d) in unnest(dbt_merge_partitions)
//!        or DBT_INTERNAL_DEST.d is null)
//! when matched then update set ... when not matched then insert ...
//! ```
//!
//! Why this shape: BigQuery prunes a MERGE by a constant filter on the target's partition
//! column in the ON clause, and a script variable is a constant to the statement (a
//! subquery would not prune). It is the partition filter dbt's own insert_overwrite uses,
//! and it runs on the emulator (whose failures with dbt's script came from
//! `SET (v) = (SELECT AS STRUCT ...)`, see the module above). A min/max range in two
//! variables works too but rescans every partition between two far-apart dates. The NULL
//! partition is always included so rows with a NULL partition value still match.
//!
//! The one assumption, which is why it can be turned off: a key's row stays in its
//! partition. A new row for a key whose old row sits in a partition none of the new rows
//! touch is inserted beside it instead of updating it (e.g. a table partitioned by
//! `updated_at`; partition by creation time, or turn pruning off).

use serde_json::Value as Json;

use super::super::PlanError;
use super::super::incremental::{
    DEST, IncrementalConfig, IncrementalInput, OnSchemaChange, SOURCE, Strategy, UniqueKey,
    string_list, update_columns,
};
use super::options::{self, Kind, requires_partition_filter};
use super::partition::{PartitionBy, cluster_clause};
use super::schema_change::settle;
use super::table::declare_max_partition;
use super::{quote, temp_table};
use crate::dialect::Dialect;
use crate::node::Node;

/// The variable insert_overwrite fills with the partitions to replace (dbt's name).
const REPLACE_VAR: &str = "dbt_partitions_for_replacement";
/// The variable the pruned merge fills with the partitions it may touch.
const PRUNE_VAR: &str = "dbt_merge_partitions";

/// Every config key a BigQuery incremental reads, checked.
pub(super) struct Settings {
    pub config: IncrementalConfig,
    pub partition: Option<PartitionBy>,
    /// insert_overwrite's static `partitions`, SQL literals.
    pub partitions: Vec<String>,
    /// `partition_prune_merge` (default true).
    prune: bool,
    pub require_partition_filter: bool,
}

impl Settings {
    pub fn from_node(node: &Node) -> Result<Settings, PlanError> {
        let config = IncrementalConfig::for_dialect(node, Dialect::BigQuery)?;
        let partition = PartitionBy::from_node(node)?;
        // Checked here too, so `validate` reports them before anything runs.
        cluster_clause(node)?;
        options::clause(node, Kind::Table)?;
        let invalid = |key: &str, problem: String| PlanError::InvalidConfig {
            node: node.unique_id.clone(),
            key: key.into(),
            problem,
        };
        let partitions =
            string_list(node, "partitions").map_err(|p| invalid("partitions", p.into()))?;
        let prune = match node.config.get("partition_prune_merge") {
            None | Some(Json::Null) => true,
            Some(Json::Bool(b)) => *b,
            Some(other) => {
                return Err(invalid(
                    "partition_prune_merge",
                    format!("must be true or false, got {other}"),
                ));
            }
        };
        let overwrite = config.strategy == Strategy::InsertOverwrite;
        match &partition {
            None if overwrite => {
                return Err(invalid(
                    "partition_by",
                    "is required by incremental_strategy insert_overwrite".into(),
                ));
            }
            Some(p) if p.copy_partitions && !overwrite => {
                return Err(invalid(
                    "partition_by",
                    format!(
                        "sets copy_partitions, which needs incremental_strategy insert_overwrite (not {})",
                        config.strategy.as_str()
                    ),
                ));
            }
            _ => {}
        }
        Ok(Settings {
            require_partition_filter: requires_partition_filter(node),
            config,
            partition,
            partitions,
            prune,
        })
    }

    /// A WHERE condition true of every row that satisfies `require_partition_filter`
    /// when the table has to be rewritten, "" when the table does not require one.
    pub fn always_true(&self) -> String {
        match &self.partition {
            Some(p) if self.require_partition_filter => {
                let c = p.column(None);
                format!("({c} is null or {c} is not null)")
            }
            _ => String::new(),
        }
    }

    /// The partition of a pruned merge, when one applies.
    fn pruned_by(&self) -> Option<&PartitionBy> {
        let keyed = self.config.unique_key != UniqueKey::None;
        (self.config.strategy == Strategy::Merge && keyed && self.prune)
            .then_some(self.partition.as_ref())
            .flatten()
    }
}

/// Checks a BigQuery incremental model's config.
pub fn validate(node: &Node) -> Result<(), PlanError> {
    Settings::from_node(node).map(drop)
}

/// The statements of one incremental run, joined by the adapter into one script.
pub fn plan(input: &IncrementalInput) -> Result<Vec<String>, PlanError> {
    let node = input.node;
    let s = Settings::from_node(node)?;
    let target = input.target;
    let staging = temp_table(node, "__dbt_tmp");
    let mut declares = Vec::new();
    let mut body = Vec::new();
    if let Some(p) = &s.partition
        && let Some(declare) = declare_max_partition(p, target, input.sql)
    {
        declares.push(declare);
    }
    // The partition variable to fill from the staged rows, and the partition it reads.
    let fill = match (s.config.strategy, &s.partition, s.pruned_by()) {
        (Strategy::InsertOverwrite, Some(p), _) if s.partitions.is_empty() => {
            Some((REPLACE_VAR, p))
        }
        (_, _, Some(p)) => Some((PRUNE_VAR, p)),
        _ => None,
    };
    let stage = s.config.on_schema_change != OnSchemaChange::Ignore || fill.is_some();
    if stage {
        body.push(format!(
            "create or replace temp table {staging} as (\n{}\n)",
            input.sql
        ));
    }
    if let Some((var, p)) = fill {
        declares.push(format!("declare {var} array<{}>", p.data_type.as_str()));
        body.push(format!(
            "set {var} = (\n  select array_agg(distinct {})\n  from {staging}\n  where {} is not null\n)",
            p.render_wrapped(None),
            p.column(None)
        ));
    }
    let settled = settle(input, s.config.on_schema_change, &s.always_true())?;
    body.extend(settled.statements);
    let source = if stage {
        staging
    } else {
        format!("(\n{}\n)", input.sql)
    };
    let write = Write {
        settings: &s,
        node,
        target,
        source: &source,
        columns: &settled.columns,
    };
    body.push(match s.config.strategy {
        Strategy::Merge => write.merge()?,
        Strategy::InsertOverwrite => write.insert_overwrite(),
        Strategy::Append | Strategy::DeleteInsert => write.append(),
    });
    declares.extend(body);
    Ok(declares)
}

/// What a strategy's statement is written from.
struct Write<'a> {
    settings: &'a Settings,
    node: &'a Node,
    target: &'a str,
    /// The staged temp table, or the model's SQL in parentheses.
    source: &'a str,
    /// Unquoted destination columns.
    columns: &'a [String],
}

impl Write<'_> {
    fn quoted(&self) -> Vec<String> {
        self.columns.iter().map(|c| quote(c)).collect()
    }

    fn insert_clause(&self) -> String {
        let columns = self.quoted();
        let values: Vec<String> = columns.iter().map(|c| format!("{SOURCE}.{c}")).collect();
        format!(
            "when not matched then insert ({}) values ({})",
            columns.join(", "),
            values.join(", ")
        )
    }

    fn merge(&self) -> Result<String, PlanError> {
        let config = &self.settings.config;
        let op = if config.null_safe_unique_key {
            "is not distinct from"
        } else {
            "="
        };
        let mut on: Vec<String> = config
            .unique_key
            .parts()
            .iter()
            .map(|k| format!("{SOURCE}.{k} {op} {DEST}.{k}"))
            .collect();
        let keyed = !on.is_empty();
        if !keyed {
            on.push("FALSE".into());
        }
        on.extend(config.predicates.iter().cloned());
        match (self.settings.pruned_by(), &self.settings.partition) {
            (Some(p), _) => on.push(format!(
                "{} in unnest({PRUNE_VAR}) or {} is null",
                p.render_wrapped(Some(DEST)),
                p.column(Some(DEST))
            )),
            (None, Some(p)) if self.settings.require_partition_filter => {
                let c = p.column(Some(DEST));
                on.push(format!("{c} is null or {c} is not null"));
            }
            _ => {}
        }
        let mut sql = format!(
            "merge into {} as {DEST}\nusing {} as {SOURCE}\non ({})",
            self.target,
            self.source,
            on.join(")\n  and (")
        );
        let updates = update_columns(config, self.columns, &self.node.unique_id)?;
        if keyed && !updates.is_empty() {
            let sets: Vec<String> = updates
                .iter()
                .map(|c| {
                    let c = quote(c);
                    format!("{c} = {SOURCE}.{c}")
                })
                .collect();
            sql.push_str(&format!(
                "\nwhen matched then update set {}",
                sets.join(", ")
            ));
        }
        sql.push('\n');
        sql.push_str(&self.insert_clause());
        Ok(sql)
    }

    fn insert_overwrite(&self) -> String {
        let Some(p) = &self.settings.partition else {
            // `Settings` refuses insert_overwrite without a partition_by.
            return self.append();
        };
        let partitions = if self.settings.partitions.is_empty() {
            format!("unnest({REPLACE_VAR})")
        } else {
            format!("({})", self.settings.partitions.join(", "))
        };
        format!(
            "merge into {} as {DEST}\nusing {} as {SOURCE}\non FALSE\nwhen not matched by source and {} in {partitions} then delete\n{}",
            self.target,
            self.source,
            p.render_wrapped(Some(DEST)),
            self.insert_clause()
        )
    }

    fn append(&self) -> String {
        let list = self.quoted().join(", ");
        format!(
            "insert into {} ({list})\nselect {list}\nfrom {}",
            self.target, self.source
        )
    }
}
