//! `xform docs generate`: the project compiled + the target warehouse's tables ->
//! target/manifest.json, catalog.json and column_lineage.json (the static site is not
//! written yet).

use std::collections::HashMap;

use super::commands::{INVALID, OK, parse, target_dir, write_manifest};
use super::output::Printer;
use super::settings::Settings;
use super::warehouse::{Warehouse, fail};
use crate::artifacts::catalog::{self, Found};
use crate::diagnostics::Diagnostic;
use crate::pipeline;

pub fn docs_generate_cmd(settings: &Settings, p: &mut Printer) -> i32 {
    let mut parsed = match parse(settings, p) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let all: Vec<usize> = (0..parsed.graph.nodes.len()).collect();
    let diags = pipeline::compile(&mut parsed, &all, true);
    if diags.iter().any(Diagnostic::is_error) {
        p.diagnostics(diags.iter());
        return INVALID;
    }
    p.diagnostics(diags.iter());
    if let Err(e) = write_manifest(&parsed, true) {
        return fail(
            p,
            &Diagnostic::error(format!("could not write manifest.json: {e}")),
        );
    }
    let warehouse = match Warehouse::connect(&parsed) {
        Ok(w) => w,
        Err(d) => return fail(p, &d),
    };
    let kinds: HashMap<String, _> = match warehouse.catalog() {
        Ok(c) => c.into_iter().collect(),
        Err(d) => {
            warehouse.discard();
            return fail(p, &d);
        }
    };
    let adapter = warehouse.adapter.clone();
    let mut failures = Vec::new();
    let doc = catalog::build(&parsed.graph.nodes, |node| {
        let key = format!("{}.{}.{}", node.database, node.schema, node.alias).to_lowercase();
        let kind = *kinds.get(&key)?;
        match adapter.columns(&node.database, &node.schema, &node.alias) {
            Ok(columns) => Some(Found { kind, columns }),
            Err(e) => {
                failures.push(format!("{}: {e}", node.unique_id));
                None
            }
        }
    });
    drop(adapter);
    // Reading never writes: a database file that opening created is removed again.
    warehouse.discard();
    let dir = target_dir(&parsed);
    let written = serde_json::to_string(&doc)
        .map_err(std::io::Error::other)
        .and_then(|text| std::fs::write(dir.join("catalog.json"), text))
        .and_then(|()| crate::artifacts::column_lineage::write(&parsed, &dir));
    if let Err(e) = written {
        return fail(
            p,
            &Diagnostic::error(format!("could not write the catalog: {e}")),
        );
    }
    for f in &failures {
        p.diagnostic(&Diagnostic::warning(format!("columns not read: {f}")));
    }
    let count = doc["nodes"].as_object().map_or(0, |m| m.len())
        + doc["sources"].as_object().map_or(0, |m| m.len());
    p.info(
        "CatalogWritten",
        &format!(
            "Catalog written to {}/catalog.json ({count} relations)",
            parsed.project.root_package().config.target_path
        ),
    );
    OK
}
