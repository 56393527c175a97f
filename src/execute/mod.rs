//! Execution: planned nodes + an `Adapter` -> nodes built in dependency order on N threads,
//! one result per node (success, error with the warehouse's message, or skipped).

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use rayon::prelude::*;

use crate::adapter::Adapter;
use crate::graph::Graph;
use crate::node::Node;
use crate::plan::plan;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    Error,
    Skipped,
}

/// What happened to one node.
#[derive(Debug, Clone)]
pub struct NodeResult {
    pub index: usize,
    pub status: Status,
    pub message: String,
    pub seconds: f64,
}

/// Builds `selected` models in waves: a node runs once every selected parent has
/// succeeded; a failure skips everything downstream of it.
pub fn run(graph: &Graph, selected: &[usize], adapter: &dyn Adapter) -> Vec<NodeResult> {
    let chosen: HashSet<usize> = selected.iter().copied().collect();
    let parents: HashMap<usize, Vec<usize>> = selected
        .iter()
        .map(|&i| (i, upstream_in(graph, i, &chosen)))
        .collect();
    let mut done: HashMap<usize, Status> = HashMap::new();
    let mut results = Vec::with_capacity(selected.len());
    loop {
        let mut progressed = false;
        let mut wave = Vec::new();
        for &i in selected {
            if done.contains_key(&i) {
                continue;
            }
            let ps = &parents[&i];
            if ps
                .iter()
                .any(|p| matches!(done.get(p), Some(Status::Error | Status::Skipped)))
            {
                done.insert(i, Status::Skipped);
                progressed = true;
                results.push(NodeResult {
                    index: i,
                    status: Status::Skipped,
                    message: "skipped: an upstream node failed".into(),
                    seconds: 0.0,
                });
            } else if ps.iter().all(|p| done.get(p) == Some(&Status::Success)) {
                wave.push(i);
            }
        }
        if wave.is_empty() {
            if progressed {
                continue;
            }
            break;
        }
        let outcome: Vec<NodeResult> = wave
            .par_iter()
            .map(|&i| build_one(&graph.nodes[i], i, adapter))
            .collect();
        for r in outcome {
            done.insert(r.index, r.status);
            results.push(r);
        }
    }
    results
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

fn build_one(node: &Node, index: usize, adapter: &dyn Adapter) -> NodeResult {
    let started = Instant::now();
    let outcome = (|| -> Result<String, String> {
        let existing = adapter
            .relation_kind(&node.database, &node.schema, &node.alias)
            .map_err(|e| e.to_string())?;
        let Some(p) = plan(node, adapter.dialect(), existing).map_err(|e| e.to_string())? else {
            return Ok("ephemeral: inlined into its consumers".into());
        };
        for statement in &p.prepare {
            adapter.execute(statement).map_err(|e| e.to_string())?;
        }
        adapter
            .execute_atomically(&p.atomic)
            .map_err(|e| e.to_string())?;
        Ok(format!("created {} {}", node.materialized(), node.alias))
    })();
    let seconds = started.elapsed().as_secs_f64();
    match outcome {
        Ok(message) => NodeResult {
            index,
            status: Status::Success,
            message,
            seconds,
        },
        Err(message) => NodeResult {
            index,
            status: Status::Error,
            message,
            seconds,
        },
    }
}
