//! Macro files of every package -> an index by package and name, and callable values that run
//! a macro with dbt's semantics (`return()`, package namespaces, `adapter.dispatch`).

use std::collections::HashMap;
use std::sync::Arc;

use minijinja::value::{Kwargs, Object, ObjectRepr, Value};
use minijinja::{Error, ErrorKind, State};

use super::context::current;

/// One `{% macro name(...) %}` definition.
#[derive(Debug)]
pub struct MacroDef {
    pub package: String,
    pub name: String,
    /// The environment's template holding only this definition (`file#name`).
    pub template: String,
    /// The file it was written in, relative to the project root.
    pub file: String,
    pub line: u32,
    /// The definition's text, `{% macro %}` to `{% endmacro %}` (manifest's `macro_sql`).
    pub sql: String,
}

impl MacroDef {
    pub fn unique_id(&self) -> String {
        format!("macro.{}.{}", self.package, self.name)
    }

    /// The name the definition has inside its prepared template (see `prepare`).
    pub fn local_name(&self) -> String {
        format!("{LOCAL_PREFIX}{}", self.name)
    }
}

/// Every macro by package, plus dbt's lookup and dispatch rules.
#[derive(Debug, Default)]
pub struct MacroIndex {
    pub by_package: HashMap<String, HashMap<String, Arc<MacroDef>>>,
    pub root: String,
    /// `dispatch:` from dbt_project.yml: namespace -> package search order.
    pub dispatch: HashMap<String, Vec<String>>,
    /// "duckdb" or "bigquery": the first prefix dispatch tries.
    pub adapter: &'static str,
}

pub const BUILTIN_PACKAGE: &str = "dbt";

/// Macro definitions are renamed inside their templates so that calls between macros of
/// one file also go through `MacroName`, which gives each call its own `return()` frame.
pub const LOCAL_PREFIX: &str = "__xf_m_";

impl MacroIndex {
    pub fn add(&mut self, def: MacroDef) {
        self.by_package
            .entry(def.package.clone())
            .or_default()
            .insert(def.name.clone(), Arc::new(def));
    }

    pub fn get(&self, package: &str, name: &str) -> Option<&Arc<MacroDef>> {
        self.by_package.get(package)?.get(name)
    }

    /// An unqualified call from a node of `package`: that package, the root project, then dbt.
    pub fn find(&self, name: &str, package: &str) -> Option<&Arc<MacroDef>> {
        self.get(package, name)
            .or_else(|| self.get(&self.root, name))
            .or_else(|| self.get(BUILTIN_PACKAGE, name))
    }

    /// `adapter.dispatch(name, namespace)`: `<adapter>__name` then `default__name` in each
    /// package of the search order.
    pub fn dispatch(
        &self,
        name: &str,
        namespace: Option<&str>,
        package: &str,
    ) -> Option<&Arc<MacroDef>> {
        let order: Vec<String> = match namespace {
            Some(ns) => self
                .dispatch
                .get(ns)
                .cloned()
                .unwrap_or_else(|| vec![ns.to_string()]),
            None => vec![
                package.to_string(),
                self.root.clone(),
                BUILTIN_PACKAGE.to_string(),
            ],
        };
        for pkg in &order {
            for prefix in [self.adapter, "default"] {
                if let Some(m) = self.get(pkg, &format!("{prefix}__{name}")) {
                    return Some(m);
                }
            }
        }
        // Packages that dispatch into dbt's own macros fall back to the builtins.
        for prefix in [self.adapter, "default"] {
            if let Some(m) = self.get(BUILTIN_PACKAGE, &format!("{prefix}__{name}")) {
                return Some(m);
            }
        }
        None
    }

    /// All macro names, for "did you mean".
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_package
            .values()
            .flat_map(|m| m.keys().map(String::as_str))
    }
}

/// One definition found in a macro file: its name, line and byte offset.
pub struct Found {
    pub name: String,
    pub line: u32,
    pub start: usize,
}

/// Finds `{% macro name(` and `{% test name(` definitions in a file.
pub fn scan_definitions(text: &str) -> Vec<Found> {
    let re = crate::static_regex!(r"\{%-?\s*(macro|test)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(");
    re.captures_iter(text)
        .filter_map(|cap| {
            let start = cap.get(0)?.start();
            let line = text[..start].matches('\n').count() as u32 + 1;
            let name = if &cap[1] == "test" {
                format!("test_{}", &cap[2])
            } else {
                cap[2].to_string()
            };
            Some(Found { name, line, start })
        })
        .collect()
}

/// A macro bound to its definition: calling it runs the macro for the current node.
#[derive(Debug)]
pub struct MacroCall {
    pub def: Arc<MacroDef>,
}

impl Object for MacroCall {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        call_macro(state, &self.def, args)
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "name" => Some(Value::from(self.def.name.clone())),
            _ => None,
        }
    }
}

