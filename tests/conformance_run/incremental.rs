//! dbt-tests-adapter 1.20.0 `incremental/` classes (unique_id, on_schema_change,
//! merge_exclude_columns, predicates): each pytest method's commands replayed on its
//! extracted project, with the method's assertions on results and relations.

use crate::{Project, Suite};

fn project(scenario: &str) -> Project {
    Project::new(Suite::Incremental, scenario)
}

// ---------------------------------------------------------------------------------------
// test_incremental_unique_id.py::BaseIncrementalUniqueKey

/// What one `get_test_fields` call measured (dbt's ResultHolder without `relation`).
#[derive(Debug, PartialEq)]
struct Fields {
    seed_count: usize,
    model_count: usize,
    seed_rows: i64,
    inc_test_model_count: usize,
}

/// `update_incremental_model`: `run --select MODEL`, returning the number of results.
fn update_incremental_model(p: &Project, model: &str) -> usize {
    p.dbt(&["run", "--select", model]).count()
}

/// `get_test_fields`: rebuild seed and model from scratch, change the seed table with
/// `seeds/<update_sql_file>.sql` (when given), then run the model incrementally.
fn get_test_fields(p: &Project, seed: &str, model: &str, update_sql_file: Option<&str>) -> Fields {
    let seed_count = p.dbt(&["seed", "--select", seed, "--full-refresh"]).count();
    let model_count = p.dbt(&["run", "--select", model, "--full-refresh"]).count();
    if let Some(file) = update_sql_file {
        p.run_sql_file(&format!("seeds/{file}.sql"));
    }
    let seed_rows = p.row_count(seed);
    let inc_test_model_count = update_incremental_model(p, model);
    Fields {
        seed_count,
        model_count,
        seed_rows,
        inc_test_model_count,
    }
}

/// `check_scenario_correctness` with `get_expected_fields`: one seed, one model, one
/// incremental update, `seed_rows` rows in the seed, and the model equal to `expected`.
fn check_scenario(p: &Project, fields: Fields, seed_rows: i64, expected: &str, model: &str) {
    assert_eq!(
        fields,
        Fields {
            seed_count: 1,
            model_count: 1,
            seed_rows,
            inc_test_model_count: 1,
        }
    );
    p.check_relations_equal(&[expected, model]);
}

/// A test whose model should end up equal to the seed after rows are added to the seed.
fn unique_key_matches_seed(model: &str) {
    let p = project("incremental_unique_key");
    let fields = get_test_fields(&p, "seed", model, Some("add_new_rows"));
    check_scenario(&p, fields, 9, "seed", model);
}

/// A test where a duplicate (newer) row in the seed overwrites the model's row with the
/// same key, so the model equals `expected` (built first, as opt_model_count).
fn unique_key_overwrites(model: &str, expected: &str) {
    let p = project("incremental_unique_key");
    let opt_model_count = update_incremental_model(&p, expected);
    assert_eq!(opt_model_count, 1);
    let fields = get_test_fields(&p, "seed", model, Some("duplicate_insert"));
    check_scenario(&p, fields, 8, expected, model);
}

/// `fail_to_build_inc_missing_unique_key_column`: the second (incremental) run errors and
/// the message names the missing column.
fn unique_key_column_missing(model: &str) {
    let p = project("incremental_unique_key");
    p.dbt(&["seed", "--select", "seed", "--full-refresh"]);
    // Unique keys are not applied on the first run, so two are needed.
    p.dbt(&["run", "--select", model, "--full-refresh"]);
    let results = p.dbt_fails(&["run", "--select", model]);
    results.assert_len(1);
    let result = &results.results[0];
    assert_eq!(result.name, model);
    assert_eq!(result.status, "error");
    assert!(
        result.message.to_lowercase().contains("thisisnotacolumn"),
        "message does not name the column: {}",
        result.message
    );
}

#[test]
fn unique_key_bad_unique_key() {
    unique_key_column_missing("not_found_unique_key");
}

#[test]
fn unique_key_empty_unique_key_list() {
    unique_key_matches_seed("empty_unique_key_list");
}

#[test]
fn unique_key_one_unique_key() {
    unique_key_overwrites("str_unique_key", "one_str__overwrite");
}

#[test]
fn unique_key_bad_unique_key_list() {
    unique_key_column_missing("not_found_unique_key_list");
}

