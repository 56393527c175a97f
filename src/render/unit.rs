//! A unit test's substitutions (fixture CTEs for refs, sources and `this`; macro, var and
//! env var overrides) + the tested model -> the model's SQL rendered against the fixtures.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;
use minijinja::Error;
use minijinja::value::Value;
use serde_json::Value as Json;

use super::context::{NodeCtx, RefTarget, Resolver, current};
use super::convert::{json_to_value, map_value};
use super::passes::{PassInput, Rendered};
use super::relation::Relation;
use crate::diagnostics::Diagnostic;
use crate::node::Node;

/// What a unit test overrides while the tested model renders.
#[derive(Debug, Default)]
pub struct UnitOverrides {
    /// Macro name (`name` or `package.name`) -> the value every call returns.
    pub macros: HashMap<String, Value>,
    pub env_vars: HashMap<String, String>,
}

/// The override for a macro call, when the node being rendered is under a unit test.
/// As in dbt, overriding `x` also overrides `dbt.x`, and the other way round.
pub fn macro_override(package: Option<&str>, name: &str) -> Option<Value> {
    current(|c| {
        let u = c.unit.as_ref()?;
        let found = match package {
            None => u
                .macros
                .get(name)
                .or_else(|| u.macros.get(&format!("dbt.{name}"))),
            Some(p) => u
                .macros
                .get(&format!("{p}.{name}"))
                .or_else(|| (p == "dbt").then(|| u.macros.get(name)).flatten()),
        };
        found.cloned()
    })
    .ok()
    .flatten()
}

/// `env_var()` in node templates: a unit test's override first, then the environment.
pub fn env_var_fn(name: String, default: Option<Value>) -> Result<Value, Error> {
    let overridden = current(|c| c.unit.as_ref().and_then(|u| u.env_vars.get(&name).cloned()))
        .ok()
        .flatten();
    match overridden {
        Some(v) => Ok(Value::from(v)),
        None => crate::project::values::env_var(name, default),
    }
}

/// A fixture standing in for one input: the CTE it becomes (`__dbt__cte__<name>`).
#[derive(Debug, Clone)]
pub struct Stand {
    pub name: String,
    /// Recorded by `ref()` when used, to know which fixtures the SQL needs.
    pub unique_id: String,
}

/// The inputs a unit test gives, keyed as the tested model asks for them.
#[derive(Debug, Default)]
pub struct Substitutes {
    /// (package, name) of the model, seed or snapshot -> its fixture.
    pub refs: Vec<((String, String), Stand)>,
    /// (source name, table name) -> its fixture.
    pub sources: Vec<((String, String), Stand)>,
    pub this: Option<Stand>,
}

/// What a unit test changes about the tested model's render.
pub struct UnitSetup<'a> {
    pub substitutes: &'a Substitutes,
    pub macros: &'a IndexMap<String, Json>,
    pub vars: &'a IndexMap<String, Json>,
    pub env_vars: &'a IndexMap<String, String>,
}

/// Renders the tested model (and SQL fixtures) with refs resolving only to fixtures.
pub struct UnitRender<'a> {
    input: &'a PassInput<'a>,
    model: &'a Node,
    resolver: Arc<Resolver>,
    overrides: Arc<UnitOverrides>,
    vars: Arc<HashMap<String, Json>>,
    this: Option<Relation>,
    is_incremental: bool,
}

impl<'a> UnitRender<'a> {
    pub fn new(input: &'a PassInput<'a>, model: &'a Node, setup: &UnitSetup) -> UnitRender<'a> {
        let dialect = input.renv.dialect;
        let mut resolver = Resolver {
            root_package: input.project.name().to_string(),
            ..Resolver::default()
        };
        // Only given inputs resolve: a ref the test does not give fails to render, as in dbt.
        for (key, stand) in &setup.substitutes.refs {
            resolver.refs.insert(
                key.clone(),
                RefTarget {
                    unique_id: stand.unique_id.clone(),
                    relation: Relation::ephemeral(dialect, &stand.name),
                    ephemeral: true,
                },
            );
        }
        for (key, stand) in &setup.substitutes.sources {
            resolver.sources.insert(
                key.clone(),
                (
                    stand.unique_id.clone(),
                    Relation::ephemeral(dialect, &stand.name),
                ),
            );
        }
        let mut vars: HashMap<String, Json> = input
            .vars
            .get(&model.package_name)
            .map(|v| v.as_ref().clone())
            .unwrap_or_default();
        // Overridden vars win over the project's and --vars, like extra CLI vars.
        vars.extend(setup.vars.iter().map(|(k, v)| (k.clone(), v.clone())));
        let overrides = UnitOverrides {
            macros: setup
                .macros
                .iter()
                .map(|(k, v)| (k.clone(), json_to_value(v)))
                .collect(),
            env_vars: setup
                .env_vars
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        let is_incremental = setup
            .macros
            .get("is_incremental")
            .or_else(|| setup.macros.get("dbt.is_incremental"))
            .is_some_and(truthy);
        UnitRender {
            input,
            model,
            resolver: Arc::new(resolver),
            overrides: Arc::new(overrides),
            vars: Arc::new(vars),
            this: setup
                .substitutes
                .this
                .as_ref()
                .map(|s| Relation::ephemeral(dialect, &s.name)),
            is_incremental,
        }
    }

    fn ctx(&self) -> NodeCtx {
        let mut ctx = self.input.ctx_for(self.model, true);
        ctx.resolver = Some(self.resolver.clone());
        ctx.vars = self.vars.clone();
        ctx.is_incremental = self.is_incremental;
        // Fixtures are the data: --empty does not apply to them.
        ctx.empty = false;
        ctx.unit = Some(self.overrides.clone());
        if let Some(this) = &self.this {
            let model = ctx.globals.get_attr("model").unwrap_or_default();
            ctx.globals = map_value([
                ("this", this.clone().into_value()),
                ("model", model.clone()),
                ("node", model),
                ("execute", Value::from(true)),
            ]);
        }
        ctx
    }

    /// The tested model's SQL, with the calls it made (which fixtures it used).
    pub fn model_sql(&self) -> Result<Rendered, Diagnostic> {
        let src = super::prepare::node_template(&self.model.raw_code);
        self.input.render_prepared(self.model, self.ctx(), &src)
    }

    /// A `format: sql` fixture: Jinja in it renders in the tested model's context.
    pub fn fixture_sql(&self, text: &str) -> Result<String, Diagnostic> {
        if !text.contains("{{") && !text.contains("{%") {
            return Ok(text.to_string());
        }
        self.input
            .render_prepared(self.model, self.ctx(), text)
            .map(|r| r.sql)
    }
}

fn truthy(v: &Json) -> bool {
    match v {
        Json::Bool(b) => *b,
        Json::Null => false,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(m) => !m.is_empty(),
    }
}
