//! `xform docs generate`: the project compiled + the target warehouse's tables ->
//! target/manifest.json, catalog.json, column_lineage.json and the static site
//! (index.html); `xform docs serve`: that directory over HTTP on 127.0.0.1.

use std::collections::HashMap;

use serde_json::Value as Json;

use super::commands::{INVALID, OK, parse, target_dir, write_manifest};
use super::output::Printer;
use super::settings::Settings;
use super::warehouse::{Warehouse, fail};
use crate::adapter::relation_key;
use crate::artifacts::catalog::{self, Found};
use crate::artifacts::column_lineage;
use crate::diagnostics::Diagnostic;
use crate::pipeline::{self, Parsed};

pub fn docs_generate_cmd(settings: &Settings, empty_catalog: bool, p: &mut Printer) -> i32 {
    let mut parsed = match parse(settings, p) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let all: Vec<usize> = (0..parsed.graph.nodes.len()).collect();
    let diags = pipeline::compile(&mut parsed, &all, true);
    p.diagnostics(diags.iter());
    if diags.iter().any(Diagnostic::is_error) {
        return INVALID;
    }
    if let Err(e) = write_manifest(&parsed, true) {
        return fail(
            p,
            &Diagnostic::error(format!("could not write manifest.json: {e}")),
        );
    }
    let doc = if empty_catalog {
        catalog::build(std::iter::empty(), |_| None)
    } else {
        match read_catalog(&parsed, p) {
            Ok(doc) => doc,
            Err(code) => return code,
        }
    };
    let t = std::time::Instant::now();
    let lineage = column_lineage::build(&parsed, Some(&doc));
    pipeline::timing("column lineage", t);
    let dir = target_dir(&parsed);
    let t = std::time::Instant::now();
    let written = serde_json::to_string(&doc)
        .map_err(std::io::Error::other)
        .and_then(|text| std::fs::write(dir.join("catalog.json"), text))
        .and_then(|()| column_lineage::write(&lineage, &dir))
        .and_then(|()| crate::docs::write_site(&parsed, &doc, &lineage, &dir));
    pipeline::timing("write docs", t);
    let site = match written {
        Ok(site) => site,
        Err(e) => {
            return fail(
                p,
                &Diagnostic::error(format!("could not write the docs: {e}")),
            );
        }
    };
    let count = doc["nodes"].as_object().map_or(0, |m| m.len())
        + doc["sources"].as_object().map_or(0, |m| m.len());
    let target = &parsed.project.root_package().config.target_path;
    p.info(
        "CatalogWritten",
        &format!("Catalog written to {target}/catalog.json ({count} relations)"),
    );
    p.info(
        "DocsWritten",
        &format!("Docs site written to {}", site.display()),
    );
    OK
}

/// catalog.json from the target warehouse; a database file that opening created is removed.
fn read_catalog(parsed: &Parsed, p: &Printer) -> Result<Json, i32> {
    let warehouse = Warehouse::connect(parsed).map_err(|d| fail(p, &d))?;
    let kinds: HashMap<String, _> = match warehouse.catalog() {
        Ok(c) => c.into_iter().collect(),
        Err(d) => {
            warehouse.discard();
            return Err(fail(p, &d));
        }
    };
    let wanted: Vec<(&str, &str, &str)> = parsed
        .graph
        .nodes
        .iter()
        .filter(|n| kinds.contains_key(&relation_key(&n.database, &n.schema, &n.alias)))
        .map(|n| (n.database.as_str(), n.schema.as_str(), n.alias.as_str()))
        .collect();
    let columns = warehouse.adapter.columns_of(&wanted);
    warehouse.discard();
    let columns = columns.map_err(|e| fail(p, &Diagnostic::error(e.to_string())))?;
    let doc = catalog::build(&parsed.graph.nodes, |node| {
        let key = relation_key(&node.database, &node.schema, &node.alias);
        let kind = *kinds.get(&key)?;
        let columns = columns.get(&key).cloned().unwrap_or_default();
        Some(Found { kind, columns })
    });
    Ok(doc)
}

pub fn docs_serve_cmd(settings: &Settings, port: u16, p: &mut Printer) -> i32 {
    let parsed = match parse(settings, p) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let dir = target_dir(&parsed);
    if !dir.join("index.html").is_file() {
        return fail(
            p,
            &Diagnostic::error(format!(
                "no docs site in {}: run `xform docs generate` first",
                dir.display()
            )),
        );
    }
    let (listener, port) = match crate::docs::serve::bind(port) {
        Ok(x) => x,
        Err(e) => {
            return fail(
                p,
                &Diagnostic::error(format!("cannot listen on 127.0.0.1:{port}: {e}")),
            );
        }
    };
    p.info(
        "ServingDocsAt",
        &format!("Serving docs at http://127.0.0.1:{port}/ (Ctrl-C to stop)"),
    );
    match crate::docs::serve::serve(listener, dir) {
        Ok(()) => OK,
        Err(e) => fail(p, &Diagnostic::error(format!("docs server stopped: {e}"))),
    }
}
