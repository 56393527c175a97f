//! `xform build` / `test` on embedded DuckDB: models and data tests interleaved in DAG order,
//! verdicts and thresholds, skips below failures, stored failures, run_results.json and
//! target/run, all checked by querying the database file and reading the artifacts.

#![cfg(feature = "duckdb")]

mod common;

use std::path::Path;

use common::xform;
use serde_json::{Value as Json, json};
use xform::adapter::duckdb::DuckDb;
use xform::adapter::{Adapter, RelationKind};

const PROJECT: &str = "name: shop\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: shop\nmodels:\n  shop:\n    marts:\n      +materialized: table\n";
const PROFILES: &str = "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"shop.duckdb\"\n      threads: 4\n";

const SCHEMA: &str = r#"
version: 2
models:
  - name: stg_orders
    columns:
      - name: id
        data_tests: [not_null, unique]
      - name: status
        data_tests:
          - accepted_values:
              arguments:
                values: ['placed', 'shipped', 'returned']
      - name: customer
        data_tests:
          - relationships:
              arguments:
                to: ref('stg_customers')
                field: name
  - name: customer_totals
    columns:
      - name: customer
        data_tests: [unique]
      - name: total
        data_tests:
          - positive
"#;

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
        "select * from (values (1, 'a', 10, 'placed'), (2, 'b', 5, 'shipped'), (3, 'a', 7, 'returned')) as t(id, customer, amount, status)",
    );
    write(
        p,
        "models/staging/stg_customers.sql",
        "select * from (values ('a', 'Ann'), ('b', 'Bob')) as t(name, full_name)",
    );
    write(
        p,
        "models/marts/customer_totals.sql",
        "select customer, sum(amount) as total, count(*) as orders\nfrom {{ ref('stg_orders') }}\ngroup by customer",
    );
    write(
        p,
        "models/marts/top_customer.sql",
        "select customer from {{ ref('customer_totals') }} order by total desc limit 1",
    );
    write(p, "models/schema.yml", SCHEMA);
    write(
        p,
        "macros/positive.sql",
        "{% test positive(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} <= 0\n{% endtest %}\n",
    );
    write(
        p,
        "tests/assert_two_customers.sql",
        "select count(*) as n from {{ ref('customer_totals') }} having count(*) != 2",
    );
    dir
}

fn db(dir: &Path) -> DuckDb {
    DuckDb::open(&dir.join("shop.duckdb")).unwrap()
}

fn rows(db: &DuckDb, sql: &str) -> Vec<Vec<Json>> {
    db.query(sql).unwrap().rows
}

