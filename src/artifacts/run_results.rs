//! run_results.json: one result per node of a run (dbt's v6 field names), and the executed
//! SQL under target/run/**.

use std::path::Path;

use serde_json::{Value as Json, json};

use crate::execute::{Outcome, RunStatus};
use crate::node::Node;

/// One node's line in run_results.json. Skipped nodes have no outcome.
pub struct ResultRow<'a> {
    pub node: &'a Node,
    pub outcome: Option<&'a Outcome>,
    pub relation_name: Option<String>,
}

fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn result_json(row: &ResultRow) -> Json {
    let n = row.node;
    let Some(o) = row.outcome else {
        return json!({
            "status": RunStatus::Skipped.as_str(),
            "timing": [],
            "thread_id": "Thread-1 (worker)",
            "execution_time": 0.0,
            "adapter_response": {},
            "message": null,
            "failures": null,
            "unique_id": n.unique_id,
            "compiled": n.compiled_code.is_some(),
            "compiled_code": n.compiled_code,
            "relation_name": row.relation_name,
            "batch_results": null,
        });
    };
    let finished = o.started_at + chrono::Duration::microseconds((o.seconds * 1e6) as i64);
    let message = match o.status {
        RunStatus::Pass => Json::Null,
        RunStatus::Success if o.message.is_empty() => json!("OK"),
        RunStatus::Success => match o.rows_affected {
            Some(r) => json!(format!("INSERT {r}")),
            None => json!("OK"),
        },
        _ => json!(o.message),
    };
    json!({
        "status": o.status.as_str(),
        "timing": [
            {"name": "compile", "started_at": iso(o.started_at), "completed_at": iso(o.started_at)},
            {"name": "execute", "started_at": iso(o.started_at), "completed_at": iso(finished)},
        ],
        "thread_id": format!("Thread-{} (worker)", o.thread.max(1)),
        "execution_time": o.seconds,
        "adapter_response": o.adapter_response(),
        "message": message,
        "failures": o.failures,
        "unique_id": n.unique_id,
        "compiled": n.compiled_code.is_some(),
        "compiled_code": n.compiled_code,
        "relation_name": row.relation_name,
        "batch_results": null,
    })
}

/// Writes `<target>/run_results.json`.
pub fn write(
    target_dir: &Path,
    rows: &[ResultRow],
    started: chrono::DateTime<chrono::Utc>,
    elapsed: f64,
    args: Json,
) -> std::io::Result<()> {
    let doc = json!({
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json",
            "dbt_version": crate::artifacts::DBT_VERSION,
            "generated_at": iso(chrono::Utc::now()),
            "invocation_id": crate::render::builtins::invocation_id(),
            "invocation_started_at": iso(started),
            "env": {},
        },
        "results": rows.iter().map(result_json).collect::<Vec<_>>(),
        "elapsed_time": elapsed,
        "args": args,
    });
    std::fs::create_dir_all(target_dir)?;
    let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
    std::fs::write(target_dir.join("run_results.json"), text)
}

/// Writes each node's executed statements to `<target>/run/<package>/<file>` as dbt does.
pub fn write_run_sql(
    root: &Path,
    target_path: &str,
    done: &[(&Node, &Outcome)],
) -> std::io::Result<()> {
    for (n, o) in done {
        if o.executed.is_empty() {
            continue;
        }
        let compiled = super::compiled_path(target_path, n);
        let rel = compiled.replacen(
            &format!("{target_path}/compiled/"),
            &format!("{target_path}/run/"),
            1,
        );
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, o.executed.join(";\n\n") + ";\n")?;
    }
    Ok(())
}
