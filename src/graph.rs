//! Nodes plus their dependency edges -> a petgraph DAG with parent/child queries and cycle paths.

use std::collections::HashMap;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::node::Node;

/// Every node of the project (by position) and the edges `parent -> child`.
#[derive(Debug, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    index: HashMap<String, usize>,
    dag: DiGraph<usize, ()>,
}

impl Graph {
    /// Builds the graph from nodes whose `depends_on` holds resolved unique ids.
    /// Ids in `depends_on` that name no node are ignored here (resolution reports them).
    pub fn new(nodes: Vec<Node>) -> Graph {
        let mut dag = DiGraph::with_capacity(nodes.len(), nodes.len() * 2);
        let mut index = HashMap::with_capacity(nodes.len());
        for (i, n) in nodes.iter().enumerate() {
            dag.add_node(i);
            index.insert(n.unique_id.clone(), i);
        }
        for (i, n) in nodes.iter().enumerate() {
            for dep in &n.depends_on {
                if let Some(&p) = index.get(dep) {
                    dag.update_edge(NodeIndex::new(p), NodeIndex::new(i), ());
                }
            }
        }
        Graph { nodes, index, dag }
    }

    pub fn get(&self, unique_id: &str) -> Option<usize> {
        self.index.get(unique_id).copied()
    }

    pub fn node(&self, unique_id: &str) -> Option<&Node> {
        self.get(unique_id).map(|i| &self.nodes[i])
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Direct upstream nodes of `i`.
    pub fn parents(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.dag
            .neighbors_directed(NodeIndex::new(i), Direction::Incoming)
            .map(NodeIndex::index)
    }

    /// Direct downstream nodes of `i`.
    pub fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.dag
            .neighbors_directed(NodeIndex::new(i), Direction::Outgoing)
            .map(NodeIndex::index)
    }

    /// Every cycle, each as the unique ids along it with the first repeated at the end.
    pub fn cycles(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for scc in petgraph::algo::tarjan_scc(&self.dag) {
            let self_loop = scc.len() == 1 && self.dag.contains_edge(scc[0], scc[0]);
            if scc.len() < 2 && !self_loop {
                continue;
            }
            out.push(self.cycle_path(&scc));
        }
        out.sort();
        out
    }

    /// A concrete path around one strongly connected component, starting at its smallest id.
    fn cycle_path(&self, scc: &[NodeIndex]) -> Vec<String> {
        let members: std::collections::HashSet<NodeIndex> = scc.iter().copied().collect();
        let Some(&start) = scc
            .iter()
            .min_by_key(|ix| &self.nodes[ix.index()].unique_id)
        else {
            return Vec::new();
        };
        // Breadth-first search from start's children back to start within the component.
        let mut prev: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut found = false;
        while let Some(cur) = queue.pop_front() {
            let mut next: Vec<NodeIndex> = self
                .dag
                .neighbors_directed(cur, Direction::Outgoing)
                .filter(|n| members.contains(n))
                .collect();
            next.sort_by_key(|ix| &self.nodes[ix.index()].unique_id);
            for n in next {
                if n == start {
                    prev.insert(start, cur);
                    found = true;
                    break;
                }
                if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(n) {
                    e.insert(cur);
                    queue.push_back(n);
                }
            }
            if found {
                break;
            }
        }
        let mut path = vec![start];
        let mut cur = start;
        while let Some(&p) = prev.get(&cur) {
            if p == start {
                break;
            }
            path.push(p);
            cur = p;
            if path.len() > scc.len() {
                break;
            }
        }
        path.reverse();
        // path now ends at the node that closes the loop; rotate to start at `start`.
        let mut ids: Vec<String> = std::iter::once(start)
            .chain(path.into_iter().filter(|ix| *ix != start))
            .map(|ix| self.nodes[ix.index()].unique_id.clone())
            .collect();
        ids.push(self.nodes[start.index()].unique_id.clone());
        ids
    }

    /// Node positions in an order where every parent comes before its children.
    /// Nodes on cycles are left out; call `cycles` first.
    pub fn topo_order(&self) -> Vec<usize> {
        match petgraph::algo::toposort(&self.dag, None) {
            Ok(order) => order.into_iter().map(NodeIndex::index).collect(),
            Err(_) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::ResourceType;

    fn model(name: &str, deps: &[&str]) -> Node {
        let mut n = Node::new(ResourceType::Model, "p", name, format!("model.p.{name}"));
        n.depends_on = deps.iter().map(|d| format!("model.p.{d}")).collect();
        n
    }

    #[test]
    fn finds_the_full_cycle_path() {
        let g = Graph::new(vec![
            model("a", &["c"]),
            model("b", &["a"]),
            model("c", &["b"]),
            model("d", &["a"]),
        ]);
        assert_eq!(
            g.cycles(),
            vec![vec![
                "model.p.a".to_string(),
                "model.p.b".into(),
                "model.p.c".into(),
                "model.p.a".into()
            ]]
        );
    }

    #[test]
    fn parents_and_children() {
        let g = Graph::new(vec![model("a", &[]), model("b", &["a"])]);
        assert_eq!(g.children(0).collect::<Vec<_>>(), vec![1]);
        assert_eq!(g.parents(1).collect::<Vec<_>>(), vec![0]);
        assert_eq!(g.topo_order(), vec![0, 1]);
        assert!(g.cycles().is_empty());
    }
}
