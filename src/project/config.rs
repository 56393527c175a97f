//! Config trees (dbt_project.yml levels, property YAML, `config()`) -> one merged config per node.
//!
//! Precedence is dbt's: project levels from outermost to the node's own key, then the
//! property YAML `config:`, then the model's `config()` call. Most keys replace; `tags`
//! and hooks accumulate; dict-valued keys such as `meta` merge key by key.

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::yaml::{Yaml, YamlValue};

pub type Config = IndexMap<String, Json>;

/// Config keys whose values are mappings, so a bare (un-`+`) key of that name is config.
const DICT_KEYS: &[&str] = &[
    "meta",
    "docs",
    "persist_docs",
    "partition_by",
    "grants",
    "contract",
    "quoting",
    "labels",
    "column_types",
    "freshness",
    "snapshot_meta_column_names",
    "access",
    "event_time",
];

/// Keys merged key-by-key rather than replaced.
const MERGE_KEYS: &[&str] = &[
    "meta",
    "docs",
    "persist_docs",
    "grants",
    "column_types",
    "labels",
];

/// Normalises config key spellings (`pre_hook` and `pre-hook` are one key in dbt).
pub fn canonical_key(key: &str) -> &str {
    match key {
        "pre_hook" => "pre-hook",
        "post_hook" => "post-hook",
        other => other,
    }
}

/// Sets `key` on `base` following dbt's merge rules.
pub fn merge_value(base: &mut Config, key: &str, value: Json) {
    let key = canonical_key(key);
    match key {
        "tags" | "pre-hook" | "post-hook" => {
            let mut items = as_list(base.get(key));
            for v in as_list(Some(&value)) {
                if key != "tags" || !items.contains(&v) {
                    items.push(v);
                }
            }
            base.insert(key.to_string(), Json::Array(items));
        }
        k if MERGE_KEYS.contains(&k) => match (base.get_mut(k), value) {
            (Some(Json::Object(old)), Json::Object(new)) => {
                for (nk, nv) in new {
                    old.insert(nk, nv);
                }
            }
            (_, v) => {
                base.insert(k.to_string(), v);
            }
        },
        _ => {
            base.insert(key.to_string(), value);
        }
    }
}

fn as_list(v: Option<&Json>) -> Vec<Json> {
    match v {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
    }
}

/// Merges every entry of `layer` onto `base`.
pub fn merge(base: &mut Config, layer: &Config) {
    for (k, v) in layer {
        merge_value(base, k, v.clone());
    }
}

/// The configs set directly at one level of a dbt_project.yml tree (not its sub-folders).
pub fn level_configs(level: &Yaml) -> Config {
    let mut out = Config::new();
    if let YamlValue::Map(m) = &level.value {
        for (k, v) in m {
            if let Some(key) = k.strip_prefix('+') {
                merge_value(&mut out, key, v.to_json());
            } else if v.as_map().is_none() || DICT_KEYS.contains(&k.as_str()) {
                merge_value(&mut out, k, v.to_json());
            }
        }
    }
    out
}

/// Walks a resource tree (`models:` ...) along `fqn`, merging each level's configs.
pub fn project_config(tree: Option<&Yaml>, fqn: &[String]) -> Config {
    let mut out = Config::new();
    let Some(mut level) = tree else {
        return out;
    };
    merge(&mut out, &level_configs(level));
    for part in fqn {
        match level.get(part) {
            Some(next) if next.as_map().is_some() && !part.starts_with('+') => {
                merge(&mut out, &level_configs(next));
                level = next;
            }
            _ => break,
        }
    }
    out
}

/// Folder keys in a tree that match no resource, for the "unused config path" warning.
pub fn folder_paths(tree: &Yaml, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, u32)>) {
    if let YamlValue::Map(m) = &tree.value {
        for (k, v) in m {
            if k.starts_with('+') || DICT_KEYS.contains(&k.as_str()) || v.as_map().is_none() {
                continue;
            }
            prefix.push(k.clone());
            out.push((prefix.clone(), v.line));
            folder_paths(v, prefix, out);
            prefix.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::yaml::parse;

    #[test]
    fn levels_merge_with_dbt_rules() {
        let tree = parse(
            "+tags: base\np:\n  +materialized: view\n  staging:\n    +materialized: table\n    +tags: [stg]\n    +meta: {a: 1}\n    stg_x:\n      +meta: {b: 2}\n      schema: custom\n",
        )
        .unwrap();
        let fqn: Vec<String> = ["p", "staging", "stg_x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let c = project_config(Some(&tree), &fqn);
        assert_eq!(c["materialized"], Json::from("table"));
        assert_eq!(c["tags"], serde_json::json!(["base", "stg"]));
        assert_eq!(c["meta"], serde_json::json!({"a": 1, "b": 2}));
        assert_eq!(c["schema"], Json::from("custom"));
    }

    #[test]
    fn hooks_accumulate_under_one_spelling() {
        let mut c = Config::new();
        merge_value(&mut c, "pre_hook", Json::from("a"));
        merge_value(&mut c, "pre-hook", serde_json::json!(["b"]));
        assert_eq!(c["pre-hook"], serde_json::json!(["a", "b"]));
    }
}
