//! The front end in order: load -> build nodes -> parse pass -> names -> link -> DAG, and then
//! the compile pass for a selection. Each stage reports all of its problems before stopping.

use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::graph::Graph;
use crate::node::{Node, ResourceType};
use crate::project::{self, LoadOptions, Project};
use crate::render::compile::{compile_pass, resolver};
use crate::render::env::RenderEnv;
use crate::render::passes::{PassInput, parse_pass};
use crate::render::{naming, passes};
use crate::resolve::{Names, link};

/// A parsed project: its graph of enabled nodes and what was set aside.
pub struct Parsed {
    pub project: Project,
    pub renv: RenderEnv,
    pub graph: Graph,
    pub disabled: Vec<Node>,
    pub warnings: Vec<Diagnostic>,
}

fn stop(mut diags: Diagnostics, more: Vec<Diagnostic>) -> Result<(), Diagnostics> {
    diags.extend(more);
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(())
    }
}

/// Prints how long a stage took when `XFORM_TIMINGS` is set (for benchmarking).
pub fn timing(stage: &str, since: std::time::Instant) {
    if std::env::var_os("XFORM_TIMINGS").is_some() {
        eprintln!(
            "[timing] {stage}: {:.1} ms",
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
}

/// Loads and parses the project: every node rendered once with execute=false.
pub fn parse(opts: &LoadOptions) -> Result<Parsed, Diagnostics> {
    let t = std::time::Instant::now();
    let project = project::load(opts)?;
    timing("load", t);
    let t = std::time::Instant::now();
    let mut warnings = project.warnings.clone();
    let built = project::nodes::build(&project);
    stop(Diagnostics::default(), built.diagnostics.clone())?;
    warnings.extend(built.diagnostics.iter().filter(|d| !d.is_error()).cloned());
    let renv = RenderEnv::new(&project).map_err(|items| Diagnostics { items })?;
    timing("build nodes + macros", t);
    let t = std::time::Instant::now();
    let mut nodes = built.nodes;
    {
        let input = PassInput::new(&renv, &project, None);
        let mut diags = parse_pass(&input, &mut nodes);
        diags.extend(generic_test_macros(&renv, &mut nodes));
        warnings.extend(diags.iter().filter(|d| !d.is_error()).cloned());
        stop(Diagnostics::default(), diags)?;
    }
    let (mut enabled, mut disabled): (Vec<Node>, Vec<Node>) =
        nodes.into_iter().partition(Node::enabled);
    // Tests of disabled resources are disabled with them, as in dbt.
    let off: std::collections::HashSet<String> =
        disabled.iter().map(|n| n.unique_id.clone()).collect();
    let (keep, drop): (Vec<Node>, Vec<Node>) = enabled.into_iter().partition(|n| {
        n.test_metadata
            .as_ref()
            .and_then(|m| m.attached_node.as_ref())
            .is_none_or(|a| !off.contains(a))
    });
    enabled = keep;
    disabled.extend(drop);
    enabled = crate::testing::unit::disable_with_models(enabled, &mut disabled);
    {
        let input = PassInput::new(&renv, &project, None);
        stop(Diagnostics::default(), naming::assign(&input, &mut enabled))?;
    }
    let names = Names::new(&enabled, &disabled, project.name());
    stop(Diagnostics::default(), link(&mut enabled, &names))?;
    let graph = Graph::new(enabled);
    let cycles = graph.cycles();
    timing("names + link + graph", t);
    if !cycles.is_empty() {
        let items = cycles.iter().map(|c| cycle_diagnostic(&graph, c)).collect();
        return Err(Diagnostics { items });
    }
    let unit = crate::testing::unit::check(&graph, &project);
    warnings.extend(unit.iter().filter(|d| !d.is_error()).cloned());
    stop(Diagnostics::default(), unit)?;
    Ok(Parsed {
        project,
        renv,
        graph,
        disabled,
        warnings,
    })
}

/// Each generic test depends on its test macro; a test nobody defines is reported at its
/// YAML line.
fn generic_test_macros(renv: &RenderEnv, nodes: &mut [Node]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for n in nodes.iter_mut() {
        let Some(meta) = &n.test_metadata else {
            continue;
        };
        let name = format!("test_{}", meta.name);
        let def = match &meta.namespace {
            Some(ns) => renv.index.get(ns, &name),
            None => renv.index.find(&name, &n.package_name),
        };
        match def {
            Some(def) => {
                n.macros = vec![def.unique_id()];
                // dbt renders the arguments of every test but not_null/unique while parsing,
                // which resolves `model` through get_where_subquery.
                let fast_path =
                    meta.namespace.is_none() && matches!(meta.name.as_str(), "not_null" | "unique");
                if !fast_path
                    && let Some(w) = renv.index.find("get_where_subquery", &n.package_name)
                {
                    n.macros.push(w.unique_id());
                }
            }
            None => {
                let known: Vec<&str> = renv
                    .index
                    .names()
                    .filter_map(|m| m.strip_prefix("test_"))
                    .collect();
                let mut d = Diagnostic::error(format!(
                    "generic test `{}` is not defined by any package",
                    meta.namespace
                        .as_ref()
                        .map_or(meta.name.clone(), |ns| format!("{ns}.{}", meta.name))
                ))
                .at(Location::new(n.origin.file.clone(), n.origin.line, 0));
                if let Some(hint) = crate::diagnostics::did_you_mean(&meta.name, known) {
                    d = d.note(hint);
                }
                diags.push(d);
            }
        }
    }
    diags
}

fn cycle_diagnostic(graph: &Graph, cycle: &[String]) -> Diagnostic {
    let path: Vec<String> = cycle
        .iter()
        .map(|id| graph.node(id).map_or(id.clone(), |n| n.name.clone()))
        .collect();
    let first = cycle.first().and_then(|id| graph.node(id));
    let mut d = Diagnostic::error(format!("dependency cycle: {}", path.join(" -> ")));
    if let Some(n) = first {
        d = d.at(Location::file(n.origin.file.clone()));
    }
    let files: Vec<String> = cycle
        .iter()
        .take(cycle.len().saturating_sub(1))
        .filter_map(|id| graph.node(id).map(|n| n.origin.file.clone()))
        .collect();
    d.note(format!(
        "break one of these ref() calls: {}",
        files.join(", ")
    ))
}

/// The root project's `quoting:` applied to dbt's all-quoted default.
fn quote_policy(project: &Project) -> crate::dialect::QuotePolicy {
    crate::dialect::QuotePolicy::default().with(&project.root_package().config.quoting)
}

/// Publishes dbt's `graph` variable, when any template reads it (it costs a copy of
/// every node's metadata).
fn publish_graph(parsed: &Parsed) {
    let reads_graph = |text: &str| text.contains("graph.") || text.contains("graph[");
    let used = parsed.graph.nodes.iter().any(|n| reads_graph(&n.raw_code))
        || parsed
            .project
            .packages
            .iter()
            .any(|p| p.macros.iter().any(|m| reads_graph(&m.text)));
    if !used {
        return;
    }
    use crate::render::convert::{json_to_value, map_value};
    let section = |kinds: &[ResourceType]| {
        map_value(
            parsed
                .graph
                .nodes
                .iter()
                .filter(|n| kinds.contains(&n.resource_type))
                .map(|n| (n.unique_id.as_str(), json_to_value(&passes::node_json(n)))),
        )
    };
    let value = map_value([
        (
            "nodes",
            section(&[
                ResourceType::Model,
                ResourceType::Seed,
                ResourceType::Snapshot,
                ResourceType::Test,
                ResourceType::Analysis,
            ]),
        ),
        ("sources", section(&[ResourceType::Source])),
        ("exposures", section(&[ResourceType::Exposure])),
    ]);
    *parsed.renv.graph.write().unwrap_or_else(|e| e.into_inner()) = value;
}

/// Renders `selected` with execute=true; returns all diagnostics (errors and warnings).
pub fn compile(parsed: &mut Parsed, selected: &[usize], check_sql: bool) -> Vec<Diagnostic> {
    compile_with(parsed, selected, check_sql, None)
}

/// `compile` for a run: `is_incremental()` answers from what the warehouse holds.
pub fn compile_with(
    parsed: &mut Parsed,
    selected: &[usize],
    check_sql: bool,
    run: Option<crate::render::passes::RunState>,
) -> Vec<Diagnostic> {
    publish_graph(parsed);
    let r = resolver(
        &parsed.graph.nodes,
        parsed.project.name(),
        parsed.renv.dialect,
        quote_policy(&parsed.project),
    );
    let mut input = PassInput::new(&parsed.renv, &parsed.project, Some(Arc::new(r)));
    input.run = run;
    let t = std::time::Instant::now();
    let out = compile_pass(&input, &mut parsed.graph, selected, check_sql);
    timing("compile pass", t);
    out
}

/// Compiles one ad-hoc query (`compile --inline`) against the parsed project.
pub fn compile_inline(parsed: &Parsed, sql: &str) -> Result<String, Diagnostic> {
    compile_inline_with(parsed, sql, None)
}

/// `compile_inline` for a run: introspective Jinja (run_query, statement) reaches the
/// warehouse, as `show --inline` and `run-operation` need.
pub fn compile_inline_with(
    parsed: &Parsed,
    sql: &str,
    run: Option<crate::render::passes::RunState>,
) -> Result<String, Diagnostic> {
    let r = resolver(
        &parsed.graph.nodes,
        parsed.project.name(),
        parsed.renv.dialect,
        quote_policy(&parsed.project),
    );
    let mut input = PassInput::new(&parsed.renv, &parsed.project, Some(Arc::new(r)));
    input.run = run;
    let mut n = Node::new(
        ResourceType::Model,
        parsed.project.name(),
        "inline_query",
        format!("sql_operation.{}.inline_query", parsed.project.name()),
    );
    n.origin.file = "<inline>".to_string();
    n.raw_code = sql.to_string();
    let rendered = input.render_source(&n, true, &crate::render::prepare::node_template(sql))?;
    let ctes: Vec<(String, String)> = rendered
        .calls
        .ephemerals
        .iter()
        .filter_map(|id| parsed.graph.node(id))
        .filter_map(|e| input.render(e, true).ok().map(|r| (e.name.clone(), r.sql)))
        .collect();
    let refs: Vec<(String, &str)> = ctes.iter().map(|(n, s)| (n.clone(), s.as_str())).collect();
    Ok(crate::render::compile::inject_ctes(&rendered.sql, &refs))
}

pub use passes::node_json;
