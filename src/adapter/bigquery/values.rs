//! BigQuery's row format (`{"f": [{"v": ...}]}` cells, typed by the schema) -> rows of
//! JSON values shaped as the DuckDB adapter gives them.
//!
//! Integers and floats become numbers, NUMERIC stays exact text, booleans booleans,
//! timestamps (asked for as int64 microseconds) `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC,
//! dates, times and datetimes BigQuery's ISO text, records objects, repeated fields arrays.

use gcp_bigquery_client::model::table_field_schema::TableFieldSchema;
use gcp_bigquery_client::model::table_row::TableRow;
use gcp_bigquery_client::model::table_schema::TableSchema;
use serde_json::{Map, Value as Json};

use crate::adapter::{Column, Rows};

/// Rows with their column names.
pub fn rows(schema: Option<&TableSchema>, raw: &[TableRow]) -> Rows {
    let fields = fields(schema);
    Rows {
        columns: fields.iter().map(|f| f.name.clone()).collect(),
        rows: raw.iter().map(|r| row(fields, r)).collect(),
    }
}

/// Column names and BigQuery type names (`STRUCT<a INT64>` and `ARRAY<...>` spelled out).
pub fn columns(schema: Option<&TableSchema>) -> Vec<Column> {
    fields(schema)
        .iter()
        .map(|f| Column {
            name: f.name.clone(),
            data_type: type_name(f),
        })
        .collect()
}

fn fields(schema: Option<&TableSchema>) -> &[TableFieldSchema] {
    schema.and_then(|s| s.fields.as_deref()).unwrap_or_default()
}

fn row(fields: &[TableFieldSchema], raw: &TableRow) -> Vec<Json> {
    let cells = raw.columns.as_deref().unwrap_or_default();
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            cells
                .get(i)
                .and_then(|c| c.value.as_ref())
                .map_or(Json::Null, |v| field_value(f, v))
        })
        .collect()
}

fn field_value(field: &TableFieldSchema, v: &Json) -> Json {
    if field.mode.as_deref() == Some("REPEATED") {
        let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
        return Json::Array(
            items
                .iter()
                .map(|item| item.get("v").map_or(Json::Null, |x| scalar(field, x)))
                .collect(),
        );
    }
    scalar(field, v)
}

fn scalar(field: &TableFieldSchema, v: &Json) -> Json {
    if v.is_null() {
        return Json::Null;
    }
    let text = v.as_str().unwrap_or_default();
    match field_type(field).as_str() {
        "INTEGER" | "INT64" => text.parse::<i64>().map_or(Json::Null, Json::from),
        "FLOAT" | "FLOAT64" => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Json::from(text), Json::Number),
        "BOOLEAN" | "BOOL" => Json::Bool(text.eq_ignore_ascii_case("true")),
        "TIMESTAMP" => timestamp(text),
        "RECORD" | "STRUCT" => record(field, v),
        _ => Json::from(text),
    }
}

fn record(field: &TableFieldSchema, v: &Json) -> Json {
    let subfields = field.fields.as_deref().unwrap_or_default();
    let cells = v.get("f").and_then(Json::as_array);
    let mut out = Map::new();
    for (i, sub) in subfields.iter().enumerate() {
        let value = cells
            .and_then(|c| c.get(i))
            .and_then(|c| c.get("v"))
            .map_or(Json::Null, |x| field_value(sub, x));
        out.insert(sub.name.clone(), value);
    }
    Json::Object(out)
}

/// int64 microseconds (what xform asks for), or seconds in float text (older answers).
fn timestamp(text: &str) -> Json {
    let micros = text.parse::<i64>().ok().or_else(|| {
        text.parse::<f64>()
            .ok()
            .map(|s| (s * 1_000_000.0).round() as i64)
    });
    micros
        .and_then(chrono::DateTime::from_timestamp_micros)
        .map_or_else(
            || Json::from(text),
            |t| Json::from(t.naive_utc().to_string()),
        )
}

fn field_type(field: &TableFieldSchema) -> String {
    serde_json::to_value(&field.r#type)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn type_name(field: &TableFieldSchema) -> String {
    let base = match field_type(field).as_str() {
        "INTEGER" => "INT64".to_string(),
        "FLOAT" => "FLOAT64".to_string(),
        "BOOLEAN" => "BOOL".to_string(),
        "RECORD" | "STRUCT" => {
            let inner: Vec<String> = field
                .fields
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(|f| format!("{} {}", f.name, type_name(f)))
                .collect();
            format!("STRUCT<{}>", inner.join(", "))
        }
        other => other.to_string(),
    };
    if field.mode.as_deref() == Some("REPEATED") {
        format!("ARRAY<{base}>")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_are_typed_by_the_schema() {
        // The emulator's answer to
        // `select 1 as a, timestamp '2024-01-02 03:04:05.5' as t, [1,2] as arr, struct(1 as x) as s`.
        let schema: TableSchema = serde_json::from_value(json!({"fields": [
            {"name": "a", "type": "INTEGER", "mode": "NULLABLE"},
            {"name": "t", "type": "TIMESTAMP", "mode": "NULLABLE"},
            {"name": "arr", "type": "INTEGER", "mode": "REPEATED"},
            {"name": "s", "type": "RECORD", "mode": "NULLABLE",
             "fields": [{"name": "x", "type": "INTEGER", "mode": "NULLABLE"}]},
            {"name": "n", "type": "NUMERIC", "mode": "NULLABLE"},
            {"name": "b", "type": "BOOLEAN", "mode": "NULLABLE"},
            {"name": "f", "type": "FLOAT", "mode": "NULLABLE"}
        ]}))
        .unwrap();
        let raw: Vec<TableRow> = serde_json::from_value(json!([{"f": [
            {"v": "1"}, {"v": "1704164645500000"}, {"v": [{"v": "1"}, {"v": "2"}]},
            {"v": {"f": [{"v": "1"}]}}, {"v": "12.50"}, {"v": "true"}, {"v": null}
        ]}]))
        .unwrap();
        let out = rows(Some(&schema), &raw);
        assert_eq!(out.columns, ["a", "t", "arr", "s", "n", "b", "f"]);
        assert_eq!(
            out.rows[0],
            [
                json!(1),
                json!("2024-01-02 03:04:05.500"),
                json!([1, 2]),
                json!({"x": 1}),
                json!("12.50"),
                json!(true),
                Json::Null
            ]
        );
        let types: Vec<String> = columns(Some(&schema))
            .into_iter()
            .map(|c| c.data_type)
            .collect();
        assert_eq!(
            types,
            [
                "INT64",
                "TIMESTAMP",
                "ARRAY<INT64>",
                "STRUCT<x INT64>",
                "NUMERIC",
                "BOOL",
                "FLOAT64"
            ]
        );
    }
}
