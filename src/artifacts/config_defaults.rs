//! A node's config -> the full config dict dbt prints (its defaults first, in dbt's order,
//! then the project's own keys), for manifest.json and `ls --output json`.

use indexmap::IndexMap;
use serde_json::{Value as Json, json};

use crate::node::{Node, ResourceType};

/// dbt's default config keys for a resource type, in dbt's order.
fn defaults(kind: ResourceType) -> Vec<(&'static str, Json)> {
    let common = || {
        vec![
            ("enabled", json!(true)),
            ("alias", Json::Null),
            ("schema", Json::Null),
            ("database", Json::Null),
            ("tags", json!([])),
            ("meta", json!({})),
            ("group", Json::Null),
            ("static_analysis", Json::Null),
        ]
    };
    let relational = |materialized: &str| {
        let mut v = common();
        v.extend([
            ("materialized", json!(materialized)),
            ("incremental_strategy", Json::Null),
            ("batch_size", Json::Null),
            ("lookback", json!(1)),
            ("begin", Json::Null),
            ("persist_docs", json!({})),
            ("post-hook", json!([])),
            ("pre-hook", json!([])),
            ("quoting", json!({})),
            ("column_types", json!({})),
            ("full_refresh", Json::Null),
            ("unique_key", Json::Null),
            ("on_schema_change", json!("ignore")),
            ("on_configuration_change", json!("apply")),
            ("grants", json!({})),
            ("packages", json!([])),
            ("docs", json!({"show": true, "node_color": null})),
            ("contract", json!({"enforced": false, "alias_types": true})),
            ("event_time", Json::Null),
            ("concurrent_batches", Json::Null),
        ]);
        v
    };
    match kind {
        ResourceType::Model => {
            let mut v = relational("view");
            v.extend([
                ("access", json!("protected")),
                ("freshness", Json::Null),
                ("on_error", Json::Null),
                (
                    "latest_version_pointer",
                    json!({"enabled": null, "alias": null}),
                ),
            ]);
            v
        }
        ResourceType::Analysis => relational("view"),
        ResourceType::Seed => {
            let mut v = relational("seed");
            v.extend([("delimiter", json!(",")), ("quote_columns", Json::Null)]);
            v
        }
        ResourceType::Snapshot => {
            let mut v = relational("snapshot");
            v.extend([
                ("strategy", Json::Null),
                ("target_schema", Json::Null),
                ("target_database", Json::Null),
                ("updated_at", Json::Null),
                ("check_cols", Json::Null),
                ("snapshot_meta_column_names", json!({"dbt_valid_to": null, "dbt_valid_from": null, "dbt_scd_id": null, "dbt_updated_at": null, "dbt_is_deleted": null})),
                ("dbt_valid_to_current", Json::Null),
            ]);
            v
        }
        ResourceType::Test => {
            let mut v = common();
            v.extend([
                ("materialized", json!("test")),
                ("severity", json!("ERROR")),
                ("store_failures", Json::Null),
                ("store_failures_as", Json::Null),
                ("sql_header", Json::Null),
                ("where", Json::Null),
                ("limit", Json::Null),
                ("fail_calc", json!("count(*)")),
                ("warn_if", json!("!= 0")),
                ("error_if", json!("!= 0")),
            ]);
            v
        }
        ResourceType::Source => vec![
            ("enabled", json!(true)),
            ("event_time", Json::Null),
            (
                "freshness",
                json!({"warn_after": {"count": null, "period": null}, "error_after": {"count": null, "period": null}, "filter": null}),
            ),
            ("loaded_at_field", Json::Null),
            ("loaded_at_query", Json::Null),
            ("meta", json!({})),
            ("tags", json!([])),
            ("static_analysis", Json::Null),
        ],
        ResourceType::UnitTest => vec![
            ("tags", json!([])),
            ("meta", json!({})),
            ("enabled", json!(true)),
            ("static_analysis", Json::Null),
        ],
        ResourceType::Exposure => {
            vec![
                ("enabled", json!(true)),
                ("tags", json!([])),
                ("meta", json!({})),
            ]
        }
    }
}

/// The config as dbt shows it: defaults, then the node's values over them. Tags are
/// always a list, as dbt normalises them.
pub fn full_config(n: &Node) -> IndexMap<String, Json> {
    let mut out: IndexMap<String, Json> = defaults(n.resource_type)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    for (k, v) in &n.config {
        out.insert(k.clone(), v.clone());
    }
    out.insert("tags".into(), json!(n.tags()));
    out
}
