//! Compiled models + the columns seeds, sources and YAML declare -> target/column_lineage.json:
//! every model's output columns and the upstream node columns each derives from.
//!
//! Models are traced in DAG order, so a model's columns (as lineage found them) are known
//! when its children read it; seeds give their CSV header, sources and snapshots their
//! YAML `columns:`, else the catalog's (when `docs generate` read one). Nothing touches the
//! warehouse. Shape:
//!
//! ```json
//! {"nodes": {"model.p.fct": {"columns": {"total": {
//!     "upstream": [{"node": "model.p.stg", "column": "amount"}],
//!     "untraced": []}}}},
//!  "errors": {"model.p.odd": "the SQL does not parse: ..."}}
//! ```

use std::collections::HashMap;

use serde_json::{Map, Value as Json, json};

use crate::node::{Node, ResourceType};
use crate::pipeline::Parsed;
use crate::sql::lineage::{Catalog, lineage};

/// Known columns by lower-cased `database.schema.identifier`, and which nodes that is
/// (a seed and a source can name the same table).
#[derive(Default)]
struct Known {
    columns: HashMap<String, Vec<String>>,
    nodes: HashMap<String, Vec<String>>,
}

impl Catalog for Known {
    fn columns(&self, relation: &str) -> Option<Vec<String>> {
        self.columns.get(&relation.to_ascii_lowercase()).cloned()
    }
}

/// The lineage document for every compiled model of `parsed`; `catalog` (catalog.json)
/// supplies the columns of sources and snapshots that declare none.
pub fn build(parsed: &Parsed, catalog: Option<&Json>) -> Json {
    let dialect = parsed.project.target.dialect;
    let mut known = Known::default();
    let mut nodes = Map::new();
    let mut errors = Map::new();
    for i in parsed.graph.topo_order() {
        let node = &parsed.graph.nodes[i];
        let declared: Vec<String> = node.columns.values().map(|c| c.name.clone()).collect();
        match node.resource_type {
            ResourceType::Seed => {
                let path = parsed.project.root.join(&node.origin.file);
                let header = crate::seed::SeedOptions::from_config(&node.config)
                    .and_then(|o| crate::seed::seed_header(&path, &o));
                known.register(node, header.unwrap_or(declared));
            }
            ResourceType::Source | ResourceType::Snapshot => {
                let columns = if declared.is_empty() {
                    catalog
                        .and_then(|c| super::catalog::columns_in(c, node))
                        .map(|cols| cols.into_iter().map(|(name, _)| name).collect())
                        .unwrap_or_default()
                } else {
                    declared
                };
                known.register(node, columns);
            }
            ResourceType::Model => {
                let Some(sql) = node.compiled_code.as_deref() else {
                    continue;
                };
                match lineage(sql, dialect, &known) {
                    Ok(cols) => {
                        let mut out = Map::new();
                        for c in &cols {
                            let upstream: Vec<Json> = c
                                .sources
                                .iter()
                                .map(|s| match known.node_of(&s.relation, node) {
                                    Some(id) => json!({"node": id, "column": s.column}),
                                    None => json!({"relation": s.relation, "column": s.column}),
                                })
                                .collect();
                            out.insert(
                                c.name.clone(),
                                json!({"upstream": upstream, "untraced": c.untraced}),
                            );
                        }
                        nodes.insert(node.unique_id.clone(), json!({ "columns": out }));
                        known.register(node, cols.into_iter().map(|c| c.name).collect());
                    }
                    Err(e) => {
                        errors.insert(node.unique_id.clone(), Json::from(e.to_string()));
                        known.register(node, declared);
                    }
                }
            }
            _ => {}
        }
    }
    json!({"nodes": nodes, "errors": errors})
}

impl Known {
    fn register(&mut self, node: &Node, columns: Vec<String>) {
        let k = crate::adapter::relation_key(&node.database, &node.schema, &node.alias);
        self.nodes
            .entry(k.clone())
            .or_default()
            .push(node.unique_id.clone());
        if !columns.is_empty() {
            self.columns.insert(k, columns);
        }
    }
}

impl Known {
    /// The node `reader` reads as `relation`: the one it depends on when several share it.
    fn node_of(&self, relation: &str, reader: &Node) -> Option<&String> {
        let ids = self.nodes.get(&relation.to_ascii_lowercase())?;
        ids.iter()
            .find(|id| reader.depends_on.contains(id))
            .or(ids.last())
    }
}

/// Writes the lineage document `doc` as `column_lineage.json` into `dir`.
pub fn write(doc: &Json, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::write(
        dir.join("column_lineage.json"),
        serde_json::to_string_pretty(doc)?,
    )
}
