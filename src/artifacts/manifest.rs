//! A parsed (maybe compiled) project -> manifest.json in dbt's schema v12 layout, streamed
//! straight to the writer (no intermediate JSON tree: 23k nodes stay cheap).

use std::io::Write;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::json;

use crate::dialect::Dialect;
use crate::node::{Node, ResourceType};
use crate::pipeline::Parsed;

pub const SCHEMA: &str = "https://schemas.getdbt.com/dbt/manifest/v12.json";

/// Writes the manifest for `parsed`; `compiled` adds dbt's compile-only fields.
pub fn write(parsed: &Parsed, compiled: bool, out: impl Write) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::new(out);
    Manifest { parsed, compiled }.serialize(&mut ser)
}

struct Manifest<'a> {
    parsed: &'a Parsed,
    compiled: bool,
}

/// A map serialized from an iterator of (key, value) pairs, without collecting it.
struct Entries<I>(std::cell::Cell<Option<I>>);

impl<I, K, V> Serialize for Entries<I>
where
    I: Iterator<Item = (K, V)>,
    K: Serialize,
    V: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.take() {
            Some(it) => s.collect_map(it),
            None => s.collect_map(std::iter::empty::<(K, V)>()),
        }
    }
}

fn entries<I>(it: I) -> Entries<I> {
    Entries(std::cell::Cell::new(Some(it)))
}

impl Serialize for Manifest<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.parsed;
        let g = &p.graph;
        let target = &p.project.root_package().config.target_path;
        let of_kind = |kinds: &'static [ResourceType]| {
            g.nodes
                .iter()
                .filter(move |n| kinds.contains(&n.resource_type))
        };
        let mut m = s.serialize_map(None)?;
        m.serialize_entry(
            "metadata",
            &json!({
                "dbt_schema_version": SCHEMA,
                "dbt_version": super::DBT_VERSION,
                "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                "invocation_id": crate::render::builtins::invocation_id(),
                "env": {},
                "project_name": p.project.name(),
                "project_id": crate::project::nodes::md5_hex(p.project.name()),
                "user_id": null,
                "send_anonymous_usage_stats": false,
                "adapter_type": p.project.target.dialect.adapter_type(),
                "quoting": {"database": true, "schema": true, "identifier": true, "column": null},
            }),
        )?;
        const NODE_KINDS: &[ResourceType] = &[
            ResourceType::Model,
            ResourceType::Seed,
            ResourceType::Snapshot,
            ResourceType::Test,
            ResourceType::Analysis,
        ];
        let dialect = p.project.target.dialect;
        let compiled = self.compiled;
        let root = p.project.root.as_path();
        fn view<'a>(
            n: &'a Node,
            compiled: bool,
            target: &'a str,
            dialect: Dialect,
            root: &'a std::path::Path,
        ) -> NodeView<'a> {
            NodeView {
                n,
                root,
                compiled,
                target,
                dialect,
            }
        }
        m.serialize_entry(
            "nodes",
            &entries(of_kind(NODE_KINDS).map(|n| {
                (
                    n.unique_id.as_str(),
                    view(n, compiled, target, dialect, root),
                )
            })),
        )?;
        m.serialize_entry(
            "sources",
            &entries(
                of_kind(&[ResourceType::Source])
                    .map(|n| (n.unique_id.as_str(), SourceView(n, dialect))),
            ),
        )?;
        m.serialize_entry(
            "macros",
            &entries(p.renv.index.by_package.iter().flat_map(|(pkg, defs)| {
                defs.values().map(move |d| {
                    (
                        d.unique_id(),
                        json!({
                            "name": d.name,
                            "resource_type": "macro",
                            "package_name": pkg,
                            "path": d.file,
                            "original_file_path": d.file,
                            "unique_id": d.unique_id(),
                            "macro_sql": d.sql,
                            "depends_on": {"macros": []},
                            "description": "",
                            "meta": {},
                            "docs": {"show": true, "node_color": null},
                            "patch_path": null,
                            "arguments": [],
                        }),
                    )
                })
            })),
        )?;
        m.serialize_entry("docs", &json!({}))?;
        m.serialize_entry(
            "exposures",
            &entries(
                of_kind(&[ResourceType::Exposure]).map(|n| (n.unique_id.as_str(), ExposureView(n))),
            ),
        )?;
        for empty in ["metrics", "groups", "selectors"] {
            m.serialize_entry(empty, &json!({}))?;
        }
        m.serialize_entry(
            "disabled",
            &entries(p.disabled.iter().map(|n| {
                (
                    n.unique_id.as_str(),
                    [view(n, compiled, target, dialect, root)],
                )
            })),
        )?;
        let ids = |it: Vec<usize>| {
            let mut v: Vec<&str> = it
                .into_iter()
                .map(|i| g.nodes[i].unique_id.as_str())
                .collect();
            v.sort_unstable();
            v
        };
        m.serialize_entry(
            "parent_map",
            &entries(
                (0..g.len()).map(|i| (g.nodes[i].unique_id.as_str(), ids(g.parents(i).collect()))),
            ),
        )?;
        m.serialize_entry(
            "child_map",
            &entries(
                (0..g.len()).map(|i| (g.nodes[i].unique_id.as_str(), ids(g.children(i).collect()))),
            ),
        )?;
        for empty in ["group_map", "saved_queries", "semantic_models"] {
            m.serialize_entry(empty, &json!({}))?;
        }
        m.serialize_entry(
            "unit_tests",
            &entries(
                of_kind(&[ResourceType::UnitTest]).map(|n| (n.unique_id.as_str(), UnitTestView(n))),
            ),
        )?;
        m.serialize_entry("functions", &json!({}))?;
        m.end()
    }
}

