//! Lineage fixtures (joins, CTEs, aggregates, windows, stars, unions, BigQuery structs) ->
//! insta snapshots of each output column and its upstream columns.

use std::collections::HashMap;

use super::{OutputColumn, lineage};
use crate::dialect::Dialect;

fn catalog() -> HashMap<String, Vec<String>> {
    let mut c = HashMap::new();
    let cols = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    c.insert(
        "db.main.orders".into(),
        cols(&["id", "customer_id", "amount", "ordered_at"]),
    );
    c.insert("db.main.customers".into(), cols(&["id", "name", "country"]));
    c.insert("db.main.refunds".into(), cols(&["order_id", "amount"]));
    c
}

/// One line per output column: `name <- relation.column, ...  [untraced: why]`.
fn show(cols: &[OutputColumn]) -> String {
    cols.iter()
        .map(|c| {
            let sources: Vec<String> = c
                .sources
                .iter()
                .map(|s| format!("{}.{}", s.relation, s.column))
                .collect();
            let mut line = format!("{} <- {}", c.name, sources.join(", "));
            if !c.untraced.is_empty() {
                let why: Vec<&str> = c.untraced.iter().map(String::as_str).collect();
                line.push_str(&format!("  [untraced: {}]", why.join("; ")));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn trace(sql: &str) -> String {
    show(&lineage(sql, Dialect::DuckDb, &catalog()).expect("lineage"))
}

#[test]
fn joins_aliases_and_expressions() {
    insta::assert_snapshot!(trace(
        r#"select o.id as order_id, c.name, o.amount * 1.1 as gross, upper(country) as country,
                  coalesce(r.amount, 0) as refunded, 1 as one
           from "db"."main"."orders" o
           join db.main.customers c on c.id = o.customer_id
           left join db.main.refunds as r on r.order_id = o.id"#
    ));
}

#[test]
fn ctes_subqueries_and_aggregates() {
    insta::assert_snapshot!(trace(
        "with totals as (
             select customer_id, sum(amount) as total, count(*) as n
             from db.main.orders group by customer_id
         ),
         named (cid, spent) as (select customer_id, total from totals)
         select c.name, t.spent, (select max(amount) from db.main.refunds) as max_refund
         from named t join (select id, name from db.main.customers) c on c.id = t.cid"
    ));
}

#[test]
fn window_functions_count_their_partition_and_order() {
    insta::assert_snapshot!(trace(
        "select id, row_number() over (partition by customer_id order by ordered_at) as rn,
                sum(amount) over (partition by customer_id) as customer_total
         from db.main.orders"
    ));
}

#[test]
fn stars_expand_from_known_columns_and_say_when_they_cannot() {
    insta::assert_snapshot!(trace(
        "with o as (select * exclude (ordered_at) from db.main.orders)
         select o.*, c.* from o join db.main.customers c on c.id = o.customer_id
         cross join db.main.unknown_table u"
    ));
    insta::assert_snapshot!(
        "star_over_unknown",
        trace("select * from db.main.unknown_table")
    );
}

#[test]
fn unions_merge_sources_by_position() {
    insta::assert_snapshot!(trace(
        "select id, amount from db.main.orders
         union all
         select order_id, -amount from db.main.refunds"
    ));
}

#[test]
fn names_no_input_has_are_reported_not_guessed() {
    insta::assert_snapshot!(trace(
        "select id, nope, o.amount from db.main.orders o join db.main.customers c on c.id = o.customer_id"
    ));
}

#[test]
fn bigquery_struct_access_and_backticks() {
    let cols = lineage(
        "select e.payload.action as action, repo.name as repo_name
         from `proj.ds.events` as e",
        Dialect::BigQuery,
        &HashMap::from([(
            "proj.ds.events".to_string(),
            vec!["payload".to_string(), "repo".to_string()],
        )]),
    )
    .expect("lineage");
    insta::assert_snapshot!(show(&cols));
}

#[test]
fn only_a_single_query_is_traced() {
    assert!(lineage("create table t as select 1", Dialect::DuckDb, &catalog()).is_err());
    assert!(lineage("select from from", Dialect::DuckDb, &catalog()).is_err());
}
