//! A seed node + its read CSV (`SeedTable`) + what the warehouse holds -> the statements
//! that (re)load it through DuckDB's own CSV reader, in one transaction.
//!
//! dbt-core's seed materialization with dbt-duckdb, as verified against dbt 1.12.6 and
//! dbt-duckdb 1.11.1:
//!
//! - Nothing there: `create table` with the inferred (or `column_types`) types, then load.
//! - A table there: `truncate table`, then load into the table as it is. dbt never looks
//!   at the columns: a renamed header loads into the old column by position, and a
//!   different column count fails inside DuckDB, which we report up front instead.
//! - `--full-refresh` (or config `full_refresh: true`; the config, when set, beats the
//!   flag): `drop table if exists ... cascade`, create, load.
//! - A view there: an error, even with `--full-refresh` ("Cannot seed to ..., it is a view").
//! - No data rows: the table is created or emptied and nothing is loaded.
//! - `quote_columns` unset means quoted column names (dbt's adapter default).
//!
//! The load is one `copy ... from 'file'`, as dbt-duckdb's default `fast` path does, so
//! DuckDB converts the values exactly as under dbt: "" (quoted or not) is NULL, the text
//! "null" stays text (agate's null spellings only decide types), booleans are
//! `true`/`false` in any case, and ISO timestamps keep their wall-clock time (an offset
//! such as `+02:00` is dropped, not applied). dbt-duckdb lets DuckDB's sniffer guess the
//! quote and escape characters; we state what the type inference read (`"` quotes, `""`
//! escapes, the configured delimiter, no sniffing). Every fixture seed loads identically;
//! the difference is on malformed files, where the sniffer may give up on quoting and load
//! an unclosed `"abc` as text, while the seed reader has already reported the line.
//!
//! BigQuery targets are planned by `bigquery::seed`, from the rows the reader kept.

use crate::adapter::{Column, RelationKind};
use crate::dialect::Dialect;
use crate::node::Node;
use crate::seed::SeedTable;

use super::{Plan, PlanError};
use serde_json::Value as Json;

/// Everything the seed planner looks at.
#[derive(Debug, Clone, Copy)]
pub struct SeedLoad<'a> {
    pub node: &'a Node,
    pub table: &'a SeedTable,
    /// The CSV file's absolute path, as the warehouse process opens it.
    pub csv_path: &'a str,
    /// What is at the seed's relation now.
    pub existing: Option<RelationKind>,
    /// The existing table's columns in order; empty when unknown.
    pub existing_columns: &'a [Column],
    /// The `--full-refresh` flag.
    pub full_refresh: bool,
}

/// Plans loading one seed.
pub fn plan_seed(load: &SeedLoad<'_>, dialect: Dialect) -> Result<Plan, PlanError> {
    if dialect == Dialect::BigQuery {
        return super::bigquery::seed::plan(load, super::bigquery::seed::SEED_BATCH_ROWS);
    }
    let node = load.node;
    if node.config.get("fast") == Some(&Json::Bool(false)) {
        // dbt-duckdb then inserts agate's values row by row, which reads "null" as NULL
        // and `$5` as 5: a different load we do not do yet.
        return Err(PlanError::Unsupported("seed with `fast: false`".into()));
    }
    let quote_columns = bool_config(node, "quote_columns")?.unwrap_or(true);
    let full_refresh = bool_config(node, "full_refresh")?.unwrap_or(load.full_refresh);

    let relation = dialect.relation(&node.database, &node.schema, &node.alias);
    let schema = dialect.relation(&node.database, &node.schema, "");
    let prepare = vec![format!("create schema if not exists {schema}")];
    let create = || {
        let columns: Vec<String> = load
            .table
            .columns
            .iter()
            .map(|c| {
                let name = if quote_columns {
                    dialect.quote(&c.name)
                } else {
                    c.name.clone()
                };
                format!("{name} {}", c.duckdb_type())
            })
            .collect();
        format!("create table {relation} ({})", columns.join(", "))
    };

    let mut atomic = Vec::new();
    match load.existing {
        Some(RelationKind::View) => return Err(PlanError::SeedOntoView(relation)),
        Some(RelationKind::Table) if full_refresh => {
            atomic.push(format!("drop table if exists {relation} cascade"));
            atomic.push(create());
        }
        Some(RelationKind::Table) => {
            let had = load.existing_columns.len();
            let has = load.table.columns.len();
            if had != 0 && had != has {
                return Err(PlanError::SeedColumnsChanged { relation, had, has });
            }
            atomic.push(format!("truncate table {relation}"));
        }
        None => atomic.push(create()),
    }
    if load.table.rows > 0 {
        let delimiter = node.config_str("delimiter").unwrap_or(",");
        atomic.push(format!(
            "copy {relation} from {} (format csv, header true, delimiter {}, quote '\"', escape '\"', auto_detect false)",
            string_literal(load.csv_path),
            string_literal(delimiter),
        ));
    }
    Ok(Plan { prepare, atomic })
}

/// A boolean config that may be unset or null.
fn bool_config(node: &Node, key: &str) -> Result<Option<bool>, PlanError> {
    match node.config.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(PlanError::BadConfig {
            key: key.to_string(),
            message: format!("must be true or false, got {other}"),
        }),
    }
}

