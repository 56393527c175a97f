//! Node configs -> database, schema and alias, via dbt's `generate_*_name` macros.
//!
//! When no package overrides those macros, dbt's default rules run in Rust (same results,
//! no template call per node); otherwise the project's macros are rendered for every node.

use rayon::prelude::*;
use serde_json::Value as Json;

use super::macros::BUILTIN_PACKAGE;
use super::passes::PassInput;
use crate::diagnostics::Diagnostic;
use crate::node::{Node, ResourceType};

const NAMERS: [&str; 3] = [
    "generate_database_name",
    "generate_schema_name",
    "generate_alias_name",
];

/// Sets database/schema/alias on every relation-backed node.
pub fn assign(input: &PassInput, nodes: &mut [Node]) -> Vec<Diagnostic> {
    let index = &input.renv.index;
    let overridden = NAMERS.iter().any(|name| {
        index.by_package.iter().any(|(pkg, defs)| {
            pkg != BUILTIN_PACKAGE
                && (defs.contains_key(*name) || defs.contains_key(&format!("default__{name}")))
        })
    }) || index.dispatch.contains_key("dbt");
    let target = &input.project.target;
    let results: Vec<Result<(), Diagnostic>> = nodes
        .par_iter_mut()
        .map(|n| {
            match n.resource_type {
                ResourceType::Source => {
                    if n.database.is_empty() {
                        n.database = target.database.clone();
                    }
                    if n.schema.is_empty() {
                        n.schema = n
                            .source
                            .as_ref()
                            .map(|s| s.source_name.clone())
                            .unwrap_or_default();
                    }
                    return Ok(());
                }
                ResourceType::Exposure | ResourceType::UnitTest => return Ok(()),
                _ => {}
            }
            let custom = |key: &str| n.config.get(key).and_then(Json::as_str).map(str::to_string);
            if n.resource_type == ResourceType::Snapshot
                && let Some(ts) = custom("target_schema")
            {
                n.schema = ts;
                n.database = custom("target_database").unwrap_or_else(|| target.database.clone());
                n.alias = custom("alias").unwrap_or_else(|| n.name.clone());
                return Ok(());
            }
            if overridden {
                return by_macro(input, n);
            }
            n.database = custom("database")
                .map_or_else(|| target.database.clone(), |d| d.trim().to_string());
            n.schema = match custom("schema") {
                Some(s) => format!("{}_{}", target.schema, s.trim()),
                None => target.schema.clone(),
            };
            n.alias = match custom("alias") {
                Some(a) if !a.trim().is_empty() => a.trim().to_string(),
                _ => n.name.clone(),
            };
            Ok(())
        })
        .collect();
    results.into_iter().filter_map(Result::err).collect()
}

/// Renders the three naming macros for one node with the project's overrides.
fn by_macro(input: &PassInput, n: &mut Node) -> Result<(), Diagnostic> {
    let mut source = String::new();
    for (name, key) in NAMERS.iter().zip(["database", "schema", "alias"]) {
        let arg = match n.config.get(key).and_then(Json::as_str) {
            Some(v) => format!("{:?}", v),
            None => "none".to_string(),
        };
        source.push_str(&format!("{{{{ {name}({arg}, node) | trim }}}}\u{1}"));
    }
    let rendered = input.render_source(n, false, &source)?;
    let mut parts = rendered.sql.split('\u{1}');
    n.database = parts.next().unwrap_or_default().to_string();
    n.schema = parts.next().unwrap_or_default().to_string();
    n.alias = parts.next().unwrap_or_default().to_string();
    Ok(())
}
