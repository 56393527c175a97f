//! The `features` fixture (every compile feature at once) -> the facts dbt-core 1.12.6
//! produced for it (tests/fixtures/features/EXPECTED.md), checked in manifest.json and in
//! the compiled SQL.

mod common;

use std::path::Path;

use common::{copy_fixture, xform};
use serde_json::Value;

fn compiled(dir: &Path, target: &str) -> Value {
    let run = xform(dir, &["compile", "--profiles-dir", ".", "--target", target]);
    assert_eq!(run.code, 0, "compile failed:\n{}", run.stderr);
    let text = std::fs::read_to_string(dir.join("target/manifest.json")).expect("manifest");
    serde_json::from_str(&text).expect("manifest is JSON")
}

fn sql(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join("target/compiled/features").join(rel)).expect("compiled file")
}

fn node<'a>(m: &'a Value, id: &str) -> &'a Value {
    let n = &m["nodes"][id];
    assert!(n.is_object(), "{id} missing from manifest");
    n
}

#[test]
fn config_precedence_naming_and_tags_match_dbt() {
    let dir = copy_fixture("features");
    let m = compiled(dir.path(), "dev");
    let customers = node(&m, "model.features.customers");
    // Property YAML beats the folder and model-specific project configs.
    assert_eq!(customers["config"]["materialized"], "table");
    assert_eq!(customers["schema"], "main_marts");
    assert_eq!(customers["alias"], "cust");
    let tags: Vec<&str> = customers["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for t in ["marts", "nightly", "pii"] {
        assert!(tags.contains(&t), "customers tags {tags:?}");
    }
    assert_eq!(
        customers["description"],
        "One row per customer with order count and lifetime value."
    );
    // config() in the file beats property YAML and project.
    let orders = node(&m, "model.features.orders");
    assert_eq!(orders["config"]["materialized"], "incremental");
    assert_eq!(orders["config"]["unique_key"], "order_id");
    assert_eq!(
        orders["config"]["cluster_by"],
        serde_json::json!(["customer_id", "status"])
    );
    assert_eq!(orders["config"]["meta"]["sla_hours"], 24);
    let build_info = node(&m, "model.features.build_info");
    assert_eq!(build_info["config"]["materialized"], "view");
    // The project's generate_schema_name: `shared_` schemas are used verbatim.
    assert_eq!(
        node(&m, "seed.features.country_codes")["schema"],
        "shared_ref"
    );
    assert_eq!(
        node(&m, "snapshot.features.customers_snapshot")["schema"],
        "snapshots"
    );
    // Disabled models are not nodes, and their broken refs raise nothing.
    assert!(m["nodes"]["model.features.legacy_orders"].is_null());
    assert!(m["disabled"]["model.features.legacy_orders"].is_array());
    // Sources render Jinja in their schema.
    assert_eq!(
        m["sources"]["source.features.shop.raw_orders"]["schema"],
        "main"
    );
    // Ephemerals have no relation; their consumers inline them in dependency order.
    assert!(node(&m, "model.features.int_order_amounts")["relation_name"].is_null());
    let customers_sql = sql(dir.path(), "models/marts/customers.sql");
    let a = customers_sql
        .find("__dbt__cte__int_order_amounts as (")
        .expect("amounts CTE");
    let f = customers_sql
        .find("__dbt__cte__int_order_flags as (")
        .expect("flags CTE");
    assert!(a < f, "dependencies first:\n{customers_sql}");
    assert!(
        customers_sql.starts_with("with  __dbt__cte__int_order_amounts as ("),
        "{customers_sql}"
    );
}

#[test]
fn jinja_features_render_like_dbt() {
    let dir = copy_fixture("features");
    compiled(dir.path(), "dev");
    let stg = sql(dir.path(), "models/staging/stg_orders.sql");
    assert!(stg.contains("'EUR'"), "namespaced var:\n{stg}");
    assert!(
        stg.contains("-- depends_on: \"fixture\".\"main\".\"raw_orders\""),
        "{stg}"
    );
    let stg_c = sql(dir.path(), "models/staging/stg_customers.sql");
    assert!(
        stg_c.contains("lower(trim(first_name))") && stg_c.contains("upper(trim(last_name))"),
        "{stg_c}"
    );
    let report = sql(dir.path(), "models/marts/status_report.sql");
    for line in [
        "        when 'return_pending' then 'RETURN PENDING'",
        "    status in ('placed', 'shipped') as is_open,",
        "    2 as open_status_count,",
        "flagged as (\n    select status, amount, is_large from __dbt__cte__int_order_flags\n)",
    ] {
        assert!(
            report.contains(line),
            "status_report lacks {line:?}:\n{report}"
        );
    }
    let info = sql(dir.path(), "models/marts/build_info.sql");
    for line in [
        "    'DE' as country_1,",
        "    '{\"owner\": \"finance\", \"regions\": [\"emea\", \"amer\"]}' as meta_json,",
        "    'emea|amer' as regions,",
        "    cast('2024-04-01' as date) as fiscal_start,",
        "    cast('2025-03-31' as date) as fiscal_end,",
        "    'dev' as target_name,",
        "    False as scoped_flag_default",
    ] {
        assert!(info.contains(line), "build_info lacks {line:?}:\n{info}");
    }
    let analysis = sql(dir.path(), "analyses/top_customers.sql");
    assert!(analysis.contains("limit 3"), "{analysis}");
    let singular = sql(dir.path(), "tests/assert_no_negative_amounts.sql");
    assert!(
        singular.contains("__dbt__cte__int_order_amounts"),
        "ephemeral inlined in a test:\n{singular}"
    );
}

#[test]
fn bigquery_target_switches_branches_and_quoting() {
    let dir = copy_fixture("features");
    let m = compiled(dir.path(), "bq");
    let orders = node(&m, "model.features.orders");
    assert_eq!(orders["config"]["partition_by"]["field"], "ordered_at");
    let orders_sql = sql(dir.path(), "models/marts/orders.sql");
    assert!(
        orders_sql.contains("date(ordered_at) as order_date"),
        "{orders_sql}"
    );
    assert!(
        orders_sql.contains("`fixture-proj`.`fixture_ds`"),
        "{orders_sql}"
    );
    assert!(!orders_sql.contains('"'), "{orders_sql}");
}
