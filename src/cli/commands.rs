//! The commands: settings -> pipeline stages -> files and printed output -> exit code.

use std::path::Path;

use serde_json::{Value as Json, json};

use super::args::LsOutput;
use super::output::Printer;
use super::settings::{Selection, Settings};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::node::{Node, ResourceType};
use crate::pipeline::{self, Parsed};

/// Exit codes, as dbt's: success, a node failed, the project or command line is invalid.
pub const OK: i32 = 0;
pub const NODE_FAILED: i32 = 1;
pub const INVALID: i32 = 2;

fn report_failure(p: &Printer, diags: &Diagnostics) -> i32 {
    p.diagnostics(&diags.items);
    let n = diags.errors().count();
    p.info(
        "MainEncounteredError",
        &format!(
            "{n} error{} found; nothing was written",
            if n == 1 { "" } else { "s" }
        ),
    );
    INVALID
}

pub(super) fn parse(settings: &Settings, p: &mut Printer) -> Result<Parsed, i32> {
    if let Some(t) = settings.threads {
        // A second call (tests in one process) keeps the first pool; that is fine.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build_global();
    }
    match pipeline::parse(&settings.load) {
        Ok(parsed) => {
            p.secrets = parsed.project.target.secret_values();
            p.root = parsed.project.root.clone();
            p.diagnostics(&parsed.warnings);
            Ok(parsed)
        }
        Err(diags) => Err(report_failure(p, &diags)),
    }
}

/// Indices of the selected nodes, or the selector problem as a diagnostic. Selector
/// items that match nothing are warnings, as in dbt.
pub(super) fn choose(
    parsed: &Parsed,
    sel: &Selection,
    p: &Printer,
) -> Result<Vec<usize>, Diagnostic> {
    use crate::select::{IndirectSelection, SelectionArgs};
    let indirect = IndirectSelection::parse(&sel.indirect).ok_or_else(|| {
        Diagnostic::error(format!(
            "unknown --indirect-selection `{}`: use eager, cautious, buildable or empty",
            sel.indirect
        ))
    })?;
    let args = SelectionArgs {
        select: sel.select.clone(),
        exclude: sel.exclude.clone(),
        selector: sel.selector.clone(),
        selectors: parsed.project.selectors.as_ref().map(|y| y.to_json()),
        indirect,
        root_project: parsed.project.name().to_string(),
    };
    let chosen = crate::select::select(&parsed.graph, &args).map_err(|e| {
        let mut d = Diagnostic::error(format!("invalid selection: {e}"));
        if sel.selector.is_some() || e.to_string().contains("selectors.yml") {
            d = d.at(crate::diagnostics::Location::file("selectors.yml"));
        }
        d
    })?;
    for item in &chosen.unmatched {
        p.diagnostic(&Diagnostic::warning(format!(
            "the selection criterion `{item}` does not match any enabled nodes"
        )));
    }
    Ok(chosen.nodes.into_iter().collect())
}

pub fn parse_cmd(settings: &Settings, p: &mut Printer) -> i32 {
    let parsed = match parse(settings, p) {
        Ok(x) => x,
        Err(code) => return code,
    };
    match write_manifest(&parsed, false) {
        Ok(path) => {
            p.info(
                "ParseComplete",
                &format!("Parsed {} nodes; wrote {}", parsed.graph.len(), path),
            );
            OK
        }
        Err(e) => {
            p.diagnostic(&Diagnostic::error(format!(
                "could not write manifest.json: {e}"
            )));
            INVALID
        }
    }
}

pub(super) fn target_dir(parsed: &Parsed) -> std::path::PathBuf {
    parsed
        .project
        .root
        .join(&parsed.project.root_package().config.target_path)
}

pub(super) fn write_manifest(parsed: &Parsed, compiled: bool) -> std::io::Result<String> {
    let dir = target_dir(parsed);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("manifest.json");
    let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    crate::artifacts::manifest::write(parsed, compiled, &mut file)?;
    std::io::Write::flush(&mut file)?;
    Ok(crate::project::display_path(&parsed.project.root, &path))
}

