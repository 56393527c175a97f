//! A seed node + its read CSV with the rows kept (`SeedTable::cells`) -> the BigQuery
//! statements that (re)load it, its rows written into the SQL as batched VALUES.
//!
//! dbt-bigquery drops the seed's table and loads the file with a load job every run
//! (`--full-refresh` changes nothing). BigQuery cannot read the local file from SQL, so
//! xform's script carries the rows instead:
//!
//! ```sql
//! create or replace temp table `people__xform_seed` (`id` INT64, `name` STRING, ...);
//! insert into `people__xform_seed` (`id`, `name`, ...) values
//! (1, 'a', ...),
//! (2, 'b', ...);                      -- SEED_BATCH_ROWS rows per statement
//! create or replace table `p`.`d`.`people` as (select * from `people__xform_seed`)
//! ```
//!
//! The rows go to a temp table first so the seed's table is replaced by one statement
//! only after every row has loaded: a bad value leaves the old table as it was.
//!
//! A script's text is limited to 1 MB. A seed whose script would pass
//! [`MAX_QUERY_BYTES`] is staged in a real table instead (`people__xform_seed` in the
//! seed's dataset, expiring after 12 hours like dbt's temporary relations), filled by one
//! INSERT job per batch of at most that size; the seed's table is then replaced from it
//! in one statement and the staging table dropped. Only a single row over the limit
//! cannot be loaded this way.
//!
//! Types: `column_types` entries verbatim, otherwise dbt-bigquery's names for what dbt
//! inferred: INT64, FLOAT64, DATE, DATETIME, BOOL, STRING. An empty field is NULL. STRING
//! values are string literals; whole numbers and plain decimals in INT64/FLOAT64 columns
//! are written as they are; everything else is `cast('<text>' as <type>)`, so BigQuery
//! parses it (and rejects what it cannot read, naming the value). Limit: a datetime
//! written with a UTC offset
//! (`2024-01-02T10:00:00+02:00`) is refused by BigQuery's DATETIME cast where DuckDB drops
//! the offset.

use crate::adapter::RelationKind;
use crate::seed::{SeedTable, SeedType};

use super::super::seed::SeedLoad;
use super::super::{Plan, PlanError};
use super::options::{self, Kind};
use super::{create_schema, quote, relation, string_literal, temp_table};

/// Rows per `INSERT ... VALUES` statement.
pub const SEED_BATCH_ROWS: usize = 500;

/// Bytes of SQL per statement (and per script) kept under BigQuery's 1 MB query text
/// limit, with room for the request around it.
pub const MAX_QUERY_BYTES: usize = 900_000;

/// Plans loading one seed on BigQuery, `batch` rows per INSERT.
pub fn plan(load: &SeedLoad<'_>, batch: usize) -> Result<Plan, PlanError> {
    plan_sized(load, batch, MAX_QUERY_BYTES)
}

