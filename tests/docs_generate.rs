//! `xform docs generate` on DuckDB: catalog.json lists the built relations with their
//! kinds, columns, types and positions as dbt's catalog does, next to the manifest and the
//! column lineage; before anything is built it leaves no database file behind.
#![cfg(feature = "duckdb")]

mod common;

use common::write;
use serde_json::{Value, json};

#[test]
fn docs_generate_writes_the_catalog_of_built_relations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    write(
        p,
        "dbt_project.yml",
        "name: shop\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: shop\n",
    );
    write(
        p,
        "profiles.yml",
        "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n",
    );
    write(p, "seeds/raw_orders.csv", "id,amount\n1,10\n2,5\n");
    write(
        p,
        "models/stg_orders.sql",
        "select id as order_id, amount from {{ ref('raw_orders') }}",
    );
    write(
        p,
        "models/totals.sql",
        "{{ config(materialized='table') }}\nselect count(*) as orders, sum(amount) as total from {{ ref('stg_orders') }}",
    );

    let r = common::xform(p, &["docs", "generate", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        !p.join("shop.duckdb").exists(),
        "reading created no database"
    );
    let catalog: Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("target/catalog.json")).unwrap())
            .unwrap();
    assert_eq!(catalog["nodes"], json!({}), "nothing built yet");

    let r = common::xform(p, &["build", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let r = common::xform(p, &["docs", "generate", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let catalog: Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("target/catalog.json")).unwrap())
            .unwrap();
    let nodes = &catalog["nodes"];
    assert_eq!(nodes.as_object().map(|m| m.len()), Some(3), "{nodes}");
    assert_eq!(nodes["model.shop.stg_orders"]["metadata"]["type"], "VIEW");
    assert_eq!(nodes["model.shop.totals"]["metadata"]["type"], "BASE TABLE");
    assert_eq!(nodes["model.shop.totals"]["metadata"]["name"], "totals");
    assert_eq!(nodes["model.shop.totals"]["metadata"]["schema"], "main");
    assert_eq!(
        nodes["model.shop.totals"]["columns"]["total"],
        json!({"type": "HUGEINT", "index": 2, "name": "total", "comment": null})
    );
    assert_eq!(
        nodes["seed.shop.raw_orders"]["columns"]["amount"]["type"],
        "INTEGER"
    );
    assert_eq!(
        catalog["metadata"]["dbt_schema_version"],
        "https://schemas.getdbt.com/dbt/catalog/v1.json"
    );
    assert!(p.join("target/manifest.json").exists());
    let lineage: Value = serde_json::from_str(
        &std::fs::read_to_string(p.join("target/column_lineage.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        lineage["nodes"]["model.shop.totals"]["columns"]["total"]["upstream"],
        json!([{"node": "model.shop.stg_orders", "column": "amount"}])
    );
}
