//! `xform run` on embedded DuckDB: models built in DAG order into a real database file,
//! checked by querying the file; failures keep the old relation and skip descendants.
// Needs the embedded engine; a `--no-default-features` build skips the whole file.
#![cfg(feature = "duckdb")]

mod common;

use std::path::Path;

use common::xform;
use serde_json::{Value as Json, json};
use xform::adapter::duckdb::DuckDb;
use xform::adapter::{Adapter, RelationKind};

const PROJECT: &str = "name: shop\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: shop\nmodels:\n  shop:\n    marts:\n      +materialized: table\n";
const PROFILES: &str = "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"shop.duckdb\"\n      threads: 2\n";

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "dbt_project.yml", PROJECT);
    write(p, "profiles.yml", PROFILES);
    write(
        p,
        "models/staging/stg_orders.sql",
        "select * from (values (1, 'a', 10), (2, 'b', 5), (3, 'a', 7)) as t(id, customer, amount)",
    );
    write(
        p,
        "models/staging/big_orders.sql",
        "{{ config(materialized='ephemeral') }}\nselect * from {{ ref('stg_orders') }} where amount > 6",
    );
    write(
        p,
        "models/marts/customer_totals.sql",
        "select customer, sum(amount) as total, count(*) as big_orders\nfrom {{ ref('big_orders') }}\ngroup by customer\norder by customer",
    );
    dir
}

fn db(dir: &Path) -> DuckDb {
    DuckDb::open(&dir.join("shop.duckdb")).unwrap()
}

#[test]
fn run_builds_views_and_tables_in_dependency_order() {
    let dir = project();
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = db(dir.path());
    assert_eq!(
        db.relation_kind("shop", "main", "stg_orders").unwrap(),
        Some(RelationKind::View)
    );
    assert_eq!(
        db.relation_kind("shop", "main", "customer_totals").unwrap(),
        Some(RelationKind::Table)
    );
    assert_eq!(
        db.relation_kind("shop", "main", "big_orders").unwrap(),
        None,
        "ephemerals build nothing"
    );
    let rows = db
        .query("select customer, total, big_orders from main.customer_totals")
        .unwrap();
    assert_eq!(rows.columns, ["customer", "total", "big_orders"]);
    assert_eq!(rows.rows, vec![vec![json!("a"), json!(17), json!(2)]]);
}

#[test]
fn a_failing_model_keeps_the_old_relation_and_skips_descendants() {
    let dir = project();
    assert_eq!(xform(dir.path(), &["run", "--profiles-dir", "."]).code, 0);
    // Break the staging model at run time (valid SQL, unknown column for DuckDB).
    write(
        dir.path(),
        "models/staging/stg_orders.sql",
        "select id, customer, amount, no_such_column from (values (1, 'a', 10)) as t(id, customer, amount)",
    );
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("Database Error in model stg_orders (models/staging/stg_orders.sql)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("no_such_column"),
        "DuckDB's message is quoted:\n{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("SKIP relation main.customer_totals"),
        "{}",
        r.stderr
    );
    let db = db(dir.path());
    let rows = db.query("select count(*) from main.stg_orders").unwrap();
    assert_eq!(
        rows.rows,
        vec![vec![Json::from(3)]],
        "the previous view still answers"
    );
    let totals = db.query("select total from main.customer_totals").unwrap();
    assert_eq!(
        totals.rows,
        vec![vec![json!(17)]],
        "the skipped table is untouched"
    );
}

#[test]
fn switching_a_table_to_a_view_replaces_it() {
    let dir = project();
    assert_eq!(xform(dir.path(), &["run", "--profiles-dir", "."]).code, 0);
    let text =
        std::fs::read_to_string(dir.path().join("models/marts/customer_totals.sql")).unwrap();
    write(
        dir.path(),
        "models/marts/customer_totals.sql",
        &format!("{{{{ config(materialized='view') }}}}\n{text}"),
    );
    let r = xform(
        dir.path(),
        &["run", "--profiles-dir", ".", "-s", "customer_totals"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = db(dir.path());
    assert_eq!(
        db.relation_kind("shop", "main", "customer_totals").unwrap(),
        Some(RelationKind::View)
    );
    let rows = db.query("select total from main.customer_totals").unwrap();
    assert_eq!(rows.rows, vec![vec![json!(17)]]);
}

#[test]
fn profile_settings_apply_to_every_connection_and_a_refused_one_stops_the_run() {
    let dir = project();
    let p = dir.path();
    let settings = "      settings:\n        memory_limit: 300MB\n        preserve_insertion_order: false\n      extensions: [json, parquet]\n";
    write(p, "profiles.yml", &format!("{PROFILES}{settings}"));
    // Several models on two threads: each may run on a different pooled connection.
    for i in 0..4 {
        write(
            p,
            &format!("models/marts/setting_{i}.sql"),
            "select current_setting('memory_limit') as memory_limit, \
             current_setting('preserve_insertion_order') as keep_order",
        );
    }
    let r = xform(p, &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = db(p);
    for i in 0..4 {
        let rows = db
            .query(&format!("select * from shop.main.setting_{i}"))
            .unwrap();
        let memory = rows.rows[0][0].as_str().unwrap().to_string();
        assert!(
            memory.starts_with("286") && memory.contains("MiB"),
            "{memory}"
        );
        assert_eq!(rows.rows[0][1], json!(false));
    }
    drop(db);

    let fresh = project();
    let q = fresh.path();
    write(
        q,
        "profiles.yml",
        &format!("{PROFILES}      settings:\n        no_such_setting: 1\n"),
    );
    let r = xform(q, &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("profiles.yml"), "{}", r.stderr);
    assert!(r.stderr.contains("`no_such_setting`"), "{}", r.stderr);
    assert!(!q.join("shop.duckdb").exists(), "nothing may be written");

    write(
        q,
        "profiles.yml",
        &format!("{PROFILES}      extensions: [spatial]\n"),
    );
    let r = xform(q, &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("extension `spatial`"), "{}", r.stderr);
    assert!(!q.join("shop.duckdb").exists(), "nothing may be written");
}
