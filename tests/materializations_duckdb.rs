//! Seeds, incremental models and snapshots on embedded DuckDB, run through the CLI and
//! checked by querying the database file: rows, column names and types, relation kinds.

#![cfg(feature = "duckdb")]

mod common;

use std::path::Path;

use common::{copy_fixture, xform};
use serde_json::{Value as Json, json};
use xform::adapter::Adapter;
use xform::adapter::duckdb::DuckDb;

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn rows(db: &Path, sql: &str) -> Vec<Vec<Json>> {
    DuckDb::open(db).unwrap().query(sql).unwrap().rows
}

fn types(db: &Path, schema: &str, table: &str) -> Vec<(String, String)> {
    let d = DuckDb::open(db).unwrap();
    let catalog = db.file_stem().unwrap().to_str().unwrap().to_string();
    d.columns(&catalog, schema, table)
        .unwrap()
        .into_iter()
        .map(|c| (c.name, c.data_type))
        .collect()
}

const PROJECT: &str = "name: inc\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: inc\n";
const PROFILES: &str = "inc:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"inc.duckdb\"\n      threads: 2\n";

fn incremental_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "dbt_project.yml", PROJECT);
    write(p, "profiles.yml", PROFILES);
    write(
        p,
        "seeds/events.csv",
        "id,kind,amount,loaded_at\n1,a,10,2024-01-01 00:00:00\n2,b,20,2024-01-01 00:00:00\n",
    );
    let body = "select id, kind, amount, loaded_at from {{ ref('events') }}\n{% if is_incremental() %}where loaded_at > (select max(loaded_at) from {{ this }}){% endif %}";
    write(
        p,
        "models/by_merge.sql",
        &format!(
            "{{{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge') }}}}\n{body}"
        ),
    );
    write(
        p,
        "models/by_delete_insert.sql",
        &format!(
            "{{{{ config(materialized='incremental', unique_key=['id'], incremental_strategy='delete+insert') }}}}\n{body}"
        ),
    );
    write(
        p,
        "models/by_append.sql",
        &format!("{{{{ config(materialized='incremental') }}}}\n{body}"),
    );
    dir
}

#[test]
fn incremental_models_merge_new_and_changed_rows_and_full_refresh_rebuilds() {
    let dir = incremental_project();
    let p = dir.path();
    let db = p.join("inc.duckdb");
    let r = xform(p, &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        rows(&db, "select count(*) from main.by_merge"),
        vec![vec![json!(2)]]
    );
    // A late row for id 2 (changed) and a new id 3.
    write(
        p,
        "seeds/events.csv",
        "id,kind,amount,loaded_at\n1,a,10,2024-01-01 00:00:00\n2,b,25,2024-01-02 00:00:00\n3,c,30,2024-01-02 00:00:00\n",
    );
    let r = xform(p, &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for model in ["by_merge", "by_delete_insert"] {
        assert_eq!(
            rows(
                &db,
                &format!("select id, amount from main.{model} order by id")
            ),
            vec![
                vec![json!(1), json!(10)],
                vec![json!(2), json!(25)],
                vec![json!(3), json!(30)]
            ],
            "{model}"
        );
    }
    assert_eq!(
        rows(
            &db,
            "select id, amount from main.by_append order by id, amount"
        ),
        vec![
            vec![json!(1), json!(10)],
            vec![json!(2), json!(20)],
            vec![json!(2), json!(25)],
            vec![json!(3), json!(30)]
        ],
        "append keeps the old version of id 2"
    );
    let run_sql = std::fs::read_to_string(p.join("target/run/inc/models/by_merge.sql")).unwrap();
    assert!(run_sql.to_lowercase().contains("merge into"), "{run_sql}");
    let r = xform(
        p,
        &[
            "run",
            "--profiles-dir",
            ".",
            "--full-refresh",
            "-s",
            "by_append",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        rows(&db, "select count(*) from main.by_append"),
        vec![vec![json!(3)]]
    );
}

#[test]
fn on_schema_change_appends_new_columns_or_fails() {
    let dir = incremental_project();
    let p = dir.path();
    let db = p.join("inc.duckdb");
    assert_eq!(xform(p, &["build", "--profiles-dir", "."]).code, 0);
    write(
        p,
        "models/by_merge.sql",
        "{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge', on_schema_change='append_new_columns') }}\nselect id, kind, amount, loaded_at, amount * 2 as doubled from {{ ref('events') }}",
    );
    write(
        p,
        "models/by_append.sql",
        "{{ config(materialized='incremental', on_schema_change='fail') }}\nselect id, kind from {{ ref('events') }}",
    );
    let r = xform(p, &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 1, "the `fail` model fails: {}", r.stderr);
    assert!(r.stderr.contains("on_schema_change: fail"), "{}", r.stderr);
    // dbt raises it as a compiler error and heads it that way, not as a database error.
    assert!(
        r.stderr
            .contains("\nCompilation Error in model by_append (models/by_append.sql)\n"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("Database Error"), "{}", r.stderr);
    let cols: Vec<String> = types(&db, "main", "by_merge")
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(cols, ["id", "kind", "amount", "loaded_at", "doubled"]);
    assert_eq!(
        rows(&db, "select id, doubled from main.by_merge order by id"),
        vec![vec![json!(1), json!(20)], vec![json!(2), json!(40)]]
    );
}

#[test]
fn an_invalid_strategy_is_reported_before_anything_runs() {
    let dir = incremental_project();
    let p = dir.path();
    write(
        p,
        "models/by_append.sql",
        "{{ config(materialized='incremental', incremental_strategy='upsert') }}\nselect 1 as id",
    );
    let r = xform(p, &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("models/by_append.sql"), "{}", r.stderr);
    assert!(r.stderr.contains("upsert"), "{}", r.stderr);
    assert!(!p.join("inc.duckdb").exists(), "nothing was written");
}

#[test]
fn seeds_load_with_dbt_types_and_reload_in_place() {
    let dir = copy_fixture("seeds_types");
    let p = dir.path();
    let db = p.join("seeds.duckdb");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_xform"))
            .args(args)
            .current_dir(p)
            .env("XFORM_DUCKDB_PATH", &db)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, err) = run(&["seed", "--profiles-dir", "."]);
    assert_eq!(code, 0, "{err}");
    // EXPECTED.md's table: `| seed | column | type |`, as real dbt loaded them.
    let expected = std::fs::read_to_string(p.join("EXPECTED.md")).unwrap();
    let want: Vec<(String, String, String)> = expected
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (cells.len() == 3
                && cells[2].starts_with(|c: char| c.is_ascii_uppercase())
                && !cells[2].chars().any(|c| c.is_ascii_lowercase()))
            .then(|| {
                (
                    cells[0].to_string(),
                    cells[1].to_string(),
                    cells[2].to_string(),
                )
            })
        })
        .collect();
    assert!(want.len() > 40, "EXPECTED.md table not found");
    let d = DuckDb::open(&db).unwrap();
    let got = d
        .query("select table_name, column_name, data_type from information_schema.columns where table_catalog = 'seeds' order by table_name, ordinal_position")
        .unwrap();
    let got: Vec<(String, String, String)> = got
        .rows
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_string(),
                r[1].as_str().unwrap().to_string(),
                r[2].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let by_table = |rows: &[(String, String, String)]| {
        let mut m: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
        for (t, c, ty) in rows {
            m.entry(t.clone())
                .or_default()
                .push((c.clone(), ty.clone()));
        }
        m
    };
    assert_eq!(by_table(&got), by_table(&want));
    drop(d);
    let (code, err) = run(&["seed", "--profiles-dir", "."]);
    assert_eq!(code, 0, "a rerun truncates and reloads: {err}");
}

