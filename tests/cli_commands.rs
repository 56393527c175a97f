//! End-to-end tests of the `xform` commands (parse, ls, compile, debug, clean) on the
//! `cli_shop` fixture. Expected values were checked against dbt-core 1.12.6 +
//! dbt-duckdb 1.11.1 run on the same project (unique_ids and hashes, ls order and
//! formats, compiled model SQL), so a failure here means xform stopped behaving like dbt.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{Run, copy_fixture, xform};
use serde_json::Value;

const BQ_SECRET: &str = "SECRET-KEY-DO-NOT-PRINT";

fn shop() -> tempfile::TempDir {
    copy_fixture("cli_shop")
}

/// Runs xform and fails with its output when the exit code is not `code`.
fn run_ok(dir: &Path, args: &[&str]) -> Run {
    let r = xform(dir, args);
    assert_eq!(
        r.code, 0,
        "xform {args:?} exited {}\nstdout:\n{}\nstderr:\n{}",
        r.code, r.stdout, r.stderr
    );
    r
}

fn stdout_lines(r: &Run) -> Vec<&str> {
    r.stdout.lines().collect()
}

/// `xform ls <args>` and its stdout lines.
fn ls(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["ls"];
    all.extend_from_slice(args);
    let r = run_ok(dir, &all);
    r.stdout.lines().map(str::to_string).collect()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read json");
    serde_json::from_str(&text).expect("valid json")
}

fn parse_manifest(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["parse"];
    args.extend_from_slice(extra);
    run_ok(dir, &args);
    read_json(&dir.join("target/manifest.json"))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().expect("string"))
        .collect()
}

fn sorted(v: &Value) -> Vec<&str> {
    let mut s = strings(v);
    s.sort_unstable();
    s
}

/// Every file under `dir`, as `/`-separated paths relative to it.
fn files_under(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// parse / manifest.json
// ---------------------------------------------------------------------------------------

#[test]
fn parse_writes_a_v12_manifest_with_all_top_level_sections() {
    let dir = shop();
    let m = parse_manifest(dir.path(), &[]);
    assert_eq!(
        m["metadata"]["dbt_schema_version"],
        "https://schemas.getdbt.com/dbt/manifest/v12.json"
    );
    assert_eq!(m["metadata"]["project_name"], "cli_shop");
    assert_eq!(m["metadata"]["adapter_type"], "duckdb");
    for key in [
        "nodes",
        "sources",
        "macros",
        "exposures",
        "parent_map",
        "child_map",
    ] {
        assert!(m[key].is_object(), "manifest.{key} is missing or not a map");
    }
    assert!(m["macros"]["macro.cli_shop.cents_to_dollars"].is_object());
    assert!(m["exposures"]["exposure.cli_shop.finance_dashboard"].is_object());
}

#[test]
fn parse_manifest_has_the_expected_node_and_source_ids() {
    let dir = shop();
    let m = parse_manifest(dir.path(), &[]);
    let nodes = m["nodes"].as_object().unwrap();
    for id in [
        "model.cli_shop.stg_customers",
        "model.cli_shop.stg_orders",
        "model.cli_shop.order_totals",
        "model.cli_shop.customers",
        "model.cli_shop.orders",
        "seed.cli_shop.country_codes",
        "analysis.cli_shop.country_report",
        "test.cli_shop.assert_totals_not_negative",
    ] {
        assert!(nodes.contains_key(id), "no node {id}");
    }
    let sources: Vec<&String> = m["sources"].as_object().unwrap().keys().collect();
    assert_eq!(
        sources,
        [
            "source.cli_shop.shop.customers",
            "source.cli_shop.shop.orders"
        ]
    );
    let models: Vec<&str> = nodes
        .keys()
        .filter(|k| k.starts_with("model."))
        .map(String::as_str)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        models,
        [
            "model.cli_shop.customers",
            "model.cli_shop.order_totals",
            "model.cli_shop.orders",
            "model.cli_shop.stg_customers",
            "model.cli_shop.stg_orders",
        ]
    );
}

