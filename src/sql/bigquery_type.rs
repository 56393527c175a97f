//! GoogleSQL type names (`STRUCT<a INT64, b ARRAY<STRING>>`) -> a type tree, to compare
//! STRUCT columns field by field and to write them as BigQuery schema fields.

use serde_json::{Value as Json, json};

/// A parsed GoogleSQL type. Scalar names are upper-cased with the legacy spellings a
/// schema may use folded in (INTEGER -> INT64, ...); parameters are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlType {
    Scalar(String),
    Array(Box<SqlType>),
    /// Fields in order, names as written.
    Struct(Vec<(String, SqlType)>),
}

/// Parses a type name as INFORMATION_SCHEMA and dry runs spell them; None when it is not one.
pub fn parse(text: &str) -> Option<SqlType> {
    let mut p = Parser {
        s: text.as_bytes(),
        at: 0,
    };
    let t = p.ty()?;
    p.skip_space();
    (p.at == p.s.len()).then_some(t)
}

/// When `new` is `old` with fields appended at the end of its STRUCTs (at any depth,
/// inside ARRAYs too) and nothing else changed: the dotted paths of the appended fields,
/// in order. None for any other difference; an empty list when they are the same type.
///
/// Only appends qualify because BigQuery adds nested fields after the existing ones, and
/// a MERGE writes a STRUCT by position: a field inserted in the middle would shift the
/// values of the fields after it.
pub fn appended_fields(old: &SqlType, new: &SqlType) -> Option<Vec<String>> {
    let mut added = Vec::new();
    appended_into(old, new, "", &mut added).then_some(added)
}