#[test]
fn a_ragged_csv_is_bad_input_at_its_line() {
    let dir = copy_fixture("bad_csv");
    let r = xform(dir.path(), &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("seeds/countries.csv:3"), "{}", r.stderr);
    assert!(
        !dir.path().join("fixture.duckdb").exists(),
        "nothing was written"
    );
}

#[test]
fn snapshots_track_changes_across_runs_as_dbt_does() {
    let dir = copy_fixture("snapshots_basic");
    let p = dir.path();
    let db = p.join("test.duckdb");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_xform"))
            .args(args)
            .current_dir(p)
            .env("XFORM_DUCKDB_PATH", &db)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["seed", "--profiles-dir", "."]);
    run(&["snapshot", "--profiles-dir", "."]);
    std::fs::copy(
        p.join("changes/v2/customers.csv"),
        p.join("seeds/customers.csv"),
    )
    .unwrap();
    run(&["seed", "--profiles-dir", "."]);
    run(&["snapshot", "--profiles-dir", "."]);
    std::fs::copy(
        p.join("changes/v3/customers.csv"),
        p.join("seeds/customers.csv"),
    )
    .unwrap();
    run(&["seed", "--profiles-dir", ".", "--full-refresh"]);
    run(&["snapshot", "--profiles-dir", "."]);
    // EXPECTED.md's table for customers_history after run 3 (dbt's exact scd ids).
    let got = rows(
        &db,
        "select id, name, cast(updated_at as varchar), dbt_scd_id, dbt_valid_to is null, tier from snapshots.customers_history order by id, updated_at",
    );
    let want = vec![
        json!([
            1,
            "alice",
            "2024-01-01 10:00:00",
            "4f5746d2de2c81b300d78040e8c6008e",
            false,
            null
        ]),
        json!([
            1,
            "alicia",
            "2024-01-02 10:00:00",
            "334a6b0171e658f1f6069b8fbf28a7bd",
            true,
            null
        ]),
        json!([
            2,
            "bob",
            "2024-01-01 10:00:00",
            "196df3baf027da9165d6c7f37b56a7fe",
            true,
            null
        ]),
        json!([
            3,
            "carol",
            "2024-01-01 10:00:00",
            "c637e7532da837b1b56aebcb2bf6beab",
            false,
            null
        ]),
        json!([
            3,
            "carol",
            "2024-01-03 10:00:00",
            "b6d428327f6d66208e26c17e6e0770b1",
            true,
            "gold"
        ]),
        json!([
            4,
            "dave",
            "2024-01-02 10:00:00",
            "b8c4a081835c5682e2158ec6157b74fb",
            true,
            null
        ]),
    ];
    let got: Vec<Json> = got.into_iter().map(Json::from).collect();
    assert_eq!(got, want);
    let cols: Vec<String> = types(&db, "main_snapshots", "customers_check")
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert!(
        cols.contains(&"valid_from".to_string()) && cols.contains(&"dbt_is_deleted".to_string()),
        "{cols:?}"
    );
}
