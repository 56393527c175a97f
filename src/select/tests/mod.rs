//! A small shop project graph + selection arguments -> the exact node names dbt would select.

use serde_json::json;

use super::*;
use crate::node::{Node, ResourceType, SourceInfo, TestMetadata};

use IndirectSelection::{Buildable, Cautious, Eager, Empty};

struct B(Node);

impl B {
    fn new(rt: ResourceType, pkg: &str, name: &str, file: &str, fqn: &[&str]) -> B {
        let prefix = rt.as_str();
        let mut n = Node::new(rt, pkg, name, format!("{prefix}.{pkg}.{name}"));
        n.origin.file = file.into();
        n.fqn = fqn.iter().map(|s| s.to_string()).collect();
        B(n)
    }
    fn deps(mut self, deps: &[&str]) -> B {
        self.0.depends_on = deps.iter().map(|s| s.to_string()).collect();
        self
    }
    fn cfg(mut self, key: &str, v: serde_json::Value) -> B {
        self.0.config.insert(key.into(), v);
        self
    }
    fn generic(mut self, test: &str, namespace: Option<&str>) -> B {
        self.0.test_metadata = Some(TestMetadata {
            name: test.into(),
            namespace: namespace.map(str::to_string),
            kwargs: Default::default(),
            column_name: None,
            attached_node: self.0.depends_on.first().cloned(),
        });
        self
    }
    fn source(mut self, source_name: &str) -> B {
        self.0.unique_id = format!(
            "source.{}.{source_name}.{}",
            self.0.package_name, self.0.name
        );
        self.0.source = Some(SourceInfo {
            source_name: source_name.into(),
            ..Default::default()
        });
        self
    }
}

