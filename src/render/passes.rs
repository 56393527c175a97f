//! The two render passes over nodes, in parallel: parse (execute=false: refs, sources,
//! config) and compile (execute=true: final SQL with relations resolved).

use std::collections::HashMap;
use std::sync::Arc;

use minijinja::value::Value;
use rayon::prelude::*;
use serde_json::Value as Json;

use super::context::{Calls, NodeCtx, Resolver, with_node};
use super::convert::json_to_value;
use super::env::RenderEnv;
use super::relation::Relation;
use crate::diagnostics::{Diagnostic, Location, did_you_mean};
use crate::node::{Node, ResourceType};
use crate::project::Project;

/// What a node's template yields in one pass.
pub struct Rendered {
    pub sql: String,
    pub calls: Calls,
    /// The config after `config()` calls (parse pass).
    pub config: crate::project::config::Config,
}

/// Shared inputs of a pass.
pub struct PassInput<'a> {
    pub renv: &'a RenderEnv,
    pub project: &'a Project,
    /// Vars per package, computed once.
    pub vars: HashMap<String, Arc<HashMap<String, Json>>>,
    pub resolver: Option<Arc<Resolver>>,
    /// What the warehouse holds when rendering for a run (None offline).
    pub run: Option<RunState>,
}

/// What a run knows at compile time: the relations that exist (lower-cased
/// `database.schema.identifier`) and `--full-refresh`, which decide `is_incremental()`.
#[derive(Clone, Default)]
pub struct RunState {
    /// The warehouse, for introspective Jinja (run_query, statement, adapter lookups).
    pub adapter: Option<Arc<dyn crate::adapter::Adapter>>,
    pub existing: Arc<std::collections::HashSet<String>>,
    pub full_refresh: bool,
    /// `--empty`: models and snapshots read zero rows from refs and sources.
    pub empty: bool,
}

impl RunState {
    /// dbt's is_incremental(): an incremental model whose table exists, not being
    /// rebuilt by --full-refresh (the node's `full_refresh` config wins over the flag).
    pub fn is_incremental(&self, node: &Node) -> bool {
        let key = format!("{}.{}.{}", node.database, node.schema, node.alias).to_lowercase();
        node.materialized() == "incremental"
            && self.existing.contains(&key)
            && !node
                .config
                .get("full_refresh")
                .and_then(Json::as_bool)
                .unwrap_or(self.full_refresh)
    }
}