/// `refs` as dbt writes them: name, package, version.
fn refs_json(n: &Node) -> Vec<serde_json::Value> {
    n.refs
        .iter()
        .map(|r| json!({"name": r.name, "package": r.package, "version": r.version}))
        .collect()
}

/// `sources` as dbt writes them: [source name, table name] pairs.
fn sources_json(n: &Node) -> Vec<[&str; 2]> {
    n.sources
        .iter()
        .map(|(a, b)| [a.as_str(), b.as_str()])
        .collect()
}

struct NodeView<'a> {
    n: &'a Node,
    root: &'a std::path::Path,
    compiled: bool,
    target: &'a str,
    dialect: Dialect,
}

impl Serialize for NodeView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.n;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("database", &n.database)?;
        m.serialize_entry("schema", &n.schema)?;
        m.serialize_entry("name", &n.name)?;
        m.serialize_entry("resource_type", n.resource_type.as_str())?;
        m.serialize_entry("package_name", &n.package_name)?;
        m.serialize_entry("path", &n.path)?;
        m.serialize_entry("original_file_path", super::package_relative(n))?;
        m.serialize_entry("unique_id", &n.unique_id)?;
        m.serialize_entry("fqn", &n.fqn)?;
        m.serialize_entry("alias", &n.alias)?;
        m.serialize_entry("checksum", &checksum(n, self.root))?;
        m.serialize_entry("config", &n.config)?;
        m.serialize_entry("tags", &n.tags())?;
        m.serialize_entry("description", &n.description)?;
        m.serialize_entry("columns", &n.columns)?;
        m.serialize_entry("meta", &n.meta)?;
        let relational = matches!(
            n.resource_type,
            ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot
        ) && !n.is_ephemeral();
        let relation = relational.then(|| self.dialect.relation(&n.database, &n.schema, &n.alias));
        m.serialize_entry("relation_name", &relation)?;
        m.serialize_entry("raw_code", &n.raw_code)?;
        // A seed has no SQL: dbt's seed node has only macro dependencies.
        if n.resource_type == ResourceType::Seed {
            m.serialize_entry("depends_on", &json!({"macros": n.macros}))?;
        } else {
            m.serialize_entry("language", "sql")?;
            m.serialize_entry("refs", &refs_json(n))?;
            m.serialize_entry("sources", &sources_json(n))?;
            m.serialize_entry(
                "depends_on",
                &json!({"macros": n.macros, "nodes": n.depends_on}),
            )?;
            let compiled_path =
                (n.resource_type.is_sql()).then(|| super::compiled_path(self.target, n));
            m.serialize_entry("compiled_path", &compiled_path)?;
        }
        if self.compiled && n.resource_type.is_sql() {
            m.serialize_entry("compiled", &n.compiled_code.is_some())?;
            m.serialize_entry("compiled_code", &n.compiled_code)?;
        }
        if let Some(t) = &n.test_metadata {
            m.serialize_entry("column_name", &t.column_name)?;
            m.serialize_entry("attached_node", &t.attached_node)?;
            m.serialize_entry(
                "test_metadata",
                &json!({"name": t.name, "kwargs": t.kwargs, "namespace": t.namespace}),
            )?;
        }
        const WRITTEN: &[&str] = &[
            "database",
            "schema",
            "name",
            "resource_type",
            "package_name",
            "path",
            "original_file_path",
            "unique_id",
            "fqn",
            "alias",
            "checksum",
            "config",
            "tags",
            "description",
            "columns",
            "meta",
            "relation_name",
            "raw_code",
            "language",
            "refs",
            "sources",
            "depends_on",
            "compiled_path",
            "compiled",
            "compiled_code",
            "column_name",
            "attached_node",
            "test_metadata",
            // A YAML snapshot's `relation` is its input, not a node field.
            "relation",
        ];
        for (k, v) in &n.extra {
            if !WRITTEN.contains(&k.as_str()) {
                m.serialize_entry(k, v)?;
            }
        }
        m.end()
    }
}

