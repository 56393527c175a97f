//! Execution: compiled nodes + an `Adapter` -> seeds, models, snapshots and tests run in
//! dependency order on N threads, one outcome per node, reported as they happen.

pub mod node;
pub mod relations;
pub mod schedule;
mod unit;

use std::collections::{HashMap, HashSet};

use crate::graph::Graph;
use crate::node::ResourceType;
pub use node::{Outcome, RunContext, RunStatus};
pub use relations::RelationCache;
pub use schedule::Event;

/// Whether a node does anything when run (sources, ephemerals and the like do not).
pub fn runnable(graph: &Graph, i: usize) -> bool {
    let n = &graph.nodes[i];
    match n.resource_type {
        ResourceType::Model => !n.is_ephemeral(),
        ResourceType::Seed | ResourceType::Snapshot | ResourceType::Test => true,
        ResourceType::UnitTest => true,
        _ => false,
    }
}

/// What each selected node waits for: its selected upstream nodes (looking through
/// unselected and ephemeral ones) and, as in `dbt build`, the tests of its parents, so a
/// failing test stops everything downstream of what it tests.
pub fn dependencies(graph: &Graph, selected: &[usize]) -> HashMap<usize, Vec<usize>> {
    let chosen: HashSet<usize> = selected.iter().copied().collect();
    let mut deps: HashMap<usize, Vec<usize>> = selected
        .iter()
        .map(|&i| (i, upstream_in(graph, i, &chosen)))
        .collect();
    for &t in selected {
        if graph.nodes[t].resource_type != ResourceType::Test {
            continue;
        }
        let parents = deps.get(&t).cloned().unwrap_or_default();
        for &p in &parents {
            for c in graph.children(p) {
                if c == t
                    || !chosen.contains(&c)
                    || matches!(
                        graph.nodes[c].resource_type,
                        ResourceType::Test | ResourceType::UnitTest
                    )
                {
                    continue;
                }
                // Only when everything the test reads is upstream of the child; otherwise
                // the edge could close a cycle (a relationships test to the child itself).
                let fits = parents.len() == 1 || {
                    let up = ancestors(graph, c);
                    parents.iter().all(|q| up.contains(q))
                };
                if fits && let Some(d) = deps.get_mut(&c) {
                    d.push(t);
                }
            }
        }
    }
    unit::order_unit_tests(graph, selected, &chosen, &mut deps);
    deps
}

fn ancestors(graph: &Graph, i: usize) -> HashSet<usize> {
    let mut seen = HashSet::new();
    let mut stack: Vec<usize> = graph.parents(i).collect();
    while let Some(p) = stack.pop() {
        if seen.insert(p) {
            stack.extend(graph.parents(p));
        }
    }
    seen
}

/// The selected nodes upstream of `i`, looking through unselected and ephemeral ones.
fn upstream_in(graph: &Graph, i: usize, chosen: &HashSet<usize>) -> Vec<usize> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<usize> = graph.parents(i).collect();
    while let Some(p) = stack.pop() {
        if !seen.insert(p) {
            continue;
        }
        if chosen.contains(&p) {
            out.push(p);
        } else {
            stack.extend(graph.parents(p));
        }
    }
    out
}

/// Runs the runnable nodes among `selected` (in the order given, as far as dependencies
/// allow) and reports each start, outcome and skip to `on_event`.
pub fn run(
    graph: &Graph,
    selected: &[usize],
    ctx: &RunContext,
    threads: usize,
    fail_fast: bool,
    on_event: impl FnMut(Event<Outcome>),
) {
    let jobs: Vec<usize> = selected
        .iter()
        .copied()
        .filter(|&i| runnable(graph, i))
        .collect();
    let deps = dependencies(graph, &jobs);
    schedule::run(
        &jobs,
        &deps,
        threads,
        fail_fast,
        |i| {
            let outcome = node::run_node(&graph.nodes[i], ctx);
            let blocks = outcome.status.blocks();
            (outcome, blocks)
        },
        on_event,
    );
}
