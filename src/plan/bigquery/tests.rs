//! BigQuery plans: node configs in, snapshots of the scripts and config errors out.
//!
//! Each snapshot is the SQL as the adapter submits it: prepare statements one per job,
//! the atomic list joined with ";\n" into one script.

use serde_json::{Value as Json, json};

use super::super::incremental::{IncrementalInput, plan_incremental, validate};
use super::super::seed::{SeedLoad, plan_seed};
use super::super::{Plan, PlanError, plan, plan_as};
use crate::adapter::{Column, RelationKind};
use crate::dialect::Dialect;
use crate::node::{Node, ResourceType};
use crate::seed::{SeedColumn, SeedTable, SeedType};

const TARGET: &str = "`proj`.`ds`.`fct`";

fn model(materialized: &str, config: Json) -> Node {
    let mut n = Node::new(ResourceType::Model, "p", "fct", "model.p.fct".into());
    n.config.insert("materialized".into(), materialized.into());
    if let Json::Object(map) = config {
        n.config.extend(map);
    }
    n.database = "proj".into();
    n.schema = "ds".into();
    n.alias = "fct".into();
    n.origin.file = "models/fct.sql".into();
    n.compiled_code = Some("select * from `proj`.`raw`.`events`".into());
    n
}

fn show(plan: &Plan) -> String {
    let mut out = String::from("-- prepare (one job each)\n");
    for s in &plan.prepare {
        out.push_str(s);
        out.push_str(";\n");
    }
    out.push_str("-- atomic (one script)\n");
    out.push_str(&plan.atomic.join(";\n"));
    out
}

fn build(materialized: &str, config: Json, existing: Option<RelationKind>) -> String {
    let node = model(materialized, config);
    match plan(&node, Dialect::BigQuery, existing) {
        Ok(Some(p)) => show(&p),
        other => panic!("unexpected: {other:?}"),
    }
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
        ("id", "INT64"),
        ("k2", "INT64"),
        ("d", "DATE"),
        ("name", "STRING"),
        ("amount", "INT64"),
    ])
}

fn incremental_with(
    config: Json,
    existing: &[Column],
    incoming: &[Column],
) -> Result<Vec<String>, PlanError> {
    incremental_sql(
        config,
        "select * from `proj`.`raw`.`events`",
        existing,
        incoming,
    )
}

fn incremental_sql(
    config: Json,
    sql: &str,
    existing: &[Column],
    incoming: &[Column],
) -> Result<Vec<String>, PlanError> {
    let node = model("incremental", config);
    plan_incremental(&IncrementalInput {
        node: &node,
        dialect: Dialect::BigQuery,
        sql,
        target: TARGET,
        existing,
        incoming,
    })
}

