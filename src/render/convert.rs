//! JSON values <-> Jinja values, for configs, vars and YAML data crossing into templates.

use minijinja::value::{Value, ValueKind};
use serde_json::Value as Json;

/// JSON text with Python `json.dumps` spacing (`", "` and `": "`), as dbt prints it.
pub fn py_json(v: &Json) -> String {
    struct PySpacing;
    impl serde_json::ser::Formatter for PySpacing {
        fn begin_array_value<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> std::io::Result<()> {
            if first { Ok(()) } else { w.write_all(b", ") }
        }
        fn begin_object_key<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> std::io::Result<()> {
            if first { Ok(()) } else { w.write_all(b", ") }
        }
        fn begin_object_value<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
        ) -> std::io::Result<()> {
            w.write_all(b": ")
        }
    }
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PySpacing);
    if serde::Serialize::serialize(v, &mut ser).is_err() {
        return v.to_string();
    }
    String::from_utf8(out).unwrap_or_else(|_| v.to_string())
}

/// A Jinja mapping (insertion-ordered) from key/value pairs.
pub fn map_value<K: Into<Value>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
    let map: indexmap::IndexMap<Value, Value> =
        pairs.into_iter().map(|(k, v)| (k.into(), v)).collect();
    Value::from_object(map)
}

/// A JSON value as a Jinja value.
pub fn json_to_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::from(()),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::from(i),
            None => Value::from(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => Value::from_iter(items.iter().map(json_to_value)),
        Json::Object(m) => map_value(m.iter().map(|(k, v)| (k.as_str(), json_to_value(v)))),
    }
}

/// A Jinja value as JSON; objects that are neither maps nor lists become their text.
pub fn value_to_json(v: &Value) -> Json {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => Json::Null,
        ValueKind::Bool => Json::Bool(v.is_true()),
        ValueKind::Number => {
            if let Ok(i) = i64::try_from(v.clone()) {
                Json::from(i)
            } else if let Ok(f) = f64::try_from(v.clone()) {
                serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
            } else {
                Json::String(v.to_string())
            }
        }
        ValueKind::String => Json::String(v.as_str().unwrap_or_default().to_string()),
        ValueKind::Seq | ValueKind::Iterable => match v.try_iter() {
            Ok(items) => Json::Array(items.map(|i| value_to_json(&i)).collect()),
            Err(_) => Json::String(v.to_string()),
        },
        ValueKind::Map => match v.try_iter() {
            Ok(keys) => Json::Object(
                keys.map(|k| {
                    let val = v.get_item(&k).unwrap_or_default();
                    (
                        k.as_str().map_or_else(|| k.to_string(), str::to_string),
                        value_to_json(&val),
                    )
                })
                .collect(),
            ),
            Err(_) => Json::String(v.to_string()),
        },
        _ => Json::String(v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_nested_values() {
        let j = serde_json::json!({"a": [1, "x", true, null], "b": {"c": 1.5}});
        assert_eq!(value_to_json(&json_to_value(&j)), j);
    }

    #[test]
    fn py_json_spaces_like_python() {
        let j = serde_json::json!({"a": [1, "x"], "b": {"c": null}});
        assert_eq!(py_json(&j), r#"{"a": [1, "x"], "b": {"c": null}}"#);
    }
}
