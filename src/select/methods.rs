//! One atom's method and value + one node -> whether the node is among the atom's starting nodes.

use std::path::Path;

use serde_json::Value as Json;

use super::glob::{components, fnmatch, has_wildcard, path_glob};
use super::parse::{Atom, Method};
use crate::node::{Node, ResourceType};

/// Nodes dbt keeps in `manifest.nodes` (plus unit tests): what `fqn:` searches.
fn is_parsed(node: &Node) -> bool {
    !matches!(
        node.resource_type,
        ResourceType::Source | ResourceType::Exposure
    )
}

/// Whether `node` matches `atom` before graph operators are applied.
pub(crate) fn matches(atom: &Atom, node: &Node, root_project: &str) -> bool {
    let v = atom.value.as_str();
    match &atom.method {
        Method::Fqn => is_parsed(node) && fqn_matches(&node.fqn, v),
        Method::Tag => node.tags().iter().any(|t| fnmatch(t, v)),
        Method::Group => {
            is_parsed(node) && property(node, "group").and_then(Json::as_str) == Some(v)
        }
        Method::Access => {
            node.resource_type == ResourceType::Model
                && property(node, "access")
                    .and_then(Json::as_str)
                    .unwrap_or("protected")
                    == v
        }
        Method::Source => source_matches(node, v),
        Method::Exposure => {
            if node.resource_type != ResourceType::Exposure {
                return false;
            }
            let (package, name) = v.split_once('.').unwrap_or(("*", v));
            fnmatch(&node.package_name, package) && fnmatch(&node.name, name)
        }
        Method::Path => path_matches(node, v),
        Method::File => {
            let file = Path::new(&node.origin.file);
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let stem = file.file_stem().and_then(|n| n.to_str()).unwrap_or("");
            !name.is_empty() && (fnmatch(name, v) || fnmatch(stem, v))
        }
        Method::Package => {
            let wanted = if v == "this" { root_project } else { v };
            fnmatch(&node.package_name, wanted)
        }
        Method::Config(keys) => {
            !matches!(
                node.resource_type,
                ResourceType::Exposure | ResourceType::UnitTest
            ) && config_matches(node, keys, v)
        }
        Method::TestName => match (&node.resource_type, &node.test_metadata) {
            (ResourceType::Test, Some(meta)) => {
                fnmatch(&meta.name, v)
                    || meta
                        .namespace
                        .as_ref()
                        .is_some_and(|ns| fnmatch(&format!("{ns}.{}", meta.name), v))
            }
            // dbt matches unit tests by their own name.
            (ResourceType::UnitTest, _) => fnmatch(&node.name, v),
            _ => false,
        },
        Method::TestType => match v {
            "generic" | "schema" => {
                node.resource_type == ResourceType::Test && node.test_metadata.is_some()
            }
            "singular" | "data" => {
                node.resource_type == ResourceType::Test && node.test_metadata.is_none()
            }
            "unit" => node.resource_type == ResourceType::UnitTest,
            _ => false,
        },
        Method::ResourceType => ResourceType::parse(v) == Some(node.resource_type),
        Method::UnitTest => {
            node.resource_type == ResourceType::UnitTest
                && (fnmatch(&node.name, v) || fqn_matches(&node.fqn, v))
        }
    }
}

/// dbt's qualified-name match, tried with and without the leading package name.
pub(crate) fn fqn_matches(fqn: &[String], selector: &str) -> bool {
    if fqn.is_empty() {
        return false;
    }
    fqn_matches_scoped(fqn, selector) || fqn_matches_scoped(&fqn[1..], selector)
}

