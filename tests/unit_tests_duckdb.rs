//! dbt unit tests (`unit_tests:` in property YAML) run by `xform test` and `xform build` on
//! embedded DuckDB, on the `tests/fixtures/unit_tests` project. The verdicts were checked
//! against dbt-core 1.12.6 + dbt-duckdb 1.11.1 on the same project.
// Needs the embedded engine; a `--no-default-features` build has nothing to run.
#![cfg(feature = "duckdb")]

mod common;

use std::path::Path;
use std::process::Command;

use common::{Run, copy_fixture};
use serde_json::Value as Json;
use xform::adapter::Adapter;
use xform::adapter::duckdb::DuckDb;

/// A fresh copy of the fixture project with its raw tables loaded.
fn project() -> tempfile::TempDir {
    let dir = copy_fixture("unit_tests");
    let setup = std::fs::read_to_string(dir.path().join("setup.sql")).unwrap();
    let db = DuckDb::open(&dir.path().join("test.duckdb")).unwrap();
    db.execute(&setup).unwrap();
    dir
}

/// Adds one of the fixture's `extra/*.yml` unit test files to the project's models.
fn add(dir: &Path, extra: &str) {
    std::fs::copy(
        dir.join(format!("extra/{extra}.yml")),
        dir.join(format!("models/marts/{extra}.yml")),
    )
    .unwrap();
}

fn run_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xform"));
    cmd.args(args)
        .args(["--profiles-dir", "."])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DBT_PROFILES_DIR")
        .env_remove("DBT_PROJECT_DIR")
        .env_remove("XF_UNIT_REGION");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run xform");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn xform(dir: &Path, args: &[&str]) -> Run {
    run_with(dir, args, &[])
}

/// (unique_id, status, failures, message) per result, in run order.
fn results(dir: &Path) -> Vec<(String, String, Json, Json)> {
    let text = std::fs::read_to_string(dir.join("target/run_results.json")).unwrap();
    let doc: Json = serde_json::from_str(&text).unwrap();
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unique_id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
                r["failures"].clone(),
                r["message"].clone(),
            )
        })
        .collect()
}

fn status_of(dir: &Path, unique_id: &str) -> String {
    results(dir)
        .into_iter()
        .find(|r| r.0 == unique_id)
        .map(|r| r.1)
        .unwrap_or_else(|| panic!("{unique_id} has no result"))
}

/// Every relation in the database with all its rows, sorted: what "untouched" compares.
fn contents(dir: &Path) -> Vec<(String, Vec<String>)> {
    let db = DuckDb::open(&dir.join("test.duckdb")).unwrap();
    let mut names: Vec<String> = db
        .relations()
        .unwrap()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let parts: Vec<&str> = name.split('.').collect();
            let sql = format!("select * from \"{}\".\"{}\"", parts[1], parts[2]);
            let mut rows: Vec<String> = db
                .query(&sql)
                .unwrap()
                .rows
                .iter()
                .map(|r| serde_json::to_string(r).unwrap())
                .collect();
            rows.sort();
            (name, rows)
        })
        .collect()
}

const PASSING: [&str; 10] = [
    "unit_test.unit_shop.customer_totals.customer_totals_from_dicts",
    "unit_test.unit_shop.customer_totals.customer_totals_from_csv",
    "unit_test.unit_shop.customer_totals.customer_totals_from_fixture_files",
    "unit_test.unit_shop.customer_totals.customer_totals_without_orders",
    "unit_test.unit_shop.stg_orders.stg_orders_drops_returns",
    "unit_test.unit_shop.stg_orders.stg_orders_all_returned",
    "unit_test.unit_shop.big_orders.big_orders_defaults",
    "unit_test.unit_shop.big_orders.big_orders_with_overrides",
    "unit_test.unit_shop.orders_incremental.orders_incremental_full_build",
    "unit_test.unit_shop.orders_incremental.orders_incremental_new_rows_only",
];