impl<'a> PassInput<'a> {
    pub fn new(
        renv: &'a RenderEnv,
        project: &'a Project,
        resolver: Option<Arc<Resolver>>,
    ) -> PassInput<'a> {
        let vars = project
            .packages
            .iter()
            .map(|p| (p.name.clone(), Arc::new(project.vars_for(&p.name))))
            .collect();
        PassInput {
            renv,
            project,
            vars,
            resolver,
            run: None,
        }
    }

    pub(crate) fn ctx_for(&self, node: &Node, execute: bool) -> NodeCtx {
        let dialect = self.renv.dialect;
        let this = if node.database.is_empty() && node.schema.is_empty() {
            Relation::new(
                dialect,
                &self.project.target.database,
                &self.project.target.schema,
                &node.name,
            )
        } else {
            Relation::new(dialect, &node.database, &node.schema, &node.alias)
        };
        let model = json_to_value(&node_json(node));
        let globals = crate::render::convert::map_value([
            ("this", this.into_value()),
            ("model", model.clone()),
            ("node", model),
            ("execute", Value::from(execute)),
        ]);
        NodeCtx {
            package: node.package_name.clone(),
            execute,
            dialect,
            config: node.config.clone(),
            vars: self
                .vars
                .get(&node.package_name)
                .cloned()
                .unwrap_or_default(),
            resolver: self.resolver.clone(),
            target_database: self.project.target.database.clone(),
            target_schema: self.project.target.schema.clone(),
            is_incremental: self.run.as_ref().is_some_and(|r| r.is_incremental(node)),
            empty: self.run.as_ref().is_some_and(|r| r.empty)
                && matches!(
                    node.resource_type,
                    crate::node::ResourceType::Model | crate::node::ResourceType::Snapshot
                ),
            warehouse: self.run.as_ref().and_then(|r| r.adapter.clone()),
            results: HashMap::new(),
            calls: Calls::default(),
            globals,
            frames: Vec::new(),
            test: None,
            unit: None,
        }
    }

    /// Renders one node's template; errors become one diagnostic at the failing line.
    ///
    /// Node templates are compiled per render rather than cached in the environment:
    /// measured on N=10000, caching 10k compiled templates cost ~100 MiB and was slower.
    pub fn render(&self, node: &Node, execute: bool) -> Result<Rendered, Diagnostic> {
        if node.test_metadata.is_some() {
            return self.render_with(node, execute, |env| {
                env.get_template(super::env::GENERIC_TEST)
            });
        }
        let src = super::prepare::node_template(&node.raw_code);
        let name = super::env::template_name(node);
        self.render_with(node, execute, |env| {
            env.template_from_named_str(name.as_str(), &src)
        })
    }

    /// Renders `source` (not the node's own file) with the node's context.
    pub fn render_source(
        &self,
        node: &Node,
        execute: bool,
        source: &str,
    ) -> Result<Rendered, Diagnostic> {
        self.render_with(node, execute, |env| {
            env.template_from_named_str(node.origin.file.as_str(), source)
        })
    }

    fn render_with<'e>(
        &'e self,
        node: &Node,
        execute: bool,
        template: impl FnOnce(
            &'e minijinja::Environment<'static>,
        ) -> Result<minijinja::Template<'e, 'e>, minijinja::Error>,
    ) -> Result<Rendered, Diagnostic> {
        let ctx = ctx_with_test(self.ctx_for(node, execute), node);
        self.render_in(node, ctx, template)
    }

    /// Renders `source` for `node` with a context the caller prepared from `ctx_for`
    /// (unit tests swap refs for fixtures and apply overrides).
    pub(crate) fn render_prepared(
        &self,
        node: &Node,
        ctx: NodeCtx,
        source: &str,
    ) -> Result<Rendered, Diagnostic> {
        self.render_in(node, ctx, |env| {
            env.template_from_named_str(node.origin.file.as_str(), source)
        })
    }

    fn render_in<'e>(
        &'e self,
        node: &Node,
        ctx: NodeCtx,
        template: impl FnOnce(
            &'e minijinja::Environment<'static>,
        ) -> Result<minijinja::Template<'e, 'e>, minijinja::Error>,
    ) -> Result<Rendered, Diagnostic> {
        let globals = ctx.globals.clone();
        let (result, ctx) = with_node(ctx, || template(&self.renv.env)?.render(globals));
        match result {
            Ok(sql) => Ok(Rendered {
                sql,
                calls: ctx.calls,
                config: ctx.config,
            }),
            Err(e) => Err(jinja_error(&e, node, self.renv)),
        }
    }
}

fn ctx_with_test(mut ctx: NodeCtx, node: &Node) -> NodeCtx {
    if let Some(meta) = &node.test_metadata {
        let on_source = meta
            .attached_node
            .as_deref()
            .is_some_and(|a| a.starts_with("source."));
        // A test can ref other models too (relationships' `to`): `model` is the one the
        // test is attached to, named by the last parts of attached_node.
        let parts: Vec<&str> = meta
            .attached_node
            .as_deref()
            .map(|a| a.split('.').collect())
            .unwrap_or_default();
        ctx.test = Some(super::context::TestCall {
            meta: meta.clone(),
            model_ref: if on_source {
                None
            } else {
                node.refs
                    .iter()
                    .find(|r| parts.get(2) == Some(&r.name.as_str()))
                    .or(node.refs.first())
                    .cloned()
            },
            model_source: if on_source {
                node.sources
                    .iter()
                    .find(|(s, t)| parts.get(2..4) == Some(&[s.as_str(), t.as_str()][..]))
                    .or(node.sources.first())
                    .cloned()
            } else {
                None
            },
        });
    }
    ctx
}