/// The file's checksum (the CSV for a seed, the SQL otherwise); "none" for generic tests,
/// which have no file of their own. dbt writes sha256; xform writes md5 (the digest it
/// already links; libduckdb-sys builds with its own sha2, and sharing it rebuilds DuckDB),
/// named as such, so state comparison between xform manifests stays exact.
fn checksum(n: &Node, root: &std::path::Path) -> serde_json::Value {
    use md5::{Digest, Md5};
    let hex = |bytes: &[u8]| -> String {
        Md5::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let digest = match n.resource_type {
        ResourceType::Seed => std::fs::read(root.join(&n.origin.file))
            .ok()
            .map(|b| hex(&b)),
        _ if n.test_metadata.is_some() || n.raw_code.is_empty() => None,
        _ => Some(hex(n.raw_code.as_bytes())),
    };
    match digest {
        Some(d) => json!({"name": "md5", "checksum": d}),
        None => json!({"name": "none", "checksum": ""}),
    }
}

/// A unit test as dbt writes it: its YAML (model, given, expect, overrides) and identity.
struct UnitTestView<'a>(&'a Node);

impl Serialize for UnitTestView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &n.name)?;
        m.serialize_entry("resource_type", "unit_test")?;
        m.serialize_entry("package_name", &n.package_name)?;
        m.serialize_entry("path", &n.path)?;
        m.serialize_entry("original_file_path", super::package_relative(n))?;
        m.serialize_entry("unique_id", &n.unique_id)?;
        m.serialize_entry("fqn", &n.fqn)?;
        m.serialize_entry("description", &n.description)?;
        m.serialize_entry("schema", &n.schema)?;
        m.serialize_entry("config", &n.config)?;
        m.serialize_entry(
            "depends_on",
            &json!({"macros": n.macros, "nodes": n.depends_on}),
        )?;
        for key in [
            "model",
            "given",
            "expect",
            "overrides",
            "version",
            "versions",
        ] {
            if let Some(v) = n.extra.get(key) {
                m.serialize_entry(key, v)?;
            }
        }
        m.end()
    }
}

/// An exposure as dbt writes it: its YAML properties plus resolved dependencies.
struct ExposureView<'a>(&'a Node);

impl Serialize for ExposureView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.0;
        let get = |k: &str| n.extra.get(k).cloned().unwrap_or(serde_json::Value::Null);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &n.name)?;
        m.serialize_entry("resource_type", "exposure")?;
        m.serialize_entry("package_name", &n.package_name)?;
        let file = super::package_relative(n);
        m.serialize_entry("path", file.split_once('/').map_or(file, |(_, rest)| rest))?;
        m.serialize_entry("original_file_path", file)?;
        m.serialize_entry("unique_id", &n.unique_id)?;
        m.serialize_entry("fqn", &n.fqn)?;
        m.serialize_entry("type", &get("type"))?;
        m.serialize_entry("owner", &get("owner"))?;
        m.serialize_entry("description", &n.description)?;
        m.serialize_entry("label", &get("label"))?;
        m.serialize_entry("maturity", &get("maturity"))?;
        m.serialize_entry("meta", &n.meta)?;
        m.serialize_entry("tags", &n.tags())?;
        m.serialize_entry("config", &super::config_defaults::full_config(n))?;
        m.serialize_entry("unrendered_config", &json!({}))?;
        m.serialize_entry("url", &get("url"))?;
        m.serialize_entry("depends_on", &json!({"macros": [], "nodes": n.depends_on}))?;
        m.serialize_entry("refs", &refs_json(n))?;
        m.serialize_entry("sources", &sources_json(n))?;
        m.serialize_entry("metrics", &json!([]))?;
        m.end()
    }
}

struct SourceView<'a>(&'a Node, Dialect);

impl Serialize for SourceView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.0;
        let src = n.source.clone().unwrap_or_default();
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("database", &n.database)?;
        m.serialize_entry("schema", &n.schema)?;
        m.serialize_entry("name", &n.name)?;
        m.serialize_entry("resource_type", "source")?;
        m.serialize_entry("package_name", &n.package_name)?;
        m.serialize_entry("path", &n.path)?;
        m.serialize_entry("original_file_path", super::package_relative(n))?;
        m.serialize_entry("unique_id", &n.unique_id)?;
        m.serialize_entry("fqn", &n.fqn)?;
        m.serialize_entry("source_name", &src.source_name)?;
        m.serialize_entry("source_description", &src.source_description)?;
        m.serialize_entry("loader", &src.loader)?;
        m.serialize_entry("identifier", &src.identifier)?;
        m.serialize_entry("quoting", &src.quoting)?;
        m.serialize_entry("loaded_at_field", &src.loaded_at_field)?;
        m.serialize_entry("freshness", &src.freshness)?;
        m.serialize_entry("description", &n.description)?;
        m.serialize_entry("columns", &n.columns)?;
        m.serialize_entry("meta", &n.meta)?;
        m.serialize_entry("tags", &n.tags())?;
        m.serialize_entry("config", &n.config)?;
        m.serialize_entry(
            "relation_name",
            &self.1.relation(&n.database, &n.schema, &src.identifier),
        )?;
        m.end()
    }
}
