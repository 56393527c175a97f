//! `xform run`: parse, select models, compile, then build them on the target's warehouse.

use super::commands::{INVALID, choose, parse};
use super::output::Printer;
use super::settings::{Selection, Settings};
use crate::diagnostics::Diagnostic;
use crate::dialect::Dialect;
use crate::node::ResourceType;
use crate::pipeline;

pub fn run_cmd(settings: &Settings, sel: &Selection, p: &mut Printer) -> i32 {
    let mut parsed = match parse(settings, p) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let selected: Vec<usize> = match choose(&parsed, sel, p) {
        Ok(s) => s
            .into_iter()
            .filter(|&i| parsed.graph.nodes[i].resource_type == ResourceType::Model)
            .collect(),
        Err(d) => {
            p.diagnostic(&d);
            return INVALID;
        }
    };
    let diags = pipeline::compile(&mut parsed, &selected, true);
    p.diagnostics(diags.iter().filter(|d| !d.is_error()));
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        p.diagnostics(errors.iter().copied());
        p.info(
            "RunFailed",
            &format!("{} error(s) found; nothing was run", errors.len()),
        );
        return INVALID;
    }
    let target = &parsed.project.target;
    if target.dialect != Dialect::DuckDb {
        p.diagnostic(&Diagnostic::error(format!(
            "running on {} is not supported yet; use a DuckDB target",
            target.dialect.adapter_type()
        )));
        return INVALID;
    }
    open_and_run(&parsed, &selected, p)
}

#[cfg(feature = "duckdb")]
fn open_and_run(parsed: &pipeline::Parsed, selected: &[usize], p: &mut Printer) -> i32 {
    // Imported here: a build without DuckDB has no use for them.
    use super::commands::{NODE_FAILED, OK};
    use crate::execute::{self, Status};

    let path = parsed
        .project
        .target
        .fields
        .get("path")
        .and_then(|v| v.as_str())
        .unwrap_or(":memory:")
        .to_string();
    let db = match crate::adapter::duckdb::DuckDb::open(std::path::Path::new(&path)) {
        Ok(db) => db,
        Err(e) => {
            p.diagnostic(&Diagnostic::error(e.to_string()));
            return INVALID;
        }
    };
    let results = execute::run(&parsed.graph, selected, &db);
    let mut failed = 0;
    for r in &results {
        let n = &parsed.graph.nodes[r.index];
        let (label, line) = match r.status {
            Status::Success => ("OK", format!("{} [{:.2}s]", r.message, r.seconds)),
            Status::Error => {
                failed += 1;
                (
                    "ERROR",
                    format!("{} ({}): {}", n.name, n.origin.file, r.message),
                )
            }
            Status::Skipped => ("SKIP", format!("{}: {}", n.name, r.message)),
        };
        p.info("NodeFinished", &format!("{label} {line}"));
    }
    p.info(
        "RunComplete",
        &format!(
            "Done. {} ok, {failed} error, {} skipped",
            results
                .iter()
                .filter(|r| r.status == Status::Success)
                .count(),
            results
                .iter()
                .filter(|r| r.status == Status::Skipped)
                .count()
        ),
    );
    if failed > 0 { NODE_FAILED } else { OK }
}

#[cfg(not(feature = "duckdb"))]
fn open_and_run(_: &pipeline::Parsed, _: &[usize], p: &mut Printer) -> i32 {
    p.diagnostic(&Diagnostic::error(
        "this xform was built without the `duckdb` feature",
    ));
    INVALID
}
