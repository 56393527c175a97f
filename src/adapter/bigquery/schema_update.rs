//! A table's REST schema fields + a STRUCT column's new type -> the same fields with the
//! new nested fields appended, every other attribute (descriptions, policy tags, type
//! parameters, defaults) left as BigQuery gave it.

use serde_json::Value as Json;

use crate::sql::bigquery_type::{SqlType, schema_field};

/// Appends to `column` the fields of `ty` it lacks, at every depth; returns their dotted
/// paths. Errs (in words for the user) when the column is not a STRUCT of that shape.
pub fn widen(fields: &mut [Json], column: &str, ty: &SqlType) -> Result<Vec<String>, String> {
    let field = fields
        .iter_mut()
        .find(|f| name_of(f).eq_ignore_ascii_case(column))
        .ok_or_else(|| format!("the table has no column {column}"))?;
    let mut added = Vec::new();
    extend(field, ty, column, &mut added)?;
    Ok(added)
}

fn name_of(field: &Json) -> &str {
    field.get("name").and_then(Json::as_str).unwrap_or_default()
}

fn extend(
    field: &mut Json,
    ty: &SqlType,
    path: &str,
    added: &mut Vec<String>,
) -> Result<(), String> {
    let repeated = field.get("mode").and_then(Json::as_str) == Some("REPEATED");
    let inner = match ty {
        SqlType::Array(inner) if repeated => inner.as_ref(),
        other if !repeated => other,
        _ => {
            return Err(format!(
                "{path} is an ARRAY in one schema and not in the other"
            ));
        }
    };
    let SqlType::Struct(wanted) = inner else {
        return Err(format!("{path} is not a STRUCT"));
    };
    let kind = field.get("type").and_then(Json::as_str).unwrap_or_default();
    if !matches!(kind, "RECORD" | "STRUCT") {
        return Err(format!("{path} is a {kind} in the table, not a STRUCT"));
    }
    let Some(nested) = field.get_mut("fields").and_then(Json::as_array_mut) else {
        return Err(format!("{path} has no fields in the table's schema"));
    };
    for (name, t) in wanted {
        let child = format!("{path}.{name}");
        match nested
            .iter_mut()
            .find(|f| name_of(f).eq_ignore_ascii_case(name))
        {
            Some(existing) if is_struct(t) => extend(existing, t, &child, added)?,
            Some(_) => {}
            None => {
                nested.push(schema_field(name, t));
                added.push(child);
            }
        }
    }
    Ok(())
}

fn is_struct(t: &SqlType) -> bool {
    match t {
        SqlType::Struct(_) => true,
        SqlType::Array(inner) => is_struct(inner),
        SqlType::Scalar(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::bigquery_type::parse;
    use serde_json::json;

    fn table() -> Vec<Json> {
        json!([
            {"name": "id", "type": "INTEGER", "mode": "REQUIRED", "description": "key"},
            {"name": "actor", "type": "RECORD", "mode": "NULLABLE", "description": "who",
             "fields": [
                {"name": "login", "type": "STRING", "maxLength": "39",
                 "policyTags": {"names": ["projects/p/locations/us/taxonomies/1/policyTags/2"]}},
                {"name": "geo", "type": "RECORD", "fields": [{"name": "lat", "type": "FLOAT"}]}
             ]},
            {"name": "labels", "type": "RECORD", "mode": "REPEATED",
             "fields": [{"name": "k", "type": "STRING"}]}
        ])
        .as_array()
        .cloned()
        .unwrap_or_default()
    }

    #[test]
    fn appends_missing_fields_and_keeps_every_attribute() {
        let mut fields = table();
        let ty = parse("STRUCT<login STRING, geo STRUCT<lat FLOAT64, lon FLOAT64>, org STRING>");
        let added = widen(&mut fields, "ACTOR", &ty.unwrap_or(SqlType::Struct(vec![])));
        assert_eq!(
            added,
            Ok(vec!["ACTOR.geo.lon".to_string(), "ACTOR.org".to_string()])
        );
        let mut expected = table();
        expected[1]["fields"][1]["fields"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "lon", "type": "FLOAT64", "mode": "NULLABLE"}));
        expected[1]["fields"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "org", "type": "STRING", "mode": "NULLABLE"}));
        assert_eq!(fields, expected);
    }

    #[test]
    fn repeated_records_take_array_types() {
        let mut fields = table();
        let ty = parse("ARRAY<STRUCT<k STRING, v INT64>>").unwrap();
        assert_eq!(
            widen(&mut fields, "labels", &ty),
            Ok(vec!["labels.v".to_string()])
        );
        assert_eq!(fields[2]["fields"][1]["name"], "v");
    }

    #[test]
    fn shapes_that_do_not_fit_are_refused_in_words() {
        let mut fields = table();
        let s = parse("STRUCT<a INT64>").unwrap();
        assert!(
            widen(&mut fields, "nope", &s)
                .unwrap_err()
                .contains("no column nope")
        );
        assert!(
            widen(&mut fields, "id", &s)
                .unwrap_err()
                .contains("not a STRUCT")
        );
        assert!(
            widen(&mut fields, "labels", &s)
                .unwrap_err()
                .contains("ARRAY")
        );
        assert_eq!(fields, table());
    }
}
