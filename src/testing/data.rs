//! Data tests: a compiled test query + its config (severity, warn_if, error_if, limit,
//! store_failures) -> the failing-row count and dbt's verdict.

use serde_json::Value as Json;

use crate::execute::node::{Failed, RunContext, RunStatus, Verdict};
use crate::node::Node;

/// The query dbt wraps around a test: one row with the failure count and whether it
/// crosses the warn and error thresholds.
pub fn wrap(node: &Node, main_sql: &str) -> String {
    let fail_calc = config_text(node, "fail_calc").unwrap_or_else(|| "count(*)".into());
    let warn_if = config_text(node, "warn_if").unwrap_or_else(|| "!= 0".into());
    let error_if = config_text(node, "error_if").unwrap_or_else(|| "!= 0".into());
    format!(
        "select\n      {fail_calc} as failures,\n      {fail_calc} {warn_if} as should_warn,\n      {fail_calc} {error_if} as should_error\n    from (\n      {main_sql}\n    ) dbt_internal_test"
    )
}

/// The test's own query with its `limit`.
pub fn main_sql(node: &Node, compiled: &str) -> String {
    match node.config.get("limit").and_then(Json::as_u64) {
        Some(n) => format!("{compiled}\n      limit {n}"),
        None => compiled.to_string(),
    }
}

fn config_text(node: &Node, key: &str) -> Option<String> {
    match node.config.get(key)? {
        Json::String(s) => Some(s.clone()),
        Json::Null => None,
        other => Some(other.to_string()),
    }
}

/// Whether failing rows are stored, and as what (`table` or `view`).
fn store_as(node: &Node, ctx: &RunContext) -> Option<&'static str> {
    let wanted = node
        .config
        .get("store_failures")
        .and_then(Json::as_bool)
        .unwrap_or(ctx.store_failures);
    match node.config.get("store_failures_as").and_then(Json::as_str) {
        Some("view") => Some("view"),
        Some("table") => Some("table"),
        Some(_) => None,
        None if wanted => Some("table"),
        None => None,
    }
}

/// Runs the test and decides pass, warn or fail from the thresholds and severity.
pub fn run(node: &Node, ctx: &RunContext, executed: &mut Vec<String>) -> Result<Verdict, Failed> {
    let compiled = node
        .compiled_code
        .as_deref()
        .ok_or_else(|| Failed(format!("test `{}` was not compiled", node.name)))?;
    let main = main_sql(node, compiled);
    let dialect = ctx.adapter.dialect();
    let source = match store_as(node, ctx) {
        Some(kind) => {
            let relation = dialect.relation(&node.database, &node.schema, &node.alias);
            let schema = dialect.relation(&node.database, &node.schema, "");
            let statements = vec![
                format!("drop table if exists {relation}"),
                format!("drop view if exists {relation}"),
                format!("create {kind} {relation} as (\n{main}\n)"),
            ];
            let create_schema = format!("create schema if not exists {schema}");
            ctx.adapter.execute(&create_schema)?;
            executed.push(create_schema);
            ctx.adapter.execute_atomically(&statements)?;
            executed.extend(statements);
            format!("select * from {relation}")
        }
        None => main,
    };
    let sql = wrap(node, &source);
    executed.push(sql.clone());
    let rows = ctx.adapter.query(&sql)?;
    let row = rows
        .rows
        .first()
        .ok_or_else(|| Failed("the test query returned no row".into()))?;
    let failures = row.first().map(count).unwrap_or(0);
    let should_warn = row.get(1).is_some_and(truthy);
    let should_error = row.get(2).is_some_and(truthy);
    let severity = node
        .config_str("severity")
        .unwrap_or("error")
        .to_ascii_lowercase();
    let (status, message) = if severity == "error" && should_error {
        (
            RunStatus::Fail,
            format!(
                "Got {failures} result{}, configured to fail if {}",
                plural(failures),
                config_text(node, "error_if").unwrap_or_else(|| "!= 0".into())
            ),
        )
    } else if should_warn {
        (
            RunStatus::Warn,
            format!(
                "Got {failures} result{}, configured to warn if {}",
                plural(failures),
                config_text(node, "warn_if").unwrap_or_else(|| "!= 0".into())
            ),
        )
    } else {
        (RunStatus::Pass, String::new())
    };
    Ok(Verdict {
        status,
        message,
        failures: Some(failures),
        rows_affected: None,
    })
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn count(v: &Json) -> u64 {
    match v {
        Json::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().map(|f| f.max(0.0) as u64))
            .unwrap_or(0),
        Json::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

fn truthy(v: &Json) -> bool {
    match v {
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Json::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::ResourceType;

    #[test]
    fn the_wrapper_uses_the_thresholds_and_limit() {
        let mut n = Node::new(ResourceType::Test, "p", "t", "test.p.t".into());
        n.config.insert("warn_if".into(), ">10".into());
        n.config.insert("limit".into(), 5.into());
        let sql = wrap(&n, &main_sql(&n, "select * from x where id is null"));
        assert!(sql.contains("count(*) >10 as should_warn"), "{sql}");
        assert!(sql.contains("count(*) != 0 as should_error"), "{sql}");
        assert!(sql.contains("where id is null\n      limit 5\n"), "{sql}");
    }
}