/// [`plan`] with statements of at most `max_bytes` (the threshold for staging too).
pub fn plan_sized(load: &SeedLoad<'_>, batch: usize, max_bytes: usize) -> Result<Plan, PlanError> {
    let node = load.node;
    let target = relation(node);
    if load.existing == Some(RelationKind::View) {
        return Err(PlanError::SeedOntoView(target));
    }
    let cells = load
        .table
        .cells
        .as_deref()
        .ok_or_else(|| PlanError::SeedRowsNotRead(node.unique_id.clone()))?;
    let types = column_types(load.table);
    let staging = temp_table(node, "__xform_seed");
    let columns: Vec<String> = load.table.columns.iter().map(|c| quote(&c.name)).collect();
    let definitions: Vec<String> = columns
        .iter()
        .zip(&types)
        .map(|(c, t)| format!("{c} {t}"))
        .collect();
    let definitions = definitions.join(", ");
    let rows: Vec<String> = cells
        .iter()
        .map(|row| {
            let fields: Vec<String> = row
                .iter()
                .zip(&types)
                .map(|(text, ty)| value(text, ty))
                .collect();
            format!("({})", fields.join(", "))
        })
        .collect();
    let insert_into =
        |table: &str| format!("insert into {table} ({}) values\n", columns.join(", "));
    // A seed's table takes the options common to tables and views (description,
    // labels, expiration); a model table's partition options do not apply to it.
    let replace = |from: &str| -> Result<String, PlanError> {
        Ok(format!(
            "create or replace table {target}{} as (\nselect * from {from}\n)",
            options::clause(node, Kind::View)?
        ))
    };
    let head = insert_into(&staging);
    let script_bytes: usize = rows.iter().map(|r| r.len() + 2).sum::<usize>()
        + rows.len().div_ceil(batch.max(1)) * head.len()
        + definitions.len()
        + 200;
    if script_bytes <= max_bytes {
        let mut atomic = vec![format!(
            "create or replace temp table {staging} ({definitions})"
        )];
        atomic.extend(
            rows.chunks(batch.max(1))
                .map(|chunk| format!("{head}{}", chunk.join(",\n"))),
        );
        atomic.push(replace(&staging)?);
        return Ok(Plan {
            prepare: vec![create_schema(node)],
            atomic,
        });
    }
    let staged = crate::dialect::Dialect::BigQuery.relation(
        &node.database,
        &node.schema,
        &format!("{}__xform_seed", node.alias),
    );
    let head = insert_into(&staged);
    let mut prepare = vec![
        create_schema(node),
        format!(
            "create or replace table {staged} ({definitions})\n\
             options(expiration_timestamp = timestamp_add(current_timestamp(), interval 12 hour))"
        ),
    ];
    let mut statement = String::new();
    for row in &rows {
        if !statement.is_empty() && statement.len() + row.len() + 2 > max_bytes {
            prepare.push(std::mem::take(&mut statement));
        }
        if statement.is_empty() {
            statement.push_str(&head);
        } else {
            statement.push_str(",\n");
        }
        statement.push_str(row);
    }
    if !statement.is_empty() {
        prepare.push(statement);
    }
    Ok(Plan {
        prepare,
        atomic: vec![replace(&staged)?, format!("drop table if exists {staged}")],
    })
}

/// Each column's BigQuery type.
fn column_types(table: &SeedTable) -> Vec<String> {
    table
        .columns
        .iter()
        .map(|c| match &c.override_type {
            Some(t) => t.clone(),
            None => match c.inferred {
                SeedType::Integer => "INT64",
                SeedType::Float => "FLOAT64",
                SeedType::Date => "DATE",
                SeedType::Timestamp => "DATETIME",
                SeedType::Boolean => "BOOL",
                SeedType::Text => "STRING",
            }
            .to_string(),
        })
        .collect()
}

/// One field as a GoogleSQL value of type `ty`.
fn value(text: &str, ty: &str) -> String {
    let base = ty.trim().to_ascii_uppercase();
    let base = base.split(['(', '<']).next().unwrap_or_default();
    if base == "STRING" {
        return if text.is_empty() {
            "NULL".into()
        } else {
            string_literal(text)
        };
    }
    // Typed fields are read as agate reads them: surrounding spaces do not count.
    let text = text.trim();
    if text.is_empty() {
        return "NULL".into();
    }
    let plain = match base {
        "INT64" | "INTEGER" | "INT" | "BIGINT" => is_integer(text),
        "FLOAT64" | "FLOAT" => is_integer(text) || is_decimal(text),
        _ => false,
    };
    if plain {
        text.to_string()
    } else {
        format!("cast({} as {ty})", string_literal(text))
    }
}

fn is_integer(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    !digits.is_empty() && digits.len() < 19 && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_decimal(t: &str) -> bool {
    match t.split_once('.') {
        Some((whole, fraction)) => {
            (whole.is_empty() || whole == "-" || is_integer(whole))
                && !fraction.is_empty()
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::value;

    #[test]
    fn values_are_typed_literals() {
        assert_eq!(value("", "INT64"), "NULL");
        assert_eq!(value(" 12 ", "INT64"), "12");
        assert_eq!(value("-3", "INT64"), "-3");
        assert_eq!(value("1,000", "INT64"), "cast('1,000' as INT64)");
        assert_eq!(value("1.5", "FLOAT64"), "1.5");
        assert_eq!(value("1e3", "FLOAT64"), "cast('1e3' as FLOAT64)");
        assert_eq!(value("it's", "STRING"), r"'it\'s'");
        assert_eq!(value(" x ", "STRING"), "' x '");
        assert_eq!(value("True", "BOOL"), "cast('True' as BOOL)");
        assert_eq!(
            value("9.99", "numeric(10, 2)"),
            "cast('9.99' as numeric(10, 2))"
        );
        assert_eq!(
            value("99999999999999999999", "INT64"),
            "cast('99999999999999999999' as INT64)"
        );
    }
}