/// A Jinja error as a diagnostic at the user's line: in the node's file, or in the macro
/// file it was raised from (with a note naming the node).
pub fn jinja_error(e: &minijinja::Error, node: &Node, renv: &RenderEnv) -> Diagnostic {
    let mut message = crate::project::values::describe(e);
    let mut notes = Vec::new();
    let undefined = matches!(
        e.kind(),
        minijinja::ErrorKind::UnknownFunction | minijinja::ErrorKind::UndefinedError
    ) || message.contains("is not callable");
    if undefined && let Some(name) = undefined_name(&message, e, &node.raw_code) {
        message = format!("`{name}` is undefined: no macro, function or variable has that name");
        if let Some(hint) = did_you_mean(&name, renv.index.names()) {
            notes.push(hint);
        }
    }
    let (file, line) = match e.name() {
        Some(name) if name != node.origin.file => {
            let file = name.split('#').next().unwrap_or(name).to_string();
            // Name the line of the node that called into the failing macro, when visible.
            let called = name.split_once('#').map(|(_, m)| m);
            let call_line = called.and_then(|m| {
                node.raw_code
                    .lines()
                    .position(|l| l.contains(m))
                    .map(|i| format!(":{}", i + 1))
            });
            notes.push(format!(
                "while rendering {}{}",
                node.origin.file,
                call_line.unwrap_or_default()
            ));
            (file, e.line().unwrap_or(0) as u32)
        }
        _ => {
            let line = e.line().unwrap_or(0) as u32;
            // Generic tests are rendered from a synthetic template: point at their YAML line.
            if node.test_metadata.is_some() {
                (node.origin.file.clone(), node.origin.line)
            } else {
                (node.origin.file.clone(), line + node_line_offset(node))
            }
        }
    };
    let column = column_of(e, node, &file);
    let mut d = Diagnostic::error(message).at(Location::new(file, line, column));
    for n in notes {
        d = d.note(n);
    }
    d
}

/// The 1-based column of a Jinja error inside the node's own template, when known.
fn column_of(e: &minijinja::Error, node: &Node, file: &str) -> u32 {
    if file != node.origin.file || node.test_metadata.is_some() {
        return 0;
    }
    let (Some(range), Some(line)) = (e.range(), e.line()) else {
        return 0;
    };
    // The prepared template differs from the file only inside Jinja tags and in a
    // leading comment that keeps the lines, so columns of a line's start still match.
    let src = super::prepare::node_template(&node.raw_code);
    let start = src
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    if range.start < start {
        return 0;
    }
    let col = src
        .get(start..range.start)
        .map_or(0, |s| s.chars().count() as u32 + 1);
    let file_line = node
        .raw_code
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("");
    if col as usize > file_line.chars().count() + 1 {
        0
    } else {
        col
    }
}

/// Snapshot bodies are padded to keep lines, so nothing to add; kept for clarity.
fn node_line_offset(_node: &Node) -> u32 {
    0
}

