//! `xform compile --column-lineage` writes target/column_lineage.json: each model's columns traced to the
//! seed and model columns they come from, through a CTE, a join and an aggregate.

mod common;

use common::write;
use serde_json::{Value, json};

#[test]
fn compile_writes_each_models_column_lineage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    common::duckdb_project(p, "shop");
    write(p, "seeds/raw_orders.csv", "id,customer,amount\n1,a,10\n");
    write(p, "seeds/raw_customers.csv", "name,country\na,NZ\n");
    write(
        p,
        "models/stg_orders.sql",
        "select id as order_id, lower(customer) as customer, amount from {{ ref('raw_orders') }}",
    );
    write(
        p,
        "models/by_country.sql",
        "with o as (select * from {{ ref('stg_orders') }})\n\
         select c.country, sum(o.amount) as total, count(distinct o.order_id) as orders, mystery\n\
         from o join {{ ref('raw_customers') }} c on c.name = o.customer\n\
         group by c.country",
    );
    let r = common::xform(p, &["compile", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        !p.join("target/column_lineage.json").exists(),
        "only on request"
    );
    let r = common::xform(p, &["compile", "--column-lineage", "--profiles-dir", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let text = std::fs::read_to_string(p.join("target/column_lineage.json")).expect("written");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    let up = |column: &str, node: &str| json!({"node": format!("{node}"), "column": column});
    let stg = &doc["nodes"]["model.shop.stg_orders"]["columns"];
    assert_eq!(
        stg["order_id"]["upstream"],
        json!([up("id", "seed.shop.raw_orders")])
    );
    assert_eq!(
        stg["customer"]["upstream"],
        json!([up("customer", "seed.shop.raw_orders")])
    );
    let mart = &doc["nodes"]["model.shop.by_country"]["columns"];
    assert_eq!(
        mart["country"]["upstream"],
        json!([up("country", "seed.shop.raw_customers")])
    );
    assert_eq!(
        mart["total"]["upstream"],
        json!([up("amount", "model.shop.stg_orders")])
    );
    assert_eq!(
        mart["orders"]["upstream"],
        json!([up("order_id", "model.shop.stg_orders")])
    );
    assert_eq!(mart["total"]["untraced"], json!([]));
    // A name no input has is reported, not pinned on a guess.
    assert_eq!(mart["mystery"]["upstream"], json!([]));
    assert_eq!(
        mart["mystery"]["untraced"],
        json!(["`mystery` is not a column of any input"])
    );
    assert_eq!(doc["errors"], json!({}));
}