fn appended_into(old: &SqlType, new: &SqlType, prefix: &str, added: &mut Vec<String>) -> bool {
    match (old, new) {
        (SqlType::Scalar(a), SqlType::Scalar(b)) => a == b,
        (SqlType::Array(a), SqlType::Array(b)) => appended_into(a, b, prefix, added),
        (SqlType::Struct(a), SqlType::Struct(b)) => {
            if b.len() < a.len() {
                return false;
            }
            for ((old_name, old_type), (new_name, new_type)) in a.iter().zip(b) {
                if !old_name.eq_ignore_ascii_case(new_name)
                    || !appended_into(old_type, new_type, &join(prefix, old_name), added)
                {
                    return false;
                }
            }
            added.extend(b[a.len()..].iter().map(|(name, _)| join(prefix, name)));
            true
        }
        _ => false,
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// A BigQuery REST schema field (`{"name", "type", "mode", "fields"}`) for a new column
/// or nested field. New fields are NULLABLE (BigQuery refuses REQUIRED ones on an
/// existing table), or REPEATED for an ARRAY; type parameters are left out.
pub fn schema_field(name: &str, ty: &SqlType) -> Json {
    let (mode, inner) = match ty {
        SqlType::Array(inner) => ("REPEATED", inner.as_ref()),
        other => ("NULLABLE", other),
    };
    match inner {
        SqlType::Struct(fields) => json!({
            "name": name,
            "type": "RECORD",
            "mode": mode,
            "fields": fields.iter().map(|(n, t)| schema_field(n, t)).collect::<Vec<_>>(),
        }),
        SqlType::Scalar(s) => {
            let base = s.split('(').next().unwrap_or(s).trim();
            json!({"name": name, "type": base, "mode": mode})
        }
        // BigQuery has no ARRAY<ARRAY<...>>; a dry run never reports one.
        SqlType::Array(_) => json!({"name": name, "type": "RECORD", "mode": mode}),
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.s.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_space();
        if self.s.get(self.at) == Some(&c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// A plain or backquoted name.
    fn name(&mut self) -> Option<String> {
        self.skip_space();
        if self.s.get(self.at) == Some(&b'`') {
            let start = self.at + 1;
            let end = start + self.s[start..].iter().position(|&c| c == b'`')?;
            self.at = end + 1;
            return String::from_utf8(self.s[start..end].to_vec()).ok();
        }
        let start = self.at;
        while self
            .s
            .get(self.at)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.at += 1;
        }
        (self.at > start).then(|| String::from_utf8_lossy(&self.s[start..self.at]).into_owned())
    }

    fn ty(&mut self) -> Option<SqlType> {
        let word = self.name()?.to_ascii_uppercase();
        match word.as_str() {
            "ARRAY" => {
                if !self.eat(b'<') {
                    return None;
                }
                let inner = self.ty()?;
                self.eat(b'>').then(|| SqlType::Array(Box::new(inner)))
            }
            "STRUCT" | "RECORD" => {
                if !self.eat(b'<') {
                    return None;
                }
                let mut fields = Vec::new();
                if self.eat(b'>') {
                    return Some(SqlType::Struct(fields));
                }
                loop {
                    let name = self.name()?;
                    let ty = self.ty()?;
                    fields.push((name, ty));
                    if self.eat(b'>') {
                        return Some(SqlType::Struct(fields));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            _ => {
                let mut scalar = scalar_name(&word).to_string();
                if self.eat(b'(') {
                    let start = self.at;
                    let end = start + self.s[start..].iter().position(|&c| c == b')')?;
                    let params: String = String::from_utf8_lossy(&self.s[start..end])
                        .split(',')
                        .map(str::trim)
                        .collect::<Vec<_>>()
                        .join(", ");
                    self.at = end + 1;
                    scalar = format!("{scalar}({params})");
                }
                Some(SqlType::Scalar(scalar))
            }
        }
    }
}

/// A scalar type's GoogleSQL name for an upper-cased name or legacy alias.
pub fn scalar_name(upper: &str) -> &str {
    match upper {
        "INTEGER" | "INT" | "SMALLINT" | "BIGINT" | "TINYINT" | "BYTEINT" => "INT64",
        "FLOAT" => "FLOAT64",
        "BOOLEAN" => "BOOL",
        "DECIMAL" => "NUMERIC",
        "BIGDECIMAL" => "BIGNUMERIC",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> SqlType {
        parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn parses_nested_types_and_folds_legacy_names() {
        assert_eq!(
            t("STRUCT<a INTEGER, `b c` ARRAY<STRUCT<d string>>, e NUMERIC(10,2)>"),
            SqlType::Struct(vec![
                ("a".into(), SqlType::Scalar("INT64".into())),
                (
                    "b c".into(),
                    SqlType::Array(Box::new(SqlType::Struct(vec![(
                        "d".into(),
                        SqlType::Scalar("STRING".into())
                    )])))
                ),
                ("e".into(), SqlType::Scalar("NUMERIC(10, 2)".into())),
            ])
        );
        assert_eq!(parse("STRUCT<a INT64"), None);
        assert_eq!(parse("ARRAY<INT64> x"), None);
    }

    #[test]
    fn appended_fields_are_listed_with_their_paths() {
        let old = t("STRUCT<a INT64, s STRUCT<x STRING>, r ARRAY<STRUCT<k INT64>>>");
        let new = t(
            "STRUCT<a INT64, s STRUCT<x STRING, y DATE>, r ARRAY<STRUCT<k INT64, v BOOL>>, z STRING>",
        );
        assert_eq!(
            appended_fields(&old, &new),
            Some(vec!["s.y".into(), "r.v".into(), "z".into()])
        );
        assert_eq!(appended_fields(&old, &old), Some(vec![]));
    }

    #[test]
    fn anything_but_an_append_is_not_one() {
        let old = t("STRUCT<a INT64, b STRING>");
        // inserted in the middle, removed, renamed, retyped, not a struct
        for new in [
            "STRUCT<a INT64, n DATE, b STRING>",
            "STRUCT<a INT64>",
            "STRUCT<a INT64, c STRING>",
            "STRUCT<a STRING, b STRING>",
            "STRING",
        ] {
            assert_eq!(appended_fields(&old, &t(new)), None, "{new}");
        }
    }

    #[test]
    fn schema_fields_are_nullable_or_repeated() {
        assert_eq!(
            schema_field("r", &t("ARRAY<STRUCT<k INT64, s STRING(10)>>")),
            json!({"name": "r", "type": "RECORD", "mode": "REPEATED", "fields": [
                {"name": "k", "type": "INT64", "mode": "NULLABLE"},
                {"name": "s", "type": "STRING", "mode": "NULLABLE"},
            ]})
        );
    }
}
