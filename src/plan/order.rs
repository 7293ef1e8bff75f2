//! The dependency graph of a plan: order for running tasks, tasks ready to run,
//! groups that can run in parallel, and which tasks come before which.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use super::{Plan, Task};
use crate::ids::TaskId;

/// Tasks as indices into `plan.tasks`, with edges from each task to its dependencies.
pub(crate) struct Graph<'p> {
    /// The first task declaring each id (a duplicate is an error reported elsewhere).
    pub index: HashMap<&'p TaskId, usize>,
    /// Known dependencies of each task, without repeats.
    pub deps: Vec<Vec<usize>>,
    /// Whether a task names a dependency the plan does not have.
    pub has_unknown: Vec<bool>,
}

impl<'p> Graph<'p> {
    /// Returns the graph of `plan`.
    pub fn new(plan: &'p Plan) -> Self {
        let mut index = HashMap::with_capacity(plan.tasks.len());
        for (i, task) in plan.tasks.iter().enumerate() {
            index.entry(&task.id).or_insert(i);
        }
        let mut deps = Vec::with_capacity(plan.tasks.len());
        let mut has_unknown = Vec::with_capacity(plan.tasks.len());
        for task in &plan.tasks {
            let known: Vec<usize> = task
                .depends
                .iter()
                .filter_map(|d| index.get(d).copied())
                .collect();
            has_unknown.push(known.len() < task.depends.len());
            deps.push(known);
        }
        Self {
            index,
            deps,
            has_unknown,
        }
    }

    /// Returns the tasks in dependency order, plan order among those ready together.
    ///
    /// Tasks in a cycle, or behind one, are left out; so are tasks with an unknown
    /// dependency when `unknown_blocks` is set.
    pub fn order(&self, unknown_blocks: bool) -> Vec<usize> {
        let n = self.deps.len();
        let mut waiting: Vec<usize> = self.deps.iter().map(Vec::len).collect();
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, deps) in self.deps.iter().enumerate() {
            for &d in deps {
                dependents[d].push(i);
            }
            if unknown_blocks && self.has_unknown[i] {
                waiting[i] += 1;
            }
        }
        let mut ready: BinaryHeap<Reverse<usize>> =
            (0..n).filter(|&i| waiting[i] == 0).map(Reverse).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse(i)) = ready.pop() {
            order.push(i);
            for &j in &dependents[i] {
                waiting[j] -= 1;
                if waiting[j] == 0 {
                    ready.push(Reverse(j));
                }
            }
        }
        order
    }

    /// Returns, for every task, the set of tasks it depends on directly or transitively.
    pub fn ancestors(&self) -> Vec<BitSet> {
        let n = self.deps.len();
        let mut sets = vec![BitSet::new(n); n];
        let mut computed = vec![false; n];
        // In dependency order each task's set is the union of its dependencies' sets.
        for i in self.order(false) {
            let mut set = BitSet::new(n);
            for &d in &self.deps[i] {
                set.insert(d);
                set.union_with(&sets[d]);
            }
            sets[i] = set;
            computed[i] = true;
        }
        // Tasks in or behind a cycle: walk the graph from each.
        for i in (0..n).filter(|&i| !computed[i]) {
            let mut stack = self.deps[i].clone();
            while let Some(d) = stack.pop() {
                if !sets[i].contains(d) {
                    sets[i].insert(d);
                    stack.extend(&self.deps[d]);
                }
            }
        }
        sets
    }
}

/// A fixed-size set of task indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BitSet(Vec<u64>);

impl BitSet {
    fn new(n: usize) -> Self {
        Self(vec![0; n.div_ceil(64)])
    }

    fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    /// Returns whether `i` is in the set.
    pub fn contains(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    fn union_with(&mut self, other: &Self) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }
}

impl Plan {
    /// Returns the task ids in an order that respects dependencies, keeping plan order
    /// among tasks that are ready at the same time.
    ///
    /// Tasks in or behind a dependency cycle, or with an unknown dependency, are left
    /// out; `check` reports those as errors, so a checked plan has every task here.
    pub fn topo_order(&self) -> Vec<TaskId> {
        Graph::new(self)
            .order(true)
            .into_iter()
            .map(|i| self.tasks[i].id.clone())
            .collect()
    }

    /// Returns the tasks not in `done` whose dependencies are all in `done`, in plan order.
    ///
    /// `done` is the caller's view (the state is authoritative, not the checkboxes).
    pub fn ready(&self, done: &BTreeSet<TaskId>) -> Vec<&Task> {
        self.tasks
            .iter()
            .filter(|t| !done.contains(&t.id) && t.depends.iter().all(|d| done.contains(d)))
            .collect()
    }

    /// Returns the waves of the plan: wave 1 holds the tasks that depend on nothing, wave
    /// `n + 1` those whose dependencies all sit in waves up to `n` (at least one in `n`).
    /// The tasks of a wave can run at once. Plan order within a wave; tasks in or behind
    /// a cycle are left out.
    pub fn waves(&self) -> Vec<Vec<TaskId>> {
        let graph = Graph::new(self);
        let mut level = vec![0usize; self.tasks.len()];
        let mut waves: Vec<Vec<usize>> = Vec::new();
        for i in graph.order(false) {
            let l = graph.deps[i]
                .iter()
                .map(|&d| level[d] + 1)
                .max()
                .unwrap_or(0);
            level[i] = l;
            if waves.len() <= l {
                waves.resize(l + 1, Vec::new());
            }
            waves[l].push(i);
        }
        waves
            .into_iter()
            .map(|mut w| {
                w.sort_unstable();
                w.into_iter().map(|i| self.tasks[i].id.clone()).collect()
            })
            .collect()
    }

