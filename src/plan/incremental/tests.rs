//! Incremental plans: config + columns in, SQL snapshots and errors out.

use serde_json::{Value as Json, json};

use super::*;
use crate::node::ResourceType;

const TARGET: &str = r#""db"."main"."fct""#;

fn model(config: Json) -> Node {
    let mut n = Node::new(ResourceType::Model, "p", "fct", "model.p.fct".into());
    n.config.insert("materialized".into(), "incremental".into());
    if let Json::Object(map) = config {
        n.config.extend(map);
    }
    n.database = "db".into();
    n.schema = "main".into();
    n.alias = "fct".into();
    n.origin.file = "models/fct.sql".into();
    n
}

fn cols(spec: &[(&str, &str)]) -> Vec<Column> {
    spec.iter()
        .map(|(name, data_type)| Column {
            name: name.to_string(),
            data_type: data_type.to_string(),
        })
        .collect()
}

fn base() -> Vec<Column> {
    cols(&[
        ("id", "INTEGER"),
        ("k2", "INTEGER"),
        ("name", "VARCHAR"),
        ("amount", "INTEGER"),
    ])
}

fn plan_with(
    config: Json,
    existing: &[Column],
    incoming: &[Column],
) -> Result<Vec<String>, PlanError> {
    let node = model(config);
    plan_incremental(&IncrementalInput {
        node: &node,
        dialect: Dialect::DuckDb,
        sql: "select * from src",
        target: TARGET,
        existing,
        incoming,
    })
}

/// The statements of a plan over unchanged columns, one blank line apart.
fn sql(config: Json) -> String {
    render(plan_with(config, &base(), &base()))
}

