//! `xform docs generate` on DuckDB: catalog.json lists the built relations with their
//! kinds, columns, types and positions as dbt's catalog does, next to the manifest, the
//! column lineage and the site (index.html with its data inline); before anything is built
//! it leaves no database file behind. `xform docs serve` answers on 127.0.0.1.
#![cfg(feature = "duckdb")]

mod common;

use common::write;
use serde_json::{Value, json};

#[test]
fn docs_generate_writes_the_catalog_of_built_relations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    common::duckdb_project(p, "shop");
    write(p, "seeds/raw_orders.csv", "id,amount\n1,10\n2,5\n");
    write(
        p,
        "models/stg_orders.sql",
        "select id as order_id, amount from {{ ref('raw_orders') }}",
    );
    // A source that declares no columns: `select *` is expanded from the catalog.
    write(
        p,
        "models/sources.yml",
        "version: 2\nsources:\n  - name: raw\n    schema: main\n    tables:\n      - name: raw_orders\n",
    );
    write(
        p,
        "models/orders_copy.sql",
        "select * from {{ source('raw', 'raw_orders') }}",
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
    assert_eq!(nodes.as_object().map(|m| m.len()), Some(4), "{nodes}");
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
    assert_eq!(
        lineage["nodes"]["model.shop.orders_copy"]["columns"]["amount"]["upstream"],
        json!([{"node": "source.shop.raw.raw_orders", "column": "amount"}]),
        "select * from a source without YAML columns is traced through the catalog"
    );

    let site = site_data(p);
    let ids: Vec<&str> = site["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let at = |id: &str| ids.iter().position(|x| *x == id).unwrap();
    let totals = &site["nodes"][at("model.shop.totals")];
    assert_eq!(totals["relation"], "shop.main.totals");
    assert_eq!(totals["materialized"], "table");
    assert_eq!(
        totals["columns"][1],
        json!({"name": "total", "type": "HUGEINT", "description": "",
               "up": [[at("model.shop.stg_orders"), "amount"]]}),
        "warehouse type and lineage merged into one column, parents by index"
    );
    assert_eq!(totals["parents"], json!([at("model.shop.stg_orders")]));
    assert!(
        totals["compiled"]
            .as_str()
            .unwrap()
            .contains("\"shop\".\"main\".\"stg_orders\"")
    );
}

/// The JSON the site embeds in index.html.
fn site_data(p: &std::path::Path) -> Value {
    let page = std::fs::read_to_string(p.join("target/index.html")).expect("index.html");
    let open = "<script type=\"application/json\" id=\"xform-data\">";
    let start = page.find(open).expect("data element") + open.len();
    let end = start + page[start..].find("</script>").expect("end of data");
    serde_json::from_str(&page[start..end]).expect("site data is JSON")
}

#[test]
fn docs_serve_answers_on_localhost_and_stays_inside_the_target_path() {
    use std::io::{BufRead, Read, Write};
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    common::duckdb_project(p, "shop");
    write(p, "models/one.sql", "select 1 as x");
    let r = common::xform(p, &["docs", "serve", "--port", "0", "--profiles-dir", "."]);
    assert_eq!(r.code, 2, "no site yet: {}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("run `xform docs generate` first"),
        "{}",
        r.stderr
    );
    let r = common::xform(
        p,
        &["docs", "generate", "--empty-catalog", "--profiles-dir", "."],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xform"))
        .args(["docs", "serve", "--port", "0", "--profiles-dir", "."])
        .current_dir(p)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("xform docs serve");
    let mut line = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
    };
    let index = get("/");
    let manifest = get("/manifest.json");
    let outside = get("/../dbt_project.yml");
    child.kill().ok();
    child.wait().ok();
    assert!(index.starts_with("HTTP/1.1 200"), "{index:.200}");
    assert!(index.contains("text/html") && index.contains("model.shop.one"));
    assert!(manifest.starts_with("HTTP/1.1 200") && manifest.contains("application/json"));
    assert!(outside.starts_with("HTTP/1.1 404"), "{outside:.200}");
}