fn graph() -> Graph {
    use ResourceType::*;
    let m = |n: &str| format!("model.shop.{n}");
    let nodes = vec![
        B::new(
            Source,
            "shop",
            "orders",
            "models/sources.yml",
            &["shop", "raw", "orders"],
        )
        .source("raw")
        .cfg("tags", json!(["raw"])),
        B::new(
            Source,
            "shop",
            "customers",
            "models/sources.yml",
            &["shop", "raw", "customers"],
        )
        .source("raw"),
        B::new(
            Source,
            "shop",
            "clicks",
            "models/sources.yml",
            &["shop", "events", "clicks"],
        )
        .source("events"),
        B::new(
            Seed,
            "shop",
            "countries",
            "seeds/countries.csv",
            &["shop", "countries"],
        ),
        B::new(
            Model,
            "shop",
            "stg_orders",
            "models/staging/stg_orders.sql",
            &["shop", "staging", "stg_orders"],
        )
        .deps(&["source.shop.raw.orders"])
        .cfg("tags", json!(["nightly"])),
        B::new(
            Model,
            "shop",
            "stg_customers",
            "models/staging/stg_customers.sql",
            &["shop", "staging", "stg_customers"],
        )
        .deps(&["source.shop.raw.customers"])
        .cfg("tags", json!(["nightly", "pii"])),
        B::new(
            Model,
            "shop",
            "int_orders",
            "models/intermediate/int_orders.sql",
            &["shop", "intermediate", "int_orders"],
        )
        .deps(&[&m("stg_orders"), &m("stg_customers")])
        .cfg("materialized", json!("ephemeral")),
        B::new(
            Model,
            "shop",
            "fct_orders",
            "models/marts/core/fct_orders.sql",
            &["shop", "marts", "core", "fct_orders"],
        )
        .deps(&[&m("int_orders"), "seed.shop.countries"])
        .cfg("materialized", json!("table"))
        .cfg("tags", json!("nightly"))
        .cfg("schema", json!("core"))
        .cfg("group", json!("finance"))
        .cfg("access", json!("public"))
        .cfg("contract", json!({"enforced": true})),
        B::new(
            Model,
            "shop",
            "dim_customers",
            "models/marts/core/dim_customers.sql",
            &["shop", "marts", "core", "dim_customers"],
        )
        .deps(&[&m("stg_customers")])
        .cfg("materialized", json!("incremental")),
        B::new(
            Model,
            "shop",
            "disabled_model",
            "models/staging/disabled_model.sql",
            &["shop", "staging", "disabled_model"],
        )
        .deps(&[&m("stg_orders")])
        .cfg("enabled", json!(false))
        .cfg("tags", json!(["nightly"])),
        B::new(
            Snapshot,
            "shop",
            "orders_snapshot",
            "snapshots/orders_snapshot.sql",
            &["shop", "orders_snapshot"],
        )
        .deps(&["source.shop.raw.orders"]),
        B::new(
            Analysis,
            "shop",
            "explore",
            "analyses/explore.sql",
            &["shop", "analysis", "explore"],
        )
        .deps(&[&m("fct_orders")]),
        B::new(
            Model,
            "utils",
            "util_dates",
            "dbt_packages/utils/models/util_dates.sql",
            &["utils", "util_dates"],
        ),
        B::new(
            Test,
            "shop",
            "not_null_stg_orders_id",
            "models/staging/schema.yml",
            &["shop", "staging", "not_null_stg_orders_id"],
        )
        .deps(&[&m("stg_orders")])
        .generic("not_null", None),
        B::new(
            Test,
            "shop",
            "accepted_values_stg_customers_status",
            "models/staging/schema.yml",
            &["shop", "staging", "accepted_values_stg_customers_status"],
        )
        .deps(&[&m("stg_customers")])
        .generic("accepted_values", None)
        .cfg("tags", json!(["pii"])),
        B::new(
            Test,
            "shop",
            "unique_fct_orders_id",
            "models/marts/core/_core.yml",
            &["shop", "marts", "core", "unique_fct_orders_id"],
        )
        .deps(&[&m("fct_orders")])
        .generic("unique", None)
        .cfg("limit", json!(10)),
        B::new(
            Test,
            "shop",
            "relationships_fct_orders_customer_id",
            "models/marts/core/_core.yml",
            &[
                "shop",
                "marts",
                "core",
                "relationships_fct_orders_customer_id",
            ],
        )
        .deps(&[&m("fct_orders"), &m("dim_customers")])
        .generic("relationships", None)
        .cfg("severity", json!("warn")),
        B::new(
            Test,
            "shop",
            "expression_is_true_fct_orders",
            "models/marts/core/_core.yml",
            &["shop", "marts", "core", "expression_is_true_fct_orders"],
        )
        .deps(&[&m("fct_orders")])
        .generic("expression_is_true", Some("dbt_utils")),
        B::new(
            Test,
            "shop",
            "assert_positive_total",
            "tests/assert_positive_total.sql",
            &["shop", "assert_positive_total"],
        )
        .deps(&[&m("fct_orders")]),
        B::new(
            Test,
            "shop",
            "assert_int_matches_stg",
            "tests/assert_int_matches_stg.sql",
            &["shop", "assert_int_matches_stg"],
        )
        .deps(&[&m("int_orders"), &m("stg_orders")]),
        B::new(
            Test,
            "shop",
            "source_not_null_raw_orders_id",
            "models/sources.yml",
            &["shop", "source_not_null_raw_orders_id"],
        )
        .deps(&["source.shop.raw.orders"])
        .generic("not_null", None),
        B::new(
            Exposure,
            "shop",
            "weekly_report",
            "models/exposures.yml",
            &["shop", "weekly_report"],
        )
        .deps(&[&m("fct_orders")]),
        B::new(
            UnitTest,
            "shop",
            "test_totals",
            "models/marts/core/_unit.yml",
            &["shop", "marts", "core", "fct_orders", "test_totals"],
        )
        .deps(&[&m("fct_orders")]),
    ];
    Graph::new(nodes.into_iter().map(|b| b.0).collect())
}

fn selectors() -> serde_json::Value {
    json!({"selectors": [
        {"name": "staging_no_pii", "definition": {"union": [
            {"method": "fqn", "value": "staging.*"},
            {"exclude": [{"tag": "pii"}]}
        ]}},
        {"name": "core_plus", "description": "fct_orders and its direct parents", "definition": {
            "method": "fqn", "value": "fct_orders", "parents": true, "parents_depth": 1,
            "indirect_selection": "empty"
        }},
        {"name": "nested", "definition": {"intersection": [
            {"union": ["tag:nightly", "countries"]},
            {"method": "resource_type", "value": "model"},
            {"exclude": ["stg_customers"]}
        ]}},
        {"name": "ref", "definition": {"method": "selector", "value": "core_plus"}},
        {"name": "default_sel", "default": true, "definition": "tag:nightly"},
        {"name": "cli_set", "definition": "stg_orders countries,resource_type:seed"},
        {"name": "at_dim", "definition": {"method": "fqn", "value": "dim_customers", "childrens_parents": true}},
        {"name": "kids", "definition": {"method": "fqn", "value": "stg_customers", "children": true, "children_depth": 1}},
        {"name": "with_exclude", "definition": {"method": "tag", "value": "nightly", "exclude": ["stg_orders"]}}
    ]})
}

