//! dbt's context helpers that are not about nodes: exceptions, log/print, tojson/fromjson,
//! toyaml/fromyaml, zip, set, local_md5, flags, run_query/statement (see warehouse.rs) and Python methods.

use std::sync::Arc;

use minijinja::value::{Kwargs, Object, ObjectRepr, Rest, Value};
use minijinja::{Environment, Error, ErrorKind, State};

use super::context::current;
use super::convert::{json_to_value, value_to_json};

pub fn register(env: &mut Environment<'static>) {
    env.add_global("exceptions", Value::from_object(Exceptions));
    env.add_function("log", log_fn);
    env.add_function("print", print_fn);
    env.add_function("tojson", tojson_fn);
    env.add_function("fromjson", fromjson_fn);
    env.add_function("toyaml", toyaml_fn);
    env.add_function("fromyaml", fromyaml_fn);
    env.add_function("zip", zip_fn);
    env.add_function("set", set_fn);
    env.add_function("local_md5", |s: String| crate::project::nodes::md5_hex(&s));
    env.add_function("run_query", super::warehouse::run_query);
    env.add_function("load_result", super::warehouse::load_result);
    env.add_function("__xf_statement", super::warehouse::statement);
    env.add_function("diff_of_two_dicts", |_: Rest<Value>| Value::from(()));
    env.add_global(
        "flags",
        crate::render::convert::map_value([
            ("FULL_REFRESH", Value::from(false)),
            ("STORE_FAILURES", Value::from(false)),
            ("WHICH", Value::from("compile")),
            ("EMPTY", Value::from(false)),
        ]),
    );
    env.add_filter("as_bool", |v: Value| v);
    env.add_filter("as_number", |v: Value| v);
    env.add_filter("as_text", |v: Value| Value::from(v.to_string()));
    env.add_filter("as_native", |v: Value| v);
}

/// `exceptions.raise_compiler_error(msg)` and friends.
#[derive(Debug)]
struct Exceptions;

impl Object for Exceptions {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let msg = args.first().map(Value::to_string).unwrap_or_default();
        match name {
            "warn" => {
                current(|c| c.calls.warnings.push(msg.clone()))?;
                Ok(Value::from(""))
            }
            "raise_compiler_error"
            | "raise_not_implemented"
            | "raise_database_error"
            | "raise_dependency_error"
            | "raise_fail_fast_error" => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("compilation error raised by the project: {msg}"),
            )),
            other if other.starts_with("raise_") => {
                Err(Error::new(ErrorKind::InvalidOperation, msg))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("exceptions has no `{name}`"),
            )),
        }
    }
}

fn executing() -> bool {
    current(|c| c.execute).unwrap_or(false)
}

/// `log(msg, info=True)` prints during compilation (once: the parse pass stays quiet).
fn log_fn(msg: Value, info: Option<bool>, kwargs: Kwargs) -> Result<Value, Error> {
    let info = info
        .or(kwargs.get::<Option<bool>>("info")?)
        .unwrap_or(false);
    if info && executing() {
        eprintln!("{msg}");
    }
    Ok(Value::from(""))
}

fn print_fn(msg: Value) -> Value {
    if executing() {
        println!("{msg}");
    }
    Value::from("")
}

fn tojson_fn(v: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let sort = kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(false);
    let mut j = value_to_json(&v);
    if sort {
        j = sorted(j);
    }
    // dbt's tojson is Python's json.dumps: ", " and ": " separators.
    Ok(Value::from(super::convert::py_json(&j)))
}

fn sorted(j: serde_json::Value) -> serde_json::Value {
    match j {
        serde_json::Value::Object(m) => {
            let mut items: Vec<_> = m.into_iter().collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(items.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(sorted).collect())
        }
        other => other,
    }
}

fn fromjson_fn(s: String, default: Option<Value>) -> Result<Value, Error> {
    match serde_json::from_str::<serde_json::Value>(&s) {
        Ok(j) => Ok(json_to_value(&j)),
        Err(e) => {
            default.ok_or_else(|| Error::new(ErrorKind::InvalidOperation, format!("fromjson: {e}")))
        }
    }
}

fn toyaml_fn(v: Value) -> Result<Value, Error> {
    let j = value_to_json(&v);
    serde_saphyr::to_string(&j)
        .map(Value::from)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("toyaml: {e}")))
}

fn fromyaml_fn(s: String, default: Option<Value>) -> Result<Value, Error> {
    match crate::project::yaml::parse(&s) {
        Ok(y) => Ok(json_to_value(&y.to_json())),
        Err(e) => default.ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("fromyaml: {}", e.message),
            )
        }),
    }
}

fn zip_fn(args: Rest<Value>) -> Result<Value, Error> {
    let lists: Vec<Vec<Value>> = args
        .iter()
        .map(|a| a.try_iter().map(|it| it.collect()))
        .collect::<Result<_, _>>()?;
    let n = lists.iter().map(Vec::len).min().unwrap_or(0);
    Ok(Value::from(
        (0..n)
            .map(|i| Value::from(lists.iter().map(|l| l[i].clone()).collect::<Vec<_>>()))
            .collect::<Vec<_>>(),
    ))
}

fn set_fn(v: Option<Value>) -> Result<Value, Error> {
    let mut out: Vec<Value> = Vec::new();
    if let Some(v) = v {
        for item in v.try_iter()? {
            if !out.contains(&item) {
                out.push(item);
            }
        }
    }
    Ok(Value::from(out))
}

/// Python's str/list/dict methods (pycompat) plus a few dbt projects lean on.
pub fn unknown_method(
    state: &mut State,
    value: &Value,
    name: &str,
    args: &[Value],
) -> Result<Value, Error> {
    if let Some(s) = value.as_str() {
        match name {
            "format" => return Ok(Value::from(py_format(s, args))),
            "zfill" => {
                let (width,): (usize,) = minijinja::value::from_args(args)?;
                return Ok(Value::from(format!("{s:0>width$}")));
            }
            _ => {}
        }
    }
    minijinja_contrib::pycompat::unknown_method_callback(state, value, name, args)
}

/// `'{} and {}'.format(a, b)` with positional `{}` / `{0}` fields.
fn py_format(template: &str, args: &[Value]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut auto = 0;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut field = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    field.push(c);
                }
                let idx = field.parse::<usize>().unwrap_or_else(|_| {
                    auto += 1;
                    auto - 1
                });
                if let Some(v) = args.get(idx) {
                    out.push_str(&v.to_string());
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// One id per process, as dbt's `invocation_id` (see `pymodules`).
pub fn invocation_id() -> &'static str {
    super::pymodules::invocation_id()
}
