//! Property-YAML test entries -> generic test nodes, named, hashed and configured as dbt does.

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::Package;
use super::config::{Config, merge, project_config};
use super::nodes::{collect_static_calls, fqn_from_yaml, md5_hex, tree};
use super::properties::TestSpec;
use crate::node::{Node, Origin, ResourceType, TestMetadata};

/// What a generic test is attached to.
#[derive(Clone)]
pub(super) enum Target {
    /// unique id and name
    Node(String, String),
    /// source name and table name
    Source(String, String),
}

/// The test config defaults dbt applies before any project or YAML config.
pub(super) fn defaults_for_test(layered: Config) -> Config {
    let mut c = Config::new();
    c.insert("materialized".into(), Json::from("test"));
    c.insert("schema".into(), Json::from("dbt_test__audit"));
    c.insert("severity".into(), Json::from("ERROR"));
    c.insert("fail_calc".into(), Json::from("count(*)"));
    c.insert("warn_if".into(), Json::from("!= 0"));
    c.insert("error_if".into(), Json::from("!= 0"));
    merge(&mut c, &layered);
    c
}

/// dbt's name synthesis for a generic test: `<test>_<target>_<args>`, hashed past 63 chars.
/// Returns (full name, short name used for the compiled file and alias).
pub fn test_names(
    test_type: &str,
    target_name: &str,
    args: &IndexMap<String, Json>,
) -> (String, String) {
    let mut keys: Vec<&String> = args.keys().filter(|k| k.as_str() != "model").collect();
    keys.sort();
    let mut flat = Vec::new();
    for k in keys {
        match &args[k] {
            Json::Object(m) => flat.extend(m.values().map(py_str)),
            Json::Array(items) => flat.extend(items.iter().map(py_str)),
            other => flat.push(py_str(other)),
        }
    }
    let re = crate::static_regex!("[^0-9a-zA-Z_]+");
    let clean: Vec<String> = flat
        .iter()
        .map(|a| re.replace_all(a, "_").into_owned())
        .collect();
    let unique = clean.join("__");
    let identifier = format!("{test_type}_{target_name}");
    let full = format!("{identifier}_{unique}");
    let short = if full.len() >= 64 {
        let trunc: String = identifier.chars().take(30).collect();
        format!("{trunc}_{}", md5_hex(&full))
    } else {
        full.clone()
    };
    (full, short)
}

