//! The parsed graph's unit tests -> diagnostics found before anything runs: malformed
//! definitions, inputs naming nothing, seeds without files, is_incremental rules.

use std::collections::HashSet;
use std::path::PathBuf;

use super::spec::{Input, Rows, UnitSpec};
use crate::diagnostics::{Diagnostic, Location};
use crate::graph::Graph;
use crate::node::{Node, ResourceType};
use crate::project::Project;
use crate::resolve::Names;

/// Where `<test-path>/fixtures` directories of the unit test's package are.
pub fn fixture_dirs(project: &Project, node: &Node) -> Vec<PathBuf> {
    // A package's files are under `dbt_packages/<dir>/`; the root project's at the root.
    let prefix = node
        .origin
        .file
        .strip_prefix("dbt_packages/")
        .and_then(|rest| rest.split_once('/'))
        .map(|(dir, _)| format!("dbt_packages/{dir}"));
    let base = match &prefix {
        Some(p) => project.root.join(p),
        None => project.root.clone(),
    };
    project
        .packages
        .iter()
        .find(|p| p.name == node.package_name)
        .map(|p| {
            p.config
                .test_paths
                .iter()
                .map(|t| base.join(t).join("fixtures"))
                .collect()
        })
        .unwrap_or_default()
}

/// A given input resolved to the node it stands for.
pub fn input_node<'g>(
    graph: &'g Graph,
    names: &Names,
    test: &Node,
    input: &Input,
) -> Option<&'g Node> {
    let id = match input {
        Input::Ref(call) => names.resolve_ref(call, &test.package_name)?,
        Input::Source(s, t) => names.sources.get(&(s.clone(), t.clone()))?,
        Input::This => test.depends_on.first()?,
    };
    graph.node(id)
}

/// Every problem with every unit test of the graph (errors stop the command).
pub fn check(graph: &Graph, project: &Project) -> Vec<Diagnostic> {
    let names = Names::new(&graph.nodes, &[], project.name());
    let mut out = Vec::new();
    for n in graph
        .nodes
        .iter()
        .filter(|n| n.resource_type == ResourceType::UnitTest)
    {
        let at = Location::new(n.origin.file.clone(), n.origin.line, 0);
        let spec = match UnitSpec::from_node(n, &fixture_dirs(project, n)) {
            Ok(s) => s,
            Err(e) => {
                out.push(Diagnostic::error(e.to_string()).at(at));
                continue;
            }
        };
        let Some(model) = n.depends_on.first().and_then(|id| graph.node(id)) else {
            continue;
        };
        if model.resource_type != ResourceType::Model {
            out.push(
                Diagnostic::error(format!(
                    "unit test `{}` tests `{}`, which is a {}: unit tests test models",
                    n.name,
                    model.name,
                    model.resource_type.as_str()
                ))
                .at(at),
            );
            continue;
        }
        out.extend(check_inputs(graph, &names, project, n, model, &spec, &at));
        out.extend(check_incremental(n, model, &spec, &at));
    }
    out
}

fn check_inputs(
    graph: &Graph,
    names: &Names,
    project: &Project,
    test: &Node,
    model: &Node,
    spec: &UnitSpec,
    at: &Location,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for g in &spec.given {
        let Some(input) = input_node(graph, names, test, &g.input) else {
            out.push(
                Diagnostic::error(format!(
                    "Unit test '{}' had an input ({}) which was not found in the manifest.",
                    test.name, g.written
                ))
                .at(at.clone()),
            );
            continue;
        };
        if g.rows == Rows::Seed && input.resource_type != ResourceType::Seed {
            let dirs = project
                .packages
                .iter()
                .find(|p| p.name == input.package_name)
                .map(|p| p.config.seed_paths.clone())
                .unwrap_or_default();
            out.push(
                Diagnostic::error(format!(
                    "Unable to find seed '{}.{}' for unit tests in directories: [{}]",
                    input.package_name,
                    input.name,
                    dirs.iter()
                        .map(|d| format!("'{d}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .at(at.clone())
                .note(format!("give `rows` for {}", g.written)),
            );
            continue;
        }
        if g.input != Input::This && !model.depends_on.contains(&input.unique_id) {
            // dbt accepts such an input and ignores it; say so rather than fail.
            out.push(
                Diagnostic::warning(format!(
                    "unit test `{}` gives {}, which model `{}` does not use; the input is ignored",
                    test.name, g.written, model.name
                ))
                .at(at.clone()),
            );
        }
    }
    out
}

/// dbt's rules for models that call is_incremental(): the test must say which branch it
/// tests, and the incremental branch reads `this`, so it must be given.
fn check_incremental(test: &Node, model: &Node, spec: &UnitSpec, at: &Location) -> Vec<Diagnostic> {
    if !model.macros.iter().any(|m| m == "macro.dbt.is_incremental") {
        return Vec::new();
    }
    match spec.overrides.is_incremental() {
        None => vec![
            Diagnostic::error(format!(
                "Boolean override for 'is_incremental' must be provided for unit test '{}' in model '{}'",
                test.name, model.name
            ))
            .at(at.clone())
            .note("add `overrides: {macros: {is_incremental: true}}` (or false)"),
        ],
        Some(true) if !spec.this_given() => vec![
            Diagnostic::error(format!(
                "Unit test '{}' for incremental model '{}' must have a 'this' input",
                test.name, model.name
            ))
            .at(at.clone()),
        ],
        _ => Vec::new(),
    }
}

/// Unit tests of disabled models are disabled with them, as in dbt; returns the enabled
/// nodes left.
pub fn disable_with_models(enabled: Vec<Node>, disabled: &mut Vec<Node>) -> Vec<Node> {
    let live: HashSet<String> = enabled
        .iter()
        .filter(|n| n.resource_type == ResourceType::Model)
        .map(|n| n.name.clone())
        .collect();
    let off: HashSet<String> = disabled
        .iter()
        .filter(|n| n.resource_type == ResourceType::Model)
        .map(|n| n.name.clone())
        .collect();
    let (keep, drop): (Vec<Node>, Vec<Node>) = enabled.into_iter().partition(|n| {
        n.resource_type != ResourceType::UnitTest
            || n.refs
                .first()
                .is_none_or(|r| live.contains(&r.name) || !off.contains(&r.name))
    });
    disabled.extend(drop);
    keep
}
