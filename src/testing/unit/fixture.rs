//! Fixture rows + the warehouse's column types -> SQL: each input as a `select ... union all`
//! of typed literals, the expected rows cast to the model's output types, and the query that
//! returns actual and expected rows side by side.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::adapter::Column;
use crate::dialect::Dialect;

/// The column a fixture value lands in: its type and its quoted name.
#[derive(Debug, Clone)]
pub struct Target {
    pub data_type: String,
    pub quoted: String,
}

/// A relation's or query's columns keyed case-insensitively, in their order.
#[derive(Debug, Clone)]
pub struct Columns {
    pub by_lower: IndexMap<String, Target>,
}

/// A fixture names a column its relation does not have.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error(
    "Invalid column name: '{column}' in unit test fixture for {fixture}.\nAccepted columns for {fixture} are: [{accepted}]"
)]
pub struct BadColumn {
    pub column: String,
    /// `'model_name'` for an input, `expected output` for the expectation.
    pub fixture: String,
    pub accepted: String,
}

impl Columns {
    pub fn new(dialect: Dialect, columns: &[Column]) -> Columns {
        Columns {
            by_lower: columns
                .iter()
                .map(|c| {
                    (
                        c.name.to_lowercase(),
                        Target {
                            data_type: c.data_type.clone(),
                            quoted: dialect.quote(&c.name),
                        },
                    )
                })
                .collect(),
        }
    }