    /// Returns each task's wave (1-based), as [`Plan::waves`] groups them.
    pub fn wave_of(&self) -> std::collections::BTreeMap<TaskId, usize> {
        self.waves()
            .into_iter()
            .enumerate()
            .flat_map(|(i, w)| w.into_iter().map(move |id| (id, i + 1)))
            .collect()
    }

    /// Returns groups of tasks that share no dependency edge with other groups, so
    /// groups can run in parallel; groups in order of their first task, tasks within
    /// a group in dependency order.
    pub fn independent_groups(&self) -> Vec<Vec<TaskId>> {
        let graph = Graph::new(self);
        let n = self.tasks.len();
        let mut parent: Vec<usize> = (0..n).collect();
        for (i, deps) in graph.deps.iter().enumerate() {
            for &d in deps {
                let (a, b) = (root(&mut parent, i), root(&mut parent, d));
                // The smaller index is the root, so a group is named by its first task.
                parent[a.max(b)] = a.min(b);
            }
        }
        let mut ranked = graph.order(false);
        let mut placed = vec![false; n];
        ranked.iter().for_each(|&i| placed[i] = true);
        ranked.extend((0..n).filter(|&i| !placed[i]));
        let mut groups: Vec<(usize, Vec<TaskId>)> = Vec::new();
        let mut slot: HashMap<usize, usize> = HashMap::new();
        for i in (0..n).filter(|&i| root(&mut parent, i) == i) {
            slot.insert(i, groups.len());
            groups.push((i, Vec::new()));
        }
        for i in ranked {
            let r = root(&mut parent, i);
            if let Some(&s) = slot.get(&r) {
                groups[s].1.push(self.tasks[i].id.clone());
            }
        }
        groups.into_iter().map(|(_, g)| g).collect()
    }
}

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str) -> Plan {
        super::super::parse(text, "p.md").0
    }

    fn ids(list: &[TaskId]) -> Vec<&str> {
        list.iter().map(TaskId::as_str).collect()
    }

    const DIAMOND: &str = "\
### [ ] D: last\nDepends: B, C\n\
### [ ] B: left\nDepends: A\n\
### [ ] C: right\nDepends: A\n\
### [ ] A: first\n\
### [ ] X: alone\n";

    #[test]
    fn topo_order_is_stable_in_plan_order() {
        assert_eq!(ids(&plan(DIAMOND).topo_order()), ["A", "B", "C", "D", "X"]);
    }

    #[test]
    fn topo_order_leaves_out_cycles_and_unknown_dependencies() {
        let p = plan(
            "### [ ] A: a\nDepends: B\n### [ ] B: b\nDepends: A\n### [ ] C: c\n### [ ] D: d\nDepends: Z\n",
        );
        assert_eq!(ids(&p.topo_order()), ["C"]);
    }

    #[test]
    fn ready_needs_every_dependency_done() {
        let p = plan(DIAMOND);
        let names = |done: &[&str]| {
            let done: BTreeSet<TaskId> = done.iter().map(|s| s.parse().unwrap()).collect();
            p.ready(&done)
                .iter()
                .map(|t| t.id.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&[]), ["A", "X"]);
        assert_eq!(names(&["A"]), ["B", "C", "X"]);
        assert_eq!(names(&["A", "B"]), ["C", "X"]);
        assert_eq!(names(&["A", "B", "C", "X"]), ["D"]);
    }

    #[test]
    fn waves_are_dependency_levels_in_plan_order() {
        let waves = plan(DIAMOND).waves();
        let shown: Vec<Vec<&str>> = waves.iter().map(|w| ids(w)).collect();
        assert_eq!(shown, [vec!["A", "X"], vec!["B", "C"], vec!["D"]]);
        let chains = plan(
            "### [ ] A1: a\n### [ ] B1: b\n### [ ] A2: a\nDepends: A1\n### [ ] B2: b\nDepends: B1\n",
        );
        let waves = chains.waves();
        let shown: Vec<Vec<&str>> = waves.iter().map(|w| ids(w)).collect();
        assert_eq!(shown, [vec!["A1", "B1"], vec!["A2", "B2"]]);
    }

    #[test]
    fn groups_are_connected_components() {
        let groups = plan(DIAMOND).independent_groups();
        let shown: Vec<Vec<&str>> = groups.iter().map(|g| ids(g)).collect();
        assert_eq!(shown, [vec!["A", "B", "C", "D"], vec!["X"]]);
    }

    #[test]
    fn ancestors_are_transitive_even_in_cycles() {
        let p = plan(
            "### [ ] A: a\nDepends: C\n### [ ] B: b\nDepends: A\n### [ ] C: c\nDepends: B\n### [ ] D: d\nDepends: C\n",
        );
        let anc = Graph::new(&p).ancestors();
        assert!(anc[3].contains(0) && anc[3].contains(1) && anc[3].contains(2));
        assert!(anc[0].contains(0), "a task in a cycle is its own ancestor");
        assert!(!anc[0].contains(3));
    }
}