pub fn compile_cmd(
    settings: &Settings,
    sel: &Selection,
    inline: Option<&str>,
    check_sql: bool,
    estimate: bool,
    column_lineage: bool,
    p: &mut Printer,
) -> i32 {
    let mut parsed = match parse(settings, p) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if let Some(sql) = inline {
        return match pipeline::compile_inline(&parsed, sql) {
            Ok(out) => {
                p.result("CompiledInline", &out);
                OK
            }
            Err(d) => {
                p.diagnostic(&d);
                INVALID
            }
        };
    }
    let selected = match choose(&parsed, sel, p) {
        Ok(s) => s,
        Err(d) => {
            p.diagnostic(&d);
            return INVALID;
        }
    };
    let diags = pipeline::compile(&mut parsed, &selected, check_sql);
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    p.diagnostics(diags.iter().filter(|d| !d.is_error()));
    // Compiled SQL is written even when some of it is invalid, so the rendered text that
    // diagnostics point at can be read; the warehouse is never touched by compile.
    let mut nodes: Vec<&Node> = selected.iter().map(|&i| &parsed.graph.nodes[i]).collect();
    // Ephemeral models inlined into the selection are written too, as dbt does.
    let mut seen: std::collections::HashSet<usize> = selected.iter().copied().collect();
    let mut stack: Vec<usize> = selected.clone();
    while let Some(i) = stack.pop() {
        for parent in parsed.graph.parents(i) {
            if parsed.graph.nodes[parent].is_ephemeral() && seen.insert(parent) {
                nodes.push(&parsed.graph.nodes[parent]);
                stack.push(parent);
            }
        }
    }
    let target = parsed.project.root_package().config.target_path.clone();
    let t = std::time::Instant::now();
    let written = match crate::artifacts::write_compiled(&parsed.project.root, &target, &nodes) {
        Ok(n) => n,
        Err(e) => {
            p.diagnostic(&Diagnostic::error(format!(
                "could not write compiled SQL: {e}"
            )));
            return INVALID;
        }
    };
    if !errors.is_empty() {
        p.diagnostics(errors.iter().copied());
        p.info(
            "CompileFailed",
            &format!(
                "{} error{} found; compiled SQL is in {target}/compiled",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ),
        );
        return INVALID;
    }
    pipeline::timing("write compiled", t);
    let t = std::time::Instant::now();
    if let Err(e) = write_manifest(&parsed, true) {
        p.diagnostic(&Diagnostic::error(format!(
            "could not write manifest.json: {e}"
        )));
        return INVALID;
    }
    pipeline::timing("write manifest", t);
    let t = std::time::Instant::now();
    if column_lineage
        && let Err(e) = crate::artifacts::column_lineage::write(
            &crate::artifacts::column_lineage::build(&parsed, None),
            &target_dir(&parsed),
        )
    {
        p.diagnostic(&Diagnostic::error(format!(
            "could not write column_lineage.json: {e}"
        )));
        return INVALID;
    }
    pipeline::timing("column lineage", t);
    let shown: Vec<&Node> = selected
        .iter()
        .map(|&i| &parsed.graph.nodes[i])
        .filter(|n| n.resource_type != ResourceType::Test && n.compiled_code.is_some())
        .collect();
    if !sel.select.is_empty() && shown.len() == 1 {
        p.info(
            "CompiledNode",
            &format!("Compiled node '{}' is:", shown[0].name),
        );
        p.result(
            "CompiledNode",
            shown[0].compiled_code.as_deref().unwrap_or_default(),
        );
    }
    p.info(
        "CompileComplete",
        &format!("Compiled {written} nodes into {target}/compiled"),
    );
    if estimate {
        let warehouse = match super::warehouse::Warehouse::connect(&parsed) {
            Ok(w) => w,
            Err(d) => return super::warehouse::fail(p, &d),
        };
        let chosen: Vec<&Node> = selected.iter().map(|&i| &parsed.graph.nodes[i]).collect();
        let threads = parsed.project.target.threads;
        let result = super::budget::report(p, warehouse.adapter.as_ref(), &chosen, threads, None);
        warehouse.discard();
        if let Err(d) = result {
            return super::warehouse::fail(p, &d);
        }
    }
    OK
}

