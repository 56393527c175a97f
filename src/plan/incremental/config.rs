//! An incremental model's config (`node.config`) -> a checked `IncrementalConfig`, or the
//! `PlanError` naming the key that is wrong.

use serde_json::Value as Json;

use super::super::PlanError;
use crate::dialect::Dialect;
use crate::node::Node;

/// How new rows reach the existing table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Insert every staged row.
    Append,
    /// Delete the target rows whose key is staged, then insert every staged row (a plain
    /// insert when there is no `unique_key`).
    DeleteInsert,
    /// `merge into`: update matched rows, insert the others.
    Merge,
    /// BigQuery only: replace whole partitions of the table with the staged rows.
    InsertOverwrite,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Append => "append",
            Strategy::DeleteInsert => "delete+insert",
            Strategy::Merge => "merge",
            Strategy::InsertOverwrite => "insert_overwrite",
        }
    }
}

/// What to do when the model's columns differ from the existing table's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnSchemaChange {
    Ignore,
    Fail,
    AppendNewColumns,
    SyncAllColumns,
}

/// `unique_key` as written: dbt-duckdb builds different SQL for a string and for a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UniqueKey {
    None,
    /// One SQL expression, possibly `"a, b"`; used verbatim.
    Expr(String),
    /// Column names (or expressions), one condition each.
    Columns(Vec<String>),
}

impl UniqueKey {
    /// The key's parts: a list as given, a string split on its top-level commas.
    pub fn parts(&self) -> Vec<String> {
        match self {
            UniqueKey::None => Vec::new(),
            UniqueKey::Expr(e) => split_top_level_commas(e),
            UniqueKey::Columns(c) => c.clone(),
        }
    }
}

/// Every config key the incremental planner reads, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncrementalConfig {
    pub strategy: Strategy,
    pub unique_key: UniqueKey,
    /// `incremental_predicates` (or the older `predicates`), SQL conditions.
    pub predicates: Vec<String>,
    pub merge_update_columns: Vec<String>,
    pub merge_exclude_columns: Vec<String>,
    pub on_schema_change: OnSchemaChange,
    /// xform's opt-in: key parts compare with `is not distinct from`, so NULLs match.
    pub null_safe_unique_key: bool,
}

/// The strategies a DuckDB target accepts, as listed in errors.
pub const DUCKDB_STRATEGIES: &str = "append, delete+insert, merge";
/// The strategies a BigQuery target accepts, as listed in errors.
pub const BIGQUERY_STRATEGIES: &str = "merge, insert_overwrite, append";
pub const ON_SCHEMA_CHANGE_VALUES: &str = "ignore, fail, append_new_columns, sync_all_columns";

/// dbt-duckdb merge options xform does not implement; refusing them beats silently
/// building something other than what dbt would.
const UNSUPPORTED_MERGE_KEYS: [&str; 6] = [
    "merge_clauses",
    "merge_on_using_columns",
    "merge_update_condition",
    "merge_insert_condition",
    "merge_update_set_expressions",
    "merge_returning_columns",
];

impl IncrementalConfig {
    /// The config as a DuckDB target reads it.
    pub fn from_node(node: &Node) -> Result<IncrementalConfig, PlanError> {
        IncrementalConfig::for_dialect(node, Dialect::DuckDb)
    }