    fn get(&self, column: &str, fixture: &str) -> Result<&Target, BadColumn> {
        self.by_lower
            .get(&column.to_lowercase())
            .ok_or_else(|| BadColumn {
                column: column.to_lowercase(),
                fixture: fixture.to_string(),
                accepted: self
                    .by_lower
                    .keys()
                    .map(|k| format!("'{k}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// A fixture value as a SQL literal cast to the column's type. Strings are not held to a
/// declared length: a `varchar(5)` input must not truncate a longer fixture value.
fn cast(value: &Json, data_type: &str) -> String {
    let data_type = match value {
        Json::String(_) if data_type.to_lowercase().contains("varying") => {
            data_type.split('(').next().unwrap_or(data_type).trim()
        }
        _ => data_type,
    };
    format!("cast({} as {data_type})", literal(value))
}

fn literal(value: &Json) -> String {
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => format!("'{}'", s.replace('\'', "''")),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
        Json::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("'{}': {}", k.replace('\'', "''"), literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// An input fixture: every column of the input relation in order, the row's values where
/// given and typed nulls elsewhere; no rows gives a typed, empty select.
pub fn input_sql(
    rows: &[IndexMap<String, Json>],
    columns: &Columns,
    fixture: &str,
) -> Result<String, BadColumn> {
    let nulls: Vec<(String, String)> = columns
        .by_lower
        .iter()
        .map(|(k, t)| (k.clone(), cast(&Json::Null, &t.data_type)))
        .collect();
    if rows.is_empty() {
        return Ok(format!("{} limit 0", select(&nulls, columns)));
    }
    let mut selects = Vec::with_capacity(rows.len());
    for row in rows {
        let mut values: IndexMap<String, String> = nulls.iter().cloned().collect();
        for (name, value) in row {
            let target = columns.get(name, fixture)?;
            values.insert(name.to_lowercase(), cast(value, &target.data_type));
        }
        let values: Vec<(String, String)> = values.into_iter().collect();
        selects.push(select(&values, columns));
    }
    Ok(selects.join("\nunion all\n"))
}

fn select(values: &[(String, String)], columns: &Columns) -> String {
    let items: Vec<String> = values
        .iter()
        .map(|(k, v)| {
            let quoted = columns
                .by_lower
                .get(k)
                .map_or_else(|| k.clone(), |t| t.quoted.clone());
            format!("{v} as {quoted}")
        })
        .collect();
    format!("select {}", items.join(", "))
}

/// Expected rows: the columns of the first row (dbt compares only those), each value cast
/// to the model's output type for that column. Returns the SQL and the quoted column list.
pub fn expected_sql(
    rows: &[IndexMap<String, Json>],
    actual: &Columns,
) -> Result<(String, Vec<String>), ExpectError> {
    let fixture = "expected output";
    let Some(first) = rows.first() else {
        return Err(ExpectError::NoRows);
    };
    let keys: Vec<String> = first.keys().map(|k| k.to_lowercase()).collect();
    let quoted = keys
        .iter()
        .map(|k| actual.get(k, fixture).map(|t| t.quoted.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut selects = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let lowered: HashMap<String, &Json> =
            row.iter().map(|(k, v)| (k.to_lowercase(), v)).collect();
        for k in lowered.keys() {
            actual.get(k, fixture)?;
        }
        let mut items = Vec::with_capacity(keys.len());
        for (k, q) in keys.iter().zip(&quoted) {
            let value = lowered.get(k).ok_or_else(|| ExpectError::Uneven {
                row: i + 1,
                column: k.clone(),
            })?;
            let target = actual.get(k, fixture)?;
            items.push(format!("{} as {q}", cast(value, &target.data_type)));
        }
        if lowered.len() != keys.len() {
            let extra = lowered
                .keys()
                .find(|k| !keys.contains(k))
                .cloned()
                .unwrap_or_default();
            return Err(ExpectError::Extra {
                row: i + 1,
                column: extra,
            });
        }
        selects.push(format!("select {}", items.join(", ")));
    }
    Ok((selects.join("\nunion all\n"), quoted))
}

/// Why expected rows cannot be turned into SQL.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExpectError {
    #[error(transparent)]
    Column(#[from] BadColumn),
    #[error("no expected rows")]
    NoRows,
    #[error(
        "expected row {row} has no `{column}`: every expected row must name the columns of the first one"
    )]
    Uneven { row: usize, column: String },
    #[error(
        "expected row {row} has `{column}`, which the first expected row does not: every expected row must name the same columns"
    )]
    Extra { row: usize, column: String },
}

/// The column that tells actual rows from expected ones in the comparison query.
pub const SIDE: &str = "actual_or_expected";

/// One query returning the model's rows (only the compared columns) labelled `actual`, then
/// the expected rows labelled `expected`; without expected SQL only the actual rows.
pub fn comparison_sql(
    dialect: Dialect,
    model_sql: &str,
    expected: Option<&str>,
    columns: &[String],
) -> String {
    let side = dialect.quote(SIDE);
    let list = columns.join(", ");
    let actual =
        format!("select {list}, 'actual' as {side}\nfrom (\n{model_sql}\n) as xf_unit_actual");
    match expected {
        Some(exp) => format!(
            "{actual}\nunion all\nselect {list}, 'expected' as {side}\nfrom (\n{exp}\n) as xf_unit_expected"
        ),
        None => actual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cols() -> Columns {
        Columns::new(
            Dialect::DuckDb,
            &[
                Column {
                    name: "id".into(),
                    data_type: "INTEGER".into(),
                },
                Column {
                    name: "Name".into(),
                    data_type: "character varying(5)".into(),
                },
            ],
        )
    }

    fn row(pairs: &[(&str, Json)]) -> IndexMap<String, Json> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn input_rows_fill_missing_columns_with_typed_nulls() {
        let sql = input_sql(
            &[
                row(&[("ID", json!(1))]),
                row(&[("name", json!("it's")), ("id", Json::Null)]),
            ],
            &cols(),
            "'up'",
        )
        .unwrap();
        assert_eq!(
            sql,
            "select cast(1 as INTEGER) as \"id\", cast(null as character varying(5)) as \"Name\"\nunion all\nselect cast(null as INTEGER) as \"id\", cast('it''s' as character varying) as \"Name\""
        );
        assert_eq!(
            input_sql(&[], &cols(), "'up'").unwrap(),
            "select cast(null as INTEGER) as \"id\", cast(null as character varying(5)) as \"Name\" limit 0"
        );
    }

    #[test]
    fn unknown_columns_name_the_fixture_and_the_accepted_ones() {
        let err = input_sql(&[row(&[("nope", json!(1))])], &cols(), "'up'").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid column name: 'nope' in unit test fixture for 'up'.\nAccepted columns for 'up' are: ['id', 'name']"
        );
        let err = expected_sql(&[row(&[("nope", json!(1))])], &cols()).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "Invalid column name: 'nope' in unit test fixture for expected output."
            ),
            "{err}"
        );
    }

    #[test]
    fn expected_rows_use_the_first_rows_columns_in_its_order() {
        let (sql, quoted) = expected_sql(
            &[
                row(&[("name", json!("a")), ("id", json!(1))]),
                row(&[("id", json!(2)), ("NAME", Json::Null)]),
            ],
            &cols(),
        )
        .unwrap();
        assert_eq!(quoted, ["\"Name\"", "\"id\""]);
        assert_eq!(
            sql,
            "select cast('a' as character varying) as \"Name\", cast(1 as INTEGER) as \"id\"\nunion all\nselect cast(null as character varying(5)) as \"Name\", cast(2 as INTEGER) as \"id\""
        );
        let err = expected_sql(
            &[row(&[("id", json!(1))]), row(&[("name", json!("b"))])],
            &cols(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            ExpectError::Uneven {
                row: 2,
                column: "id".into()
            }
        );
    }

    #[test]
    fn the_comparison_labels_each_side() {
        let sql = comparison_sql(
            Dialect::DuckDb,
            "select 1 as id",
            Some("select 2 as id"),
            &["\"id\"".to_string()],
        );
        assert_eq!(
            sql,
            "select \"id\", 'actual' as \"actual_or_expected\"\nfrom (\nselect 1 as id\n) as xf_unit_actual\nunion all\nselect \"id\", 'expected' as \"actual_or_expected\"\nfrom (\nselect 2 as id\n) as xf_unit_expected"
        );
    }
}
