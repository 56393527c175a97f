//! YAML text -> a tree of values that remember their line, so diagnostics point into the file.
//!
//! serde-saphyr is used because it is maintained (serde_yaml is deprecated), never panics on
//! malformed input, and reports line/column both for syntax errors and for every node
//! through `Spanned`.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;

/// A YAML value with the 1-based line and column where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Yaml {
    pub line: u32,
    pub column: u32,
    pub value: YamlValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum YamlValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Yaml>),
    Map(IndexMap<String, Yaml>),
}

/// A YAML syntax error with its 1-based position.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub message: String,
    pub line: u32,
    pub column: u32,
}

/// Parses one YAML document. An empty document gives `Null`.
pub fn parse(text: &str) -> Result<Yaml, YamlError> {
    if text.trim().is_empty() {
        return Ok(Yaml {
            line: 1,
            column: 1,
            value: YamlValue::Null,
        });
    }
    // PyYAML (and so dbt) keeps the last value of a repeated key; so do we. Booleans are
    // read as YAML 1.2's true/false here and PyYAML's extra words are restored below:
    // saphyr's YAML 1.1 set also turns `y`/`n` into booleans, which PyYAML does not (an
    // unquoted `values: [Y, N]` must stay two strings).
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
        strict_booleans: true,
    };
    let mut doc = serde_saphyr::from_str_with_options::<Yaml>(text, options).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line() as u32, l.column() as u32))
            .unwrap_or((0, 0));
        YamlError {
            message: first_line(&e.to_string()),
            line,
            column,
        }
    })?;
    let mut lines = None;
    restore_pyyaml_booleans(&mut doc, text, &mut lines);
    Ok(doc)
}