fn render(plan: Result<Vec<String>, PlanError>) -> String {
    match plan {
        Ok(statements) => statements.join(";\n\n"),
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn error(config: Json, existing: &[Column], incoming: &[Column]) -> PlanError {
    match plan_with(config, existing, incoming) {
        Ok(s) => panic!("expected an error, got {s:?}"),
        Err(e) => e,
    }
}

#[test]
fn append_inserts_every_row() {
    insta::assert_snapshot!(sql(json!({"incremental_strategy": "append"})));
}

#[test]
fn the_default_strategy_is_delete_insert() {
    // Without a key dbt-duckdb's default delete+insert deletes nothing.
    assert_eq!(
        sql(json!({})),
        sql(json!({"incremental_strategy": "append"}))
    );
    assert_eq!(
        sql(json!({"unique_key": "id"})),
        sql(json!({"incremental_strategy": "delete+insert", "unique_key": "id"}))
    );
    assert_eq!(
        sql(json!({"incremental_strategy": "default", "unique_key": "id"})),
        sql(json!({"unique_key": "id"}))
    );
}

#[test]
fn delete_insert_with_a_string_key() {
    insta::assert_snapshot!(sql(json!({"unique_key": "id"})));
}

#[test]
fn delete_insert_with_a_composite_key_and_predicates() {
    insta::assert_snapshot!(sql(json!({
        "incremental_strategy": "delete+insert",
        "unique_key": ["id", "k2"],
        "incremental_predicates": ["DBT_INCREMENTAL_TARGET.amount > 15", "1 = 1 or 1 = 0"],
    })));
}

#[test]
fn delete_insert_with_a_string_key_and_predicates() {
    insta::assert_snapshot!(sql(json!({
        "unique_key": "id, k2",
        "predicates": "amount > 25",
    })));
}

#[test]
fn null_safe_keys_use_is_not_distinct_from() {
    insta::assert_snapshot!(
        "null_safe_delete_insert",
        sql(json!({"unique_key": "id, k2", "null_safe_unique_key": true}))
    );
    insta::assert_snapshot!(
        "null_safe_merge",
        sql(json!({
            "incremental_strategy": "merge",
            "unique_key": ["id", "k2"],
            "null_safe_unique_key": true,
        }))
    );
}

#[test]
fn merge_updates_and_inserts_every_column() {
    insta::assert_snapshot!(sql(
        json!({"incremental_strategy": "merge", "unique_key": "id"})
    ));
}

#[test]
fn merge_with_a_composite_key_and_predicates() {
    insta::assert_snapshot!(sql(json!({
        "incremental_strategy": "merge",
        "unique_key": ["id", "k2"],
        "incremental_predicates": ["DBT_INTERNAL_DEST.amount > 25"],
    })));
}

#[test]
fn merge_without_a_key_matches_nothing() {
    insta::assert_snapshot!(sql(json!({"incremental_strategy": "merge"})));
}

#[test]
fn merge_update_and_exclude_columns() {
    insta::assert_snapshot!(
        "merge_update_columns",
        sql(json!({
            "incremental_strategy": "merge",
            "unique_key": "id",
            "merge_update_columns": ["NAME", "\"amount\""],
        }))
    );
    insta::assert_snapshot!(
        "merge_exclude_columns",
        sql(json!({
            "incremental_strategy": "merge",
            "unique_key": "id",
            "merge_exclude_columns": ["Name"],
        }))
    );
    // Excluding everything leaves inserts only.
    let all = sql(json!({
        "incremental_strategy": "merge",
        "unique_key": "id",
        "merge_exclude_columns": ["id", "k2", "name", "amount"],
    }));
    assert!(!all.contains("when matched"), "{all}");
}

/// The model drops `gone`, adds `extra` and widens `amount`.
fn changed() -> (Vec<Column>, Vec<Column>) {
    let existing = cols(&[
        ("id", "INTEGER"),
        ("name", "VARCHAR"),
        ("amount", "INTEGER"),
        ("gone", "VARCHAR"),
    ]);
    let incoming = cols(&[
        ("id", "INTEGER"),
        ("name", "VARCHAR"),
        ("amount", "BIGINT"),
        ("extra", "VARCHAR"),
    ]);
    (existing, incoming)
}

#[test]
fn on_schema_change_append_new_columns() {
    let (existing, incoming) = changed();
    insta::assert_snapshot!(render(plan_with(
        json!({"on_schema_change": "append_new_columns", "unique_key": "id"}),
        &existing,
        &incoming
    )));
}

#[test]
fn on_schema_change_sync_all_columns() {
    let (existing, incoming) = changed();
    insta::assert_snapshot!(render(plan_with(
        json!({"on_schema_change": "sync_all_columns", "incremental_strategy": "merge", "unique_key": "id"}),
        &existing,
        &incoming
    )));
}

#[test]
fn on_schema_change_ignore_writes_the_tables_columns() {
    let existing = cols(&[("id", "INTEGER"), ("name", "VARCHAR")]);
    let incoming = cols(&[("id", "INTEGER"), ("extra", "VARCHAR"), ("name", "VARCHAR")]);
    insta::assert_snapshot!(
        "ignore_drops_new_columns",
        render(plan_with(json!({}), &existing, &incoming))
    );
    // Under merge a column the model stopped producing is left alone, and a new one is an
    // error, as with dbt-duckdb's `by name` clauses.
    let (existing, incoming) = changed();
    let merge = json!({"incremental_strategy": "merge", "unique_key": "id"});
    insta::assert_snapshot!(
        "ignore_merge_keeps_missing_columns",
        render(plan_with(merge.clone(), &existing, &incoming[..3]))
    );
    assert_eq!(
        error(merge, &existing, &incoming),
        PlanError::MergeNewColumns {
            node: "model.p.fct".into(),
            target: TARGET.into(),
            columns: vec!["extra".into()],
        }
    );
    // Elsewhere the insert would fail, so the plan does.
    assert_eq!(
        error(json!({"unique_key": "id"}), &existing, &incoming),
        PlanError::MissingColumns {
            node: "model.p.fct".into(),
            target: TARGET.into(),
            columns: vec!["gone".into()],
        }
    );
}

#[test]
fn on_schema_change_fail_names_every_difference() {
    let (existing, incoming) = changed();
    let e = error(json!({"on_schema_change": "fail"}), &existing, &incoming);
    insta::assert_snapshot!(e.to_string());
    // An unchanged schema (names differing only in case) passes.
    let upper = cols(&[
        ("ID", "INTEGER"),
        ("K2", "integer"),
        ("Name", "TEXT"),
        ("AMOUNT", "INTEGER"),
    ]);
    let plan = render(plan_with(
        json!({"on_schema_change": "fail"}),
        &upper,
        &base(),
    ));
    assert_eq!(plan, sql(json!({"on_schema_change": "fail"})));
}

#[test]
fn names_differing_in_case_are_the_same_column() {
    let existing = cols(&[("ID", "INTEGER"), ("Name", "VARCHAR")]);
    let incoming = cols(&[("id", "INTEGER"), ("name", "VARCHAR"), ("New", "VARCHAR")]);
    let plan = render(plan_with(
        json!({"on_schema_change": "sync_all_columns"}),
        &existing,
        &incoming,
    ));
    assert!(plan.contains(r#"add column "New" VARCHAR"#), "{plan}");
    assert!(!plan.contains("drop column"), "{plan}");
}

#[test]
fn bad_config_is_an_error_naming_the_valid_values() {
    let b = base();
    let e = error(json!({"incremental_strategy": "insert_overwrite"}), &b, &b);
    assert_eq!(
        e.to_string(),
        "model.p.fct: incremental_strategy `insert_overwrite` is not valid here; \
         expected one of: append, delete+insert, merge"
    );
    let e = error(json!({"incremental_strategy": "microbatch"}), &b, &b);
    assert!(matches!(e, PlanError::StrategyUnsupported { .. }), "{e}");
    let e = error(json!({"on_schema_change": "sync"}), &b, &b);
    assert_eq!(
        e.to_string(),
        "model.p.fct: on_schema_change `sync` is not valid; \
         expected one of: ignore, fail, append_new_columns, sync_all_columns"
    );
    let e = error(json!({"unique_key": 5}), &b, &b);
    assert!(matches!(e, PlanError::InvalidConfig { ref key, .. } if key == "unique_key"));
    let e = error(
        json!({"merge_update_columns": ["a"], "merge_exclude_columns": ["b"]}),
        &b,
        &b,
    );
    assert!(matches!(e, PlanError::InvalidConfig { .. }), "{e}");
    let e = error(
        json!({"incremental_strategy": "merge", "unique_key": "id", "merge_update_columns": ["nope"]}),
        &b,
        &b,
    );
    assert_eq!(
        e.to_string(),
        "model.p.fct: config `merge_update_columns` names `nope`, which the model does not write"
    );
    let e = error(
        json!({"incremental_strategy": "merge", "merge_clauses": {"when_matched": []}}),
        &b,
        &b,
    );
    assert!(matches!(e, PlanError::UnsupportedConfig { ref key, .. } if key == "merge_clauses"));
    let e = error(json!({"null_safe_unique_key": "yes"}), &b, &b);
    assert!(matches!(e, PlanError::InvalidConfig { .. }), "{e}");
}

#[test]
fn bigquery_targets_get_bigquery_strategies() {
    let node = model(json!({}));
    let b = base();
    let e = plan_incremental(&IncrementalInput {
        node: &node,
        dialect: Dialect::BigQuery,
        sql: "select 1",
        target: "`p`.`d`.`fct`",
        existing: &b,
        incoming: &b,
    });
    // BigQuery's default strategy is merge (planned by `bigquery::incremental`).
    let script = e.unwrap().join(";\n");
    assert!(script.starts_with("merge into `p`.`d`.`fct`"), "{script}");
}