#[test]
fn unique_key_no_unique_keys() {
    unique_key_matches_seed("no_unique_key");
}

#[test]
fn unique_key_empty_str_unique_key() {
    unique_key_matches_seed("empty_str_unique_key");
}

#[test]
fn unique_key_unary_unique_key_list() {
    unique_key_overwrites(
        "unary_unique_key_list",
        "unique_key_list__inplace_overwrite",
    );
}

#[test]
fn unique_key_duplicated_unary_unique_key_list() {
    unique_key_overwrites(
        "duplicated_unary_unique_key_list",
        "unique_key_list__inplace_overwrite",
    );
}

#[test]
fn unique_key_trinary_unique_key_list() {
    unique_key_overwrites(
        "trinary_unique_key_list",
        "unique_key_list__inplace_overwrite",
    );
}

#[test]
fn unique_key_trinary_unique_key_list_no_update() {
    unique_key_matches_seed("nontyped_trinary_unique_key_list");
}

// ---------------------------------------------------------------------------------------
// test_incremental_on_schema_change.py::BaseIncrementalOnSchemaChange

/// `run_twice_and_assert`: `run --select "model_a <model> <model>_target"` twice (three
/// results each time), then the incremental model equals its target table. Like the
/// Python test, the selection is one argument with space-separated selectors.
fn run_twice_and_assert(p: &Project, model: &str) {
    let target = format!("{model}_target");
    let select = format!("model_a {model} {target}");
    let args = ["run", "--select", &select];
    p.dbt(&args).assert_len(3);
    p.dbt(&args).assert_len(3);
    p.check_relations_equal(&[model, &target]);
}

#[test]
fn on_schema_change_ignore() {
    let p = project("incremental_on_schema_change");
    run_twice_and_assert(&p, "incremental_ignore");
}

#[test]
fn on_schema_change_append_new_columns() {
    let p = project("incremental_on_schema_change");
    run_twice_and_assert(&p, "incremental_append_new_columns");
    run_twice_and_assert(&p, "incremental_append_new_columns_remove_one");
}

#[test]
fn on_schema_change_sync_all_columns() {
    let p = project("incremental_on_schema_change");
    run_twice_and_assert(&p, "incremental_sync_all_columns");
    run_twice_and_assert(&p, "incremental_sync_remove_only");
}

#[test]
fn on_schema_change_fail() {
    let p = project("incremental_on_schema_change");
    let select = "model_a incremental_fail";
    p.dbt(&["run", "--models", select, "--full-refresh"]);
    let results = p.dbt_fails(&["run", "--models", select]);
    // dbt's test reads results[1]: with one thread model_a runs first, then the failure.
    results.assert_len(2);
    results.assert_status("model_a", "success");
    let failed = &results.results[1];
    assert_eq!(failed.name, "incremental_fail", "results[1]");
    assert_eq!(failed.status, "error");
    assert!(
        failed.message.contains("Compilation Error"),
        "message of incremental_fail: {}",
        failed.message
    );
}

// ---------------------------------------------------------------------------------------
// test_incremental_merge_exclude_columns.py / test_incremental_predicates.py: seed the
// expected table, build the model from scratch, run it once incrementally, compare.

fn seed_then_two_runs(scenario: &str, seed: &str, model: &str, seed_rows: i64) {
    let p = project(scenario);
    let fields = get_test_fields(&p, seed, model, None);
    check_scenario(&p, fields, seed_rows, seed, model);
}

/// BaseMergeExcludeColumns::test__merge_exclude_columns: `msg` keeps its first value.
#[test]
fn merge_exclude_columns() {
    seed_then_two_runs(
        "merge_exclude_columns",
        "expected_merge_exclude_columns",
        "merge_exclude_columns",
        3,
    );
}

/// BaseIncrementalPredicates::test__incremental_predicates (`+incremental_predicates`).
#[test]
fn incremental_predicates() {
    seed_then_two_runs(
        "incremental_predicates",
        "expected_delete_insert_incremental_predicates",
        "delete_insert_incremental_predicates",
        4,
    );
}

/// TestPredicatesDeleteInsert: the same with the older `+predicates` key.
#[test]
fn predicates_delete_insert() {
    seed_then_two_runs(
        "predicates_delete_insert",
        "expected_delete_insert_incremental_predicates",
        "delete_insert_incremental_predicates",
        4,
    );
}
