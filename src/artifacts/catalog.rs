//! The warehouse's tables and columns for the project's nodes -> target/catalog.json in
//! dbt's catalog v1 layout (`nodes` for seeds, models and snapshots, `sources`).

use serde_json::{Map, Value as Json, json};

use crate::adapter::{Column, RelationKind};
use crate::node::{Node, ResourceType};

/// What the warehouse holds at one node's relation.
pub struct Found {
    pub kind: RelationKind,
    pub columns: Vec<Column>,
}

/// The catalog of `nodes`; `lookup` answers for a node's relation, `None` when absent.
pub fn build<'a>(
    nodes: impl IntoIterator<Item = &'a Node>,
    mut lookup: impl FnMut(&Node) -> Option<Found>,
) -> Json {
    let mut found_nodes = Map::new();
    let mut sources = Map::new();
    for node in nodes {
        let listed = match node.resource_type {
            ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot => {
                !node.is_ephemeral()
            }
            ResourceType::Source => true,
            _ => false,
        };
        if !listed {
            continue;
        }
        let Some(found) = lookup(node) else { continue };
        let columns: Map<String, Json> = found
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    c.name.clone(),
                    json!({"type": c.data_type, "index": i + 1, "name": c.name, "comment": null}),
                )
            })
            .collect();
        let entry = json!({
            "metadata": {
                "type": match found.kind {
                    RelationKind::View => "VIEW",
                    RelationKind::Table => "BASE TABLE",
                },
                "schema": node.schema,
                "name": node.alias,
                "database": node.database,
                "comment": null,
                "owner": null,
            },
            "columns": columns,
            "stats": {"has_stats": {
                "id": "has_stats", "label": "Has Stats?", "value": false, "include": false,
                "description": "Indicates whether there are statistics for this table",
            }},
            "unique_id": node.unique_id,
        });
        let into = if node.resource_type == ResourceType::Source {
            &mut sources
        } else {
            &mut found_nodes
        };
        into.insert(node.unique_id.clone(), entry);
    }
    json!({
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json",
            "dbt_version": super::DBT_VERSION,
            "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "invocation_id": crate::render::builtins::invocation_id(),
            "env": {},
        },
        "nodes": found_nodes,
        "sources": sources,
        "errors": null,
    })
}

/// A node's entry in a catalog document: its columns in the warehouse's order, each with
/// its type (None when the node is not in the catalog).
pub fn columns_in(catalog: &Json, node: &Node) -> Option<Vec<(String, Option<String>)>> {
    let section = if node.resource_type == ResourceType::Source {
        "sources"
    } else {
        "nodes"
    };
    let found = catalog[section][&node.unique_id]["columns"].as_object()?;
    let mut listed: Vec<(u64, String, Option<String>)> = found
        .iter()
        .map(|(name, c)| {
            let index = c["index"].as_u64().unwrap_or(u64::MAX);
            (index, name.clone(), c["type"].as_str().map(str::to_string))
        })
        .collect();
    listed.sort();
    Some(listed.into_iter().map(|(_, n, t)| (n, t)).collect())
}