/// The leaf equals the selector, or the selector's dot-separated parts are a prefix of the
/// (dot-flattened) fqn; from the first part holding a wildcard on, the rest of the fqn must
/// fnmatch the rest of the selector.
fn fqn_matches_scoped(fqn: &[String], selector: &str) -> bool {
    if fqn.last().is_some_and(|leaf| leaf == selector) {
        return true;
    }
    // A one-part pattern also matches the leaf name (dbt 1.12: `stg_*` selects stg_x).
    if !selector.contains('.')
        && has_wildcard(selector)
        && fqn.last().is_some_and(|leaf| fnmatch(leaf, selector))
    {
        return true;
    }
    let flat: Vec<&str> = fqn.iter().flat_map(|s| s.split('.')).collect();
    let parts: Vec<&str> = selector.split('.').collect();
    if flat.len() < parts.len() {
        return false;
    }
    for (i, part) in parts.iter().enumerate() {
        if has_wildcard(part) {
            return fnmatch(&flat[i..].join("."), &parts[i..].join("."));
        }
        if flat[i] != *part {
            return false;
        }
    }
    true
}

fn source_matches(node: &Node, v: &str) -> bool {
    if node.resource_type != ResourceType::Source {
        return false;
    }
    let parts: Vec<&str> = v.split('.').collect();
    let (package, source, table) = match parts.as_slice() {
        [s] => ("*", *s, "*"),
        [s, t] => ("*", *s, *t),
        [p, s, t] => (*p, *s, *t),
        _ => return false,
    };
    let source_name = node
        .source
        .as_ref()
        .map(|s| s.source_name.as_str())
        .unwrap_or("");
    fnmatch(&node.package_name, package)
        && fnmatch(source_name, source)
        && fnmatch(&node.name, table)
}

/// `path:` like dbt's `root.glob(value)`: the node's file (or its property YAML) or one of its
/// parent directories must match the pattern.
fn path_matches(node: &Node, v: &str) -> bool {
    let pattern = components(v);
    if pattern.is_empty() {
        return false;
    }
    let patch = node
        .extra
        .get("patch_path")
        .and_then(Json::as_str)
        .map(|p| p.split_once("://").map_or(p, |(_, rest)| rest));
    std::iter::once(node.origin.file.as_str())
        .chain(patch)
        .filter(|f| !f.is_empty())
        .any(|file| {
            let comps = components(file);
            (1..=comps.len()).any(|n| path_glob(&pattern, &comps[..n]))
        })
}

/// A field dbt may keep in config or at the top level of the node.
fn property<'a>(node: &'a Node, key: &str) -> Option<&'a Json> {
    node.config.get(key).or_else(|| node.extra.get(key))
}

/// dbt fills these configs even when nobody wrote them.
fn config_default(node: &Node, key: &str) -> Option<Json> {
    match key {
        "materialized" if node.resource_type != ResourceType::Source => {
            Some(Json::String(node.materialized().to_string()))
        }
        "enabled" => Some(Json::Bool(node.enabled())),
        _ => None,
    }
}

fn config_matches(node: &Node, keys: &[String], v: &str) -> bool {
    let Some((first, rest)) = keys.split_first() else {
        return false;
    };
    let default;
    let mut value = match node.config.get(first.as_str()) {
        Some(x) => x,
        None => match config_default(node, first) {
            Some(d) => {
                default = d;
                &default
            }
            None => return false,
        },
    };
    for key in rest {
        match value.get(key.as_str()) {
            Some(x) => value = x,
            None => return false,
        }
    }
    let case_insensitive = keys.len() == 1 && keys[0] == "severity";
    match value {
        Json::Array(items) => items.iter().any(|x| scalar_eq(x, v, case_insensitive)),
        x => scalar_eq(x, v, case_insensitive),
    }
}

/// dbt compares strings exactly (`severity` ignoring case) and booleans to `true`/`false`
/// in any case. Numbers compare by their text, which dbt never matches (a Python str is never
/// equal to an int); xform matches them since nobody could mean anything else.
fn scalar_eq(x: &Json, v: &str, case_insensitive: bool) -> bool {
    match x {
        Json::String(s) if case_insensitive => s.eq_ignore_ascii_case(v),
        Json::String(s) => s == v,
        Json::Bool(b) => v.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        Json::Number(n) => n.to_string() == v,
        _ => false,
    }
}