/// Python's `str()` of a YAML value, as dbt uses for test names.
fn py_str(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Bool(true) => "True".into(),
        Json::Bool(false) => "False".into(),
        Json::Null => "None".into(),
        Json::Number(n) => n.to_string(),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(py_repr).collect::<Vec<_>>().join(", ")
        ),
        Json::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("'{k}': {}", py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Python's `repr` of a value after dbt makes it hashable: dict keys sorted, leaves `str()`-ed.
fn py_hashable_repr(v: &Json) -> String {
    match v {
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let items: Vec<String> = keys
                .iter()
                .map(|k| format!("{}: {}", py_str_repr(k), py_hashable_repr(&m[k.as_str()])))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Json::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(py_hashable_repr)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        leaf => py_str_repr(&py_str(leaf)),
    }
}

/// Python's `repr()` of a str: single quotes unless the text has `'` and no `"`.
fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn py_repr(v: &Json) -> String {
    match v {
        Json::String(s) => format!("'{s}'"),
        other => py_str(other),
    }
}

pub(super) fn generic_test_node(
    pkg: &Package,
    file: &str,
    target: &Target,
    column: Option<&str>,
    spec: &TestSpec,
) -> Node {
    let (namespace, short_test) = match spec.test_name.split_once('.') {
        Some((ns, t)) => (Some(ns.to_string()), t.to_string()),
        None => (None, spec.test_name.clone()),
    };
    // dbt: `<namespace>_` then `source_` (for source tables) before the test name.
    let on_source = matches!(target, Target::Source(..));
    let test_type = format!(
        "{}{}{short_test}",
        namespace
            .as_ref()
            .map(|ns| format!("{ns}_"))
            .unwrap_or_default(),
        if on_source { "source_" } else { "" }
    );
    let target_name = match target {
        Target::Node(_, name) => name.clone(),
        Target::Source(s, t) => format!("{s}_{t}"),
    };
    let mut args = spec.kwargs.clone();
    if let Some(c) = column {
        args.insert("column_name".into(), Json::from(c));
    }
    let (full, short) = test_names(&test_type, &target_name, &args);
    let name = spec.custom_name.clone().unwrap_or(full);
    let model_kwarg = match target {
        Target::Node(_, m) => format!("{{{{ get_where_subquery(ref('{m}')) }}}}"),
        Target::Source(s, t) => format!("{{{{ get_where_subquery(source('{s}', '{t}')) }}}}"),
    };
    let mut hashed_kwargs = serde_json::Map::new();
    for (k, v) in &args {
        hashed_kwargs.insert(k.clone(), v.clone());
    }
    hashed_kwargs.insert("model".into(), Json::from(model_kwarg));
    let metadata = serde_json::json!({
        "name": short_test,
        "kwargs": hashed_kwargs,
        "namespace": namespace,
    });
    let digest = md5_hex(&format!("{name}{}", py_hashable_repr(&metadata)));
    let uid = format!(
        "test.{}.{}.{}",
        pkg.name,
        name,
        &digest[digest.len() - 10..]
    );
    let mut n = Node::new(ResourceType::Test, &pkg.name, &name, uid);
    n.path = format!("{}.sql", spec.custom_name.clone().unwrap_or(short.clone()));
    n.origin = Origin {
        file: file.to_string(),
        line: spec.line,
    };
    n.fqn = fqn_from_yaml(&pkg.name, file, &name);
    let mut layered = project_config(tree(pkg, "data_tests"), &n.fqn);
    merge(&mut layered, &spec.config);
    n.config = defaults_for_test(layered);
    if short != name && spec.custom_name.is_none() && !n.config.contains_key("alias") {
        n.config.insert("alias".into(), Json::from(short));
    }
    n.raw_code = format!("{{{{ test_{short_test}(**_dbt_generic_test_kwargs) }}}}");
    // Refs written in the arguments come first, the tested model last, as in dbt.
    for v in spec.kwargs.values() {
        if let Json::String(s) = v {
            collect_static_calls(s, &mut n);
        }
    }
    let attached = match target {
        Target::Node(uid, name) => {
            let call = crate::node::RefCall {
                package: None,
                name: name.clone(),
                version: None,
            };
            if !n.refs.contains(&call) {
                n.refs.push(call);
            }
            uid.clone()
        }
        Target::Source(s, t) => {
            n.sources.push((s.clone(), t.clone()));
            format!("source.{}.{s}.{t}", pkg.name)
        }
    };
    n.test_metadata = Some(TestMetadata {
        name: short_test,
        namespace,
        kwargs: spec.kwargs.clone(),
        column_name: column.map(str::to_string),
        attached_node: Some(attached),
    });
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_names_follow_dbt() {
        let mut args = IndexMap::new();
        args.insert("column_name".to_string(), Json::from("id"));
        assert_eq!(
            test_names("not_null", "orders", &args).0,
            "not_null_orders_id"
        );
        args.insert(
            "values".to_string(),
            serde_json::json!(["placed", "shipped"]),
        );
        assert_eq!(
            test_names("accepted_values", "orders", &args).0,
            "accepted_values_orders_id__placed__shipped"
        );
        let mut long = IndexMap::new();
        long.insert(
            "column_name".to_string(),
            Json::from("a_really_long_column_name_here"),
        );
        long.insert(
            "to".to_string(),
            Json::from("ref('another_really_long_model_name')"),
        );
        let (full, short) = test_names("relationships", "some_model_with_long_name", &long);
        assert!(full.len() >= 64);
        assert!(short.starts_with("relationships_some_model_with_"));
        assert_eq!(short.len(), 30 + 1 + 32);
    }

    #[test]
    fn test_ids_hash_like_dbt() {
        // unique ids taken from dbt-core 1.12.6 manifests.
        let meta = serde_json::json!({"name": "not_null", "namespace": null,
            "kwargs": {"column_name": "id", "model": "{{ get_where_subquery(ref('fct_00100')) }}"}});
        let d = md5_hex(&format!("not_null_fct_00100_id{}", py_hashable_repr(&meta)));
        assert_eq!(&d[d.len() - 10..], "6963704c88");
        let meta = serde_json::json!({"name": "accepted_values", "namespace": null,
            "kwargs": {"column_name": "status", "values": ["active", "churned"], "model": "{{ get_where_subquery(ref('customers')) }}"}});
        let d = md5_hex(&format!(
            "accepted_values_customers_status__active__churned{}",
            py_hashable_repr(&meta)
        ));
        assert_eq!(&d[d.len() - 10..], "76378d7ab4");
    }
}