#[test]
fn test_type_unit_runs_dict_csv_sql_and_file_fixtures() {
    let dir = project();
    let p = dir.path();
    assert_eq!(xform(p, &["run"]).code, 0);
    let r = xform(p, &["test", "-s", "test_type:unit"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let got = results(p);
    assert_eq!(got.len(), PASSING.len(), "only unit tests were selected");
    for id in PASSING {
        let row = got.iter().find(|r| r.0 == id).expect(id);
        assert_eq!(row.1, "pass", "{id}: {:?}", row.3);
        assert_eq!(row.2, Json::from(0), "{id}");
    }
    // Progress lines as dbt prints them (`model::test`), on stderr like xform's others.
    assert!(
        r.stderr
            .contains("START unit_test customer_totals::customer_totals_from_dicts"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("PASS customer_totals::customer_totals_from_dicts"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("Finished running 10 unit tests"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_failing_unit_test_fails_with_a_diff_of_expected_and_actual_rows() {
    let dir = project();
    let p = dir.path();
    assert_eq!(xform(p, &["run"]).code, 0);
    add(p, "failing");
    let r = xform(p, &["test", "-s", "customer_totals_wrong_expectation"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let got = results(p);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, "fail");
    assert_eq!(got[0].2, Json::from(1));
    let message = got[0].3.as_str().unwrap();
    // dbt 1.12.6 prints the same rows and marks (its added/removed decimals show as
    // Python reprs, `Decimal('0.00')`, where xform shows the value).
    let diff = "@@ ,customer_id,name,order_count,total_amount\n\
                →  ,1          ,a   ,1          ,11.00→10.00\n   \
                ,2          ,b   ,0          ,0.00\n\
                +++,3          ,c   ,0          ,0.00\n\
                ---,4          ,d   ,0          ,0.00";
    assert!(
        message.contains("actual differs from expected:"),
        "{message}"
    );
    assert!(message.contains(diff), "{message}");
    assert!(
        r.stderr
            .contains("FAIL 1 customer_totals::customer_totals_wrong_expectation"),
        "{}",
        r.stderr
    );
    let printed: String = diff.lines().map(|l| format!("  {l}\n")).collect();
    assert!(
        r.stderr.contains(&printed),
        "the diff is printed:\n{}",
        r.stderr
    );
}

#[test]
fn build_runs_unit_tests_before_their_model_and_skips_it_when_one_fails() {
    let dir = project();
    let p = dir.path();
    let r = xform(p, &["build"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let order: Vec<String> = results(p).into_iter().map(|r| r.0).collect();
    for id in PASSING {
        let model = id.split('.').nth(2).unwrap();
        let at = |uid: &str| order.iter().position(|o| o == uid).expect(uid);
        assert!(
            at(id) < at(&format!("model.unit_shop.{model}")),
            "{id} runs before its model: {order:?}"
        );
    }

    let dir = project();
    let p = dir.path();
    add(p, "failing");
    let r = xform(p, &["build"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        status_of(
            p,
            "unit_test.unit_shop.customer_totals.customer_totals_wrong_expectation"
        ),
        "fail"
    );
    assert_eq!(status_of(p, "model.unit_shop.customer_totals"), "skipped");
    for model in [
        "stg_orders",
        "stg_customers",
        "big_orders",
        "orders_incremental",
    ] {
        assert_eq!(status_of(p, &format!("model.unit_shop.{model}")), "success");
    }
    let db = DuckDb::open(&p.join("test.duckdb")).unwrap();
    assert_eq!(
        db.relation_kind("test", "main", "customer_totals").unwrap(),
        None,
        "the model under a failing unit test is not built"
    );
    assert!(
        db.relation_kind("test", "main", "big_orders")
            .unwrap()
            .is_some()
    );
}

#[test]
fn is_incremental_override_reads_this_from_a_fixture() {
    let dir = project();
    let p = dir.path();
    add(p, "this_as_dict");
    // A dict `this` is typed by the model's own table: before the first build it fails.
    assert_eq!(xform(p, &["run", "-s", "stg_orders"]).code, 0);
    let r = xform(p, &["test", "-s", "orders_incremental_this_as_dict"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let got = results(p);
    assert_eq!(got[0].1, "error");
    assert!(
        got[0]
            .3
            .as_str()
            .unwrap()
            .contains("Not able to get columns for unit test 'orders_incremental'"),
        "{:?}",
        got[0].3
    );
    let r = xform(p, &["run"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let r = xform(p, &["test", "-s", "orders_incremental"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let got = results(p);
    assert_eq!(got.len(), 3, "the model's three unit tests: {got:?}");
    assert!(got.iter().all(|r| r.1 == "pass"), "{got:?}");
}

#[test]
fn overrides_win_over_vars_env_vars_and_macros() {
    let dir = project();
    let p = dir.path();
    assert_eq!(xform(p, &["run"]).code, 0);
    // With the env var set in the environment, the test that relies on its default fails
    // while the one that overrides it still passes.
    let r = run_with(
        p,
        &["test", "-s", "big_orders"],
        &[("XF_UNIT_REGION", "apac")],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        status_of(p, "unit_test.unit_shop.big_orders.big_orders_defaults"),
        "fail"
    );
    assert_eq!(
        status_of(
            p,
            "unit_test.unit_shop.big_orders.big_orders_with_overrides"
        ),
        "pass"
    );
    // --vars are overridden too.
    let r = xform(
        p,
        &[
            "test",
            "-s",
            "big_orders_with_overrides",
            "--vars",
            "{min_amount: 100}",
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

#[test]
fn unit_tests_leave_the_users_tables_untouched() {
    let dir = project();
    let p = dir.path();
    assert_eq!(xform(p, &["run"]).code, 0);
    let before = contents(p);
    assert!(before.len() >= 7, "{before:?}");
    add(p, "failing");
    let r = xform(p, &["test", "-s", "test_type:unit"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(results(p).len(), 11);
    assert_eq!(
        contents(p),
        before,
        "no relation was created, dropped or changed"
    );
}

#[test]
fn a_unit_test_of_a_missing_model_stops_before_anything_runs() {
    let dir = project();
    let p = dir.path();
    add(p, "unknown_model");
    let r = xform(p, &["build"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(
            "Unable to find model 'unit_shop.customer_totalz' for unit test 'tests_a_missing_model'"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("models/marts/unknown_model.yml:4"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("customer_totals"),
        "did you mean: {}",
        r.stderr
    );
    assert!(!p.join("target/run_results.json").exists(), "nothing ran");
    let db = DuckDb::open(&p.join("test.duckdb")).unwrap();
    assert_eq!(
        db.relation_kind("test", "main", "stg_orders").unwrap(),
        None
    );
}

#[test]
fn a_unit_test_input_that_names_nothing_stops_before_anything_runs() {
    let dir = project();
    let p = dir.path();
    add(p, "unknown_input");
    let r = xform(p, &["test", "-s", "test_type:unit"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(
            "Unit test 'reads_a_missing_input' had an input (ref('stg_customerz')) which was not found in the manifest."
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("models/marts/unknown_input.yml:4"),
        "{}",
        r.stderr
    );
    assert!(!p.join("target/run_results.json").exists(), "nothing ran");
}

#[test]
fn ls_names_unit_tests_as_dbt_does() {
    let dir = project();
    let r = xform(dir.path(), &["ls", "--resource-type", "unit_test"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // `dbt ls --resource-type unit_test` on the same project (dbt-core 1.12.6).
    let dbt = "unit_test:unit_shop.big_orders_defaults
unit_test:unit_shop.big_orders_with_overrides
unit_test:unit_shop.customer_totals_from_csv
unit_test:unit_shop.customer_totals_from_dicts
unit_test:unit_shop.customer_totals_from_fixture_files
unit_test:unit_shop.customer_totals_without_orders
unit_test:unit_shop.orders_incremental_full_build
unit_test:unit_shop.orders_incremental_new_rows_only
unit_test:unit_shop.stg_orders_all_returned
unit_test:unit_shop.stg_orders_drops_returns";
    assert_eq!(r.stdout.trim(), dbt);
    let r = xform(
        dir.path(),
        &["ls", "-s", "big_orders_defaults", "--output", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dbt = r#"{"name": "big_orders_defaults", "resource_type": "unit_test", "package_name": "unit_shop", "original_file_path": "models/marts/_unit_tests.yml", "unique_id": "unit_test.unit_shop.big_orders.big_orders_defaults", "depends_on": {"macros": [], "nodes": ["model.unit_shop.big_orders"]}, "config": {"tags": [], "meta": {}, "enabled": true, "static_analysis": null}}"#;
    assert_eq!(r.stdout.trim(), dbt);
}

#[test]
fn a_seed_given_without_rows_uses_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let write = |rel: &str, text: &str| {
        let path = p.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "dbt_project.yml",
        "name: seedut\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: fixture\n",
    );
    write(
        "profiles.yml",
        &std::fs::read_to_string(common::fixtures().join("unit_tests/profiles.yml")).unwrap(),
    );
    write("seeds/countries.csv", "code,name\nfr,France\nde,Germany\n");
    write(
        "models/country_names.sql",
        "select code, upper(name) as name from {{ ref('countries') }}\n",
    );
    write(
        "models/unit.yml",
        "unit_tests:
  - name: country_names_from_the_seed_file
    model: country_names
    given:
      - input: ref('countries')
    expect:
      rows:
        - {code: fr, name: FRANCE}
        - {code: de, name: GERMANY}
",
    );
    // The seed's table types the fixture; its rows come from the CSV, not the table.
    DuckDb::open(&p.join("test.duckdb"))
        .unwrap()
        .execute("create table main.countries (code varchar, name varchar)")
        .unwrap();
    let r = xform(p, &["test", "-s", "test_type:unit"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(results(p)[0].1, "pass");
    // A model given without rows is not a seed: dbt's parse error, before anything runs.
    write(
        "models/unit.yml",
        "unit_tests:
  - name: no_rows_for_a_model
    model: country_names
    given:
      - input: ref('country_names')
    expect:
      rows: []
",
    );
    let r = xform(p, &["test", "-s", "test_type:unit"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(
            "Unable to find seed 'seedut.country_names' for unit tests in directories: ['seeds']"
        ),
        "{}",
        r.stderr
    );
}