/// The script of an incremental run over unchanged columns.
fn script(config: Json) -> String {
    match incremental_with(config, &base(), &base()) {
        Ok(statements) => statements.join(";\n"),
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn error(config: Json) -> String {
    match incremental_with(config, &base(), &base()) {
        Ok(s) => panic!("expected an error, got {s:?}"),
        Err(e) => e.to_string(),
    }
}

fn date_partition() -> Json {
    json!({"field": "d", "data_type": "date"})
}

#[test]
fn views() {
    insta::assert_snapshot!(
        "view",
        build(
            "view",
            json!({"persist_docs": {"relation": true}, "labels": {"team": "core"}}),
            None,
        )
    );
    insta::assert_snapshot!(
        "view_over_table",
        build("view", json!({}), Some(RelationKind::Table))
    );
}

#[test]
fn persisted_descriptions_are_escaped() {
    let mut node = model("view", json!({"persist_docs": {"relation": true}}));
    node.description = "it's \"a\" \\ view\non two lines".into();
    let p = plan(&node, Dialect::BigQuery, None).unwrap().unwrap();
    assert!(
        p.atomic[0].contains(r#"options(description='it\'s "a" \\ view\non two lines')"#),
        "{}",
        p.atomic[0]
    );
    // Without persist_docs the description stays out, as in dbt.
    node.config.shift_remove("persist_docs");
    let p = plan(&node, Dialect::BigQuery, None).unwrap().unwrap();
    assert!(!p.atomic[0].contains("options"), "{}", p.atomic[0]);
}

#[test]
fn tables_by_partition_type() {
    let cases = [
        ("table_plain", json!({})),
        (
            "table_timestamp_day",
            json!({"partition_by": {"field": "created_at", "data_type": "timestamp"},
                   "cluster_by": "user_id"}),
        ),
        (
            "table_timestamp_hour",
            json!({"partition_by": {"field": "created_at", "data_type": "TIMESTAMP", "granularity": "Hour"}}),
        ),
        (
            "table_date_day_with_options",
            json!({"partition_by": {"field": "d"},
                   "cluster_by": ["user_id", "repo_id"],
                   "require_partition_filter": true,
                   "partition_expiration_days": 30,
                   "hours_to_expiration": 6,
                   "kms_key_name": "projects/p/locations/us/keyRings/r/cryptoKeys/k",
                   "labels": {"team": "core", "tier": 1}}),
        ),
        (
            "table_date_month",
            json!({"partition_by": {"field": "d", "data_type": "date", "granularity": "month"}}),
        ),
        (
            "table_datetime_day",
            json!({"partition_by": {"field": "ts", "data_type": "datetime"}}),
        ),
        (
            "table_int64_range",
            json!({"partition_by": {"field": "n", "data_type": "int64",
                                     "range": {"start": 0, "end": 100, "interval": 10}}}),
        ),
    ];
    for (name, config) in cases {
        insta::assert_snapshot!(name, build("table", config, None));
    }
}

#[test]
fn require_partition_filter_needs_a_partition() {
    let p = build("table", json!({"require_partition_filter": true}), None);
    assert!(!p.contains("require_partition_filter"), "{p}");
}

#[test]
fn tables_over_views_stage_before_the_drop() {
    insta::assert_snapshot!(
        "table_over_view",
        build(
            "table",
            json!({"partition_by": date_partition()}),
            Some(RelationKind::View)
        )
    );
}

#[test]
fn rebuilds_stage_then_drop_the_table() {
    let node = model(
        "table",
        json!({"partition_by": date_partition(), "cluster_by": "id"}),
    );
    let p = super::table::plan_rebuild(&node, "select 1 as id, current_date() as d").unwrap();
    insta::assert_snapshot!("table_rebuild_for_a_new_spec", show(&p));
}

#[test]
fn full_refresh_declares_max_partition_when_the_table_exists() {
    let mut node = model("incremental", json!({"partition_by": date_partition()}));
    node.compiled_code = Some("select * from src where d >= _dbt_max_partition".into());
    let p = plan_as(
        &node,
        Dialect::BigQuery,
        Some(RelationKind::Table),
        RelationKind::Table,
    )
    .unwrap();
    insta::assert_snapshot!("table_with_max_partition", show(&p));
    let first = plan_as(&node, Dialect::BigQuery, None, RelationKind::Table).unwrap();
    assert!(!first.atomic[0].contains("declare"));
}

#[test]
fn merge_with_a_string_key_reads_the_model_directly() {
    insta::assert_snapshot!(script(json!({"unique_key": "id"})));
}

#[test]
fn merge_with_key_lists_and_strings() {
    insta::assert_snapshot!(
        "merge_key_list_and_predicates",
        script(json!({
            "unique_key": ["id", "k2"],
            "incremental_predicates": ["DBT_INTERNAL_DEST.amount > 25", "1 = 1 or 1 = 0"],
        }))
    );
    // A comma-separated string key is split into the same parts.
    assert_eq!(
        script(json!({"unique_key": "id, k2"})),
        script(json!({"unique_key": ["id", "k2"]}))
    );
}

#[test]
fn merge_without_a_key_inserts_only() {
    insta::assert_snapshot!(script(json!({"incremental_strategy": "merge"})));
    // `default` reads as BigQuery's default strategy.
    assert_eq!(
        script(json!({"incremental_strategy": "default"})),
        script(json!({}))
    );
}

#[test]
fn merge_column_choices() {
    insta::assert_snapshot!(
        "merge_update_columns",
        script(json!({"unique_key": "id", "merge_update_columns": ["name", "`amount`"]}))
    );
    insta::assert_snapshot!(
        "merge_exclude_columns",
        script(json!({"unique_key": "id", "merge_exclude_columns": ["name"]}))
    );
    assert!(
        error(json!({"unique_key": "id", "merge_update_columns": ["nope"]}))
            .contains("model.p.fct: config `merge_update_columns` names `nope`")
    );
}

#[test]
fn null_safe_keys() {
    insta::assert_snapshot!(script(
        json!({"unique_key": ["id", "k2"], "null_safe_unique_key": true})
    ));
}

#[test]
fn on_schema_change_stages_and_settles_columns() {
    let old = cols(&[
        ("id", "INT64"),
        ("d", "DATE"),
        ("gone", "STRING"),
        ("amount", "INT64"),
    ]);
    let new = cols(&[
        ("id", "INTEGER"),
        ("d", "DATE"),
        ("amount", "FLOAT64"),
        ("added", "STRING"),
    ]);
    let run = |mode: &str| {
        let config = json!({"unique_key": "id", "on_schema_change": mode,
                            "partition_by": date_partition(), "partition_prune_merge": false,
                            "require_partition_filter": true});
        incremental_with(config, &old, &new).map(|s| s.join(";\n"))
    };
    insta::assert_snapshot!(
        "on_schema_change_append_new_columns",
        run("append_new_columns").unwrap()
    );
    insta::assert_snapshot!(
        "on_schema_change_sync_all_columns",
        run("sync_all_columns").unwrap()
    );
    let fail = run("fail").unwrap_err().to_string();
    assert!(
        fail.contains("in the model, not in the table: added"),
        "{fail}"
    );
    assert!(
        fail.contains("type changed: amount INT64 -> FLOAT64"),
        "{fail}"
    );
    // `ignore` cannot write a table column the model stopped producing.
    let ignore = run("ignore").unwrap_err().to_string();
    assert!(ignore.contains("no longer produces gone"), "{ignore}");
    // Legacy type names from a dry run are not changes.
    let same = incremental_with(
        json!({"unique_key": "id", "on_schema_change": "fail"}),
        &cols(&[("id", "INT64"), ("ok", "BOOL")]),
        &cols(&[("id", "INTEGER"), ("ok", "BOOLEAN")]),
    );
    assert!(same.is_ok(), "{same:?}");
}

#[test]
fn struct_fields_appended_at_the_end_are_widenings_not_type_changes() {
    let old = cols(&[
        ("id", "INT64"),
        ("actor", "STRUCT<login STRING, geo STRUCT<lat FLOAT64>>"),
        ("tags", "ARRAY<STRUCT<k STRING>>"),
        ("moved", "STRUCT<a INT64, b INT64>"),
    ]);
    let new = cols(&[
        ("id", "INT64"),
        (
            "actor",
            "STRUCT<login STRING, geo STRUCT<lat FLOAT64, lon FLOAT64>, org STRING>",
        ),
        ("tags", "ARRAY<STRUCT<k STRING, v INT64>>"),
        // A field inserted in the middle would shift values by position: not a widening.
        ("moved", "STRUCT<a INT64, n STRING, b INT64>"),
    ]);
    let node = |mode: &str| {
        model(
            "incremental",
            json!({"unique_key": "id", "on_schema_change": mode}),
        )
    };
    let widenings = |mode: &str| {
        let node = node(mode);
        super::widenings(&IncrementalInput {
            node: &node,
            dialect: Dialect::BigQuery,
            sql: "select 1",
            target: TARGET,
            existing: &old,
            incoming: &new,
        })
        .unwrap()
    };
    let found = widenings("append_new_columns");
    let summary: Vec<(String, String, Vec<String>)> = found
        .iter()
        .map(|w| (w.column.clone(), w.data_type.clone(), w.fields.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "actor".to_string(),
                new[1].data_type.clone(),
                vec!["actor.geo.lon".to_string(), "actor.org".to_string()]
            ),
            (
                "tags".to_string(),
                new[2].data_type.clone(),
                vec!["tags.v".to_string()]
            ),
        ]
    );
    assert_eq!(widenings("sync_all_columns"), found);
    assert!(widenings("ignore").is_empty());
    assert!(widenings("fail").is_empty());
    // sync_all_columns rewrites only the column that is a real type change; the widened
    // ones already have the model's type when the script runs.
    let sync = incremental_with(
        json!({"unique_key": "id", "on_schema_change": "sync_all_columns"}),
        &old,
        &new,
    )
    .unwrap()
    .join(";\n");
    insta::assert_snapshot!("on_schema_change_struct_widening_sync_all_columns", sync);
    assert!(
        sync.contains("cast(`moved` as STRUCT<a INT64, n STRING, b INT64>)"),
        "{sync}"
    );
    assert!(!sync.contains("cast(`actor`"), "{sync}");
    // `fail` still reports a widened STRUCT as a change.
    let fail = incremental_with(
        json!({"unique_key": "id", "on_schema_change": "fail"}),
        &old[..2],
        &new[..2],
    )
    .unwrap_err()
    .to_string();
    assert!(fail.contains("type changed: actor"), "{fail}");
}

#[test]
fn ignore_leaves_new_model_columns_out() {
    let mut incoming = base();
    incoming.push(Column {
        name: "extra".into(),
        data_type: "STRING".into(),
    });
    let s = incremental_with(json!({"unique_key": "id"}), &base(), &incoming)
        .unwrap()
        .join(";\n");
    assert!(!s.contains("extra"), "{s}");
}

#[test]
fn partition_pruned_merge() {
    insta::assert_snapshot!(
        "pruned_merge_date",
        script(json!({"unique_key": "id", "partition_by": date_partition(), "cluster_by": "id"}))
    );
    insta::assert_snapshot!(
        "pruned_merge_timestamp_with_schema_change_and_max_partition",
        incremental_sql(
            json!({"unique_key": ["id", "k2"],
                   "partition_by": {"field": "created_at", "data_type": "timestamp"},
                   "on_schema_change": "append_new_columns",
                   "require_partition_filter": true}),
            "select * from `proj`.`raw`.`events` where created_at > _dbt_max_partition",
            &cols(&[
                ("id", "INT64"),
                ("k2", "INT64"),
                ("created_at", "TIMESTAMP")
            ]),
            &cols(&[
                ("id", "INT64"),
                ("k2", "INT64"),
                ("created_at", "TIMESTAMP"),
                ("added", "STRUCT<a INT64, b STRING>"),
            ]),
        )
        .unwrap()
        .join(";\n")
    );
    insta::assert_snapshot!(
        "pruned_merge_off",
        script(json!({"unique_key": "id", "partition_by": date_partition(),
                      "partition_prune_merge": false, "require_partition_filter": true}))
    );
    // Without a key a merge only inserts, so there is nothing to prune.
    assert!(!script(json!({"partition_by": date_partition()})).contains("dbt_merge_partitions"));
    assert!(
        error(json!({"unique_key": "id", "partition_prune_merge": "yes"}))
            .contains("`partition_prune_merge` must be true or false")
    );
}

#[test]
fn max_partition_is_declared_first() {
    let node = model(
        "incremental",
        json!({"unique_key": "id", "partition_by": date_partition()}),
    );
    let s = plan_incremental(&IncrementalInput {
        node: &node,
        dialect: Dialect::BigQuery,
        sql: "select * from src where d >= _dbt_max_partition",
        target: TARGET,
        existing: &base(),
        incoming: &base(),
    })
    .unwrap();
    insta::assert_snapshot!("merge_with_max_partition", s.join(";\n"));
}

#[test]
fn insert_overwrite() {
    insta::assert_snapshot!(
        "insert_overwrite_static",
        script(json!({"incremental_strategy": "insert_overwrite",
                      "partition_by": date_partition(),
                      "partitions": ["date '2024-01-01'", "date '2024-01-02'"]}))
    );
    insta::assert_snapshot!(
        "insert_overwrite_dynamic",
        script(json!({"incremental_strategy": "insert_overwrite",
                      "partition_by": {"field": "created_at", "data_type": "timestamp"}}))
    );
    insta::assert_snapshot!(
        "insert_overwrite_dynamic_date",
        script(json!({"incremental_strategy": "insert_overwrite",
                      "partition_by": date_partition(), "unique_key": "id"}))
    );
    insta::assert_snapshot!(
        "insert_overwrite_int64",
        script(json!({"incremental_strategy": "insert_overwrite",
                      "partition_by": {"field": "amount", "data_type": "int64",
                                       "range": {"start": 0, "end": 1000, "interval": 10}}}))
    );
}

#[test]
fn append() {
    insta::assert_snapshot!(script(json!({"incremental_strategy": "append"})));
    insta::assert_snapshot!(
        "append_with_new_columns",
        incremental_with(
            json!({"incremental_strategy": "append", "on_schema_change": "append_new_columns"}),
            &base(),
            &cols(&[("id", "INT64"), ("added", "ARRAY<STRING>")]),
        )
        .unwrap()
        .join(";\n")
    );
}

#[test]
fn config_errors_name_the_model() {
    let cases = [
        (
            json!({"partition_by": {"field": "d", "data_type": "string"}}),
            "model.p.fct: config `partition_by` has data_type `string`; expected one of: timestamp, date, datetime, int64",
        ),
        (
            json!({"partition_by": {"field": "d", "granularity": "week"}}),
            "model.p.fct: config `partition_by` has granularity `week`; expected one of: hour, day, month, year",
        ),
        (
            json!({"partition_by": {"field": "d", "granularity": "hour"}}),
            "model.p.fct: config `partition_by` has granularity `hour`, which a date partition cannot have; use day, month or year",
        ),
        (
            json!({"partition_by": {"field": "n", "data_type": "int64"}}),
            "model.p.fct: config `partition_by` has data_type int64 and needs `range: {start, end, interval}`",
        ),
        (
            json!({"partition_by": {"data_type": "date"}}),
            "model.p.fct: config `partition_by` needs a `field` (the column to partition by)",
        ),
        (
            json!({"partition_by": "d"}),
            "model.p.fct: config `partition_by` must be a mapping with `field` and `data_type`, got \"d\"",
        ),
        (
            json!({"incremental_strategy": "delete+insert"}),
            "model.p.fct: incremental_strategy `delete+insert` is not valid here; expected one of: merge, insert_overwrite, append",
        ),
        (
            json!({"incremental_strategy": "microbatch"}),
            "model.p.fct: incremental_strategy `microbatch` is not supported yet",
        ),
        (
            json!({"incremental_strategy": "insert_overwrite"}),
            "model.p.fct: config `partition_by` is required by incremental_strategy insert_overwrite",
        ),
        (
            json!({"partition_by": {"field": "d", "copy_partitions": true}}),
            "model.p.fct: config `partition_by` sets copy_partitions, which needs incremental_strategy insert_overwrite (not merge)",
        ),
        (
            json!({"partition_by": {"field": "d", "time_ingestion_partitioning": true}}),
            "model.p.fct: config `partition_by.time_ingestion_partitioning` is not supported yet",
        ),
        (
            json!({"cluster_by": ["a", "b", "c", "d", "e"]}),
            "model.p.fct: config `cluster_by` lists more than 4 columns, BigQuery's limit",
        ),
        (
            json!({"labels": ["a"]}),
            "model.p.fct: config `labels` must be a mapping of label names to values, got [\"a\"]",
        ),
    ];
    for (config, message) in cases {
        assert_eq!(error(config.clone()), message, "{config}");
        // The same problems are found before anything runs.
        let node = model("incremental", config);
        assert_eq!(
            validate(&node, Dialect::BigQuery).unwrap_err().to_string(),
            message
        );
    }
    // Tables check their partition config too.
    let node = model(
        "table",
        json!({"partition_by": {"field": "d", "data_type": "bool"}}),
    );
    assert!(matches!(
        plan(&node, Dialect::BigQuery, None),
        Err(PlanError::InvalidConfig { .. })
    ));
    // DuckDB's validation is unchanged: insert_overwrite is not a DuckDB strategy.
    let node = model(
        "incremental",
        json!({"incremental_strategy": "insert_overwrite", "partition_by": date_partition()}),
    );
    assert!(validate(&node, Dialect::BigQuery).is_ok());
    assert!(validate(&node, Dialect::DuckDb).is_err());
}

fn seed_table(rows: &[&[&str]]) -> SeedTable {
    let col = |name: &str, inferred, override_type: Option<&str>| SeedColumn {
        name: name.into(),
        inferred,
        override_type: override_type.map(str::to_string),
    };
    SeedTable {
        columns: vec![
            col("id", SeedType::Integer, None),
            col("Full Name", SeedType::Text, None),
            col("score", SeedType::Float, None),
            col("active", SeedType::Boolean, None),
            col("joined", SeedType::Date, None),
            col("seen_at", SeedType::Timestamp, None),
            col("zip", SeedType::Text, Some("STRING")),
            col("price", SeedType::Text, Some("NUMERIC")),
        ],
        rows: rows.len(),
        warnings: Vec::new(),
        cells: Some(
            rows.iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        ),
    }
}

fn seed_node() -> Node {
    let mut n = Node::new(ResourceType::Seed, "p", "people", "seed.p.people".into());
    n.database = "proj".into();
    n.schema = "ds".into();
    n.alias = "people".into();
    n
}

#[test]
fn seeds_load_in_batches() {
    let table = seed_table(&[
        &[
            "1",
            "Ann O'Neil",
            "1.5",
            "true",
            "2024-01-02",
            "2024-01-02 10:11:12",
            "01234",
            "9.99",
        ],
        &[
            "2",
            "back\\slash\nnewline",
            "",
            "False",
            "",
            "2024-01-02T10:11:12",
            "",
            "",
        ],
        &["", "", "2", " TRUE ", "2024-02-29", "", "99", "-1"],
    ]);
    let node = seed_node();
    let load = SeedLoad {
        node: &node,
        table: &table,
        csv_path: "/unused.csv",
        existing: Some(RelationKind::Table),
        existing_columns: &[],
        full_refresh: false,
    };
    let p = super::seed::plan(&load, 2).unwrap();
    insta::assert_snapshot!("seed_two_batches", show(&p));
    // Over the size limit the rows go to a staging table in statements under it.
    let p = super::seed::plan_sized(&load, 2, 150).unwrap();
    insta::assert_snapshot!("seed_staged_over_the_size_limit", show(&p));
    // Each row alone passes 150 bytes with its INSERT head: one statement per row.
    assert_eq!(
        p.prepare.iter().filter(|s| s.starts_with("insert")).count(),
        3
    );
    let p = super::seed::plan_sized(&load, 2, 450).unwrap();
    let inserts: Vec<&String> = p
        .prepare
        .iter()
        .filter(|s| s.starts_with("insert"))
        .collect();
    assert_eq!(inserts.len(), 2, "{inserts:?}");
    assert!(inserts.iter().all(|s| s.len() <= 450));
    // The default batch holds all three rows in one INSERT.
    let p = plan_seed(&load, Dialect::BigQuery).unwrap();
    assert_eq!(p.atomic.len(), 3);
    // No rows: the table is still (re)made, empty and typed.
    let empty = seed_table(&[]);
    let p = plan_seed(
        &SeedLoad {
            table: &empty,
            ..load
        },
        Dialect::BigQuery,
    )
    .unwrap();
    assert_eq!(p.atomic.len(), 2);
    assert!(p.atomic[1].starts_with("create or replace table `proj`.`ds`.`people`"));
    assert_eq!(
        plan_seed(
            &SeedLoad {
                existing: Some(RelationKind::View),
                ..load
            },
            Dialect::BigQuery
        ),
        Err(PlanError::SeedOntoView("`proj`.`ds`.`people`".into()))
    );
}

/// A copy_partitions run, every step in the order the executor takes them.
fn copy_steps(config: Json, existing: &[Column], incoming: &[Column]) -> String {
    let mut config = config;
    config["incremental_strategy"] = json!("insert_overwrite");
    let node = model("incremental", config);
    let input = IncrementalInput {
        node: &node,
        dialect: Dialect::BigQuery,
        sql: "select * from `proj`.`raw`.`events`",
        target: TARGET,
        existing,
        incoming,
    };
    let Ok(Some(p)) = super::copy_partitions::plan(&input) else {
        panic!("expected a copy plan");
    };
    format!(
        "-- stage (one script)\n{};\n-- partition ids (one query)\n{};\n-- copy jobs: {}$<id> over {}$<id>\n-- finish (one script)\n{};\n-- drop\n{}",
        p.stage.join(";\n"),
        p.partition_ids,
        p.staging,
        p.table,
        p.finish.join(";\n"),
        p.drop
    )
}

#[test]
fn copy_partitions_stage_a_table_copy_its_partitions_and_insert_the_rest() {
    let dynamic = json!({"partition_by": {"field": "d", "data_type": "date", "copy_partitions": true},
                         "cluster_by": "id"});
    insta::assert_snapshot!(
        "copy_partitions_dynamic",
        copy_steps(dynamic, &base(), &base())
    );
    // Static partitions: the listed ones without staged rows are emptied.
    let listed = json!({"partition_by": {"field": "created_at", "data_type": "timestamp",
                                         "granularity": "hour", "copy_partitions": true},
                        "partitions": ["timestamp('2024-01-01 10:00:00')"]});
    let events = cols(&[("id", "INT64"), ("created_at", "TIMESTAMP")]);
    insta::assert_snapshot!(
        "copy_partitions_static_hour",
        copy_steps(listed, &events, &events)
    );
    // A new column is appended to the target; one the model dropped is staged as NULL,
    // and one whose type changed keeps the target's type, so the schemas match.
    let ranged = json!({"partition_by": {"field": "amount", "data_type": "int64", "copy_partitions": true,
                                         "range": {"start": 0, "end": 1000, "interval": 10}},
                        "on_schema_change": "append_new_columns"});
    let incoming = cols(&[
        ("id", "INT64"),
        ("amount", "INT64"),
        ("name", "BYTES"),
        ("extra", "STRING"),
    ]);
    insta::assert_snapshot!(
        "copy_partitions_int64_append_new_columns",
        copy_steps(
            ranged,
            &cols(&[
                ("id", "INT64"),
                ("amount", "INT64"),
                ("name", "STRING"),
                ("d", "DATE")
            ]),
            &incoming
        )
    );
}

#[test]
fn without_copy_partitions_there_is_no_copy_plan() {
    let node = model(
        "incremental",
        json!({"incremental_strategy": "insert_overwrite", "partition_by": date_partition()}),
    );
    let input = IncrementalInput {
        node: &node,
        dialect: Dialect::BigQuery,
        sql: "select 1",
        target: TARGET,
        existing: &base(),
        incoming: &base(),
    };
    assert_eq!(super::copy_partitions::plan(&input), Ok(None));
}
