//! `xform show`: a selected node's (or an inline query's) compiled SQL run with a limit ->
//! its first rows as a table (or JSON), without building anything.

use serde_json::{Value as Json, json};

use super::args::SelectArgs;
use super::commands::{OK, choose, parse};
use super::output::Printer;
use super::settings::{Selection, Settings};
use super::warehouse::{Warehouse, fail};
use crate::adapter::Rows;
use crate::diagnostics::Diagnostic;
use crate::pipeline;
use crate::render::passes::RunState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowOutput {
    Text,
    Json,
}

pub fn show_cmd(
    settings: &Settings,
    select: &SelectArgs,
    inline: Option<&str>,
    limit: i64,
    output: ShowOutput,
    p: &mut Printer,
) -> i32 {
    let mut parsed = match parse(settings, p) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let warehouse = match Warehouse::connect(&parsed) {
        Ok(w) => w,
        Err(d) => return fail(p, &d),
    };
    let existing = match warehouse.existing() {
        Ok(e) => e,
        Err(d) => return fail(p, &d),
    };
    let queries: Vec<(String, String)> = if let Some(sql) = inline {
        match pipeline::compile_inline(&parsed, sql) {
            Ok(out) => vec![("inline".to_string(), out)],
            Err(d) => return fail(p, &d),
        }
    } else {
        let chosen = match choose(&parsed, &Selection::from(select), p) {
            Ok(s) => s,
            Err(d) => return fail(p, &d),
        };
        let chosen: Vec<usize> = chosen
            .into_iter()
            // Like dbt show: the selected models (and analyses, snapshots), not the tests
            // that indirect selection brings along.
            .filter(|&i| {
                let t = parsed.graph.nodes[i].resource_type;
                t.is_sql() && t != crate::node::ResourceType::Test
            })
            .collect();
        if chosen.is_empty() {
            return fail(
                p,
                &Diagnostic::error("show needs --select naming a model, or --inline SQL"),
            );
        }
        let run = RunState {
            adapter: Some(warehouse.adapter.clone()),
            existing: std::sync::Arc::new(existing),
            ..RunState::default()
        };
        let diags = pipeline::compile_with(&mut parsed, &chosen, true, Some(run));
        if let Some(d) = diags.iter().find(|d| d.is_error()) {
            return fail(p, d);
        }
        chosen
            .iter()
            .map(|&i| {
                let n = &parsed.graph.nodes[i];
                (n.name.clone(), n.compiled_code.clone().unwrap_or_default())
            })
            .collect()
    };
    let db = &warehouse.adapter;
    let mut code = OK;
    for (name, sql) in queries {
        let limited = if limit >= 0 {
            format!("select * from (\n{sql}\n) limit {limit}")
        } else {
            sql
        };
        match db.query(&limited) {
            Ok(rows) => match output {
                ShowOutput::Text => p.result(
                    "ShowNode",
                    &format!("Previewing node '{name}':\n{}", table(&rows)),
                ),
                ShowOutput::Json => p.result(
                    "ShowNode",
                    &json!({"node": name, "show": records(&rows)}).to_string(),
                ),
            },
            Err(e) => {
                p.diagnostic(&Diagnostic::error(format!("{name}: {e}")));
                code = super::commands::NODE_FAILED;
            }
        }
    }
    code
}

fn records(rows: &Rows) -> Vec<Json> {
    rows.rows
        .iter()
        .map(|r| {
            Json::Object(
                rows.columns
                    .iter()
                    .cloned()
                    .zip(r.iter().cloned())
                    .collect(),
            )
        })
        .collect()
}

fn cell(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A Markdown-style table as dbt prints it: numbers right-aligned, text left-aligned.
pub fn table(rows: &Rows) -> String {
    let cells: Vec<Vec<String>> = rows
        .rows
        .iter()
        .map(|r| r.iter().map(cell).collect())
        .collect();
    let widths: Vec<usize> = rows
        .columns
        .iter()
        .enumerate()
        .map(|(c, name)| {
            cells
                .iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .chain([name.chars().count(), 3])
                .max()
                .unwrap_or(3)
        })
        .collect();
    let numeric: Vec<bool> = (0..rows.columns.len())
        .map(|c| {
            rows.rows
                .iter()
                .all(|r| matches!(r.get(c), Some(Json::Number(_) | Json::Null)))
        })
        .collect();
    let line = |values: Vec<String>, header: bool| {
        let padded: Vec<String> = values
            .into_iter()
            .enumerate()
            .map(|(c, v)| {
                if numeric[c] && !header {
                    format!("{v:>w$}", w = widths[c])
                } else {
                    format!("{v:<w$}", w = widths[c])
                }
            })
            .collect();
        format!("| {} |", padded.join(" | "))
    };
    let mut out = vec![
        line(rows.columns.clone(), true),
        format!(
            "| {} |",
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join(" | ")
        ),
    ];
    out.extend(cells.into_iter().map(|r| line(r, false)));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_numbers_right_and_text_left() {
        let rows = Rows {
            columns: vec!["name".into(), "n".into()],
            rows: vec![vec![json!("ab"), json!(7)], vec![json!(null), json!(12)]],
        };
        assert_eq!(
            table(&rows),
            "| name | n   |\n| ---- | --- |\n| ab   |   7 |\n|      |  12 |"
        );
    }
}