fn run_results(dir: &Path) -> Json {
    let text = std::fs::read_to_string(dir.join("target/run_results.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn status_of(results: &Json, unique_id_part: &str) -> String {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unique_id"].as_str().unwrap().contains(unique_id_part))
        .unwrap_or_else(|| panic!("no result for {unique_id_part}"))["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn build_runs_models_and_tests_in_dag_order() {
    let dir = project();
    let r = xform(dir.path(), &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = db(dir.path());
    assert_eq!(
        d.relation_kind("shop", "main", "stg_orders").unwrap(),
        Some(RelationKind::View)
    );
    assert_eq!(
        rows(
            &d,
            "select customer, total, orders from main.customer_totals order by customer"
        ),
        vec![
            vec![json!("a"), json!(17), json!(2)],
            vec![json!("b"), json!(5), json!(1)]
        ]
    );
    assert_eq!(
        rows(&d, "select customer from main.top_customer"),
        vec![vec![json!("a")]]
    );
    let results = run_results(dir.path());
    let all = results["results"].as_array().unwrap();
    assert_eq!(
        all.len(),
        4 + 6 + 1,
        "4 models, 6 generic tests, 1 singular"
    );
    for r in all {
        let want = if r["unique_id"].as_str().unwrap().starts_with("test.") {
            "pass"
        } else {
            "success"
        };
        assert_eq!(r["status"], want, "{r}");
    }
    // Tests of a model run before that model's children, as in dbt build.
    let started = |part: &str| {
        all.iter()
            .find(|r| r["unique_id"].as_str().unwrap().contains(part))
            .unwrap()["timing"][1]["started_at"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(started("unique_customer_totals_customer") <= started("top_customer"));
    assert!(
        r.stderr.contains("PASS=11 WARN=0 ERROR=0 SKIP=0"),
        "{}",
        r.stderr
    );
    assert!(
        dir.path()
            .join("target/run/shop/models/marts/customer_totals.sql")
            .is_file()
    );
}

#[test]
fn a_failing_test_skips_what_is_downstream_of_its_model() {
    let dir = project();
    // Two customers share a name: unique fails (error), positive warns by config.
    write(
        dir.path(),
        "models/marts/customer_totals.sql",
        "select customer, sum(amount) as total, count(*) as orders from {{ ref('stg_orders') }} group by customer\nunion all select 'a', 0, 0",
    );
    write(
        dir.path(),
        "models/schema.yml",
        &SCHEMA.replace(
            "          - positive\n",
            "          - positive:\n              config:\n                severity: warn\n",
        ),
    );
    let r = xform(dir.path(), &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let results = run_results(dir.path());
    assert_eq!(
        status_of(&results, "unique_customer_totals_customer"),
        "fail"
    );
    assert_eq!(
        status_of(&results, "positive_customer_totals_total"),
        "warn"
    );
    assert_eq!(status_of(&results, "model.shop.top_customer"), "skipped");
    assert_eq!(status_of(&results, "assert_two_customers"), "fail");
    assert!(
        r.stderr.contains("FAIL 1 unique_customer_totals_customer"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("compiled code at target/compiled/shop/models/schema.yml/unique_customer_totals_customer.sql"),
        "{}",
        r.stderr
    );
    assert!(
        db(dir.path())
            .relation_kind("shop", "main", "top_customer")
            .unwrap()
            .is_none()
    );
}

#[test]
fn thresholds_limit_and_stored_failures() {
    let dir = project();
    write(
        dir.path(),
        "tests/big_orders.sql",
        "{{ config(store_failures=true, warn_if='>1', error_if='>5') }}\nselect * from {{ ref('stg_orders') }} where amount > 1",
    );
    write(
        dir.path(),
        "tests/limited.sql",
        "{{ config(limit=1, severity='warn') }}\nselect * from {{ ref('stg_orders') }}",
    );
    let r = xform(
        dir.path(),
        &["test", "--profiles-dir", ".", "-s", "big_orders", "limited"],
    );
    // `test` alone finds no tables: build first, then test.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(xform(dir.path(), &["run", "--profiles-dir", "."]).code, 0);
    let r = xform(
        dir.path(),
        &["test", "--profiles-dir", ".", "-s", "big_orders", "limited"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let results = run_results(dir.path());
    assert_eq!(status_of(&results, "big_orders"), "warn");
    let limited = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unique_id"].as_str().unwrap().contains("limited"))
        .unwrap();
    assert_eq!(limited["failures"], 1, "limit 1 caps the failures");
    let stored = rows(
        &db(dir.path()),
        "select id from main_dbt_test__audit.big_orders order by id",
    );
    assert_eq!(stored, vec![vec![json!(1)], vec![json!(2)], vec![json!(3)]]);
}

#[test]
fn a_runtime_error_keeps_the_old_relation_and_skips_descendants() {
    let dir = project();
    assert_eq!(xform(dir.path(), &["run", "--profiles-dir", "."]).code, 0);
    write(
        dir.path(),
        "models/marts/customer_totals.sql",
        "select customer, sum(amount) / 0 as total, cast('x' as integer) as orders from {{ ref('stg_orders') }} group by customer",
    );
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("Database Error in model customer_totals (models/marts/customer_totals.sql)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("Conversion Error"),
        "DuckDB's own words: {}",
        r.stderr
    );
    let results = run_results(dir.path());
    assert_eq!(status_of(&results, "model.shop.customer_totals"), "error");
    assert_eq!(status_of(&results, "model.shop.top_customer"), "skipped");
    assert_eq!(
        rows(&db(dir.path()), "select count(*) from main.customer_totals"),
        vec![vec![json!(2)]],
        "the previous table is intact"
    );
}

#[test]
fn fail_fast_stops_after_the_first_failure() {
    let dir = project();
    write(
        dir.path(),
        "models/staging/stg_orders.sql",
        "select * from missing_table",
    );
    let r = xform(
        dir.path(),
        &[
            "run",
            "--profiles-dir",
            ".",
            "--threads",
            "1",
            "--fail-fast",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let results = run_results(dir.path());
    assert_eq!(status_of(&results, "model.shop.stg_orders"), "error");
    let ran = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "success")
        .count();
    assert!(ran <= 1, "at most the one model already started: {results}");
}

#[test]
fn empty_builds_every_relation_with_no_rows() {
    let dir = project();
    let r = xform(dir.path(), &["run", "--profiles-dir", ".", "--empty"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = db(dir.path());
    assert_eq!(
        rows(&d, "select count(*) from main.customer_totals"),
        vec![vec![json!(0)]]
    );
    let cols: Vec<String> = d
        .columns("shop", "main", "customer_totals")
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(cols, ["customer", "total", "orders"]);
}

/// Not a test on its own: the child process of `a_locked_database_is_an_input_error`,
/// holding the database open until its parent is done.
#[test]
#[ignore]
fn hold_database_lock() {
    let Some(path) = std::env::var_os("XFORM_TEST_HOLD_DB") else {
        return;
    };
    let path = std::path::PathBuf::from(path);
    let _db = DuckDb::open(&path).unwrap();
    std::fs::write(path.with_extension("held"), "").unwrap();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

#[test]
fn a_locked_database_is_an_input_error() {
    let dir = project();
    assert_eq!(xform(dir.path(), &["run", "--profiles-dir", "."]).code, 0);
    let path = dir.path().join("shop.duckdb");
    let mut holder = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "hold_database_lock", "--ignored", "--nocapture"])
        .env("XFORM_TEST_HOLD_DB", &path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let held = path.with_extension("held");
    for _ in 0..600 {
        if held.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(held.exists(), "the lock holder did not start");
    let r = xform(dir.path(), &["run", "--profiles-dir", "."]);
    drop(holder.stdin.take());
    let _ = holder.wait();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("in use by another process"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("shop.duckdb"), "{}", r.stderr);
}

#[test]
fn json_logs_carry_dbt_event_names_and_node_info() {
    let dir = project();
    let r = xform(
        dir.path(),
        &[
            "run",
            "--profiles-dir",
            ".",
            "--log-format",
            "json",
            "-s",
            "stg_orders",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let events: Vec<Json> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["info"]["name"].as_str().unwrap())
        .collect();
    for want in ["NodeStart", "LogModelResult", "NodeFinished", "StatsLine"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let result = events
        .iter()
        .find(|e| e["info"]["name"] == "LogModelResult")
        .unwrap();
    let info = &result["data"]["node_info"];
    assert_eq!(info["unique_id"], "model.shop.stg_orders");
    assert_eq!(info["node_status"], "success");
    assert_eq!(info["materialized"], "view");
    assert_eq!(
        info["node_relation"]["relation_name"],
        "\"shop\".\"main\".\"stg_orders\""
    );
}

#[test]
fn a_compile_error_writes_nothing_to_the_warehouse() {
    let dir = project();
    write(
        dir.path(),
        "models/marts/customer_totals.sql",
        "select * from {{ ref('nope') }}",
    );
    let r = xform(dir.path(), &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!dir.path().join("shop.duckdb").exists());
}

#[test]
fn show_previews_a_model_and_an_inline_query() {
    let dir = project();
    assert_eq!(xform(dir.path(), &["run", "--profiles-dir", "."]).code, 0);
    let r = xform(
        dir.path(),
        &[
            "show",
            "--profiles-dir",
            ".",
            "-s",
            "customer_totals",
            "--limit",
            "1",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Previewing node 'customer_totals'"),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stdout.lines().filter(|l| l.starts_with("| ")).count(),
        3,
        "header, rule, 1 row: {}",
        r.stdout
    );
    let r = xform(
        dir.path(),
        &[
            "show",
            "--profiles-dir",
            ".",
            "--inline",
            "select max(total) as best from {{ ref('customer_totals') }}",
            "--output",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown: Json = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(shown["show"], json!([{"best": 17}]));
}

#[test]
fn run_operation_runs_statements_against_the_database() {
    let dir = project();
    write(
        dir.path(),
        "macros/ops.sql",
        "{% macro make_audit(name, rows) %}\n{% call statement('create', fetch_result=false) %}create table main.{{ name }} as select range as i from range({{ rows }}){% endcall %}\n{% set t = run_query('select count(*) as c from main.' ~ name) %}\n{{ log('rows: ' ~ t.columns[0].values()[0], info=true) }}\n{% endmacro %}\n",
    );
    let r = xform(
        dir.path(),
        &[
            "run-operation",
            "make_audit",
            "--profiles-dir",
            ".",
            "--args",
            "{name: audit_log, rows: 4}",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        format!("{}{}", r.stdout, r.stderr).contains("rows: 4"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert_eq!(
        rows(&db(dir.path()), "select count(*) from main.audit_log"),
        vec![vec![json!(4)]]
    );
}