/// Runs `def` with `args`, giving it the node's globals; `return(x)` makes `x` the result.
pub fn call_macro(
    state: &mut State<'_, '_>,
    def: &MacroDef,
    args: &[Value],
) -> Result<Value, Error> {
    let args = resolve_caller(state, args)?;
    let globals = current(|c| {
        // Like dbt, a node depends on the macros it calls itself, not on their callees.
        let id = def.unique_id();
        if c.frames.is_empty() && !c.calls.macros.contains(&id) {
            c.calls.macros.push(id);
        }
        c.frames.push(super::context::Frame {
            package: def.package.clone(),
            returned: None,
        });
        c.globals.clone()
    })?;
    let tmpl = state.env().get_template(&def.template)?;
    let result = tmpl.render_captured(globals).and_then(|mut captured| {
        captured.with_state_mut(|s| match s.lookup(&def.local_name()) {
            Some(m) => m.call(s, &args),
            None => Err(Error::new(
                ErrorKind::UnknownFunction,
                format!("macro `{}` is not defined in {}", def.name, def.template),
            )),
        })
    });
    let returned = current(|c| c.frames.pop().and_then(|f| f.returned))?;
    match (returned, result) {
        (Some(v), _) => Ok(v),
        (None, r) => r,
    }
}

/// A `caller` from the calling template cannot run inside the macro's own state, so it is
/// rendered first (with no arguments, the way dbt projects use it) and passed as text.
fn resolve_caller(state: &mut State<'_, '_>, args: &[Value]) -> Result<Vec<Value>, Error> {
    let Some(last) = args.last() else {
        return Ok(Vec::new());
    };
    let Ok(kwargs) = Kwargs::try_from(last.clone()) else {
        return Ok(args.to_vec());
    };
    let Ok(caller) = kwargs.get::<Value>("caller") else {
        return Ok(args.to_vec());
    };
    let text = caller.call(state, &[])?;
    let mut pairs: Vec<(String, Value)> = Vec::new();
    for key in kwargs.args() {
        if key != "caller" {
            pairs.push((key.to_string(), kwargs.get::<Value>(key)?));
        }
    }
    let text = text.to_string();
    pairs.push((
        "caller".to_string(),
        Value::from_function(move |_: &[Value]| {
            Ok::<Value, Error>(Value::from_safe_string(text.clone()))
        }),
    ));
    let mut out = args[..args.len() - 1].to_vec();
    out.push(Value::from(Kwargs::from_iter(pairs)));
    Ok(out)
}

/// `return(x)` inside a macro: stash `x` and stop the macro.
pub fn return_fn(value: Option<Value>) -> Result<Value, Error> {
    let stashed = current(|c| match c.frames.last_mut() {
        Some(frame) => {
            frame.returned = Some(value.unwrap_or(Value::from(())));
            true
        }
        None => false,
    })?;
    if stashed {
        Err(Error::new(ErrorKind::InvalidOperation, "return"))
    } else {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            "return() can only be used inside a macro",
        ))
    }
}

/// A bare macro name: resolved against the current node's package when called.
#[derive(Debug)]
pub struct MacroName {
    pub name: String,
    pub index: Arc<MacroIndex>,
}

impl Object for MacroName {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        if let Some(v) = super::unit::macro_override(None, &self.name) {
            return Ok(v);
        }
        let package = current(|c| c.lookup_package().to_string())?;
        match self.index.find(&self.name, &package) {
            Some(def) => {
                let def = def.clone();
                call_macro(state, &def, args)
            }
            None => Err(Error::new(
                ErrorKind::UnknownFunction,
                format!(
                    "macro `{}` is not available in package `{package}`",
                    self.name
                ),
            )),
        }
    }
}

/// `dbt_utils.star(...)`, `dbt.date_trunc(...)`: macros of one package by attribute.
#[derive(Debug)]
pub struct PackageNamespace {
    pub package: String,
    pub index: Arc<MacroIndex>,
}

impl Object for PackageNamespace {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        if let Some(v) = super::unit::macro_override(Some(&self.package), name) {
            return Some(Value::from_function(move |_: &[Value]| {
                Ok::<Value, Error>(v.clone())
            }));
        }
        let def = self.index.get(&self.package, name)?.clone();
        Some(Value::from_object(MacroCall { def }))
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        if let Some(v) = super::unit::macro_override(Some(&self.package), name) {
            return Ok(v);
        }
        match self.index.get(&self.package, name) {
            Some(def) => {
                let def = def.clone();
                call_macro(state, &def, args)
            }
            None => {
                let mut msg = format!("macro `{}.{name}` is not defined", self.package);
                let names = self
                    .index
                    .by_package
                    .get(&self.package)
                    .into_iter()
                    .flat_map(|m| m.keys().map(String::as_str));
                if let Some(hint) = crate::diagnostics::did_you_mean(name, names) {
                    msg = format!("{msg}; {hint}");
                }
                Err(Error::new(ErrorKind::UnknownFunction, msg))
            }
        }
    }
}