    /// The config as `dialect` reads it: the two adapters accept different strategies
    /// and default to different ones (delete+insert on DuckDB, merge on BigQuery).
    pub fn for_dialect(node: &Node, dialect: Dialect) -> Result<IncrementalConfig, PlanError> {
        let id = || node.unique_id.clone();
        let invalid = |key: &str, problem: &str| PlanError::InvalidConfig {
            node: id(),
            key: key.to_string(),
            problem: problem.to_string(),
        };
        let written = opt_string(node, "incremental_strategy")
            .map_err(|p| invalid("incremental_strategy", p))?;
        let (strategy, expected) = match (dialect, written) {
            // dbt-duckdb's `default` strategy is delete+insert, whatever the unique_key.
            (Dialect::DuckDb, None | Some("default") | Some("delete+insert")) => {
                (Some(Strategy::DeleteInsert), DUCKDB_STRATEGIES)
            }
            (Dialect::DuckDb, Some("append")) => (Some(Strategy::Append), DUCKDB_STRATEGIES),
            (Dialect::DuckDb, Some("merge")) => (Some(Strategy::Merge), DUCKDB_STRATEGIES),
            (Dialect::DuckDb, _) => (None, DUCKDB_STRATEGIES),
            // dbt-bigquery defaults to merge; `default` is read the same way so a project
            // written for another adapter's default still runs.
            (Dialect::BigQuery, None | Some("default") | Some("merge")) => {
                (Some(Strategy::Merge), BIGQUERY_STRATEGIES)
            }
            (Dialect::BigQuery, Some("insert_overwrite")) => {
                (Some(Strategy::InsertOverwrite), BIGQUERY_STRATEGIES)
            }
            (Dialect::BigQuery, Some("append")) => (Some(Strategy::Append), BIGQUERY_STRATEGIES),
            (Dialect::BigQuery, _) => (None, BIGQUERY_STRATEGIES),
        };
        let strategy = match (strategy, written) {
            (Some(strategy), _) => strategy,
            (None, Some("microbatch")) => {
                return Err(PlanError::StrategyUnsupported {
                    node: id(),
                    strategy: "microbatch".into(),
                });
            }
            (None, other) => {
                return Err(PlanError::InvalidStrategy {
                    node: id(),
                    value: other.unwrap_or_default().to_string(),
                    expected,
                });
            }
        };
        let unique_key = match node.config.get("unique_key") {
            None | Some(Json::Null) => UniqueKey::None,
            Some(Json::String(s)) if s.trim().is_empty() => UniqueKey::None,
            Some(Json::String(s)) => UniqueKey::Expr(s.clone()),
            Some(Json::Array(_)) => {
                let parts =
                    string_list(node, "unique_key").map_err(|p| invalid("unique_key", p))?;
                if parts.is_empty() {
                    UniqueKey::None
                } else {
                    UniqueKey::Columns(parts)
                }
            }
            Some(_) => {
                return Err(invalid(
                    "unique_key",
                    "must be a string or a list of strings",
                ));
            }
        };
        // dbt reads `predicates` first and falls back to `incremental_predicates`.
        let predicates_key = match node.config.get("predicates") {
            Some(v) if !is_empty(v) => "predicates",
            _ => "incremental_predicates",
        };
        let predicates =
            string_or_list(node, predicates_key).map_err(|p| invalid(predicates_key, p))?;
        let merge_update_columns = string_list(node, "merge_update_columns")
            .map_err(|p| invalid("merge_update_columns", p))?;
        let merge_exclude_columns = string_list(node, "merge_exclude_columns")
            .map_err(|p| invalid("merge_exclude_columns", p))?;
        if !merge_update_columns.is_empty() && !merge_exclude_columns.is_empty() {
            return Err(invalid(
                "merge_update_columns",
                "cannot be set together with `merge_exclude_columns`; keep one of them",
            ));
        }
        if strategy == Strategy::Merge
            && let Some(key) = UNSUPPORTED_MERGE_KEYS
                .iter()
                .find(|k| node.config.get(**k).is_some_and(|v| !is_empty(v)))
        {
            return Err(PlanError::UnsupportedConfig {
                node: id(),
                key: (*key).to_string(),
            });
        }
        let on_schema_change = match opt_string(node, "on_schema_change")
            .map_err(|p| invalid("on_schema_change", p))?
        {
            None | Some("ignore") => OnSchemaChange::Ignore,
            Some("fail") => OnSchemaChange::Fail,
            Some("append_new_columns") => OnSchemaChange::AppendNewColumns,
            Some("sync_all_columns") => OnSchemaChange::SyncAllColumns,
            Some(other) => {
                return Err(PlanError::InvalidOnSchemaChange {
                    node: id(),
                    value: other.to_string(),
                    expected: ON_SCHEMA_CHANGE_VALUES,
                });
            }
        };
        let null_safe_unique_key = match node.config.get("null_safe_unique_key") {
            None | Some(Json::Null) => false,
            Some(Json::Bool(b)) => *b,
            Some(_) => return Err(invalid("null_safe_unique_key", "must be true or false")),
        };
        Ok(IncrementalConfig {
            strategy,
            unique_key,
            predicates,
            merge_update_columns,
            merge_exclude_columns,
            on_schema_change,
            null_safe_unique_key,
        })
    }
}

pub(crate) fn is_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::String(s) => s.is_empty(),
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        _ => false,
    }
}

pub(crate) fn opt_string<'n>(node: &'n Node, key: &str) -> Result<Option<&'n str>, &'static str> {
    match node.config.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err("must be a string"),
    }
}

pub(crate) fn string_list(node: &Node, key: &str) -> Result<Vec<String>, &'static str> {
    match node.config.get(key) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or("must list strings only")
            })
            .collect(),
        Some(_) => Err("must be a list of strings"),
    }
}

pub(crate) fn string_or_list(node: &Node, key: &str) -> Result<Vec<String>, &'static str> {
    match node.config.get(key) {
        Some(Json::String(s)) if s.trim().is_empty() => Ok(Vec::new()),
        Some(Json::String(s)) => Ok(vec![s.clone()]),
        _ => string_list(node, key).map_err(|_| "must be a string or a list of strings"),
    }
}

/// `"a, f(b, c)"` -> `["a", "f(b, c)"]`: commas inside parentheses or quotes stay.
fn split_top_level_commas(expr: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut current = String::new();
    for ch in expr.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_keys_split_only_on_top_level_commas() {
        assert_eq!(
            split_top_level_commas(r#"id, coalesce(a, b), "x,y""#),
            ["id", "coalesce(a, b)", r#""x,y""#]
        );
        assert_eq!(split_top_level_commas("id"), ["id"]);
    }
}
