//! manifest.json in dbt schema v12 layout: nodes, sources, macros, exposures, parent/child maps.

use serde_json::{Map, Value as Json, json};

use crate::node::{Node, ResourceType};
use crate::pipeline::Parsed;

pub const SCHEMA: &str = "https://schemas.getdbt.com/dbt/manifest/v12.json";

fn node_entry(n: &Node, root: &std::path::Path) -> Json {
    let _ = root;
    let mut m = Map::new();
    m.insert("database".into(), json!(n.database));
    m.insert("schema".into(), json!(n.schema));
    m.insert("name".into(), json!(n.name));
    m.insert("resource_type".into(), json!(n.resource_type.as_str()));
    m.insert("package_name".into(), json!(n.package_name));
    m.insert("path".into(), json!(n.path));
    m.insert("original_file_path".into(), json!(n.origin.file));
    m.insert("unique_id".into(), json!(n.unique_id));
    m.insert("fqn".into(), json!(n.fqn));
    m.insert("alias".into(), json!(n.alias));
    m.insert("checksum".into(), json!({"name": "sha256", "checksum": ""}));
    m.insert(
        "config".into(),
        Json::Object(n.config.clone().into_iter().collect()),
    );
    m.insert("tags".into(), json!(n.tags()));
    m.insert("description".into(), json!(n.description));
    m.insert(
        "columns".into(),
        Json::Object(
            n.columns
                .iter()
                .map(|(k, c)| {
                    (k.clone(), json!({"name": c.name, "description": c.description, "meta": c.meta, "data_type": c.data_type, "constraints": c.constraints, "quote": null, "tags": c.tags}))
                })
                .collect(),
        ),
    );
    m.insert("meta".into(), json!(n.meta));
    m.insert("raw_code".into(), json!(n.raw_code));
    m.insert("language".into(), json!("sql"));
    m.insert(
        "refs".into(),
        Json::Array(
            n.refs
                .iter()
                .map(|r| json!({"name": r.name, "package": r.package, "version": r.version}))
                .collect(),
        ),
    );
    m.insert(
        "sources".into(),
        Json::Array(n.sources.iter().map(|(s, t)| json!([s, t])).collect()),
    );
    m.insert(
        "depends_on".into(),
        json!({"macros": n.macros, "nodes": n.depends_on}),
    );
    if let Some(sql) = &n.compiled_code {
        m.insert("compiled".into(), json!(true));
        m.insert("compiled_code".into(), json!(sql));
    }
    if let Some(t) = &n.test_metadata {
        m.insert(
            "test_metadata".into(),
            json!({"name": t.name, "kwargs": t.kwargs, "namespace": t.namespace}),
        );
        m.insert("column_name".into(), json!(t.column_name));
        m.insert("attached_node".into(), json!(t.attached_node));
    }
    for (k, v) in &n.extra {
        m.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Json::Object(m)
}

fn source_entry(n: &Node) -> Json {
    let s = n.source.clone().unwrap_or_default();
    json!({
        "database": n.database,
        "schema": n.schema,
        "name": n.name,
        "resource_type": "source",
        "package_name": n.package_name,
        "path": n.path,
        "original_file_path": n.origin.file,
        "unique_id": n.unique_id,
        "fqn": n.fqn,
        "source_name": s.source_name,
        "source_description": s.source_description,
        "loader": s.loader,
        "identifier": s.identifier,
        "quoting": s.quoting,
        "loaded_at_field": s.loaded_at_field,
        "freshness": s.freshness,
        "description": n.description,
        "columns": n.columns.iter().map(|(k, c)| (k.clone(), json!({"name": c.name, "description": c.description, "meta": c.meta, "data_type": c.data_type, "tags": c.tags}))).collect::<Map<String, Json>>(),
        "meta": n.meta,
        "tags": n.tags(),
        "config": n.config,
        "relation_name": null,
    })
}

/// The whole manifest for a parsed (and possibly compiled) project.
pub fn build(parsed: &Parsed) -> Json {
    let g = &parsed.graph;
    let mut nodes = Map::new();
    let mut sources = Map::new();
    let mut exposures = Map::new();
    let mut unit_tests = Map::new();
    let mut parent_map = Map::new();
    let mut child_map = Map::new();
    for (i, n) in g.nodes.iter().enumerate() {
        let entry = match n.resource_type {
            ResourceType::Source => {
                sources.insert(n.unique_id.clone(), source_entry(n));
                None
            }
            ResourceType::Exposure => Some(&mut exposures),
            ResourceType::UnitTest => Some(&mut unit_tests),
            _ => Some(&mut nodes),
        };
        if let Some(map) = entry {
            map.insert(n.unique_id.clone(), node_entry(n, &parsed.project.root));
        }
        let mut parents: Vec<String> = g.parents(i).map(|p| g.nodes[p].unique_id.clone()).collect();
        parents.sort();
        let mut children: Vec<String> = g
            .children(i)
            .map(|c| g.nodes[c].unique_id.clone())
            .collect();
        children.sort();
        parent_map.insert(n.unique_id.clone(), json!(parents));
        child_map.insert(n.unique_id.clone(), json!(children));
    }
    let mut macros = Map::new();
    for (pkg, defs) in &parsed.renv.index.by_package {
        for def in defs.values() {
            macros.insert(
                def.unique_id(),
                json!({
                    "name": def.name,
                    "resource_type": "macro",
                    "package_name": pkg,
                    "path": def.file,
                    "original_file_path": def.file,
                    "unique_id": def.unique_id(),
                }),
            );
        }
    }
    let disabled: Map<String, Json> = parsed
        .disabled
        .iter()
        .map(|n| {
            (
                n.unique_id.clone(),
                json!([node_entry(n, &parsed.project.root)]),
            )
        })
        .collect();
    json!({
        "metadata": {
            "dbt_schema_version": SCHEMA,
            "dbt_version": "1.12.6",
            "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "invocation_id": crate::render::builtins::invocation_id(),
            "env": {},
            "project_name": parsed.project.name(),
            "adapter_type": parsed.project.target.dialect.adapter_type(),
            "generator": format!("xform {}", env!("CARGO_PKG_VERSION")),
        },
        "nodes": nodes,
        "sources": sources,
        "macros": macros,
        "docs": {},
        "exposures": exposures,
        "metrics": {},
        "groups": {},
        "selectors": {},
        "disabled": disabled,
        "parent_map": parent_map,
        "child_map": child_map,
        "group_map": {},
        "saved_queries": {},
        "semantic_models": {},
        "unit_tests": unit_tests,
    })
}
