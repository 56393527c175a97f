//! The node being rendered on this thread -> what `ref`, `source`, `config`, `var` and `this` see.
//!
//! Templates and macros are compiled once per environment and shared by all threads, so
//! per-node state lives in a thread-local `NodeCtx` set around each render.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use minijinja::value::{Kwargs, Object, ObjectRepr, Rest, Value};
use minijinja::{Error, ErrorKind, State};
use serde_json::Value as Json;

use super::convert::{json_to_value, value_to_json};
use super::relation::Relation;
use crate::dialect::Dialect;
use crate::node::RefCall;
use crate::project::config::{Config, merge_value};

/// Where a resolved `ref()` points.
#[derive(Debug, Clone)]
pub struct RefTarget {
    pub unique_id: String,
    pub relation: Relation,
    pub ephemeral: bool,
}

/// Read-only lookups shared by every thread in the compile pass.
#[derive(Debug, Default)]
pub struct Resolver {
    /// (package, name) -> target, for models, seeds and snapshots.
    pub refs: HashMap<(String, String), RefTarget>,
    /// (source, table) -> unique id and relation.
    pub sources: HashMap<(String, String), (String, Relation)>,
    pub root_package: String,
}

impl Resolver {
    pub fn resolve_ref(&self, call: &RefCall, current_package: &str) -> Option<&RefTarget> {
        match &call.package {
            Some(p) => self.refs.get(&(p.clone(), call.name.clone())),
            None => self
                .refs
                .get(&(current_package.to_string(), call.name.clone()))
                .or_else(|| {
                    self.refs
                        .get(&(self.root_package.clone(), call.name.clone()))
                })
                .or_else(|| {
                    self.refs
                        .iter()
                        .find(|((_, n), _)| n == &call.name)
                        .map(|(_, t)| t)
                }),
        }
    }
}

/// What a render recorded: the calls dbt's parser records.
#[derive(Debug, Default, Clone)]
pub struct Calls {
    pub refs: Vec<RefCall>,
    pub sources: Vec<(String, String)>,
    /// Keys set by `config()` calls in the template, in call order.
    pub config: Config,
    /// Ephemeral unique ids referenced, in first-use order (compile pass).
    pub ephemerals: Vec<String>,
    /// Macro unique ids called.
    pub macros: Vec<String>,
    pub warnings: Vec<String>,
}

/// Per-node state for one render on this thread.
pub struct NodeCtx {
    pub package: String,
    pub execute: bool,
    pub dialect: Dialect,
    /// The node's config so far: layers below `config()`, updated by `config()` calls.
    pub config: Config,
    pub vars: Arc<HashMap<String, Json>>,
    pub resolver: Option<Arc<Resolver>>,
    pub target_database: String,
    pub target_schema: String,
    pub is_incremental: bool,
    /// `--empty`: refs and sources render as zero-row subqueries.
    pub empty: bool,
    /// The warehouse, when rendering for a run (run_query, statement, adapter lookups).
    pub warehouse: Option<Arc<dyn crate::adapter::Adapter>>,
    /// `statement` results by name, for `load_result`.
    pub results: HashMap<String, Value>,
    pub calls: Calls,
    /// The template context (this, model, execute ...) handed to macro files too.
    pub globals: Value,
    /// Macros being run, innermost last.
    pub frames: Vec<Frame>,
    /// For generic tests: the test to call and what it is attached to.
    pub test: Option<TestCall>,
    /// For unit tests: the macro and env var overrides of the test being run.
    pub unit: Option<Arc<super::unit::UnitOverrides>>,
}

/// A generic test invocation: which test macro, with which arguments, on which relation.
#[derive(Debug, Clone)]
pub struct TestCall {
    pub meta: crate::node::TestMetadata,
    pub model_ref: Option<RefCall>,
    pub model_source: Option<(String, String)>,
}

/// One running macro: its package (for resolving unqualified calls) and its `return()` value.
pub struct Frame {
    pub package: String,
    pub returned: Option<Value>,
}

impl NodeCtx {
    /// The package whose macros an unqualified call sees first.
    pub fn lookup_package(&self) -> &str {
        self.frames.last().map_or(&self.package, |f| &f.package)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<NodeCtx>> = const { RefCell::new(None) };
}

/// Runs `f` with `ctx` installed as this thread's current node; returns the ctx back.
pub fn with_node<R>(ctx: NodeCtx, f: impl FnOnce() -> R) -> (R, NodeCtx) {
    CURRENT.with(|c| *c.borrow_mut() = Some(ctx));
    let out = f();
    let ctx = CURRENT.with(|c| c.borrow_mut().take());
    match ctx {
        Some(ctx) => (out, ctx),
        // Unreachable in practice: only with_node removes the context.
        None => panic!("render context vanished during a render"),
    }
}

/// Borrows the current node mutably; errors when called outside a render.
pub fn current<R>(f: impl FnOnce(&mut NodeCtx) -> R) -> Result<R, Error> {
    CURRENT.with(|c| match c.borrow_mut().as_mut() {
        Some(ctx) => Ok(f(ctx)),
        None => Err(Error::new(
            ErrorKind::InvalidOperation,
            "this function can only be used while rendering a node",
        )),
    })
}

pub fn undefined_ok() -> Value {
    Value::from("")
}

/// `ref('name')`, `ref('package', 'name')`, with `version=` / `v=` tolerated.
pub fn ref_fn(args: Rest<String>, kwargs: Kwargs) -> Result<Value, Error> {
    let version = kwargs
        .get::<Option<Value>>("version")?
        .or(kwargs.get::<Option<Value>>("v")?)
        .map(|v| v.to_string());
    let call = match args.as_slice() {
        [name] => RefCall {
            package: None,
            name: name.clone(),
            version,
        },
        [package, name] => RefCall {
            package: Some(package.clone()),
            name: name.clone(),
            version,
        },
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                "ref() takes a model name, or a package name and a model name",
            ));
        }
    };
    ref_value(call)
}