fn args(select: &[&str], exclude: &[&str], indirect: IndirectSelection) -> SelectionArgs {
    SelectionArgs {
        select: select.iter().map(|s| s.to_string()).collect(),
        exclude: exclude.iter().map(|s| s.to_string()).collect(),
        selector: None,
        selectors: Some(selectors()),
        indirect,
        root_project: "shop".into(),
    }
}

fn names(g: &Graph, sel: &Selection) -> Vec<String> {
    let mut v: Vec<String> = sel.nodes.iter().map(|&i| g.nodes[i].name.clone()).collect();
    v.sort();
    v
}

fn run(a: &SelectionArgs) -> Vec<String> {
    let g = graph();
    match select(&g, a) {
        Ok(sel) => names(&g, &sel),
        Err(e) => panic!("{e}"),
    }
}

/// Selects `s` (exclude nothing) in `mode` and returns sorted names.
fn sel(s: &str, mode: IndirectSelection) -> Vec<String> {
    run(&args(&[s], &[], mode))
}

fn err(a: &SelectionArgs) -> String {
    match select(&graph(), a) {
        Ok(sel) => panic!("expected an error, selected {:?}", sel.nodes),
        Err(e) => e.to_string(),
    }
}

fn sel_err(s: &str) -> String {
    err(&args(&[s], &[], Eager))
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

macro_rules! check {
    ($sel:expr, $mode:expr, [$($n:expr),* $(,)?]) => {
        assert_eq!(sel($sel, $mode), sorted(&[$($n),*]), "selecting `{}`", $sel);
    };
}

#[test]
fn bare_names_and_fqn() {
    check!("stg_orders", Empty, ["stg_orders"]);
    check!("fct_orders", Empty, ["fct_orders"]);
    check!("fqn:fct_orders", Empty, ["fct_orders"]);
    check!(
        "staging.*",
        Empty,
        [
            "stg_orders",
            "stg_customers",
            "not_null_stg_orders_id",
            "accepted_values_stg_customers_status"
        ]
    );
    check!(
        "staging",
        Empty,
        [
            "stg_orders",
            "stg_customers",
            "not_null_stg_orders_id",
            "accepted_values_stg_customers_status"
        ]
    );
    check!("shop.staging.stg_*", Empty, ["stg_customers", "stg_orders"]);
    check!("staging.stg_[o]*", Empty, ["stg_orders"]);
    check!("staging.stg_?rders", Empty, ["stg_orders"]);
    check!(
        "marts.core.*",
        Empty,
        [
            "dim_customers",
            "fct_orders",
            "unique_fct_orders_id",
            "relationships_fct_orders_customer_id",
            "expression_is_true_fct_orders",
            "test_totals"
        ]
    );
    check!("utils.*", Empty, ["util_dates"]);
    check!("countries", Empty, ["countries"]);
    check!("orders_snapshot", Empty, ["orders_snapshot"]);
    check!("explore", Empty, ["explore"]);
    // Sources and exposures are not found by name, as in dbt.
    check!("weekly_report", Empty, []);
    check!("orders", Empty, []);
    // Disabled nodes are never selected.
    check!("disabled_model", Empty, []);
}

#[test]
fn tag_source_resource_type_package() {
    check!(
        "tag:nightly",
        Empty,
        ["fct_orders", "stg_customers", "stg_orders"]
    );
    check!(
        "tag:p*",
        Empty,
        ["stg_customers", "accepted_values_stg_customers_status"]
    );
    check!("tag:raw", Empty, ["orders"]);
    check!("source:raw", Empty, ["customers", "orders"]);
    check!("source:raw.orders", Empty, ["orders"]);
    check!("source:*.clicks", Empty, ["clicks"]);
    check!("source:shop.raw.cust*", Empty, ["customers"]);
    check!("source:other.raw.*", Empty, []);
    check!("resource_type:seed", Empty, ["countries"]);
    check!("resource_type:snapshot", Empty, ["orders_snapshot"]);
    check!("resource_type:exposure", Empty, ["weekly_report"]);
    check!("resource_type:analysis", Empty, ["explore"]);
    check!("resource_type:unit_test", Empty, ["test_totals"]);
    check!(
        "resource_type:source",
        Empty,
        ["clicks", "customers", "orders"]
    );
    check!("resource_type:metric", Empty, []);
    check!("package:utils", Empty, ["util_dates"]);
    check!("package:util*", Empty, ["util_dates"]);
    check!("package:this,resource_type:seed", Empty, ["countries"]);
    check!(
        "package:shop,resource_type:model",
        Empty,
        [
            "dim_customers",
            "fct_orders",
            "int_orders",
            "stg_customers",
            "stg_orders"
        ]
    );
}

#[test]
fn config_methods() {
    check!("config.materialized:table", Empty, ["fct_orders"]);
    check!("config.materialized:incremental", Empty, ["dim_customers"]);
    check!("config.materialized:ephemeral", Empty, ["int_orders"]);
    // Unset materializations use dbt's defaults.
    check!(
        "config.materialized:view",
        Empty,
        ["explore", "stg_customers", "stg_orders", "util_dates"]
    );
    check!("config.materialized:seed", Empty, ["countries"]);
    check!(
        "config.tags:pii",
        Empty,
        ["stg_customers", "accepted_values_stg_customers_status"]
    );
    check!("config.schema:core", Empty, ["fct_orders"]);
    check!("config.contract.enforced:true", Empty, ["fct_orders"]);
    check!("config.contract.enforced:True", Empty, ["fct_orders"]);
    check!("config.contract.enforced:false", Empty, []);
    check!("config.enabled:false", Empty, []);
    check!(
        "config.severity:WARN",
        Empty,
        ["relationships_fct_orders_customer_id"]
    );
    check!("config.limit:10", Empty, ["unique_fct_orders_id"]);
    check!("config.materialized:tab*", Empty, []);
}

#[test]
fn test_methods() {
    check!(
        "test_type:generic",
        Empty,
        [
            "not_null_stg_orders_id",
            "accepted_values_stg_customers_status",
            "unique_fct_orders_id",
            "relationships_fct_orders_customer_id",
            "expression_is_true_fct_orders",
            "source_not_null_raw_orders_id",
        ]
    );
    check!(
        "test_type:singular",
        Empty,
        ["assert_int_matches_stg", "assert_positive_total"]
    );
    check!(
        "test_type:data",
        Empty,
        ["assert_int_matches_stg", "assert_positive_total"]
    );
    check!("test_type:unit", Empty, ["test_totals"]);
    check!(
        "test_name:not_null",
        Empty,
        ["not_null_stg_orders_id", "source_not_null_raw_orders_id"]
    );
    check!(
        "test_name:accepted_values",
        Empty,
        ["accepted_values_stg_customers_status"]
    );
    check!(
        "test_name:expression_is_true",
        Empty,
        ["expression_is_true_fct_orders"]
    );
    check!(
        "test_name:dbt_utils.expression_is_true",
        Empty,
        ["expression_is_true_fct_orders"]
    );
    check!("test_name:un*", Empty, ["unique_fct_orders_id"]);
    // dbt's test_name: also matches unit tests by their own name.
    check!("test_name:test_tot*", Empty, ["test_totals"]);
    check!("unit_test:test_totals", Empty, ["test_totals"]);
    check!("unit_test:test_*", Empty, ["test_totals"]);
}

#[test]
fn path_file_exposure_group_access() {
    check!(
        "path:models/staging",
        Empty,
        [
            "stg_orders",
            "stg_customers",
            "not_null_stg_orders_id",
            "accepted_values_stg_customers_status"
        ]
    );
    check!(
        "path:models/staging/",
        Empty,
        [
            "stg_orders",
            "stg_customers",
            "not_null_stg_orders_id",
            "accepted_values_stg_customers_status"
        ]
    );
    check!("path:models/staging/stg_orders.sql", Empty, ["stg_orders"]);
    check!(
        "path:./models/staging/stg_orders.sql",
        Empty,
        ["stg_orders"]
    );
    check!("path:models/marts/*/fct_*.sql", Empty, ["fct_orders"]);
    check!(
        "path:models/*/stg_*",
        Empty,
        ["stg_customers", "stg_orders"]
    );
    check!(
        "path:models/**/_core.yml",
        Empty,
        [
            "unique_fct_orders_id",
            "relationships_fct_orders_customer_id",
            "expression_is_true_fct_orders"
        ]
    );
    check!("path:seeds", Empty, ["countries"]);
    check!("path:models/stag", Empty, []);
    // A bare value with a slash is a path.
    check!(
        "models/marts",
        Empty,
        [
            "fct_orders",
            "dim_customers",
            "unique_fct_orders_id",
            "relationships_fct_orders_customer_id",
            "expression_is_true_fct_orders",
            "test_totals"
        ]
    );
    check!("file:stg_orders.sql", Empty, ["stg_orders"]);
    check!("file:stg_orders", Empty, ["stg_orders"]);
    check!("file:countries.csv", Empty, ["countries"]);
    check!(
        "file:assert_*",
        Empty,
        ["assert_int_matches_stg", "assert_positive_total"]
    );
    // A bare value ending in .sql / .csv is a file name.
    check!("stg_orders.sql", Empty, ["stg_orders"]);
    check!("countries.csv", Empty, ["countries"]);
    check!("exposure:weekly_report", Empty, ["weekly_report"]);
    check!("exposure:shop.weekly*", Empty, ["weekly_report"]);
    check!("exposure:*", Empty, ["weekly_report"]);
    check!("group:finance", Empty, ["fct_orders"]);
    check!("access:public", Empty, ["fct_orders"]);
    check!(
        "access:protected",
        Empty,
        [
            "dim_customers",
            "int_orders",
            "stg_customers",
            "stg_orders",
            "util_dates"
        ]
    );
}

#[test]
fn graph_operators() {
    check!(
        "+fct_orders",
        Empty,
        [
            "fct_orders",
            "int_orders",
            "stg_orders",
            "stg_customers",
            "orders",
            "customers",
            "countries"
        ]
    );
    check!(
        "1+fct_orders",
        Empty,
        ["fct_orders", "int_orders", "countries"]
    );
    check!(
        "2+fct_orders",
        Empty,
        [
            "fct_orders",
            "int_orders",
            "countries",
            "stg_orders",
            "stg_customers"
        ]
    );
    check!("0+fct_orders", Empty, ["fct_orders"]);
    let downstream_of_stg_customers = [
        "stg_customers",
        "int_orders",
        "dim_customers",
        "accepted_values_stg_customers_status",
        "assert_int_matches_stg",
        "fct_orders",
        "relationships_fct_orders_customer_id",
        "explore",
        "unique_fct_orders_id",
        "expression_is_true_fct_orders",
        "assert_positive_total",
        "weekly_report",
        "test_totals",
    ];
    assert_eq!(
        sel("stg_customers+", Empty),
        sorted(&downstream_of_stg_customers)
    );
    check!(
        "stg_customers+1",
        Empty,
        [
            "stg_customers",
            "int_orders",
            "dim_customers",
            "accepted_values_stg_customers_status"
        ]
    );
    check!(
        "1+stg_customers+1",
        Empty,
        [
            "customers",
            "stg_customers",
            "int_orders",
            "dim_customers",
            "accepted_values_stg_customers_status"
        ]
    );
    let mut at = downstream_of_stg_customers.to_vec();
    at.extend(["stg_orders", "orders", "customers", "countries"]);
    assert_eq!(sel("@stg_customers", Empty), sorted(&at));
    check!("+tag:raw", Empty, ["orders"]);
    check!(
        "source:raw.customers+1",
        Empty,
        ["customers", "stg_customers"]
    );
    // Walks never pass through disabled nodes.
    check!(
        "stg_orders+1",
        Empty,
        [
            "stg_orders",
            "int_orders",
            "not_null_stg_orders_id",
            "assert_int_matches_stg"
        ]
    );
}

#[test]
fn union_intersection_exclude() {
    check!(
        "tag:nightly,config.materialized:table",
        Empty,
        ["fct_orders"]
    );
    check!("stg_orders countries", Empty, ["countries", "stg_orders"]);
    assert_eq!(
        run(&args(&["stg_orders", "countries"], &[], Empty)),
        sorted(&["countries", "stg_orders"])
    );
    check!(
        "tag:nightly,resource_type:model,staging.*",
        Empty,
        ["stg_customers", "stg_orders"]
    );
    assert_eq!(
        run(&args(&["tag:nightly"], &["stg_customers"], Empty)),
        sorted(&["fct_orders", "stg_orders"])
    );
    assert_eq!(
        run(&args(&["+fct_orders"], &["source:*", "tag:pii"], Empty)),
        sorted(&["fct_orders", "int_orders", "stg_orders", "countries"])
    );
    // Intersections expand tests per atom, so the tests of the intersection survive.
    check!(
        "tag:nightly,config.materialized:table",
        Eager,
        [
            "fct_orders",
            "unique_fct_orders_id",
            "relationships_fct_orders_customer_id",
            "expression_is_true_fct_orders",
            "assert_positive_total",
            "test_totals",
        ]
    );
}

#[test]
fn no_select_means_everything() {
    let g = graph();
    let all = select(&g, &SelectionArgs::default()).unwrap_or_default();
    assert_eq!(all.nodes.len(), g.len() - 1, "all but the disabled model");
    // With only --exclude, everything else.
    let a = SelectionArgs {
        exclude: vec!["tag:nightly".into()],
        ..SelectionArgs::default()
    };
    let rest = names(&g, &select(&g, &a).unwrap_or_default());
    for gone in [
        "stg_orders",
        "fct_orders",
        "not_null_stg_orders_id",
        "unique_fct_orders_id",
    ] {
        assert!(
            !rest.contains(&gone.to_string()),
            "{gone} should be excluded"
        );
    }
    assert!(rest.contains(&"dim_customers".to_string()));
    // 3 nightly models + 8 tests with one of them as a parent.
    assert_eq!(rest.len(), g.len() - 1 - 11);
}

#[test]
fn indirect_selection_modes() {
    check!(
        "dim_customers",
        Eager,
        ["dim_customers", "relationships_fct_orders_customer_id"]
    );
    check!("dim_customers", Cautious, ["dim_customers"]);
    check!("dim_customers", Buildable, ["dim_customers"]);
    check!("dim_customers", Empty, ["dim_customers"]);
    // Cautious: a test joins once all its parents are in the union.
    check!(
        "dim_customers fct_orders",
        Cautious,
        [
            "dim_customers",
            "fct_orders",
            "relationships_fct_orders_customer_id",
            "unique_fct_orders_id",
            "expression_is_true_fct_orders",
            "assert_positive_total",
            "test_totals",
        ]
    );
    // assert_int_matches_stg depends on int_orders and stg_orders (an ancestor of int_orders).
    check!(
        "int_orders",
        Eager,
        ["int_orders", "assert_int_matches_stg"]
    );
    check!("int_orders", Cautious, ["int_orders"]);
    check!(
        "int_orders",
        Buildable,
        ["int_orders", "assert_int_matches_stg"]
    );
    check!("int_orders", Empty, ["int_orders"]);
    // Buildable counts sources as built.
    check!(
        "stg_orders",
        Buildable,
        ["stg_orders", "not_null_stg_orders_id"]
    );
    check!("fct_orders", Empty, ["fct_orders"]);
}

#[test]
fn excluded_tests_stay_excluded() {
    assert_eq!(
        run(&args(&["fct_orders"], &["unique_fct_orders_id"], Eager)),
        sorted(&[
            "fct_orders",
            "relationships_fct_orders_customer_id",
            "expression_is_true_fct_orders",
            "assert_positive_total",
            "test_totals",
        ])
    );
    // Excluding a model also excludes its tests (exclusions expand eagerly).
    assert_eq!(
        run(&args(&["stg_customers+"], &["fct_orders"], Eager)),
        sorted(&[
            "stg_customers",
            "int_orders",
            "dim_customers",
            "accepted_values_stg_customers_status",
            "assert_int_matches_stg",
            "explore",
            "weekly_report",
        ])
    );
    assert_eq!(
        run(&args(&["stg_customers+"], &["fct_orders"], Cautious)),
        sorted(&[
            "stg_customers",
            "int_orders",
            "dim_customers",
            "accepted_values_stg_customers_status",
            "assert_int_matches_stg",
            "explore",
            "weekly_report",
        ])
    );
}

#[test]
fn unmatched_items_are_reported() {
    let g = graph();
    let a = args(
        &["stg_orders nope", "tag:zzz,stg_orders"],
        &["ghost"],
        Empty,
    );
    let sel = select(&g, &a).unwrap_or_default();
    assert_eq!(names(&g, &sel), vec!["stg_orders".to_string()]);
    assert_eq!(sel.unmatched, vec!["nope", "tag:zzz,stg_orders", "ghost"]);
}

mod selectors_yml;
