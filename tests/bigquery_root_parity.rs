//! The root GitHub-activity project built on DuckDB (target dev) and on the BigQuery
//! emulator (target prod): the core and consumption tables must hold the same rows.
#![cfg(all(feature = "bigquery", feature = "duckdb"))]

mod common;

use std::path::Path;

use common::bigquery::{adapter, dataset, emulator};
use common::xform;
use serde_json::Value as Json;
use xform::adapter::Adapter;
use xform::adapter::duckdb::DuckDb;

/// Tables compared; views would only repeat their inputs.
const TABLES: &[&str] = &[
    "fct_events",
    "dim_actor",
    "dim_repo",
    "events_per_type_daily",
    "top_pushers",
    "popular_repos_daily",
];

fn root_project(into: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for item in ["models", "macros", "seeds", "snapshots", "data-tests"] {
        common::copy_dir(&root.join(item), &into.join(item));
    }
    std::fs::copy(root.join("dbt_project.yml"), into.join("dbt_project.yml")).unwrap();
}

fn profiles(dir: &Path, dataset: &str) {
    let text = format!(
        "github_activity:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: dev.duckdb\n      threads: 4\n    prod:\n      type: bigquery\n      method: oauth\n      project: xform-test\n      dataset: {dataset}\n      threads: 4\n"
    );
    std::fs::write(dir.join("profiles.yml"), text).unwrap();
}

/// A value as comparable text: numbers to 6 decimals, everything else as JSON text.
fn cell(v: &Json) -> String {
    match v {
        Json::Number(n) => format!("{:.6}", n.as_f64().unwrap_or(f64::NAN)),
        Json::String(s) => s
            .parse::<f64>()
            .map_or_else(|_| s.clone(), |f| format!("{f:.6}")),
        other => other.to_string(),
    }
}

fn sorted(rows: Vec<Vec<Json>>) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| r.iter().map(cell).collect())
        .collect();
    out.sort();
    out
}

#[test]
fn consumption_tables_match_between_duckdb_and_bigquery() {
    let Some(host) = emulator() else { return };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    root_project(p);
    let ds = dataset("root");
    profiles(p, &ds);
    for target in ["dev", "prod"] {
        let r = xform(p, &["build", "--profiles-dir", ".", "--target", target]);
        assert_eq!(r.code, 0, "{target}:\n{}\n{}", r.stdout, r.stderr);
    }
    let duck = DuckDb::open(&p.join("dev.duckdb")).unwrap();
    let bq = adapter(&host);
    for table in TABLES {
        let columns: Vec<String> = duck
            .columns("dev", "main", table)
            .unwrap()
            .into_iter()
            .map(|c| c.name.to_lowercase())
            .collect();
        assert!(!columns.is_empty(), "{table} is missing on DuckDB");
        // Both adapters give timestamps as UTC `YYYY-MM-DD HH:MM:SS` text and dates as ISO.
        let list = columns.join(", ");
        let on_duck = duck
            .query(&format!("select {list} from dev.main.{table}"))
            .unwrap();
        let on_bq = bq
            .query(&format!("select {list} from `xform-test`.`{ds}`.{table}"))
            .unwrap();
        assert!(!on_duck.rows.is_empty(), "{table} is empty");
        assert_eq!(
            sorted(on_duck.rows),
            sorted(on_bq.rows),
            "{table} differs between DuckDB and BigQuery"
        );
    }
}
