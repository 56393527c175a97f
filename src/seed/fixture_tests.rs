//! The `seeds_types` fixture project: every seed inferred as real dbt typed it
//! (`tests/fixtures/seeds_types/EXPECTED.md`), planned end to end from the loaded project.
//!
//! With `XFORM_SEED_SQL_OUT=<file>` the planned statements are written there as JSON
//! (`{"seed": [statements]}`) for `scripts/compare_seed_loads.py` to run against DuckDB.

use std::collections::BTreeMap;
use std::path::Path;

use super::{SeedOptions, read_seed};
use crate::node::ResourceType;
use crate::pipeline;
use crate::plan::seed::{SeedLoad, plan_seed};
use crate::project::LoadOptions;

/// `| seed | column | TYPE |` rows of EXPECTED.md, in file order.
fn expected_types(markdown: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for line in markdown.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // A table row splits into ["", seed, column, type, ""].
        if cells.len() != 5 || cells[1] == "seed" || cells[1].starts_with('-') {
            continue;
        }
        out.entry(cells[1].to_string())
            .or_default()
            .push((cells[2].to_string(), cells[3].to_string()));
    }
    out
}

/// How DuckDB reports the type names dbt writes.
fn duckdb_display(sql_type: &str) -> String {
    match sql_type {
        "integer" => "INTEGER".into(),
        "float8" => "DOUBLE".into(),
        "text" | "varchar" => "VARCHAR".into(),
        "timestamp without time zone" => "TIMESTAMP".into(),
        other => other.to_ascii_uppercase(),
    }
}

#[test]
fn fixture_seeds_get_the_types_dbt_gave_them() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds_types");
    let expected = expected_types(&std::fs::read_to_string(dir.join("EXPECTED.md")).unwrap());
    let parsed = pipeline::parse(&LoadOptions {
        project_dir: dir.clone(),
        profiles_dir: Some(dir.clone()),
        profile: None,
        target: None,
        vars: None,
        target_path: None,
    })
    .unwrap_or_else(|d| panic!("fixture does not parse: {d:?}"));
    let mut plans = BTreeMap::new();
    let mut seen = Vec::new();
    for node in parsed
        .graph
        .nodes
        .iter()
        .filter(|n| n.resource_type == ResourceType::Seed)
    {
        let options = SeedOptions::from_config(&node.config).unwrap();
        let csv = dir.join(&node.origin.file);
        let table = read_seed(&csv, &options).unwrap();
        let got: Vec<(String, String)> = table
            .columns
            .iter()
            .map(|c| (c.name.clone(), duckdb_display(c.duckdb_type())))
            .collect();
        assert_eq!(Some(&got), expected.get(&node.alias), "seed {}", node.alias);
        seen.push(node.alias.clone());
        let csv_path = csv.canonicalize().unwrap();
        let plan = plan_seed(
            &SeedLoad {
                node,
                table: &table,
                csv_path: &csv_path.to_string_lossy(),
                existing: None,
                existing_columns: &[],
                full_refresh: false,
            },
            crate::dialect::Dialect::DuckDb,
        )
        .unwrap();
        let statements: Vec<String> = plan.prepare.into_iter().chain(plan.atomic).collect();
        plans.insert(node.alias.clone(), statements);
    }
    seen.sort();
    assert_eq!(seen, expected.keys().cloned().collect::<Vec<_>>());
    if let Some(out) = std::env::var_os("XFORM_SEED_SQL_OUT") {
        std::fs::write(out, serde_json::to_string_pretty(&plans).unwrap()).unwrap();
    }
}