pub fn ls_cmd(
    settings: &Settings,
    sel: &Selection,
    types: &[String],
    output: LsOutput,
    keys: &[String],
    p: &mut Printer,
) -> i32 {
    let parsed = match parse(settings, p) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let mut wanted = Vec::new();
    let mut all = false;
    for t in types {
        match t.as_str() {
            "all" => all = true,
            "default" => {}
            other => match ResourceType::parse(other) {
                Some(rt) => wanted.push(rt),
                None => {
                    p.diagnostic(&Diagnostic::error(format!(
                        "unknown resource type `{other}`: use model, seed, snapshot, test, source, analysis, exposure or unit_test"
                    )));
                    return INVALID;
                }
            },
        }
    }
    let selected = match choose(&parsed, sel, p) {
        Ok(s) => s,
        Err(d) => {
            p.diagnostic(&d);
            return INVALID;
        }
    };
    let mut nodes: Vec<&Node> = selected
        .iter()
        .map(|&i| &parsed.graph.nodes[i])
        .filter(|n| {
            if wanted.is_empty() {
                // dbt lists everything but analyses unless asked.
                all || n.resource_type != ResourceType::Analysis
            } else {
                wanted.contains(&n.resource_type)
            }
        })
        .collect();
    nodes.sort_by(|a, b| a.unique_id.cmp(&b.unique_id));
    for n in nodes {
        p.result("ListCmdOut", &ls_line(n, output, keys));
    }
    OK
}

fn ls_line(n: &Node, output: LsOutput, keys: &[String]) -> String {
    match output {
        LsOutput::Name => match &n.source {
            Some(s) => format!("{}.{}", s.source_name, n.name),
            None => n.name.clone(),
        },
        LsOutput::Path => n.origin.file.clone(),
        LsOutput::Selector => {
            let fqn = n.fqn.join(".");
            match n.resource_type {
                ResourceType::Source => match &n.source {
                    Some(s) => format!("source:{}.{}.{}", n.package_name, s.source_name, n.name),
                    None => format!("source:{fqn}"),
                },
                ResourceType::Exposure => format!("exposure:{}.{}", n.package_name, n.name),
                ResourceType::UnitTest => format!("unit_test:{}.{}", n.package_name, n.name),
                _ => fqn,
            }
        }
        LsOutput::Json => {
            let mut m = serde_json::Map::new();
            m.insert("name".into(), json!(n.name));
            m.insert("resource_type".into(), json!(n.resource_type.as_str()));
            m.insert("package_name".into(), json!(n.package_name));
            m.insert("original_file_path".into(), json!(n.origin.file));
            m.insert("unique_id".into(), json!(n.unique_id));
            let config = Json::Object(
                crate::artifacts::config_defaults::full_config(n)
                    .into_iter()
                    .collect(),
            );
            // Key order follows dbt's serialisation of each resource type.
            if n.resource_type == ResourceType::UnitTest {
                m.insert(
                    "depends_on".into(),
                    json!({"macros": n.macros, "nodes": n.depends_on}),
                );
                m.insert("config".into(), config);
            } else if let Some(s) = &n.source {
                m.insert("source_name".into(), json!(s.source_name));
                m.insert("tags".into(), json!(n.tags()));
                m.insert("config".into(), config);
            } else {
                m.insert("alias".into(), json!(n.alias));
                m.insert("config".into(), config);
                m.insert("tags".into(), json!(n.tags()));
            }
            if !matches!(
                n.resource_type,
                ResourceType::Source | ResourceType::UnitTest
            ) {
                let depends_on = if n.resource_type == ResourceType::Seed {
                    json!({"macros": n.macros})
                } else {
                    json!({"macros": n.macros, "nodes": n.depends_on})
                };
                m.insert("depends_on".into(), depends_on);
            }
            if n.resource_type == ResourceType::Model {
                m.insert("direct_parents".into(), json!(n.depends_on));
            }
            if !keys.is_empty() {
                m.retain(|k, _| keys.iter().any(|w| w == k));
            }
            crate::render::convert::py_json(&Json::Object(m))
        }
    }
}