/// The name a "cannot call undefined" error is about, read from the failing source line.
fn undefined_name(message: &str, e: &minijinja::Error, raw: &str) -> Option<String> {
    if let Some(start) = message.find('`')
        && let Some(len) = message[start + 1..].find('`')
    {
        return Some(message[start + 1..start + 1 + len].to_string());
    }
    let line = raw.lines().nth(e.line()?.checked_sub(1)?)?;
    let range = e.range()?;
    let _ = range;
    let re = crate::static_regex!(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(");
    re.captures_iter(line).map(|c| c[1].to_string()).find(|n| {
        !matches!(
            n.as_str(),
            "ref" | "source" | "config" | "var" | "env_var" | "is_incremental"
        )
    })
}

/// The `model` / `node` variable: the fields templates read.
pub fn node_json(n: &Node) -> Json {
    let mut m = serde_json::Map::new();
    m.insert("unique_id".into(), Json::from(n.unique_id.clone()));
    m.insert("name".into(), Json::from(n.name.clone()));
    m.insert("resource_type".into(), Json::from(n.resource_type.as_str()));
    m.insert("package_name".into(), Json::from(n.package_name.clone()));
    m.insert("path".into(), Json::from(n.path.clone()));
    m.insert(
        "original_file_path".into(),
        Json::from(n.origin.file.clone()),
    );
    m.insert("fqn".into(), Json::from(n.fqn.clone()));
    m.insert("database".into(), Json::from(n.database.clone()));
    m.insert("schema".into(), Json::from(n.schema.clone()));
    m.insert("alias".into(), Json::from(n.alias.clone()));
    m.insert("identifier".into(), Json::from(n.alias.clone()));
    m.insert("description".into(), Json::from(n.description.clone()));
    m.insert("tags".into(), Json::from(n.tags()));
    m.insert(
        "meta".into(),
        Json::Object(n.meta.clone().into_iter().collect()),
    );
    m.insert(
        "config".into(),
        Json::Object(n.config.clone().into_iter().collect()),
    );
    m.insert("raw_code".into(), Json::from(n.raw_code.clone()));
    m.insert(
        "columns".into(),
        Json::Object(
            n.columns
                .iter()
                .map(|(k, c)| {
                    (
                        k.clone(),
                        serde_json::json!({"name": c.name, "description": c.description, "data_type": c.data_type, "meta": c.meta, "tags": c.tags}),
                    )
                })
                .collect(),
        ),
    );
    m.insert("version".into(), Json::Null);
    m.insert("refs".into(), Json::from(n.refs.iter().map(|r| serde_json::json!({"name": r.name, "package": r.package, "version": r.version})).collect::<Vec<_>>()));
    m.insert(
        "sources".into(),
        Json::from(
            n.sources
                .iter()
                .map(|(a, b)| serde_json::json!([a, b]))
                .collect::<Vec<_>>(),
        ),
    );
    m.insert(
        "depends_on".into(),
        serde_json::json!({"nodes": n.depends_on, "macros": n.macros}),
    );
    if n.resource_type == ResourceType::Source
        && let Some(s) = &n.source
    {
        m.insert("source_name".into(), Json::from(s.source_name.clone()));
        m.insert("identifier".into(), Json::from(s.identifier.clone()));
    }
    Json::Object(m)
}

/// Parse pass over every SQL node (generic tests excepted): fills refs, sources, macros and
/// the final config. Returns all diagnostics.
pub fn parse_pass(input: &PassInput, nodes: &mut [Node]) -> Vec<Diagnostic> {
    let results: Vec<(usize, Result<Rendered, Diagnostic>)> = nodes
        .par_iter()
        .enumerate()
        .filter(|(_, n)| n.resource_type.is_sql() && n.test_metadata.is_none())
        .map(|(i, n)| (i, input.render(n, false)))
        .collect();
    let mut diags = Vec::new();
    for (i, r) in results {
        match r {
            Ok(r) => {
                let n = &mut nodes[i];
                for call in r.calls.refs {
                    if !n.refs.contains(&call) {
                        n.refs.push(call);
                    }
                }
                for s in r.calls.sources {
                    if !n.sources.contains(&s) {
                        n.sources.push(s);
                    }
                }
                n.macros = r.calls.macros;
                n.config = r.config;
                for w in r.calls.warnings {
                    diags.push(Diagnostic::warning(w).at(Location::file(n.origin.file.clone())));
                }
            }
            Err(d) => diags.push(d),
        }
    }
    diags
}