fn string_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::ResourceType;
    use crate::seed::{SeedColumn, SeedType};
    use serde_json::json;

    fn seed(config: &[(&str, Json)]) -> Node {
        let mut n = Node::new(ResourceType::Seed, "p", "people", "seed.p.people".into());
        n.database = "db".into();
        n.schema = "main".into();
        n.alias = "people".into();
        for (k, v) in config {
            n.config.insert(k.to_string(), v.clone());
        }
        n
    }

    fn table(rows: usize) -> SeedTable {
        let col = |name: &str, inferred, override_type: Option<&str>| SeedColumn {
            name: name.into(),
            inferred,
            override_type: override_type.map(str::to_string),
        };
        SeedTable {
            columns: vec![
                col("id", SeedType::Integer, None),
                col("Full Name", SeedType::Text, None),
                col("zip", SeedType::Text, Some("varchar(5)")),
                col("joined", SeedType::Date, None),
            ],
            rows,
            warnings: Vec::new(),
            cells: None,
        }
    }

    fn run(
        node: &Node,
        table: &SeedTable,
        existing: Option<RelationKind>,
        existing_columns: &[Column],
        full_refresh: bool,
    ) -> Result<Plan, PlanError> {
        plan_seed(
            &SeedLoad {
                node,
                table,
                csv_path: "/proj/seeds/it's/people.csv",
                existing,
                existing_columns,
                full_refresh,
            },
            Dialect::DuckDb,
        )
    }

    fn show(plan: &Plan) -> String {
        let mut out = String::from("-- prepare\n");
        for s in &plan.prepare {
            out.push_str(&format!("{s};\n"));
        }
        out.push_str("-- atomic\n");
        for s in &plan.atomic {
            out.push_str(&format!("{s};\n"));
        }
        out
    }

    #[test]
    fn first_load_creates_then_copies() {
        let p = run(&seed(&[]), &table(3), None, &[], false).unwrap();
        insta::assert_snapshot!("seed_first_load", show(&p));
    }

    #[test]
    fn rerun_truncates_and_full_refresh_recreates() {
        let existing = ["id", "Full Name", "zip", "joined"].map(|n| Column {
            name: n.into(),
            data_type: "VARCHAR".into(),
        });
        let p = run(
            &seed(&[]),
            &table(3),
            Some(RelationKind::Table),
            &existing,
            false,
        )
        .unwrap();
        insta::assert_snapshot!("seed_rerun", show(&p));
        let p = run(
            &seed(&[]),
            &table(3),
            Some(RelationKind::Table),
            &existing,
            true,
        )
        .unwrap();
        insta::assert_snapshot!("seed_full_refresh", show(&p));
        // The config beats the flag, both ways.
        let forced = seed(&[("full_refresh", json!(true))]);
        assert_eq!(
            run(&forced, &table(3), Some(RelationKind::Table), &[], false).unwrap(),
            p
        );
        let never = seed(&[("full_refresh", json!(false))]);
        assert!(
            run(&never, &table(3), Some(RelationKind::Table), &[], true)
                .unwrap()
                .atomic[0]
                .starts_with("truncate table")
        );
    }

    #[test]
    fn options_change_the_sql() {
        let node = seed(&[("quote_columns", json!(false)), ("delimiter", json!(";"))]);
        let p = run(&node, &table(1), None, &[], false).unwrap();
        insta::assert_snapshot!("seed_unquoted_semicolon", show(&p));
        // No rows: the table is made, nothing is loaded.
        let p = run(&seed(&[]), &table(0), Some(RelationKind::Table), &[], false).unwrap();
        assert_eq!(p.atomic, [r#"truncate table "db"."main"."people""#]);
    }

    #[test]
    fn views_column_changes_and_bigquery_are_refused() {
        let node = seed(&[]);
        assert_eq!(
            run(&node, &table(1), Some(RelationKind::View), &[], true).unwrap_err(),
            PlanError::SeedOntoView(r#""db"."main"."people""#.into())
        );
        let old = [Column {
            name: "id".into(),
            data_type: "INTEGER".into(),
        }];
        let err = run(&node, &table(1), Some(RelationKind::Table), &old, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#""db"."main"."people" has 1 columns but the seed now has 4; run with --full-refresh to recreate it"#
        );
        let t = table(1);
        let load = SeedLoad {
            node: &node,
            table: &t,
            csv_path: "/x.csv",
            existing: None,
            existing_columns: &[],
            full_refresh: false,
        };
        // BigQuery carries the rows in its SQL, so it needs them read.
        assert_eq!(
            plan_seed(&load, Dialect::BigQuery),
            Err(PlanError::SeedRowsNotRead("seed.p.people".into()))
        );
        let slow = seed(&[("fast", json!(false))]);
        assert!(matches!(
            run(&slow, &t, None, &[], false),
            Err(PlanError::Unsupported(_))
        ));
        let bad = seed(&[("quote_columns", json!("yes"))]);
        assert!(matches!(
            run(&bad, &t, None, &[], false),
            Err(PlanError::BadConfig { .. })
        ));
    }
}
