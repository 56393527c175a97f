//! A `Spec` + the graph -> (directly selected, held-back indirect) node sets, as dbt's NodeSelector.

use std::collections::{BTreeSet, VecDeque};

use super::IndirectSelection;
use super::methods;
use super::parse::{Atom, SetOp, Spec};
use crate::graph::Graph;
use crate::node::ResourceType;

type Set = BTreeSet<usize>;

pub(crate) struct Evaluator<'a> {
    graph: &'a Graph,
    /// Enabled nodes; disabled ones are neither selected nor walked through.
    live: Vec<bool>,
    root_project: &'a str,
    /// Raw items of `Spec::Set { report: Some(..) }` that selected nothing.
    pub unmatched: Vec<String>,
}

impl<'a> Evaluator<'a> {
    pub fn new(graph: &'a Graph, root_project: &'a str) -> Evaluator<'a> {
        Evaluator {
            graph,
            live: graph.nodes.iter().map(|n| n.enabled()).collect(),
            root_project,
            unmatched: Vec::new(),
        }
    }

    /// (direct, indirect): `direct` is the selection; `indirect` holds tests a cautious or
    /// buildable atom kept back, which a later union may complete.
    pub fn eval(&mut self, spec: &Spec) -> (Set, Set) {
        match spec {
            Spec::All => (
                (0..self.graph.len()).filter(|&i| self.live[i]).collect(),
                Set::new(),
            ),
            Spec::Atom(atom) => self.atom(atom),
            Spec::Set {
                op,
                parts,
                indirect,
                report,
            } => {
                let mut direct_sets = Vec::with_capacity(parts.len());
                let mut indirect_sets = Vec::with_capacity(parts.len());
                for part in parts {
                    let (d, i) = self.eval(part);
                    indirect_sets.push(d.union(&i).copied().collect());
                    direct_sets.push(d);
                }
                let initial = combine(*op, direct_sets);
                let held = combine(*op, indirect_sets);
                let direct = self.incorporate(initial, &held, *indirect);
                if let Some(raw) = report
                    && direct.is_empty()
                {
                    self.unmatched.push(raw.clone());
                }
                (direct, held)
            }
        }
    }

    fn atom(&self, atom: &Atom) -> (Set, Set) {
        let collected: Set = self
            .graph
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, n)| self.live[*i] && methods::matches(atom, n, self.root_project))
            .map(|(i, _)| i)
            .collect();
        let mut selected = collected.clone();
        let hops = &atom.hops;
        if hops.childrens_parents {
            let mut down = self.walk(&collected, None, Dir::Down);
            down.extend(&collected);
            let up = self.walk(&down, None, Dir::Up);
            selected.extend(down);
            selected.extend(up);
        }
        if hops.parents {
            selected.extend(self.walk(&collected, hops.parents_depth, Dir::Up));
        }
        if hops.children {
            selected.extend(self.walk(&collected, hops.children_depth, Dir::Down));
        }
        if atom.indirect == IndirectSelection::Empty {
            return (selected, Set::new());
        }
        self.expand(selected, atom.indirect)
    }

    /// Nodes reachable from `start` in `dir` within `depth` steps (all when `None`),
    /// not counting the start nodes themselves.
    fn walk(&self, start: &Set, depth: Option<usize>, dir: Dir) -> Set {
        let mut seen: Set = start.clone();
        let mut out = Set::new();
        let mut queue: VecDeque<(usize, usize)> = start.iter().map(|&i| (i, 0)).collect();
        while let Some((i, d)) = queue.pop_front() {
            if depth.is_some_and(|max| d >= max) {
                continue;
            }
            let next: Vec<usize> = match dir {
                Dir::Up => self.graph.parents(i).collect(),
                Dir::Down => self.graph.children(i).collect(),
            };
            for n in next {
                if self.live[n] && seen.insert(n) {
                    out.insert(n);
                    queue.push_back((n, d + 1));
                }
            }
        }
        out
    }

    fn is_test(&self, i: usize) -> bool {
        matches!(
            self.graph.nodes[i].resource_type,
            ResourceType::Test | ResourceType::UnitTest
        )
    }

    fn parents_within(&self, i: usize, set: &Set) -> bool {
        self.graph
            .parents(i)
            .all(|p| !self.live[p] || set.contains(&p))
    }

    /// dbt's `expand_selection`: add the tests among the selection's children, per `mode`.
    fn expand(&self, selected: Set, mode: IndirectSelection) -> (Set, Set) {
        let buildable_base = (mode == IndirectSelection::Buildable).then(|| {
            let mut s = selected.clone();
            s.extend(self.walk(&selected, None, Dir::Up));
            s.extend(
                (0..self.graph.len())
                    .filter(|&i| self.graph.nodes[i].resource_type == ResourceType::Source),
            );
            s
        });
        let mut direct = selected.clone();
        let mut held = Set::new();
        for &s in &selected {
            for c in self.graph.children(s) {
                if !self.live[c] || !self.is_test(c) || direct.contains(&c) {
                    continue;
                }
                let take = mode == IndirectSelection::Eager
                    || self.parents_within(c, &selected)
                    || buildable_base
                        .as_ref()
                        .is_some_and(|base| self.parents_within(c, base));
                if take {
                    direct.insert(c);
                } else {
                    held.insert(c);
                }
            }
        }
        held.retain(|c| !direct.contains(c));
        (direct, held)
    }

    /// dbt's `incorporate_indirect_nodes`: held-back tests whose parents the combined
    /// selection now covers join it (cautious, buildable).
    fn incorporate(&self, direct: Set, held: &Set, mode: IndirectSelection) -> Set {
        let base = match mode {
            IndirectSelection::Cautious => direct.clone(),
            IndirectSelection::Buildable => {
                let mut b = direct.clone();
                b.extend(self.walk(&direct, None, Dir::Up));
                b
            }
            IndirectSelection::Eager | IndirectSelection::Empty => return direct,
        };
        let mut out = direct;
        for &t in held {
            if self.is_test(t) && self.parents_within(t, &base) {
                out.insert(t);
            }
        }
        out
    }
}

#[derive(Clone, Copy)]
enum Dir {
    Up,
    Down,
}

fn combine(op: SetOp, sets: Vec<Set>) -> Set {
    let mut it = sets.into_iter();
    let Some(first) = it.next() else {
        return Set::new();
    };
    match op {
        SetOp::Union => it.fold(first, |mut acc, s| {
            acc.extend(s);
            acc
        }),
        SetOp::Intersection => it.fold(first, |acc, s| acc.intersection(&s).copied().collect()),
        SetOp::Difference => it.fold(first, |acc, s| acc.difference(&s).copied().collect()),
    }
}