/// PyYAML's YAML 1.1 booleans beyond true/false, exactly as its resolver spells them.
fn pyyaml_bool(word: &str) -> Option<bool> {
    match word {
        "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// Turns plain (unquoted, untagged) `yes`/`no`/`on`/`off` scalars into booleans as PyYAML
/// does. A string value cannot tell how it was written, so the source text at the node's
/// position decides: a quote or a tag there means the author asked for a string.
fn restore_pyyaml_booleans<'t>(node: &mut Yaml, text: &'t str, lines: &mut Option<Vec<&'t str>>) {
    match &mut node.value {
        YamlValue::Str(s) => {
            let Some(b) = pyyaml_bool(s) else { return };
            let lines = lines.get_or_insert_with(|| text.lines().collect());
            let Some(line) = (node.line as usize)
                .checked_sub(1)
                .and_then(|l| lines.get(l))
            else {
                return;
            };
            let at = (node.column as usize).saturating_sub(1);
            let plain = line
                .chars()
                .skip(at)
                .collect::<String>()
                .starts_with(s.as_str());
            // A tag (`!!str on`) sits before the node's position.
            let before: String = line.chars().take(at).collect();
            let tagged = before
                .split_whitespace()
                .next_back()
                .is_some_and(|t| t.starts_with('!'));
            if plain && !tagged {
                node.value = YamlValue::Bool(b);
            }
        }
        YamlValue::Seq(items) => {
            for item in items {
                restore_pyyaml_booleans(item, text, lines);
            }
        }
        YamlValue::Map(m) => {
            for v in m.values_mut() {
                restore_pyyaml_booleans(v, text, lines);
            }
        }
        _ => {}
    }
}

/// Parses one YAML file, turning a syntax error into a diagnostic at its line and column.
pub fn parse_file(text: &str, display_path: &str) -> Result<Yaml, crate::diagnostics::Diagnostic> {
    parse(text).map_err(|e| {
        crate::diagnostics::Diagnostic::error(format!("invalid YAML: {}", e.message)).at(
            crate::diagnostics::Location::new(display_path, e.line, e.column),
        )
    })
}

/// serde-saphyr's messages may carry a rendered snippet; we render our own.
fn first_line(msg: &str) -> String {
    let re = crate::static_regex!(r"^(error:\s*)?(line \d+ column \d+:\s*)?");
    let line = msg.lines().next().unwrap_or(msg).trim();
    let line = re.replace(line, "");
    // Drop a trailing " at line X column Y" since the location is reported separately.
    match line.find(" at line ") {
        Some(i) => line[..i].to_string(),
        None => line.to_string(),
    }
}

impl Yaml {
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        match &self.value {
            YamlValue::Map(m) => m.get(key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            YamlValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar as text (numbers and booleans too), as dbt reads names and paths.
    pub fn as_text(&self) -> Option<String> {
        match &self.value {
            YamlValue::Str(s) => Some(s.clone()),
            YamlValue::Int(i) => Some(i.to_string()),
            YamlValue::Float(f) => Some(f.to_string()),
            YamlValue::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Yaml]> {
        match &self.value {
            YamlValue::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&IndexMap<String, Yaml>> {
        match &self.value {
            YamlValue::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, YamlValue::Null)
    }

    /// A string or a list of strings, as dbt accepts for paths and tags.
    pub fn as_str_list(&self) -> Option<Vec<String>> {
        match &self.value {
            YamlValue::Str(s) => Some(vec![s.clone()]),
            YamlValue::Seq(items) => items.iter().map(Yaml::as_text).collect(),
            _ => None,
        }
    }

    pub fn to_json(&self) -> Json {
        match &self.value {
            YamlValue::Null => Json::Null,
            YamlValue::Bool(b) => Json::Bool(*b),
            YamlValue::Int(i) => Json::from(*i),
            YamlValue::Float(f) => serde_json::Number::from_f64(*f)
                .map(Json::Number)
                .unwrap_or(Json::Null),
            YamlValue::Str(s) => Json::String(s.clone()),
            YamlValue::Seq(items) => Json::Array(items.iter().map(Yaml::to_json).collect()),
            YamlValue::Map(m) => {
                Json::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }
}

impl<'de> Deserialize<'de> for Yaml {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<YamlValue>::deserialize(d)?;
        Ok(Yaml {
            line: spanned.referenced.line() as u32,
            column: spanned.referenced.column() as u32,
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for YamlValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = YamlValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<YamlValue, E> {
        Ok(YamlValue::Null)
    }
    fn visit_none<E>(self) -> Result<YamlValue, E> {
        Ok(YamlValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<YamlValue, D::Error> {
        YamlValue::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<YamlValue, E> {
        Ok(YamlValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<YamlValue, E> {
        Ok(YamlValue::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<YamlValue, E> {
        Ok(i64::try_from(v).map_or(YamlValue::Float(v as f64), YamlValue::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<YamlValue, E> {
        Ok(YamlValue::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<YamlValue, E> {
        Ok(YamlValue::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<YamlValue, E> {
        Ok(YamlValue::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YamlValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Yaml>()? {
            items.push(item);
        }
        Ok(YamlValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YamlValue, A::Error> {
        let mut out = IndexMap::new();
        while let Some(key) = map.next_key::<KeyText>()? {
            let value = map.next_value::<Yaml>()?;
            out.insert(key.0, value);
        }
        Ok(YamlValue::Map(out))
    }
}

/// Map keys as text: YAML allows `1:` or `true:` keys; dbt treats them as strings.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar map key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<KeyText, E> {
                Ok(KeyText(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                Ok(KeyText("null".into()))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines_of_nested_nodes() {
        let y =
            parse("version: 2\nmodels:\n  - name: a\n    description: x\n  - name: b\n").unwrap();
        let models = y.get("models").unwrap().as_seq().unwrap();
        assert_eq!(models[0].get("name").unwrap().line, 3);
        assert_eq!(models[1].line, 5);
        assert_eq!(y.get("version").unwrap().value, YamlValue::Int(2));
    }

    #[test]
    fn reports_syntax_errors_with_a_line() {
        let err = parse("a: 1\nb:\n  - x\n   y: [\n").unwrap_err();
        assert!(err.line >= 3, "{err:?}");
    }

    #[test]
    fn repeated_keys_keep_the_last_value_like_pyyaml() {
        let y = parse("name: a\nname: b\n").unwrap();
        assert_eq!(y.get("name").unwrap().as_str(), Some("b"));
    }

    #[test]
    fn booleans_are_pyyamls_not_yaml_11s() {
        let y = parse(
            "a: [Y, N, y, n]\nb: [yes, No, ON, off, 'yes', \"no\", !!str on, True, FALSE]\nc:\n  - yes\n  - 'off'\nd: {e: no}\n",
        )
        .unwrap()
        .to_json();
        assert_eq!(y["a"], serde_json::json!(["Y", "N", "y", "n"]));
        assert_eq!(
            y["b"],
            serde_json::json!([true, false, true, false, "yes", "no", "on", true, false])
        );
        assert_eq!(y["c"], serde_json::json!([true, "off"]));
        assert_eq!(y["d"], serde_json::json!({"e": false}));
    }

    #[test]
    fn empty_documents_are_null() {
        assert!(parse("").unwrap().is_null());
        assert!(parse("# only a comment\n").unwrap().is_null());
    }
}
