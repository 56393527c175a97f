//! Snapshot planning tests: snapshot configs and columns -> the SQL statements (insta).

use serde_json::{Value as Json, json};

use super::*;
use crate::node::ResourceType;

const TARGET: &str = r#""db"."snaps"."customers_snap""#;
const SQL: &str = r#"select * from "db"."main"."customers""#;

fn node(config: Json) -> Node {
    let mut n = Node::new(
        ResourceType::Snapshot,
        "p",
        "customers_snap",
        "snapshot.p.customers_snap".into(),
    );
    n.alias = "customers_snap".into();
    if let Json::Object(map) = config {
        n.config.extend(map);
    }
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

fn source() -> Vec<Column> {
    cols(&[
        ("id", "INTEGER"),
        ("name", "VARCHAR"),
        ("status", "VARCHAR"),
        ("updated_at", "TIMESTAMP"),
    ])
}

/// The table a first run over `source()` leaves, with `extra` meta columns after the usual four.
fn existing(extra: &[(&str, &str)]) -> Vec<Column> {
    let mut c = source();
    c.extend(cols(&[
        ("dbt_scd_id", "VARCHAR"),
        ("dbt_updated_at", "TIMESTAMP"),
        ("dbt_valid_from", "TIMESTAMP"),
        ("dbt_valid_to", "TIMESTAMP"),
    ]));
    c.extend(cols(extra));
    c
}

fn run(
    config: Json,
    existing: Option<&[Column]>,
    source: &[Column],
) -> Result<Vec<String>, PlanError> {
    let n = node(config);
    plan_snapshot(&SnapshotInput {
        node: &n,
        dialect: Dialect::DuckDb,
        sql: SQL,
        target: TARGET,
        existing,
        source_columns: source,
    })
}

fn sql(config: Json, existing: Option<&[Column]>, source: &[Column]) -> String {
    match run(config, existing, source) {
        Ok(statements) => statements.join(";\n\n"),
        Err(e) => panic!("unexpected plan error: {e}"),
    }
}

fn timestamp() -> Json {
    json!({"strategy": "timestamp", "unique_key": "id", "updated_at": "updated_at"})
}

#[test]
fn timestamp_first_run_creates_the_table() {
    insta::assert_snapshot!(sql(timestamp(), None, &source()));
}

#[test]
fn timestamp_later_run_ignoring_deletes() {
    insta::assert_snapshot!(sql(timestamp(), Some(&existing(&[])), &source()));
}

#[test]
fn timestamp_invalidate_adds_new_query_columns() {
    let mut config = timestamp();
    config["invalidate_hard_deletes"] = json!(true);
    let mut src = source();
    src.push(Column {
        name: "tier".into(),
        data_type: "VARCHAR".into(),
    });
    insta::assert_snapshot!(sql(config, Some(&existing(&[])), &src));
}

#[test]
fn check_list_later_run() {
    let config = json!({"strategy": "check", "unique_key": "id", "check_cols": ["name", "STATUS"]});
    insta::assert_snapshot!(sql(config, Some(&existing(&[])), &source()));
}

#[test]
fn check_all_first_run_stamps_with_the_snapshot_time() {
    let config = json!({"strategy": "check", "unique_key": "id", "check_cols": "all"});
    insta::assert_snapshot!(sql(config, None, &source()));
}

#[test]
fn check_all_compares_every_query_column() {
    let config = json!({"strategy": "check", "unique_key": "id", "check_cols": "all"});
    let plan = sql(config, Some(&existing(&[])), &source());
    for col in ["id", "name", "status", "updated_at"] {
        assert!(plan.contains(&format!(
            r#"current_rows."{col}" is distinct from source_rows."{col}""#
        )));
    }
}

#[test]
fn a_new_checked_column_makes_every_row_a_change() {
    let config = json!({"strategy": "check", "unique_key": "id", "check_cols": "all"});
    let mut src = source();
    src.push(Column {
        name: "tier".into(),
        data_type: "VARCHAR".into(),
    });
    let plan = sql(config, Some(&existing(&[])), &src);
    assert!(plan.contains("current_rows.xform_key_1 is not null and (true)"));
    assert!(
        plan.contains(r#"alter table "db"."snaps"."customers_snap" add column "tier" VARCHAR"#)
    );
    // A listed column that is not new keeps the normal comparison.
    let config = json!({"strategy": "check", "unique_key": "id", "check_cols": ["name"]});
    let plan = sql(config, Some(&existing(&[])), &src);
    assert!(plan.contains(r#"(current_rows."name" is distinct from source_rows."name")"#));
}

#[test]
fn check_with_updated_at_stamps_versions_with_it() {
    let config = json!({"strategy": "check", "unique_key": "id", "check_cols": ["status"],
                        "updated_at": "updated_at"});
    let first = sql(config.clone(), None, &source());
    assert!(first.contains(r#"updated_at as "dbt_valid_from""#));
    assert!(!first.contains("now()"));
    let later = sql(config, Some(&existing(&[])), &source());
    assert!(later.contains("updated_at as xform_stamp"));
}

#[test]
fn composite_key_new_record_with_custom_names() {
    let config = json!({
        "strategy": "timestamp",
        "unique_key": ["id", "region"],
        "updated_at": "updated_at",
        "hard_deletes": "new_record",
        "snapshot_meta_column_names": {"dbt_valid_from": "valid_from", "dbt_valid_to": "valid_to",
                                       "dbt_scd_id": "scd_id", "dbt_is_deleted": "is_deleted"},
        "dbt_valid_to_current": "'9999-12-31'::timestamp",
    });
    let mut src = source();
    src.insert(
        1,
        Column {
            name: "region".into(),
            data_type: "VARCHAR".into(),
        },
    );
    let first = sql(config.clone(), None, &src);
    let mut table = src.clone();
    table.extend(cols(&[
        ("scd_id", "VARCHAR"),
        ("dbt_updated_at", "TIMESTAMP"),
        ("valid_from", "TIMESTAMP"),
        ("valid_to", "TIMESTAMP"),
        ("is_deleted", "VARCHAR"),
    ]));
    let later = sql(config, Some(&table), &src);
    insta::assert_snapshot!(format!("{first};\n\n-- later run\n\n{later}"));
}

#[test]
fn hard_delete_modes_stage_different_rows() {
    let with = |mode: &str| {
        let mut config = timestamp();
        config["hard_deletes"] = json!(mode);
        let table = existing(&[("dbt_is_deleted", "VARCHAR")]);
        sql(config, Some(&table), &source())
    };
    let ignore = with("ignore");
    assert!(!ignore.contains("gone as"));
    assert!(!ignore.contains("'delete' as xform_change"));
    let invalidate = with("invalidate");
    assert!(invalidate.contains("gone as"));
    assert!(invalidate.contains("'delete' as xform_change"));
    assert!(!invalidate.contains("'True'"));
    let new_record = with("new_record");
    assert!(new_record.contains(r#"current_rows."dbt_is_deleted" = 'True'"#));
    assert!(new_record.contains(
        r#"md5(coalesce(cast(gone."dbt_scd_id" as varchar), '') || '|' || coalesce(cast(now()::timestamp as varchar), ''))"#
    ));
    assert!(new_record.contains(r#"'False' as "dbt_is_deleted""#));
}

#[test]
fn the_scd_id_hashes_key_parts_and_the_stamp_like_dbt() {
    let mut config = timestamp();
    config["unique_key"] = json!(["id", "name"]);
    let plan = sql(config, None, &source());
    assert!(plan.contains(
        "md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(name as varchar), '') \
         || '|' || coalesce(cast(updated_at as varchar), '')) as \"dbt_scd_id\""
    ));
}

#[test]
fn the_legacy_flag_and_partial_renames() {
    let mut config = timestamp();
    config["invalidate_hard_deletes"] = json!(false);
    config["snapshot_meta_column_names"] = json!({"dbt_valid_to": "end_at", "dbt_scd_id": null});
    let n = node(config);
    let parsed = SnapshotConfig::from_node(&n).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.hard_deletes, HardDeletes::Ignore);
    assert_eq!(parsed.columns.valid_to, "end_at");
    assert_eq!(parsed.columns.scd_id, "dbt_scd_id");
    assert_eq!(parsed.unique_key, ["id"]);
}

#[test]
fn columns_match_case_insensitively_like_duckdb() {
    let mut table = existing(&[]);
    table[0].name = "ID".into();
    table[5].name = "DBT_UPDATED_AT".into();
    let plan = sql(timestamp(), Some(&table), &source());
    assert!(!plan.contains("alter table"));
}

#[test]
fn a_table_without_dbt_updated_at_gets_it() {
    let table: Vec<Column> = existing(&[])
        .into_iter()
        .filter(|c| c.name != "dbt_updated_at")
        .collect();
    let plan = sql(timestamp(), Some(&table), &source());
    assert!(plan.contains(r#"add column "dbt_updated_at" TIMESTAMP"#));
}

#[test]
fn every_statement_parses_as_duckdb_sql() {
    let configs = [
        timestamp(),
        json!({"strategy": "check", "unique_key": ["id", "name"], "check_cols": "all",
               "hard_deletes": "new_record", "dbt_valid_to_current": "'9999-12-31'::timestamp"}),
    ];
    for config in configs {
        let table = existing(&[("dbt_is_deleted", "VARCHAR")]);
        for existing in [None, Some(table.as_slice())] {
            for statement in run(config.clone(), existing, &source()).unwrap_or_default() {
                let parsed = sqlparser::parser::Parser::parse_sql(
                    &sqlparser::dialect::DuckDbDialect {},
                    &statement,
                );
                assert!(parsed.is_ok(), "{statement}\n{parsed:?}");
            }
        }
    }
}

#[test]
fn configs_dbt_rejects_are_errors() {
    let id = "snapshot.p.customers_snap".to_string();
    let err = |config: Json| run(config, None, &source()).unwrap_err();
    assert_eq!(
        err(json!({"strategy": "timestamp", "updated_at": "u"})),
        PlanError::SnapshotNeedsStrategyAndKey(id.clone())
    );
    assert_eq!(
        err(json!({"unique_key": "id", "updated_at": "u"})),
        PlanError::SnapshotNeedsStrategyAndKey(id.clone())
    );
    assert_eq!(
        err(json!({"strategy": "timestamp", "unique_key": "id"})),
        PlanError::SnapshotNeedsUpdatedAt(id.clone())
    );
    assert_eq!(
        err(json!({"strategy": "check", "unique_key": "id", "check_cols": []})),
        PlanError::SnapshotNeedsCheckCols(id.clone())
    );
    assert_eq!(
        err(json!({"strategy": "check", "unique_key": "id", "check_cols": "name"})),
        PlanError::SnapshotInvalidCheckCols {
            node: id.clone(),
            value: "name".into()
        }
    );
    assert_eq!(
        err(
            json!({"strategy": "timestamp", "unique_key": "id", "updated_at": "u",
                   "check_cols": "all"})
        ),
        PlanError::SnapshotTimestampWithCheckCols(id.clone())
    );
    assert_eq!(
        err(json!({"strategy": "merge", "unique_key": "id"})),
        PlanError::SnapshotUnknownStrategy {
            node: id.clone(),
            strategy: "merge".into()
        }
    );
    let mut both = timestamp();
    both["invalidate_hard_deletes"] = json!(true);
    both["hard_deletes"] = json!("invalidate");
    assert_eq!(
        err(both),
        PlanError::SnapshotHardDeletesConflict(id.clone())
    );
    let mut bad = timestamp();
    bad["hard_deletes"] = json!("purge");
    assert_eq!(
        err(bad),
        PlanError::SnapshotInvalidHardDeletes {
            node: id.clone(),
            value: "purge".into()
        }
    );
    let mut bad = timestamp();
    bad["unique_key"] = json!(7);
    assert!(matches!(err(bad), PlanError::SnapshotConfigType { key, .. } if key == "unique_key"));
}

#[test]
fn plans_that_cannot_run_are_errors() {
    let config = json!({"strategy": "check", "unique_key": "id", "check_cols": ["nope"]});
    assert_eq!(
        run(config, Some(&existing(&[])), &source()).unwrap_err(),
        PlanError::SnapshotCheckColumnMissing {
            node: "snapshot.p.customers_snap".into(),
            column: "nope".into()
        }
    );
    let mut config = timestamp();
    config["hard_deletes"] = json!("new_record");
    let e = run(config, Some(&existing(&[])), &source()).unwrap_err();
    assert!(e.to_string().contains(r#"missing "dbt_is_deleted""#), "{e}");
}

#[test]
fn bigquery_snapshots_hash_as_hex_and_commit_their_dml_together() {
    let n = node(timestamp());
    let target_columns = existing(&[]);
    let plan = |existing| {
        plan_snapshot(&SnapshotInput {
            node: &n,
            dialect: Dialect::BigQuery,
            sql: SQL,
            target: "`p`.`d`.`t`",
            existing,
            source_columns: &source(),
        })
        .unwrap()
        .join(";\n")
    };
    insta::assert_snapshot!("bigquery_first_run", plan(None));
    insta::assert_snapshot!("bigquery_later_run", plan(Some(&target_columns)));
}
