//! Nodes with their recorded `ref()`/`source()` calls -> `depends_on` unique ids, plus a
//! diagnostic (with "did you mean") for every call that names nothing.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Location, did_you_mean};
use crate::node::{Node, RefCall, ResourceType};

/// Lookup tables over the enabled nodes.
pub struct Names {
    /// (package, name) -> unique id for models, seeds and snapshots.
    pub refs: HashMap<(String, String), String>,
    /// (source, table) -> unique id.
    pub sources: HashMap<(String, String), String>,
    /// Names of disabled refable nodes, to explain why a ref fails.
    pub disabled: HashMap<String, String>,
    pub root: String,
}

impl Names {
    pub fn new(nodes: &[Node], disabled: &[Node], root: &str) -> Names {
        let mut refs = HashMap::new();
        let mut sources = HashMap::new();
        for n in nodes {
            match n.resource_type {
                ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot => {
                    refs.insert(
                        (n.package_name.clone(), n.name.clone()),
                        n.unique_id.clone(),
                    );
                }
                ResourceType::Source => {
                    if let Some(s) = &n.source {
                        sources
                            .insert((s.source_name.clone(), n.name.clone()), n.unique_id.clone());
                    }
                }
                _ => {}
            }
        }
        let disabled = disabled
            .iter()
            .map(|n| (n.name.clone(), n.origin.file.clone()))
            .collect();
        Names {
            refs,
            sources,
            disabled,
            root: root.to_string(),
        }
    }

    pub fn resolve_ref(&self, call: &RefCall, package: &str) -> Option<&String> {
        match &call.package {
            Some(p) => self.refs.get(&(p.clone(), call.name.clone())),
            None => self
                .refs
                .get(&(package.to_string(), call.name.clone()))
                .or_else(|| self.refs.get(&(self.root.clone(), call.name.clone())))
                .or_else(|| {
                    self.refs
                        .iter()
                        .find(|((_, n), _)| n == &call.name)
                        .map(|(_, id)| id)
                }),
        }
    }
}

/// Fills `depends_on` for every node; unknown refs and sources are reported, all of them.
pub fn link(nodes: &mut [Node], names: &Names) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for n in nodes.iter_mut() {
        // dbt lists sources first, then refs in call order.
        let mut deps = Vec::new();
        for (s, t) in &n.sources {
            match names.sources.get(&(s.clone(), t.clone())) {
                Some(id) => deps.push(id.clone()),
                None => diags.push(unknown_source(n, s, t, names)),
            }
        }
        for call in &n.refs {
            match names.resolve_ref(call, &n.package_name) {
                Some(id) => deps.push(id.clone()),
                None => diags.push(unknown_ref(n, call, names)),
            }
        }
        if let Some(meta) = &n.test_metadata
            && let Some(attached) = &meta.attached_node
            && !deps.contains(attached)
            && (names.refs.values().any(|v| v == attached)
                || names.sources.values().any(|v| v == attached))
        {
            deps.push(attached.clone());
        }
        deps.dedup();
        let mut seen = std::collections::HashSet::new();
        deps.retain(|d| seen.insert(d.clone()));
        n.depends_on = deps;
    }
    diags
}

/// The line of the first `ref('name')` / `source(..., 'name')` in a node's text.
fn call_line(n: &Node, needle: &str) -> u32 {
    if n.test_metadata.is_some() || n.raw_code.is_empty() {
        return n.origin.line;
    }
    for (i, line) in n.raw_code.lines().enumerate() {
        if line.contains(&format!("'{needle}'")) || line.contains(&format!("\"{needle}\"")) {
            return i as u32 + 1;
        }
    }
    n.origin.line
}

fn unknown_ref(n: &Node, call: &RefCall, names: &Names) -> Diagnostic {
    if n.resource_type == ResourceType::UnitTest {
        let mut d = Diagnostic::error(format!(
            "Unable to find model '{}.{}' for unit test '{}' in {}",
            n.package_name, call.name, n.name, n.origin.file
        ))
        .at(Location::new(n.origin.file.clone(), n.origin.line, 0));
        if let Some(hint) = did_you_mean(&call.name, names.refs.keys().map(|(_, n)| n.as_str())) {
            d = d.note(hint);
        }
        return d;
    }
    let shown = match &call.package {
        Some(p) => format!("ref('{p}', '{}')", call.name),
        None => format!("ref('{}')", call.name),
    };
    let mut d = Diagnostic::error(format!(
        "{} `{}` uses {shown}, which names no model, seed or snapshot",
        n.resource_type.as_str(),
        n.name
    ))
    .at(Location::new(
        n.origin.file.clone(),
        call_line(n, &call.name),
        0,
    ));
    if let Some(file) = names.disabled.get(&call.name) {
        d = d.note(format!("`{}` exists in {file} but is disabled", call.name));
    } else if let Some(hint) = did_you_mean(&call.name, names.refs.keys().map(|(_, n)| n.as_str()))
    {
        d = d.note(hint);
    }
    d
}

fn unknown_source(n: &Node, source: &str, table: &str, names: &Names) -> Diagnostic {
    let mut d = Diagnostic::error(format!(
        "{} `{}` uses source('{source}', '{table}'), which no property file defines",
        n.resource_type.as_str(),
        n.name
    ))
    .at(Location::new(n.origin.file.clone(), call_line(n, table), 0));
    let same_source: Vec<&str> = names
        .sources
        .keys()
        .filter(|(s, _)| s == source)
        .map(|(_, t)| t.as_str())
        .collect();
    let hint = if same_source.is_empty() {
        did_you_mean(source, names.sources.keys().map(|(s, _)| s.as_str()))
    } else {
        did_you_mean(table, same_source)
    };
    if let Some(h) = hint {
        d = d.note(h);
    }
    d
}
