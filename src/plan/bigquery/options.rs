//! A model's config -> the `OPTIONS(...)` clause of its BigQuery table or view, as
//! dbt-bigquery writes it.
//!
//! Both: `hours_to_expiration` (expiration_timestamp), `description` (the node's, when
//! `persist_docs: {relation: true}`), `labels` (a mapping). Tables also take
//! `kms_key_name`, `require_partition_filter` (only with a `partition_by`, as in dbt) and
//! `partition_expiration_days`. Temp tables of a script take none.

use serde_json::Value as Json;

use super::super::PlanError;
use super::string_literal;
use crate::node::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Table,
    View,
}

/// ` options(...)` with a leading newline, or "" when no option is set.
pub(super) fn clause(node: &Node, kind: Kind) -> Result<String, PlanError> {
    let invalid = |key: &str, problem: String| PlanError::InvalidConfig {
        node: node.unique_id.clone(),
        key: key.into(),
        problem,
    };
    let number = |key: &str| -> Result<Option<String>, PlanError> {
        match node.config.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(invalid(key, format!("must be a number, got {other}"))),
        }
    };
    let mut opts: Vec<String> = Vec::new();
    if let Some(hours) = number("hours_to_expiration")? {
        opts.push(format!(
            "expiration_timestamp=timestamp_add(current_timestamp(), interval {hours} hour)"
        ));
    }
    if persist_relation_docs(node) && !node.description.is_empty() {
        opts.push(format!("description={}", string_literal(&node.description)));
    }
    match node.config.get("labels") {
        None | Some(Json::Null) => {}
        Some(Json::Object(map)) if map.is_empty() => {}
        Some(Json::Object(map)) => {
            let pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    format!("({}, {})", string_literal(k), string_literal(&v))
                })
                .collect();
            opts.push(format!("labels=[{}]", pairs.join(", ")));
        }
        Some(other) => {
            return Err(invalid(
                "labels",
                format!("must be a mapping of label names to values, got {other}"),
            ));
        }
    }
    if kind == Kind::Table {
        match node.config.get("kms_key_name") {
            None | Some(Json::Null) => {}
            Some(Json::String(k)) => opts.push(format!("kms_key_name={}", string_literal(k))),
            Some(other) => {
                return Err(invalid(
                    "kms_key_name",
                    format!("must be a string, got {other}"),
                ));
            }
        }
        let partitioned = node
            .config
            .get("partition_by")
            .is_some_and(|p| !p.is_null());
        match node.config.get("require_partition_filter") {
            None | Some(Json::Null) => {}
            Some(Json::Bool(b)) if partitioned => {
                opts.push(format!("require_partition_filter={b}"))
            }
            Some(Json::Bool(_)) => {}
            Some(other) => {
                return Err(invalid(
                    "require_partition_filter",
                    format!("must be true or false, got {other}"),
                ));
            }
        }
        if let Some(days) = number("partition_expiration_days")? {
            opts.push(format!("partition_expiration_days={days}"));
        }
    }
    Ok(if opts.is_empty() {
        String::new()
    } else {
        format!("\noptions({})", opts.join(", "))
    })
}

/// `persist_docs: {relation: true}`.
pub(super) fn persist_relation_docs(node: &Node) -> bool {
    node.config
        .get("persist_docs")
        .and_then(|p| p.get("relation"))
        .and_then(Json::as_bool)
        .unwrap_or(false)
}

/// `require_partition_filter: true` (read only where a `partition_by` is set).
pub(super) fn requires_partition_filter(node: &Node) -> bool {
    node.config.get("require_partition_filter") == Some(&Json::Bool(true))
}
