//! A generic test node (`not_null`, `accepted_values`, `dbt_utils.x`) -> a call of its test
//! macro with `model` (through `get_where_subquery`), `column_name` and the YAML arguments.

use minijinja::value::{Kwargs, Value};
use minijinja::{Error, ErrorKind, State};
use serde_json::Value as Json;

use super::context::{self, current};
use super::convert::json_to_value;
use super::macros::{MacroIndex, call_macro};
use crate::diagnostics::did_you_mean;

/// The body of the synthetic template `{{ __xf_generic_test() }}`.
pub fn run(state: &mut State<'_, '_>, index: &MacroIndex) -> Result<Value, Error> {
    let (call, package, globals) =
        current(|c| (c.test.clone(), c.package.clone(), c.globals.clone()))?;
    let Some(call) = call else {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "not rendering a generic test",
        ));
    };
    let relation = match (&call.model_ref, &call.model_source) {
        (Some(r), _) => context::ref_value(r.clone())?,
        (None, Some((s, t))) => context::source_value(s.clone(), t.clone())?,
        (None, None) => Value::from(()),
    };
    let model = match index.find("get_where_subquery", &package) {
        Some(def) => {
            let def = def.clone();
            call_macro(state, &def, &[relation])?
        }
        None => relation,
    };
    let macro_name = format!("test_{}", call.meta.name);
    let def = match &call.meta.namespace {
        Some(ns) => index.get(ns, &macro_name),
        None => index.find(&macro_name, &package),
    };
    let Some(def) = def.cloned() else {
        let mut msg = format!("generic test `{}` is not defined", call.meta.name);
        let tests: Vec<&str> = index
            .names()
            .filter_map(|n| n.strip_prefix("test_"))
            .collect();
        if let Some(hint) = did_you_mean(&call.meta.name, tests) {
            msg = format!("{msg}; {hint}");
        }
        return Err(Error::new(ErrorKind::UnknownFunction, msg));
    };
    let mut pairs: Vec<(String, Value)> = vec![("model".into(), model)];
    if let Some(c) = &call.meta.column_name {
        pairs.push(("column_name".into(), Value::from(c.clone())));
    }
    for (k, v) in &call.meta.kwargs {
        let value = match v {
            Json::String(s) if is_expression(s) => state
                .env()
                .render_str(&format!("{{{{ {s} }}}}"), globals.clone())?
                .into(),
            Json::String(s) if s.contains("{{") || s.contains("{%") => {
                state.env().render_str(s, globals.clone())?.into()
            }
            other => json_to_value(other),
        };
        pairs.push((k.clone(), value));
    }
    call_macro(state, &def, &[Value::from(Kwargs::from_iter(pairs))])
}

/// dbt evaluates `to: ref('x')` and `source('a', 'b')` arguments as Jinja expressions.
fn is_expression(s: &str) -> bool {
    let t = s.trim_start();
    t.starts_with("ref(") || t.starts_with("source(")
}