/// Records and resolves one ref() call for the current node.
pub fn ref_value(call: RefCall) -> Result<Value, Error> {
    current(|ctx| {
        if !ctx.calls.refs.contains(&call) {
            ctx.calls.refs.push(call.clone());
        }
        let Some(resolver) = ctx.resolver.clone() else {
            // Parse pass: any relation will do; the output is discarded.
            return Ok(Relation::new(
                ctx.dialect,
                &ctx.target_database,
                &ctx.target_schema,
                &call.name,
            )
            .into_value());
        };
        match resolver.resolve_ref(&call, &ctx.package) {
            Some(t) => {
                if t.ephemeral && !ctx.calls.ephemerals.contains(&t.unique_id) {
                    ctx.calls.ephemerals.push(t.unique_id.clone());
                }
                let mut relation = t.relation.clone();
                relation.empty = ctx.empty && !t.ephemeral;
                Ok(relation.into_value())
            }
            None => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("ref('{}') points at no model, seed or snapshot", call.name),
            )),
        }
    })?
}

/// `source('source_name', 'table_name')`.
pub fn source_fn(source: String, table: String) -> Result<Value, Error> {
    source_value(source, table)
}

/// Records and resolves one source() call for the current node.
pub fn source_value(source: String, table: String) -> Result<Value, Error> {
    current(|ctx| {
        let pair = (source.clone(), table.clone());
        if !ctx.calls.sources.contains(&pair) {
            ctx.calls.sources.push(pair.clone());
        }
        let Some(resolver) = ctx.resolver.clone() else {
            return Ok(Relation::new(
                ctx.dialect,
                &ctx.target_database,
                &ctx.target_schema,
                &table,
            )
            .into_value());
        };
        match resolver.sources.get(&pair) {
            Some((_, rel)) => {
                let mut relation = rel.clone();
                relation.empty = ctx.empty;
                Ok(relation.into_value())
            }
            None => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("source('{source}', '{table}') is not defined in any property file"),
            )),
        }
    })?
}

/// `var('name', default)` with the node's package scope.
pub fn var_fn(name: String, default: Option<Value>) -> Result<Value, Error> {
    let vars = current(|ctx| ctx.vars.clone())?;
    match vars.get(&name) {
        Some(v) => Ok(json_to_value(v)),
        None => match default {
            Some(d) => Ok(d),
            None => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "Required var '{name}' not found in config: define it under `vars:` in dbt_project.yml or pass --vars"
                ),
            )),
        },
    }
}

pub fn is_incremental_fn() -> Result<bool, Error> {
    current(|ctx| {
        // dbt's is_incremental is a macro; record it as one.
        let id = "macro.dbt.is_incremental".to_string();
        if ctx.frames.is_empty() && !ctx.calls.macros.contains(&id) {
            ctx.calls.macros.push(id);
        }
        ctx.is_incremental && ctx.execute
    })
}

/// The `config` object: callable to set config, `.get` / `.require` to read it.
#[derive(Debug)]
pub struct ConfigObject;

impl Object for ConfigObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        let (positional, kwargs): (&[Value], Kwargs) = minijinja::value::from_args(args)?;
        let mut pairs: Vec<(String, Json)> = Vec::new();
        for p in positional {
            if let Json::Object(m) = value_to_json(p) {
                pairs.extend(m);
            }
        }
        for key in kwargs.args() {
            let v: Value = kwargs.get(key)?;
            pairs.push((key.to_string(), value_to_json(&v)));
        }
        current(|ctx| {
            if !ctx.execute {
                for (k, v) in pairs {
                    merge_value(&mut ctx.calls.config, &k, v.clone());
                    merge_value(&mut ctx.config, &k, v);
                }
            }
        })?;
        Ok(undefined_ok())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let (key, default): (String, Option<Value>) = minijinja::value::from_args(args)?;
        let found = current(|ctx| {
            ctx.config
                .get(crate::project::config::canonical_key(&key))
                .cloned()
        })?;
        match (name, found) {
            ("get", Some(v)) if !v.is_null() => Ok(json_to_value(&v)),
            ("get", _) => Ok(default.unwrap_or(Value::from(()))),
            ("require", Some(v)) if !v.is_null() => Ok(json_to_value(&v)),
            ("require", _) => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("required config `{key}` was not set"),
            )),
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("config has no method `{name}`"),
            )),
        }
    }
}
