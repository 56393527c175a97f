//! Jinja inside YAML values (`"{{ env_var('X', 'd') }}"`, `"{{ target.schema }}"`) -> JSON values.
//!
//! dbt renders such strings with a small context (env_var, var, target) and turns results
//! that look like literals (`false`, `3`, `['a']`) back into native values; we do the same.

use std::collections::HashMap;
use std::sync::Arc;

use minijinja::value::{Rest, Serde};
use minijinja::{Environment, Error, ErrorKind, Value};
use serde_json::Value as Json;

use super::yaml::{Yaml, YamlValue};

/// Everything a YAML value may reference.
#[derive(Debug, Clone, Default)]
pub struct ValueContext {
    /// Project vars merged with --vars (CLI wins), for `var()`.
    pub vars: Arc<HashMap<String, Json>>,
    /// The `target` object, when a profile has been loaded.
    pub target: Option<Json>,
    pub project_name: Option<String>,
}

/// Renders Jinja-bearing YAML strings with dbt's small YAML context.
pub struct ValueRenderer {
    env: Environment<'static>,
    ctx: ValueContext,
}

impl ValueRenderer {
    pub fn new(ctx: ValueContext) -> ValueRenderer {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_function("env_var", env_var);
        let vars = ctx.vars.clone();
        env.add_function("var", move |name: String, rest: Rest<Value>| {
            lookup_var(&vars, &name, rest.first())
        });
        env.add_function("return", |v: Value| Ok::<Value, Error>(v));
        minijinja_contrib::add_to_environment(&mut env);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        ValueRenderer { env, ctx }
    }

    /// Renders one string; strings without Jinja are returned as they are.
    pub fn render_str(&self, text: &str) -> Result<Json, String> {
        if !has_jinja(text) {
            return Ok(Json::String(text.to_string()));
        }
        let target = self.ctx.target.as_ref().map(|t| Value::from(Serde(t)));
        let ctx = minijinja::context! {
            target => target,
            project_name => self.ctx.project_name.clone(),
        };
        let out = self.env.render_str(text, ctx).map_err(|e| describe(&e))?;
        Ok(native(&out))
    }

    /// Renders every string inside a YAML tree (keys stay as written), keeping lines.
    pub fn render_yaml(&self, y: &Yaml) -> Result<Yaml, (u32, String)> {
        let value = match &y.value {
            YamlValue::Str(s) if has_jinja(s) => {
                let json = self.render_str(s).map_err(|e| (y.line, e))?;
                json_to_yaml_value(&json)
            }
            YamlValue::Seq(items) => YamlValue::Seq(
                items
                    .iter()
                    .map(|i| self.render_yaml(i))
                    .collect::<Result<_, _>>()?,
            ),
            YamlValue::Map(m) => {
                let mut out = indexmap::IndexMap::with_capacity(m.len());
                for (k, v) in m {
                    out.insert(k.clone(), self.render_yaml(v)?);
                }
                YamlValue::Map(out)
            }
            other => other.clone(),
        };
        Ok(Yaml {
            line: y.line,
            column: y.column,
            value,
        })
    }
}

fn json_to_yaml_value(j: &Json) -> YamlValue {
    match j {
        Json::Null => YamlValue::Null,
        Json::Bool(b) => YamlValue::Bool(*b),
        Json::Number(n) => n
            .as_i64()
            .map(YamlValue::Int)
            .unwrap_or_else(|| YamlValue::Float(n.as_f64().unwrap_or(0.0))),
        Json::String(s) => YamlValue::Str(s.clone()),
        Json::Array(items) => YamlValue::Seq(
            items
                .iter()
                .map(|i| Yaml {
                    line: 0,
                    column: 0,
                    value: json_to_yaml_value(i),
                })
                .collect(),
        ),
        Json::Object(m) => YamlValue::Map(
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Yaml {
                            line: 0,
                            column: 0,
                            value: json_to_yaml_value(v),
                        },
                    )
                })
                .collect(),
        ),
    }
}

pub fn has_jinja(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// A rendered string that reads as a literal becomes that value, as dbt's native rendering does.
pub fn native(out: &str) -> Json {
    let t = out.trim();
    match t {
        "True" | "true" => return Json::Bool(true),
        "False" | "false" => return Json::Bool(false),
        "None" | "none" => return Json::Null,
        _ => {}
    }
    if let Ok(i) = t.parse::<i64>() {
        return Json::from(i);
    }
    if t.starts_with('[') || t.starts_with('{') {
        let jsonish = t.replace('\'', "\"");
        if let Ok(v) = serde_json::from_str::<Json>(&jsonish) {
            return v;
        }
    }
    Json::String(out.to_string())
}

/// dbt's `env_var(name, default)`: missing without a default is an error naming the variable.
pub fn env_var(name: String, default: Option<Value>) -> Result<Value, Error> {
    match std::env::var(&name) {
        Ok(v) => Ok(Value::from(v)),
        Err(_) => match default {
            Some(d) if !d.is_undefined() => Ok(Value::from(d.to_string())),
            _ => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("Env var required but not provided: '{name}'"),
            )),
        },
    }
}

/// dbt's `var(name, default)` over a flat map of resolved vars.
pub fn lookup_var(
    vars: &HashMap<String, Json>,
    name: &str,
    default: Option<&Value>,
) -> Result<Value, Error> {
    if let Some(v) = vars.get(name) {
        return Ok(Value::from(Serde(v)));
    }
    match default {
        Some(d) => Ok(d.clone()),
        None => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "Required var '{name}' not found in config: define it in dbt_project.yml `vars:` or pass it with --vars"
            ),
        )),
    }
}

/// A Jinja error as one line: its message plus the innermost cause.
pub fn describe(e: &Error) -> String {
    let mut msg = e
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| e.kind().to_string());
    if e.kind() == ErrorKind::UndefinedError && e.detail().is_none() {
        msg = "undefined value".to_string();
    }
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(inner) = s.downcast_ref::<Error>()
            && let Some(d) = inner.detail()
        {
            msg = format!("{msg}: {d}");
        }
        src = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renderer() -> ValueRenderer {
        let mut vars = HashMap::new();
        vars.insert("flag".to_string(), Json::Bool(true));
        ValueRenderer::new(ValueContext {
            vars: Arc::new(vars),
            target: Some(serde_json::json!({"schema": "dev_s", "name": "dev"})),
            project_name: Some("p".into()),
        })
    }

    #[test]
    fn renders_context_and_native_values() {
        let r = renderer();
        assert_eq!(
            r.render_str("{{ target.schema }}_x").unwrap(),
            Json::from("dev_s_x")
        );
        assert_eq!(r.render_str("{{ var('flag') }}").unwrap(), Json::Bool(true));
        assert_eq!(
            r.render_str("{{ var('nope', false) }}").unwrap(),
            Json::Bool(false)
        );
        assert_eq!(
            r.render_str("{{ env_var('XFORM_SURELY_UNSET', 'd') }}")
                .unwrap(),
            Json::from("d")
        );
        assert_eq!(r.render_str("plain").unwrap(), Json::from("plain"));
    }

    #[test]
    fn missing_env_var_and_var_are_errors() {
        let r = renderer();
        let e = r
            .render_str("{{ env_var('XFORM_SURELY_UNSET') }}")
            .unwrap_err();
        assert!(e.contains("XFORM_SURELY_UNSET"), "{e}");
        let e = r.render_str("{{ var('nope') }}").unwrap_err();
        assert!(e.contains("Required var 'nope'"), "{e}");
    }
}