#[test]
fn parse_generic_test_ids_follow_dbts_naming_rule() {
    let dir = shop();
    let m = parse_manifest(dir.path(), &[]);
    // `test.<project>.<test>_<model>_<sorted args>.<last 10 hex of md5(name + metadata)>`,
    // the exact ids dbt-core 1.12.6 gives this project.
    let expected = [
        "test.cli_shop.accepted_values_stg_orders_status__placed__shipped__returned.b52273e597",
        "test.cli_shop.not_null_customers_customer_id.5c9bf9911d",
        "test.cli_shop.not_null_stg_customers_customer_id.e2cfb1f9aa",
        "test.cli_shop.not_null_stg_orders_order_id.81cfe2fe64",
        "test.cli_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2",
        "test.cli_shop.unique_customers_customer_id.c5af1ff4b1",
        "test.cli_shop.unique_stg_customers_customer_id.c7614daada",
    ];
    for id in expected {
        let node = &m["nodes"][id];
        assert!(node.is_object(), "no generic test {id}");
        assert_eq!(node["resource_type"], "test");
    }
    let t = &m["nodes"]["test.cli_shop.not_null_customers_customer_id.5c9bf9911d"];
    assert_eq!(t["name"], "not_null_customers_customer_id");
    assert_eq!(t["schema"], "main_dbt_test__audit");
    assert_eq!(
        strings(&t["fqn"]),
        ["cli_shop", "marts", "not_null_customers_customer_id"]
    );
    assert_eq!(t["column_name"], "customer_id");
    assert_eq!(t["attached_node"], "model.cli_shop.customers");
    assert_eq!(t["test_metadata"]["name"], "not_null");
}

#[test]
fn parse_parent_and_child_maps_and_depends_on_are_exact() {
    let dir = shop();
    let m = parse_manifest(dir.path(), &[]);
    let customers = &m["nodes"]["model.cli_shop.customers"];
    assert_eq!(
        sorted(&customers["depends_on"]["nodes"]),
        [
            "model.cli_shop.order_totals",
            "model.cli_shop.stg_customers",
            "seed.cli_shop.country_codes",
        ]
    );
    assert_eq!(
        strings(&m["nodes"]["model.cli_shop.orders"]["depends_on"]["macros"]),
        ["macro.cli_shop.cents_to_dollars"]
    );
    assert_eq!(
        strings(&m["nodes"]["model.cli_shop.stg_orders"]["depends_on"]["nodes"]),
        ["source.cli_shop.shop.orders"]
    );
    assert_eq!(
        sorted(&m["parent_map"]["model.cli_shop.customers"]),
        [
            "model.cli_shop.order_totals",
            "model.cli_shop.stg_customers",
            "seed.cli_shop.country_codes",
        ]
    );
    assert_eq!(
        sorted(&m["child_map"]["model.cli_shop.customers"]),
        [
            "analysis.cli_shop.country_report",
            "exposure.cli_shop.finance_dashboard",
            "test.cli_shop.assert_totals_not_negative",
            "test.cli_shop.not_null_customers_customer_id.5c9bf9911d",
            "test.cli_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2",
            "test.cli_shop.unique_customers_customer_id.c5af1ff4b1",
        ]
    );
    assert_eq!(
        sorted(&m["child_map"]["model.cli_shop.stg_orders"]),
        [
            "model.cli_shop.order_totals",
            "model.cli_shop.orders",
            "test.cli_shop.accepted_values_stg_orders_status__placed__shipped__returned.b52273e597",
            "test.cli_shop.not_null_stg_orders_order_id.81cfe2fe64",
        ]
    );
    assert_eq!(
        strings(&m["parent_map"]["model.cli_shop.order_totals"]),
        ["model.cli_shop.stg_orders"]
    );
    assert_eq!(
        strings(&m["child_map"]["model.cli_shop.order_totals"]),
        ["model.cli_shop.customers"]
    );
    // The relationships test depends on both the tested model and the `to:` model.
    let rel =
        "test.cli_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2";
    assert_eq!(
        sorted(&m["parent_map"][rel]),
        ["model.cli_shop.customers", "model.cli_shop.orders"]
    );
    assert_eq!(
        sorted(&m["parent_map"]["exposure.cli_shop.finance_dashboard"]),
        ["model.cli_shop.customers", "model.cli_shop.orders"]
    );
    assert_eq!(
        strings(&m["child_map"]["exposure.cli_shop.finance_dashboard"]),
        Vec::<&str>::new()
    );
}

