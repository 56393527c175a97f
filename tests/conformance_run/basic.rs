//! dbt-tests-adapter 1.20.0 `basic/` classes: each pytest method's commands replayed on its
//! extracted project, with the method's assertions on results and relations.

use xform::adapter::RelationKind::{Table, View};

use crate::{Project, Suite};

fn project(scenario: &str) -> Project {
    Project::new(Suite::Basic, scenario)
}

/// test_base.py::BaseSimpleMaterializations::test_base
#[test]
fn simple_materializations() {
    let p = project("simple_materializations");
    p.dbt(&["seed"]).assert_len(1);

    let results = p.dbt(&["run"]);
    results.assert_len(3);
    results.assert_names(&["view_model", "table_model", "swappable"]);
    p.check_relation_types(&[
        ("base", Table),
        ("view_model", View),
        ("table_model", Table),
        ("swappable", Table),
    ]);
    assert_eq!(p.row_count("base"), 10);
    p.check_relations_equal(&["base", "view_model", "table_model", "swappable"]);
    // Not ported: `dbt docs generate` (4 catalog nodes, 1 source).

    // require_full_refresh is only set for BigQuery: a plain run swaps table -> view.
    p.dbt(&["run", "-m", "swappable", "--vars", "materialized_var: view"])
        .assert_len(1);
    p.check_relation_types(&[
        ("base", Table),
        ("view_model", View),
        ("table_model", Table),
        ("swappable", View),
    ]);

    p.dbt(&[
        "run",
        "-m",
        "swappable",
        "--vars",
        "materialized_var: incremental",
    ])
    .assert_len(1);
    p.check_relation_types(&[
        ("base", Table),
        ("view_model", View),
        ("table_model", Table),
        ("swappable", Table),
    ]);
}

/// test_singular_tests.py::BaseSingularTests::test_singular_tests
#[test]
fn singular_tests() {
    let p = project("singular_tests");
    let results = p.dbt_fails(&["test"]);
    results.assert_len(2);
    results.assert_names(&["passing", "failing"]);
    results.assert_status("passing", "pass");
    results.assert_status("failing", "fail");
}

/// test_singular_tests_ephemeral.py::BaseSingularTestsEphemeral::test_singular_tests_ephemeral
#[test]
fn singular_tests_ephemeral() {
    let p = project("singular_tests_ephemeral");
    let results = p.dbt(&["seed"]);
    results.assert_len(1);
    results.assert_names(&["base"]);

    let results = p.dbt_fails(&["test"]);
    results.assert_len(2);
    results.assert_names(&["passing", "failing"]);
    results.assert_status("passing", "pass");
    results.assert_status("failing", "fail");

    let results = p.dbt(&["run"]);
    results.assert_len(2);
    results.assert_names(&["failing_model", "passing_model"]);
}

/// test_empty.py::BaseEmpty::test_empty (a project with no resources at all)
#[test]
fn empty() {
    let p = Project::empty();
    p.dbt(&["seed"]).assert_len(0);
    assert!(p.path().join("target/run_results.json").exists());
    p.dbt(&["run"]).assert_len(0);
    assert!(!p.path().join("target/catalog.json").exists());
    // Not ported: `dbt docs generate` (catalog.json written, 0 nodes, 0 sources).
}

/// test_ephemeral.py::BaseEphemeral::test_ephemeral
#[test]
fn ephemeral() {
    let p = project("ephemeral");
    let results = p.dbt(&["seed"]);
    results.assert_len(1);
    results.assert_names(&["base"]);

    let results = p.dbt(&["run"]);
    results.assert_len(2);
    results.assert_names(&["view_model", "table_model"]);
    assert_eq!(p.row_count("base"), 10);
    p.check_relations_equal(&["base", "view_model", "table_model"]);
    // Not ported: `dbt docs generate` (3 catalog nodes, 1 source).

    // "manifest (not in original)": 4 nodes (seed, ephemeral, view, table), 1 source.
    let text = std::fs::read_to_string(p.path().join("target/manifest.json"))
        .expect("target/manifest.json");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    let count = |key: &str| {
        manifest[key]
            .as_object()
            .unwrap_or_else(|| panic!("manifest.{key} is not an object"))
            .len()
    };
    assert_eq!(count("nodes"), 4, "manifest nodes");
    assert_eq!(count("sources"), 1, "manifest sources");
}

/// test_generic_tests.py::BaseGenericTests::test_generic_tests
#[test]
fn generic_tests() {
    let p = project("generic_tests");
    p.dbt(&["seed"]);
    p.dbt(&["test", "-m", "base"]).assert_len(1);
    p.dbt(&["run"]).assert_len(2);
    let results = p.dbt(&["test"]);
    results.assert_len(3);
    // The Python test only counts; names and verdicts are what dbt reports.
    results.assert_names(&[
        "not_null_base_id",
        "not_null_view_model_id",
        "not_null_table_model_id",
    ]);
    for r in &results.results {
        assert_eq!(r.status, "pass", "{}", r.unique_id);
    }
}

/// test_incremental.py::BaseIncremental::test_incremental
#[test]
fn incremental() {
    let p = project("incremental");
    p.dbt(&["seed"]).assert_len(2);
    assert_eq!(p.row_count("base"), 10);
    assert_eq!(p.row_count("added"), 20);

    // The seed_name var points source('raw', 'seed') at another seed.
    p.dbt(&["run", "--vars", "seed_name: base"]).assert_len(1);
    p.check_relations_equal(&["base", "incremental"]);

    p.dbt(&["run", "--vars", "seed_name: added"]).assert_len(1);
    p.check_relations_equal(&["added", "incremental"]);
    // Not ported: `dbt docs generate` (3 catalog nodes, 1 source).
}

/// test_incremental.py::BaseIncrementalNotSchemaChange::test_incremental_not_schema_change
#[test]
fn incremental_not_schema_change() {
    let p = project("incremental_not_schema_change");
    // Schema changes are not evaluated on the first run, so two are needed.
    p.dbt(&["run", "--select", "incremental_not_schema_change"]);
    let results = p.dbt(&["run", "--select", "incremental_not_schema_change"]);
    results.assert_len(1);
    results.assert_status("incremental_not_schema_change", "success");
}

/// test_table_materialization.py::BaseTableMaterialization::test_table_materialization_sort_dist_no_op
#[test]
fn table_materialization() {
    let p = project("table_materialization");
    p.dbt(&["seed"]).assert_len(1);
    p.dbt(&["run"]).assert_len(1);
    // sort/dist are not DuckDB configs: the table equals its seed.
    p.check_relations_equal(&["seed", "materialized"]);
}
