//! Where unit tests go in the run order: selected nodes + their dependencies -> the same
//! with each unit test placed between its model's inputs and the model itself.

use std::collections::{HashMap, HashSet};

use crate::graph::Graph;
use crate::node::ResourceType;

/// A unit test reads its model's inputs (their columns type the fixtures), so it waits for
/// what the model waits for. As in `dbt build`, the model then waits for its unit tests, and
/// a model's unit tests run one after another: once one fails, the rest and the model are
/// skipped.
pub(super) fn order_unit_tests(
    graph: &Graph,
    selected: &[usize],
    chosen: &HashSet<usize>,
    deps: &mut HashMap<usize, Vec<usize>>,
) {
    let mut previous: HashMap<usize, usize> = HashMap::new();
    for &u in selected {
        if graph.nodes[u].resource_type != ResourceType::UnitTest {
            continue;
        }
        let Some(model) = graph.parents(u).next() else {
            continue;
        };
        let mut wait: Vec<usize> = if chosen.contains(&model) {
            deps.get(&model)
                .map(|d| {
                    d.iter()
                        .copied()
                        .filter(|&x| graph.nodes[x].resource_type != ResourceType::UnitTest)
                        .collect()
                })
                .unwrap_or_default()
        } else {
            super::upstream_in(graph, model, chosen)
        };
        if chosen.contains(&model) {
            if let Some(&before) = previous.get(&model) {
                wait.push(before);
            }
            previous.insert(model, u);
            if let Some(d) = deps.get_mut(&model) {
                d.push(u);
            }
        }
        deps.insert(u, wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Node;

    fn node(kind: ResourceType, name: &str, deps: &[&str]) -> Node {
        let prefix = kind.as_str();
        let mut n = Node::new(kind, "p", name, format!("{prefix}.p.{name}"));
        n.depends_on = deps.iter().map(|d| d.to_string()).collect();
        n
    }

    #[test]
    fn unit_tests_sit_between_a_models_inputs_and_the_model() {
        let g = Graph::new(vec![
            node(ResourceType::Model, "up", &[]),
            node(ResourceType::Model, "m", &["model.p.up"]),
            node(ResourceType::UnitTest, "u1", &["model.p.m"]),
            node(ResourceType::UnitTest, "u2", &["model.p.m"]),
            node(ResourceType::Test, "not_null_m", &["model.p.m"]),
        ]);
        let all = [0, 1, 2, 3, 4];
        let deps = super::super::dependencies(&g, &all);
        assert_eq!(deps[&2], vec![0], "u1 waits for the model's input");
        assert_eq!(deps[&3], vec![0, 2], "u2 runs after u1");
        let mut m = deps[&1].clone();
        m.sort();
        assert_eq!(m, vec![0, 2, 3], "the model waits for its unit tests");
        assert_eq!(deps[&4], vec![1], "a data test still waits for the model");
    }

    #[test]
    fn without_the_model_a_unit_test_waits_for_selected_inputs_only() {
        let g = Graph::new(vec![
            node(ResourceType::Model, "up", &[]),
            node(ResourceType::Model, "m", &["model.p.up"]),
            node(ResourceType::UnitTest, "u1", &["model.p.m"]),
        ]);
        assert_eq!(
            super::super::dependencies(&g, &[2])[&2],
            Vec::<usize>::new()
        );
        assert_eq!(super::super::dependencies(&g, &[0, 2])[&2], vec![0]);
    }
}