#[test]
fn parse_relations_use_the_rendered_jinja_schema_and_target() {
    let dir = shop();
    let m = parse_manifest(dir.path(), &[]);
    let src = &m["sources"]["source.cli_shop.shop.orders"];
    // sources.yml: schema: "{{ target.schema }}_raw"; identifier: raw_orders
    assert_eq!(src["schema"], "main_raw");
    assert_eq!(src["identifier"], "raw_orders");
    assert_eq!(src["relation_name"], r#""shop"."main_raw"."raw_orders""#);
    assert_eq!(
        m["nodes"]["model.cli_shop.customers"]["relation_name"],
        r#""shop"."main"."customers""#
    );
    assert_eq!(
        m["nodes"]["model.cli_shop.customers"]["config"]["materialized"],
        "table"
    );
    // Ephemeral models have no relation.
    assert!(m["nodes"]["model.cli_shop.order_totals"]["relation_name"].is_null());

    let m = parse_manifest(dir.path(), &["--target", "bq"]);
    assert_eq!(m["metadata"]["adapter_type"], "bigquery");
    let src = &m["sources"]["source.cli_shop.shop.orders"];
    assert_eq!(src["schema"], "shop_ds_raw");
    assert_eq!(
        src["relation_name"],
        "`shop-proj`.`shop_ds_raw`.`raw_orders`"
    );
}

#[test]
fn parse_manifest_never_contains_profile_secrets() {
    let dir = shop();
    for target in ["dev", "bq"] {
        run_ok(dir.path(), &["parse", "--target", target]);
        let text = std::fs::read_to_string(dir.path().join("target/manifest.json")).unwrap();
        assert!(!text.contains(BQ_SECRET), "bq key in manifest ({target})");
        assert!(
            !text.contains("DUCK-S3-SECRET-DO-NOT-PRINT"),
            "duckdb secret in manifest ({target})"
        );
    }
}

// ---------------------------------------------------------------------------------------
// ls: output formats, resource types, selection
// ---------------------------------------------------------------------------------------

#[test]
fn ls_selector_output_for_models_seeds_and_sources() {
    let dir = shop();
    assert_eq!(
        ls(dir.path(), &["--resource-type", "model", "seed", "source"]),
        [
            "cli_shop.marts.customers",
            "cli_shop.staging.order_totals",
            "cli_shop.marts.orders",
            "cli_shop.staging.stg_customers",
            "cli_shop.staging.stg_orders",
            "cli_shop.country_codes",
            "source:cli_shop.shop.customers",
            "source:cli_shop.shop.orders",
        ]
    );
    assert_eq!(
        ls(dir.path(), &["-s", "tag:staging", "--output", "selector"]),
        [
            "cli_shop.staging.order_totals",
            "cli_shop.staging.stg_customers",
            "cli_shop.staging.stg_orders",
            "cli_shop.staging.accepted_values_stg_orders_status__placed__shipped__returned",
            "cli_shop.staging.not_null_stg_customers_customer_id",
            "cli_shop.staging.not_null_stg_orders_order_id",
            "cli_shop.staging.unique_stg_customers_customer_id",
        ]
    );
}

#[test]
fn ls_name_output_by_resource_type() {
    let dir = shop();
    assert_eq!(
        ls(
            dir.path(),
            &["--resource-type", "model", "--output", "name"]
        ),
        [
            "customers",
            "order_totals",
            "orders",
            "stg_customers",
            "stg_orders"
        ]
    );
    assert_eq!(
        ls(
            dir.path(),
            &["--resource-type", "seed", "exposure", "--output", "name"]
        ),
        ["finance_dashboard", "country_codes"]
    );
    assert_eq!(
        ls(
            dir.path(),
            &["--resource-type", "source", "--output", "name"]
        ),
        ["shop.customers", "shop.orders"]
    );
    // Analyses are listed only when asked for.
    assert_eq!(
        ls(
            dir.path(),
            &["--resource-type", "analysis", "--output", "name"]
        ),
        ["country_report"]
    );
    let default = ls(dir.path(), &["--output", "name"]);
    assert!(!default.iter().any(|l| l == "country_report"));
    assert!(default.iter().any(|l| l == "country_codes"));
}

#[test]
fn ls_path_output() {
    let dir = shop();
    assert_eq!(
        ls(dir.path(), &["-s", "tag:staging", "--output", "path"]),
        [
            "models/staging/order_totals.sql",
            "models/staging/stg_customers.sql",
            "models/staging/stg_orders.sql",
            "models/staging/_staging.yml",
            "models/staging/_staging.yml",
            "models/staging/_staging.yml",
            "models/staging/_staging.yml",
        ]
    );
    assert_eq!(
        ls(
            dir.path(),
            &["--resource-type", "analysis", "--output", "path"]
        ),
        ["analyses/country_report.sql"]
    );
}

#[test]
fn ls_json_output_is_one_object_per_node() {
    let dir = shop();
    let lines = ls(dir.path(), &["-s", "stg_orders", "--output", "json"]);
    let objs: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let ids: Vec<&str> = objs
        .iter()
        .map(|o| o["unique_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "model.cli_shop.stg_orders",
            "test.cli_shop.accepted_values_stg_orders_status__placed__shipped__returned.b52273e597",
            "test.cli_shop.not_null_stg_orders_order_id.81cfe2fe64",
        ]
    );
    let model = &objs[0];
    assert_eq!(model["name"], "stg_orders");
    assert_eq!(model["resource_type"], "model");
    assert_eq!(model["package_name"], "cli_shop");
    assert_eq!(model["original_file_path"], "models/staging/stg_orders.sql");
    assert_eq!(model["alias"], "stg_orders");
    assert_eq!(model["config"]["materialized"], "view");
    assert_eq!(strings(&model["tags"]), ["staging"]);
    assert_eq!(
        strings(&model["depends_on"]["nodes"]),
        ["source.cli_shop.shop.orders"]
    );
    assert_eq!(objs[2]["resource_type"], "test");
    assert_eq!(objs[2]["original_file_path"], "models/staging/_staging.yml");
    assert_eq!(
        strings(&objs[2]["depends_on"]["nodes"]),
        ["model.cli_shop.stg_orders"]
    );

    let src = ls(
        dir.path(),
        &[
            "--resource-type",
            "source",
            "--output",
            "json",
            "-s",
            "source:shop.orders",
        ],
    );
    assert_eq!(src.len(), 1);
    let src: Value = serde_json::from_str(&src[0]).unwrap();
    assert_eq!(src["unique_id"], "source.cli_shop.shop.orders");
    assert_eq!(src["source_name"], "shop");
    assert_eq!(src["original_file_path"], "models/staging/sources.yml");

    let keys = ls(
        dir.path(),
        &[
            "-s",
            "customers",
            "--resource-type",
            "model",
            "--output",
            "json",
            "--output-keys",
            "name",
            "unique_id",
        ],
    );
    assert_eq!(keys.len(), 1);
    let only: Value = serde_json::from_str(&keys[0]).unwrap();
    assert_eq!(
        only,
        serde_json::json!({"name": "customers", "unique_id": "model.cli_shop.customers"})
    );
}

#[test]
fn ls_select_by_name_includes_tests_eagerly() {
    let dir = shop();
    assert_eq!(
        ls(dir.path(), &["-s", "stg_orders", "--output", "name"]),
        [
            "stg_orders",
            "accepted_values_stg_orders_status__placed__shipped__returned",
            "not_null_stg_orders_order_id",
        ]
    );
    // Several criteria are a union.
    assert_eq!(
        ls(
            dir.path(),
            &[
                "-s",
                "tag:staging",
                "tag:finance",
                "--output",
                "name",
                "--resource-type",
                "model"
            ]
        ),
        ["order_totals", "orders", "stg_customers", "stg_orders"]
    );
}

#[test]
fn ls_select_by_tag_from_folder_and_model_config() {
    let dir = shop();
    assert_eq!(
        ls(dir.path(), &["-s", "tag:staging", "--output", "name"]),
        [
            "order_totals",
            "stg_customers",
            "stg_orders",
            "accepted_values_stg_orders_status__placed__shipped__returned",
            "not_null_stg_customers_customer_id",
            "not_null_stg_orders_order_id",
            "unique_stg_customers_customer_id",
        ]
    );
    // tags=['finance'] comes from config() in orders.sql.
    assert_eq!(
        ls(dir.path(), &["-s", "tag:finance", "--output", "name"]),
        [
            "orders",
            "relationships_orders_customer_id__customer_id__ref_customers_"
        ]
    );
}

#[test]
fn ls_select_by_path() {
    let dir = shop();
    assert_eq!(
        ls(dir.path(), &["-s", "path:models/marts", "--output", "name"]),
        [
            "finance_dashboard",
            "customers",
            "orders",
            "assert_totals_not_negative",
            "not_null_customers_customer_id",
            "relationships_orders_customer_id__customer_id__ref_customers_",
            "unique_customers_customer_id",
        ]
    );
}

#[test]
fn ls_graph_operators() {
    let dir = shop();
    assert_eq!(
        ls(
            dir.path(),
            &[
                "-s",
                "+customers",
                "--output",
                "name",
                "--resource-type",
                "model",
                "seed",
                "source"
            ]
        ),
        [
            "customers",
            "order_totals",
            "stg_customers",
            "stg_orders",
            "country_codes",
            "shop.customers",
            "shop.orders",
        ]
    );
    assert_eq!(
        ls(
            dir.path(),
            &[
                "-s",
                "1+customers",
                "--output",
                "name",
                "--resource-type",
                "model",
                "seed"
            ]
        ),
        [
            "customers",
            "order_totals",
            "stg_customers",
            "country_codes"
        ]
    );
    assert_eq!(
        ls(dir.path(), &["-s", "stg_orders+", "--output", "name"]),
        [
            "finance_dashboard",
            "customers",
            "order_totals",
            "orders",
            "stg_orders",
            "accepted_values_stg_orders_status__placed__shipped__returned",
            "assert_totals_not_negative",
            "not_null_customers_customer_id",
            "not_null_stg_orders_order_id",
            "relationships_orders_customer_id__customer_id__ref_customers_",
            "unique_customers_customer_id",
        ]
    );
    // @x: x, its descendants, and all their ancestors.
    assert_eq!(
        ls(
            dir.path(),
            &[
                "-s",
                "@stg_customers",
                "--output",
                "name",
                "--resource-type",
                "model",
                "seed",
                "source"
            ]
        ),
        [
            "customers",
            "order_totals",
            "orders",
            "stg_customers",
            "stg_orders",
            "country_codes",
            "shop.customers",
            "shop.orders",
        ]
    );
    assert_eq!(
        ls(
            dir.path(),
            &[
                "-s",
                "+exposure:finance_dashboard",
                "--output",
                "name",
                "--resource-type",
                "model"
            ]
        ),
        [
            "customers",
            "order_totals",
            "orders",
            "stg_customers",
            "stg_orders"
        ]
    );
}

#[test]
fn ls_select_by_config_intersection_and_exclude() {
    let dir = shop();
    assert_eq!(
        ls(
            dir.path(),
            &["-s", "config.materialized:table", "--output", "name"]
        ),
        [
            "customers",
            "orders",
            "assert_totals_not_negative",
            "not_null_customers_customer_id",
            "relationships_orders_customer_id__customer_id__ref_customers_",
            "unique_customers_customer_id",
        ]
    );
    assert_eq!(
        ls(
            dir.path(),
            &[
                "-s",
                "tag:staging,config.materialized:ephemeral",
                "--output",
                "name"
            ]
        ),
        ["order_totals"]
    );
    assert_eq!(
        ls(
            dir.path(),
            &[
                "-s",
                "tag:staging",
                "--exclude",
                "stg_customers",
                "--output",
                "name"
            ]
        ),
        [
            "order_totals",
            "stg_orders",
            "accepted_values_stg_orders_status__placed__shipped__returned",
            "not_null_stg_orders_order_id",
        ]
    );
}

#[test]
fn ls_select_by_test_type_and_source() {
    let dir = shop();
    assert_eq!(
        ls(
            dir.path(),
            &[
                "-s",
                "test_type:generic,path:models/marts",
                "--output",
                "name"
            ]
        ),
        [
            "not_null_customers_customer_id",
            "relationships_orders_customer_id__customer_id__ref_customers_",
            "unique_customers_customer_id",
        ]
    );
    assert_eq!(
        ls(
            dir.path(),
            &["-s", "test_type:singular", "--output", "name"]
        ),
        ["assert_totals_not_negative"]
    );
    assert_eq!(
        ls(
            dir.path(),
            &["-s", "source:shop.customers+", "--output", "name"]
        ),
        [
            "finance_dashboard",
            "customers",
            "stg_customers",
            "shop.customers",
            "assert_totals_not_negative",
            "not_null_customers_customer_id",
            "not_null_stg_customers_customer_id",
            "relationships_orders_customer_id__customer_id__ref_customers_",
            "unique_customers_customer_id",
            "unique_stg_customers_customer_id",
        ]
    );
    assert_eq!(
        ls(
            dir.path(),
            &[
                "-s",
                "source:shop",
                "--resource-type",
                "source",
                "--output",
                "name"
            ]
        ),
        ["shop.customers", "shop.orders"]
    );
    assert_eq!(
        ls(
            dir.path(),
            &["-s", "resource_type:exposure", "--output", "name"]
        ),
        ["finance_dashboard"]
    );
}

#[test]
fn ls_named_selectors_from_selectors_yml() {
    let dir = shop();
    // marts_models: tag:marts with indirect_selection: empty (no tests).
    assert_eq!(
        ls(
            dir.path(),
            &["--selector", "marts_models", "--output", "name"]
        ),
        ["customers", "orders"]
    );
    // orders_lineage: +orders, minus seeds.
    assert_eq!(
        ls(
            dir.path(),
            &[
                "--selector",
                "orders_lineage",
                "--resource-type",
                "model",
                "source",
                "seed"
            ]
        ),
        [
            "cli_shop.marts.orders",
            "cli_shop.staging.stg_orders",
            "source:cli_shop.shop.orders"
        ]
    );
}

#[test]
fn ls_unknown_method_is_a_usage_error() {
    let dir = shop();
    let r = xform(dir.path(), &["ls", "-s", "tga:staging"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing listed: {}", r.stdout);
    assert!(r.stderr.contains("tga"), "{}", r.stderr);
    assert!(r.stderr.contains("tag"), "{}", r.stderr);
}

#[test]
fn ls_unknown_selector_name_is_a_usage_error() {
    let dir = shop();
    let r = xform(dir.path(), &["ls", "--selector", "nope"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing listed: {}", r.stdout);
    for want in ["nope", "marts_models", "orders_lineage"] {
        assert!(r.stderr.contains(want), "missing `{want}`: {}", r.stderr);
    }
}

#[test]
fn ls_unknown_resource_type_is_a_usage_error() {
    let dir = shop();
    let r = xform(dir.path(), &["ls", "--resource-type", "bogus"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("bogus"), "{}", r.stderr);
}

#[test]
fn ls_criterion_matching_nothing_warns_and_succeeds() {
    let dir = shop();
    let r = xform(dir.path(), &["ls", "-s", "no_such_model"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(r.stderr.contains("no_such_model"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------
// compile
// ---------------------------------------------------------------------------------------

const CUSTOMERS_DUCKDB: &str = r#"with __dbt__cte__order_totals as (


select customer_id, sum(amount) as total_amount
from "shop"."main"."stg_orders"
group by customer_id
) select
    c.customer_id,
    c.name,
    cc.name as country,
    coalesce(t.total_amount, 0) as total_amount
from "shop"."main"."stg_customers" as c
left join __dbt__cte__order_totals as t on t.customer_id = c.customer_id
left join "shop"."main"."country_codes" as cc on cc.code = c.country_code"#;

#[test]
fn compile_one_model_prints_it_with_the_ephemeral_inlined() {
    let dir = shop();
    let r = run_ok(dir.path(), &["compile", "-s", "customers"]);
    // Byte-for-byte what dbt prints after "Compiled node 'customers' is:".
    assert_eq!(r.stdout, format!("{CUSTOMERS_DUCKDB}\n"));
    let file = dir
        .path()
        .join("target/compiled/cli_shop/models/marts/customers.sql");
    assert_eq!(std::fs::read_to_string(file).unwrap(), CUSTOMERS_DUCKDB);
}

#[test]
fn compile_writes_only_the_selected_model_and_its_tests() {
    let dir = shop();
    run_ok(dir.path(), &["compile", "-s", "customers", "-q"]);
    let files = files_under(&dir.path().join("target/compiled"));
    let must = [
        "cli_shop/models/marts/customers.sql",
        "cli_shop/models/marts/_marts.yml/not_null_customers_customer_id.sql",
        "cli_shop/models/marts/_marts.yml/unique_customers_customer_id.sql",
        "cli_shop/models/marts/_marts.yml/relationships_orders_customer_id__customer_id__ref_customers_.sql",
        "cli_shop/tests/assert_totals_not_negative.sql",
        // The ephemeral model inlined into customers is written too, as dbt does.
        "cli_shop/models/staging/order_totals.sql",
    ];
    for f in must {
        assert!(files.contains(f), "missing {f}; have {files:?}");
    }
    for f in [
        "cli_shop/models/marts/orders.sql",
        "cli_shop/models/staging/stg_customers.sql",
        "cli_shop/models/staging/stg_orders.sql",
        "cli_shop/models/staging/_staging.yml/not_null_stg_orders_order_id.sql",
        "cli_shop/analyses/country_report.sql",
    ] {
        assert!(!files.contains(f), "{f} was not selected; have {files:?}");
    }
    assert!(dir.path().join("target/manifest.json").is_file());
}

#[test]
fn compile_everything_writes_models_tests_and_analyses() {
    let dir = shop();
    let r = run_ok(dir.path(), &["compile", "-q"]);
    assert!(
        r.stdout.is_empty(),
        "no SQL printed without -s: {}",
        r.stdout
    );
    let compiled = dir.path().join("target/compiled/cli_shop");
    for f in [
        "models/marts/customers.sql",
        "models/marts/orders.sql",
        "models/staging/stg_customers.sql",
        "models/staging/stg_orders.sql",
        "models/staging/order_totals.sql",
        "analyses/country_report.sql",
        "tests/assert_totals_not_negative.sql",
    ] {
        assert!(compiled.join(f).is_file(), "missing {f}");
    }
    assert_eq!(
        std::fs::read_to_string(compiled.join("analyses/country_report.sql")).unwrap(),
        r#"select country, count(*) as n from "shop"."main"."customers" group by country"#
    );
    let m = read_json(&dir.path().join("target/manifest.json"));
    assert_eq!(
        m["nodes"]["model.cli_shop.customers"]["compiled_code"],
        CUSTOMERS_DUCKDB
    );
}

#[test]
fn compile_jinja_model_for_duckdb_and_bigquery() {
    let dir = shop();
    let file = dir
        .path()
        .join("target/compiled/cli_shop/models/marts/orders.sql");
    run_ok(dir.path(), &["compile", "-s", "orders", "-q"]);
    let duckdb = std::fs::read_to_string(&file).unwrap();
    // The config() line renders to nothing; dbt keeps the newlines after it.
    assert!(duckdb.starts_with("\n\nselect\n"), "{duckdb:?}");
    assert!(duckdb.ends_with("group by 1, 2"), "{duckdb:?}");
    insta::assert_snapshot!("orders_duckdb", duckdb);
    run_ok(
        dir.path(),
        &["compile", "-s", "orders", "-q", "--target", "bq"],
    );
    let bq = std::fs::read_to_string(&file).unwrap();
    assert!(
        bq.contains("from `shop-proj`.`shop_ds`.`stg_orders`"),
        "{bq}"
    );
    insta::assert_snapshot!("orders_bigquery", bq);
}

#[test]
fn compile_inline_prints_resolved_sql() {
    let dir = shop();
    let r = run_ok(
        dir.path(),
        &[
            "compile",
            "--inline",
            "select * from {{ ref('customers') }} where total_amount > {{ var('min_amount') }}",
        ],
    );
    assert_eq!(
        r.stdout,
        "select * from \"shop\".\"main\".\"customers\" where total_amount > 5\n"
    );
    let r = xform(
        dir.path(),
        &["compile", "--inline", "select * from {{ ref('nope') }}"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("nope"), "{}", r.stderr);
}

#[test]
fn compile_vars_override_project_vars() {
    let dir = shop();
    let r = run_ok(
        dir.path(),
        &[
            "compile",
            "-s",
            "stg_orders",
            "-q",
            "--vars",
            "{min_amount: 42}",
        ],
    );
    assert_eq!(
        r.stdout,
        "select id as order_id, customer_id, status, amount\nfrom \"shop\".\"main_raw\".\"raw_orders\"\nwhere amount >= 42\n"
    );
    let r = run_ok(
        dir.path(),
        &[
            "compile",
            "-s",
            "orders",
            "-q",
            "--vars",
            r#"{"statuses": ["lost"]}"#,
        ],
    );
    assert!(r.stdout.contains("as lost_amount,"), "{}", r.stdout);
    assert!(!r.stdout.contains("placed_amount"), "{}", r.stdout);
    // Without --vars the project's value is used.
    let r = run_ok(dir.path(), &["compile", "-s", "stg_orders", "-q"]);
    assert!(r.stdout.ends_with("where amount >= 5\n"), "{}", r.stdout);
}

#[test]
fn compile_bad_vars_is_a_usage_error() {
    let dir = shop();
    let r = xform(
        dir.path(),
        &["compile", "-s", "stg_orders", "--vars", "{min_amount: "],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--vars"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(!dir.path().join("target/compiled").exists());
}

// ---------------------------------------------------------------------------------------
// debug and secrets
// ---------------------------------------------------------------------------------------

#[test]
fn debug_shows_the_resolved_target() {
    let dir = shop();
    let r = run_ok(dir.path(), &["debug"]);
    for want in [
        "project: cli_shop",
        "profile: cli_shop",
        "target: dev",
        "type: duckdb",
        "schema: main",
        "shop.duckdb",
    ] {
        assert!(r.stdout.contains(want), "missing `{want}`:\n{}", r.stdout);
    }
}

#[test]
fn debug_bigquery_target_never_prints_the_key() {
    let dir = shop();
    let r = run_ok(dir.path(), &["debug", "--target", "bq"]);
    for want in [
        "target: bq",
        "type: bigquery",
        "shop_ds",
        "service-account-json",
    ] {
        assert!(r.stdout.contains(want), "missing `{want}`:\n{}", r.stdout);
    }
    assert!(!r.stdout.contains(BQ_SECRET), "{}", r.stdout);
    assert!(!r.stderr.contains(BQ_SECRET), "{}", r.stderr);
    assert!(!r.stdout.contains("BEGIN PRIVATE"), "{}", r.stdout);
}

#[test]
fn compile_and_errors_on_bigquery_never_print_the_key() {
    let dir = shop();
    let runs = [
        xform(dir.path(), &["compile", "--target", "bq", "-s", "orders"]),
        xform(dir.path(), &["compile", "--target", "bq"]),
        xform(
            dir.path(),
            &["compile", "--target", "bq", "--inline", "{{ ref('nope') }}"],
        ),
        xform(
            dir.path(),
            &["compile", "--target", "bq", "--selector", "nope"],
        ),
        xform(
            dir.path(),
            &[
                "compile",
                "--target",
                "bq",
                "--log-format",
                "json",
                "-s",
                "tga:x",
            ],
        ),
    ];
    for (i, r) in runs.iter().enumerate() {
        assert!(
            !r.stdout.contains(BQ_SECRET),
            "run {i} stdout: {}",
            r.stdout
        );
        assert!(
            !r.stderr.contains(BQ_SECRET),
            "run {i} stderr: {}",
            r.stderr
        );
    }
    assert_eq!(runs[0].code, 0);
    assert_eq!(runs[1].code, 0);
    assert_eq!(runs[2].code, 2);
    assert_eq!(runs[3].code, 2);
    assert_eq!(runs[4].code, 2);
    for f in files_under(&dir.path().join("target")) {
        let text = std::fs::read_to_string(dir.path().join("target").join(&f)).unwrap();
        assert!(!text.contains(BQ_SECRET), "secret in target/{f}");
    }
}

#[test]
fn json_log_format_prints_only_json_lines() {
    let dir = shop();
    let runs = [
        (0, xform(dir.path(), &["--log-format", "json", "parse"])),
        (0, xform(dir.path(), &["compile", "--log-format", "json"])),
        (
            0,
            xform(
                dir.path(),
                &["compile", "--log-format", "json", "-s", "no_such"],
            ),
        ),
        (
            2,
            xform(
                dir.path(),
                &[
                    "compile",
                    "--log-format",
                    "json",
                    "--inline",
                    "{{ ref('nope') }}",
                ],
            ),
        ),
        (
            2,
            xform(
                dir.path(),
                &["ls", "--log-format", "json", "--selector", "nope"],
            ),
        ),
    ];
    for (code, r) in &runs {
        assert_eq!(r.code, *code, "{}{}", r.stdout, r.stderr);
        assert!(!r.stdout.is_empty(), "something is logged");
        for line in stdout_lines(r) {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {line}\n{}", r.stdout));
            assert!(v["info"]["level"].is_string(), "no info.level: {line}");
            assert!(v["info"]["msg"].is_string(), "no info.msg: {line}");
        }
    }
    let errors: Vec<Value> = stdout_lines(&runs[3].1)
        .into_iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &Value| v["info"]["level"] == "error")
        .collect();
    assert!(!errors.is_empty(), "{}", runs[3].1.stdout);
    assert!(errors[0]["info"]["msg"].as_str().unwrap().contains("nope"));
}

// ---------------------------------------------------------------------------------------
// clean
// ---------------------------------------------------------------------------------------

#[test]
fn clean_deletes_the_clean_targets_only() {
    let dir = shop();
    run_ok(dir.path(), &["compile", "-q"]);
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    std::fs::write(dir.path().join("logs/dbt.log"), "x").unwrap();
    assert!(dir.path().join("target/manifest.json").is_file());
    run_ok(dir.path(), &["clean"]);
    assert!(!dir.path().join("target").exists());
    assert!(!dir.path().join("logs").exists());
    for kept in [
        "dbt_project.yml",
        "profiles.yml",
        "selectors.yml",
        "models/marts/customers.sql",
        "seeds/country_codes.csv",
        "tests/assert_totals_not_negative.sql",
    ] {
        assert!(dir.path().join(kept).is_file(), "{kept} was deleted");
    }
    // Nothing to delete is fine.
    run_ok(dir.path(), &["clean"]);
}

#[test]
fn clean_refuses_a_target_outside_the_project() {
    let root = tempfile::tempdir().unwrap();
    let project = root.path().join("project");
    common::copy_dir(&common::fixtures().join("cli_shop"), &project);
    let outside = root.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("keep.txt"), "precious").unwrap();
    let yml = project.join("dbt_project.yml");
    let text = std::fs::read_to_string(&yml).unwrap().replace(
        r#"clean-targets: ["target", "logs"]"#,
        r#"clean-targets: ["../outside"]"#,
    );
    assert!(text.contains("../outside"));
    std::fs::write(&yml, text).unwrap();

    let r = xform(&project, &["clean"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("../outside"), "{}", r.stderr);
    assert!(
        outside.join("keep.txt").is_file(),
        "outside dir was deleted"
    );
}

#[test]
fn clean_refuses_source_folders_and_deletes_nothing_when_any_target_is_bad() {
    let dir = shop();
    std::fs::create_dir_all(dir.path().join("target")).unwrap();
    let project = dir.path().join("dbt_project.yml");
    let text = std::fs::read_to_string(&project).unwrap();
    let start = text
        .find("clean-targets")
        .expect("fixture sets clean-targets");
    let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
    let patched = format!(
        "{}clean-targets: [\"target\", \"models\"]{}",
        &text[..start],
        &text[end..]
    );
    std::fs::write(&project, patched).unwrap();
    let r = xform(dir.path(), &["clean"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("refusing to clean `models`"),
        "{}",
        r.stderr
    );
    assert!(dir.path().join("models").is_dir(), "source folder survived");
    assert!(
        dir.path().join("target").is_dir(),
        "nothing deleted when a target is refused"
    );
}

#[test]
fn misspelt_selector_method_gets_a_suggestion() {
    let dir = shop();
    let r = xform(dir.path(), &["ls", "-s", "tga:staging"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `tag`?"), "{}", r.stderr);
}

#[test]
fn glob_in_a_bare_name_selects_models() {
    let dir = shop();
    let got = ls(dir.path(), &["-s", "stg_*", "--resource-type", "model"]);
    assert_eq!(
        got,
        vec![
            "cli_shop.staging.stg_customers",
            "cli_shop.staging.stg_orders"
        ]
    );
}

#[test]
fn json_log_format_wraps_ls_output_in_events() {
    let dir = shop();
    let r = run_ok(
        dir.path(),
        &[
            "ls",
            "--log-format",
            "json",
            "-s",
            "stg_orders",
            "--resource-type",
            "model",
        ],
    );
    let events: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(events.len(), 1, "{}", r.stdout);
    assert_eq!(events[0]["info"]["name"], "ListCmdOut");
    assert_eq!(events[0]["info"]["msg"], "cli_shop.staging.stg_orders");
}
