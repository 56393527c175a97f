//! The project graph + catalog.json + column_lineage.json -> the one JSON document the
//! static site reads: nodes by graph index, each with its columns merged from the
//! warehouse (types), the YAML (descriptions, tests) and the SQL (lineage).

use std::collections::HashMap;

use serde_json::{Value as Json, json};

use crate::node::{Node, ResourceType};
use crate::pipeline::Parsed;

/// One column as the site shows it; `up` holds `[node index, column]` pairs.
#[derive(Default)]
struct Column {
    name: String,
    data_type: Option<String>,
    description: String,
    tests: Vec<usize>,
    up: Vec<(usize, String)>,
    untraced: Vec<Json>,
}

impl Column {
    fn named(name: &str) -> Column {
        Column {
            name: name.to_string(),
            ..Column::default()
        }
    }

    fn to_json(&self) -> Json {
        let mut o =
            json!({"name": self.name, "type": self.data_type, "description": self.description});
        if !self.tests.is_empty() {
            o["tests"] = json!(self.tests);
        }
        if !self.up.is_empty() {
            o["up"] = Json::Array(self.up.iter().map(|(n, c)| json!([n, c])).collect());
        }
        if !self.untraced.is_empty() {
            o["untraced"] = Json::Array(self.untraced.clone());
        }
        o
    }
}

/// The site's data for `parsed` (compiled), given the catalog and lineage documents.
pub fn site_data(parsed: &Parsed, catalog: &Json, lineage: &Json) -> Json {
    let g = &parsed.graph;
    let index: HashMap<&str, usize> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.unique_id.as_str(), i))
        .collect();
    let mut column_tests: HashMap<(usize, String), Vec<usize>> = HashMap::new();
    let mut node_tests: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, n) in g.nodes.iter().enumerate() {
        let Some(meta) = &n.test_metadata else {
            continue;
        };
        let Some(&on) = meta.attached_node.as_deref().and_then(|a| index.get(a)) else {
            continue;
        };
        node_tests.entry(on).or_default().push(i);
        if let Some(col) = &meta.column_name {
            column_tests
                .entry((on, col.to_ascii_lowercase()))
                .or_default()
                .push(i);
        }
    }
    let nodes: Vec<Json> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let columns = merged_columns(i, n, catalog, lineage, &index, &column_tests);
            node_json(parsed, i, n, columns, node_tests.get(&i), &index)
        })
        .collect();
    json!({
        "project": parsed.project.name(),
        "target": parsed.project.target.name,
        "adapter": parsed.project.target.dialect.adapter_type(),
        "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "generator": format!("xform {}", env!("CARGO_PKG_VERSION")),
        "nodes": nodes,
        "lineage_errors": lineage.get("errors").cloned().unwrap_or(Json::Null),
    })
}

fn node_json(
    parsed: &Parsed,
    i: usize,
    n: &Node,
    columns: Vec<Json>,
    tests: Option<&Vec<usize>>,
    index: &HashMap<&str, usize>,
) -> Json {
    let parents: Vec<usize> = parsed.graph.parents(i).collect();
    let has_relation = matches!(
        n.resource_type,
        ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot | ResourceType::Source
    ) && !n.is_ephemeral();
    let mut o = json!({
        "id": n.unique_id,
        "type": n.resource_type.as_str(),
        "name": n.name,
        "package": n.package_name,
        "path": n.origin.file,
        "fqn": n.fqn,
        "description": n.description,
        "columns": columns,
        "parents": parents,
        "raw": n.raw_code,
    });
    if has_relation {
        o["relation"] = json!(relation_name(n));
    }
    if n.resource_type.is_sql() || n.resource_type == ResourceType::Seed {
        o["materialized"] = json!(n.materialized());
    }
    if let Some(tags) = n
        .config
        .get("tags")
        .filter(|t| t.as_array().is_some_and(|a| !a.is_empty()))
    {
        o["tags"] = tags.clone();
    }
    if let Some(code) = &n.compiled_code {
        o["compiled"] = json!(code);
    }
    if let Some(t) = tests {
        o["tests"] = json!(t);
    }
    if let Some(meta) = &n.test_metadata {
        o["test"] = json!({
            "name": meta.name,
            "column": meta.column_name,
            "on": meta.attached_node.as_deref().and_then(|a| index.get(a)),
        });
    }
    if let Some(src) = &n.source {
        o["source_name"] = json!(src.source_name);
    }
    o
}

fn relation_name(n: &Node) -> String {
    [&n.database, &n.schema, &n.alias]
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

/// Columns in the order the relation has them: the warehouse's (catalog), else the SQL's
/// (lineage), then any the YAML declares that neither has.
fn merged_columns(
    i: usize,
    n: &Node,
    catalog: &Json,
    lineage: &Json,
    index: &HashMap<&str, usize>,
    column_tests: &HashMap<(usize, String), Vec<usize>>,
) -> Vec<Json> {
    let mut cols: Vec<Column> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut slot = |cols: &mut Vec<Column>, name: &str| -> usize {
        let key = name.to_ascii_lowercase();
        *at.entry(key).or_insert_with(|| {
            cols.push(Column::named(name));
            cols.len() - 1
        })
    };
    for (name, data_type) in crate::artifacts::catalog::columns_in(catalog, n).unwrap_or_default() {
        let k = slot(&mut cols, &name);
        cols[k].data_type = data_type;
    }
    if let Some(traced) = lineage["nodes"][&n.unique_id]["columns"].as_object() {
        for (name, t) in traced {
            let k = slot(&mut cols, name);
            cols[k].up = t["upstream"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|u| {
                    let node = *index.get(u["node"].as_str()?)?;
                    Some((node, u["column"].as_str()?.to_string()))
                })
                .collect();
            cols[k].untraced = t["untraced"].as_array().cloned().unwrap_or_default();
        }
    }
    for c in n.columns.values() {
        let k = slot(&mut cols, &c.name);
        cols[k].description.clone_from(&c.description);
        if cols[k].data_type.is_none() {
            cols[k].data_type.clone_from(&c.data_type);
        }
    }
    for c in &mut cols {
        if let Some(t) = column_tests.get(&(i, c.name.to_ascii_lowercase())) {
            c.tests.clone_from(t);
        }
    }
    cols.iter().map(Column::to_json).collect()
}
