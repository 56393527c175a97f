//! A snapshot node's config -> the validated settings the snapshot planner works from.

use serde_json::Value as Json;

use crate::node::Node;
use crate::plan::PlanError;

/// How a snapshot notices that a row changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Strategy {
    /// A row changed when its `updated_at` is later than the current version's valid_from.
    Timestamp { updated_at: String },
    /// A row changed when any checked column differs (null-safe) from the current version.
    Check {
        columns: CheckCols,
        /// dbt stamps versions with this expression when set, with the snapshot time otherwise.
        updated_at: Option<String>,
    },
}

/// `check_cols`: every column of the snapshot query, or the listed ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckCols {
    All,
    List(Vec<String>),
}

/// What happens to current versions whose key is gone from the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HardDeletes {
    /// Left current.
    Ignore,
    /// Closed: valid_to is set to the snapshot time.
    Invalidate,
    /// Closed, and a new version with `dbt_is_deleted = 'True'` is inserted.
    NewRecord,
}

/// The names of the columns dbt adds (`snapshot_meta_column_names` overrides each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaColumns {
    pub scd_id: String,
    pub updated_at: String,
    pub valid_from: String,
    pub valid_to: String,
    pub is_deleted: String,
}

impl Default for MetaColumns {
    fn default() -> Self {
        MetaColumns {
            scd_id: "dbt_scd_id".into(),
            updated_at: "dbt_updated_at".into(),
            valid_from: "dbt_valid_from".into(),
            valid_to: "dbt_valid_to".into(),
            is_deleted: "dbt_is_deleted".into(),
        }
    }
}

/// Everything the planner needs from a snapshot's config, checked the way dbt checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotConfig {
    pub strategy: Strategy,
    /// SQL expressions (usually column names), evaluated against the query and the table.
    pub unique_key: Vec<String>,
    pub hard_deletes: HardDeletes,
    pub columns: MetaColumns,
    /// A SQL expression stored as valid_to of current versions instead of NULL.
    pub valid_to_current: Option<String>,
}

impl SnapshotConfig {
    /// Reads and validates `node.config`.
    pub fn from_node(node: &Node) -> Result<SnapshotConfig, PlanError> {
        let id = || node.unique_id.clone();
        let invalid = |key: &str, expected: &str| PlanError::SnapshotConfigType {
            node: id(),
            key: key.to_string(),
            expected: expected.to_string(),
        };
        let strategy = opt_str(node, "strategy").map_err(|_| invalid("strategy", "a string"))?;
        let unique_key = match node.config.get("unique_key") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::String(s)) => vec![s.clone()],
            Some(Json::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| invalid("unique_key", "a string or a list of strings"))?,
            Some(_) => return Err(invalid("unique_key", "a string or a list of strings")),
        };
        let (Some(strategy), false) = (strategy, unique_key.iter().all(|k| k.trim().is_empty()))
        else {
            return Err(PlanError::SnapshotNeedsStrategyAndKey(id()));
        };
        let updated_at =
            opt_str(node, "updated_at").map_err(|_| invalid("updated_at", "a string"))?;
        let check_cols = match node.config.get("check_cols") {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) if s == "all" => Some(CheckCols::All),
            Some(Json::String(s)) => {
                return Err(PlanError::SnapshotInvalidCheckCols {
                    node: id(),
                    value: s.clone(),
                });
            }
            Some(Json::Array(items)) => Some(CheckCols::List(
                items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| invalid("check_cols", "'all' or a list of strings"))?,
            )),
            Some(_) => return Err(invalid("check_cols", "'all' or a list of strings")),
        };
        let strategy = match strategy.as_str() {
            "timestamp" => {
                if check_cols.is_some() {
                    return Err(PlanError::SnapshotTimestampWithCheckCols(id()));
                }
                Strategy::Timestamp {
                    updated_at: updated_at
                        .ok_or_else(|| PlanError::SnapshotNeedsUpdatedAt(id()))?,
                }
            }
            "check" => match check_cols {
                Some(CheckCols::List(cols)) if cols.is_empty() => {
                    return Err(PlanError::SnapshotNeedsCheckCols(id()));
                }
                Some(columns) => Strategy::Check {
                    columns,
                    updated_at,
                },
                None => return Err(PlanError::SnapshotNeedsCheckCols(id())),
            },
            other => {
                return Err(PlanError::SnapshotUnknownStrategy {
                    node: id(),
                    strategy: other.to_string(),
                });
            }
        };
        Ok(SnapshotConfig {
            strategy,
            unique_key,
            hard_deletes: hard_deletes(node)?,
            columns: meta_columns(node)
                .map_err(|_| invalid("snapshot_meta_column_names", "a mapping of column names"))?,
            valid_to_current: opt_str(node, "dbt_valid_to_current")
                .map_err(|_| invalid("dbt_valid_to_current", "a string"))?
                .filter(|s| !s.trim().is_empty()),
        })
    }
}

/// A string config value; `Err` when it is set to something else.
fn opt_str(node: &Node, key: &str) -> Result<Option<String>, ()> {
    match node.config.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) if s.is_empty() => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(()),
    }
}

/// `hard_deletes`, or the older `invalidate_hard_deletes` flag; dbt refuses both at once.
fn hard_deletes(node: &Node) -> Result<HardDeletes, PlanError> {
    let set = |key: &str| node.config.get(key).filter(|v| !v.is_null());
    let legacy = set("invalidate_hard_deletes");
    let mode = set("hard_deletes");
    if legacy.is_some() && mode.is_some() {
        return Err(PlanError::SnapshotHardDeletesConflict(
            node.unique_id.clone(),
        ));
    }
    if let Some(flag) = legacy {
        // dbt tests the flag for truthiness.
        let on = match flag {
            Json::Bool(b) => *b,
            Json::String(s) => !s.is_empty(),
            Json::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        };
        return Ok(if on {
            HardDeletes::Invalidate
        } else {
            HardDeletes::Ignore
        });
    }
    match mode {
        None => Ok(HardDeletes::Ignore),
        Some(Json::String(s)) if s == "ignore" => Ok(HardDeletes::Ignore),
        Some(Json::String(s)) if s == "invalidate" => Ok(HardDeletes::Invalidate),
        Some(Json::String(s)) if s == "new_record" => Ok(HardDeletes::NewRecord),
        Some(other) => Err(PlanError::SnapshotInvalidHardDeletes {
            node: node.unique_id.clone(),
            value: other
                .as_str()
                .map_or_else(|| other.to_string(), str::to_string),
        }),
    }
}

/// The meta column names, each defaulting to dbt's when unset or null.
fn meta_columns(node: &Node) -> Result<MetaColumns, ()> {
    let mut columns = MetaColumns::default();
    let map = match node.config.get("snapshot_meta_column_names") {
        None | Some(Json::Null) => return Ok(columns),
        Some(Json::Object(map)) => map,
        Some(_) => return Err(()),
    };
    for (key, value) in map {
        let name = match value {
            Json::Null => continue,
            Json::String(s) if s.is_empty() => continue,
            Json::String(s) => s.clone(),
            _ => return Err(()),
        };
        match key.as_str() {
            "dbt_scd_id" => columns.scd_id = name,
            "dbt_updated_at" => columns.updated_at = name,
            "dbt_valid_from" => columns.valid_from = name,
            "dbt_valid_to" => columns.valid_to = name,
            "dbt_is_deleted" => columns.is_deleted = name,
            // dbt's schema rejects other keys at parse time; the loader reports them.
            _ => {}
        }
    }
    Ok(columns)
}