pub fn debug_cmd(settings: &Settings, p: &mut Printer) -> i32 {
    let project = match crate::project::load(&settings.load) {
        Ok(x) => x,
        Err(diags) => return report_failure(p, &diags),
    };
    p.secrets = project.target.secret_values();
    let t = &project.target;
    let mut out = vec![
        format!("xform {}", env!("CARGO_PKG_VERSION")),
        format!("project: {} ({})", project.name(), project.root.display()),
        format!("profiles.yml: {}", t.profiles_file.display()),
        format!(
            "profile: {}  target: {}  type: {}",
            t.profile_name,
            t.name,
            t.dialect.adapter_type()
        ),
        format!(
            "database: {}  schema: {}  threads: {}",
            t.database, t.schema, t.threads
        ),
    ];
    for (k, v) in t.public_fields() {
        if !matches!(
            k.as_str(),
            "name" | "target_name" | "profile_name" | "type" | "database" | "schema" | "threads"
        ) {
            out.push(format!("  {k}: {v}"));
        }
    }
    out.push("All checks passed (configuration only: xform compiles offline).".into());
    for line in out {
        p.result("DebugCmdOut", &line);
    }
    OK
}

pub fn clean_cmd(settings: &Settings, p: &mut Printer) -> i32 {
    let root = &settings.load.project_dir;
    let text = match std::fs::read_to_string(root.join("dbt_project.yml")) {
        Ok(t) => t,
        Err(_) => {
            p.diagnostic(&Diagnostic::error(format!(
                "no dbt_project.yml found in {}",
                root.display()
            )));
            return INVALID;
        }
    };
    let (cfg, _) = match crate::project::dbt_project::parse(&text, "dbt_project.yml") {
        Ok(x) => x,
        Err(d) => {
            p.diagnostics(&d);
            return INVALID;
        }
    };
    // Check every target before deleting any: a bad entry deletes nothing.
    let sources: Vec<&String> = cfg
        .model_paths
        .iter()
        .chain(&cfg.seed_paths)
        .chain(&cfg.macro_paths)
        .chain(&cfg.test_paths)
        .chain(&cfg.snapshot_paths)
        .chain(&cfg.analysis_paths)
        .collect();
    let mut refused = Vec::new();
    for t in &cfg.clean_targets {
        let path = root.join(t);
        let normalized = t.trim_end_matches('/').trim_start_matches("./");
        if !is_inside(root, &path) || normalized.is_empty() || normalized == "." {
            refused.push(Diagnostic::error(format!(
                "refusing to clean `{t}`: it is not inside the project"
            )));
        } else if sources.iter().any(|s| {
            let s = s.trim_end_matches('/').trim_start_matches("./");
            s == normalized || s.starts_with(&format!("{normalized}/"))
        }) {
            refused.push(Diagnostic::error(format!(
                "refusing to clean `{t}`: it holds the project's sources (model, seed, macro, test, snapshot or analysis paths)"
            )));
        }
    }
    if !refused.is_empty() {
        p.diagnostics(&refused);
        return INVALID;
    }
    for t in &cfg.clean_targets {
        let path = root.join(t);
        if path.exists() {
            if let Err(e) = std::fs::remove_dir_all(&path) {
                p.diagnostic(&Diagnostic::error(format!("could not delete `{t}`: {e}")));
                return INVALID;
            }
            p.info("CleanComplete", &format!("Deleted {t}"));
        }
    }
    OK
}

/// Whether `path` (root joined with a clean-target) stays strictly inside `root`, judged
/// on its components so targets that do not exist yet are judged too.
fn is_inside(root: &Path, path: &Path) -> bool {
    use std::path::Component;
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut depth = 0i32;
    for c in rel.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::ParentDir => depth -= 1,
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return false,
        }
        if depth < 0 {
            return false;
        }
    }
    depth > 0
}
