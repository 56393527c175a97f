//! `xform run-operation macro --args '{...}'`: a macro called with YAML arguments against the
//! target's warehouse (its `statement`s and `run_query`s run for real).

use serde_json::Value as Json;

use super::commands::{INVALID, NODE_FAILED, OK, parse};
use super::output::Printer;
use super::settings::Settings;
use super::warehouse::{Warehouse, fail};
use crate::diagnostics::Diagnostic;
use crate::pipeline;
use crate::render::passes::RunState;

/// A JSON value written as a Jinja literal (strings, numbers, booleans, none, lists, dicts).
fn literal(v: &Json) -> String {
    match v {
        Json::Null => "none".into(),
        Json::Bool(b) => if *b { "true" } else { "false" }.into(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => Json::String(s.clone()).to_string(),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
        Json::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", Json::String(k.clone()), literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The template that calls `macro_name` with `args` as keyword arguments.
pub fn call_template(macro_name: &str, args: &serde_json::Map<String, Json>) -> String {
    let kwargs: Vec<String> = args
        .iter()
        .map(|(k, v)| format!("{k}={}", literal(v)))
        .collect();
    format!("{{{{ {macro_name}({}) }}}}", kwargs.join(", "))
}

fn valid_name(name: &str) -> bool {
    name.split('.').all(|part| {
        let mut chars = part.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

pub fn run_operation_cmd(
    settings: &Settings,
    macro_name: &str,
    args: Option<&str>,
    p: &mut Printer,
) -> i32 {
    if !valid_name(macro_name) {
        return fail(
            p,
            &Diagnostic::error(format!("`{macro_name}` is not a macro name")),
        );
    }
    let args: serde_json::Map<String, Json> =
        match args.map(crate::project::vars::parse_cli_vars).transpose() {
            Ok(a) => {
                let mut pairs: Vec<(String, Json)> = a.unwrap_or_default().into_iter().collect();
                pairs.sort_by(|x, y| x.0.cmp(&y.0));
                pairs.into_iter().collect()
            }
            Err(d) => return fail(p, &d),
        };
    let parsed = match parse(settings, p) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let warehouse = match Warehouse::connect(&parsed) {
        Ok(w) => w,
        Err(d) => return fail(p, &d),
    };
    let existing = match warehouse.existing() {
        Ok(e) => e,
        Err(d) => return fail(p, &d),
    };
    let run = RunState {
        adapter: Some(warehouse.adapter.clone()),
        existing: std::sync::Arc::new(existing),
        ..RunState::default()
    };
    let template = call_template(macro_name, &args);
    match pipeline::compile_inline_with(&parsed, &template, Some(run)) {
        Ok(_) => {
            p.info(
                "RunOperationSuccess",
                &format!("Ran operation {macro_name}"),
            );
            OK
        }
        Err(d) => {
            p.diagnostic(&d);
            if d.message.contains("Database Error") {
                NODE_FAILED
            } else {
                INVALID
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_become_jinja_literals() {
        let args: serde_json::Map<String, Json> = serde_json::from_str(
            r#"{"m": {"k": "v"}, "n": 3, "name": "a\"b", "on": true, "xs": [1, null]}"#,
        )
        .unwrap();
        assert_eq!(
            call_template("grant_select", &args),
            r#"{{ grant_select(m={"k": "v"}, n=3, name="a\"b", on=true, xs=[1, none]) }}"#
        );
        assert!(valid_name("pkg.my_macro") && !valid_name("x; drop"));
    }
}
