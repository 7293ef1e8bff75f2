//! Checks how the tasks of a parsed plan relate: duplicate ids, unknown dependencies,
//! cycles, output references; and warns about tasks nothing can verify.

use std::collections::HashMap;

use super::diagnostic::{Diagnostic, Diagnostics};
use super::order::Graph;
use super::{Plan, Task};

impl Plan {
    /// Returns the problems in how the tasks relate, sorted by line.
    ///
    /// Complements `parse`, which reports problems of form; `check` runs both.
    pub fn validate(&self) -> Vec<Diagnostic> {
        let mut diags = Diagnostics::new(&self.source);
        let graph = Graph::new(self);
        duplicates(self, &mut diags);
        unknown_dependencies(self, &graph, &mut diags);
        cycles(self, &graph, &mut diags);
        output_references(self, &graph, &mut diags);
        for task in self
            .tasks
            .iter()
            .filter(|t| !t.done && t.commands().next().is_none())
        {
            diags.warning(
                task.line,
                format!("task `{}` has no acceptance command; only the project test and the reviewer will check it", task.id),
            );
        }
        diags.into_sorted()
    }
}

fn duplicates(plan: &Plan, diags: &mut Diagnostics) {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for task in &plan.tasks {
        match first.get(task.id.as_str()) {
            Some(line) => diags.error(
                task.line,
                format!(
                    "duplicate task id `{}`: declared on line {line} and line {}",
                    task.id, task.line
                ),
            ),
            None => {
                first.insert(task.id.as_str(), task.line);
            }
        }
    }
}

fn unknown_dependencies(plan: &Plan, graph: &Graph<'_>, diags: &mut Diagnostics) {
    for task in &plan.tasks {
        for dep in task.depends.iter().filter(|d| !graph.index.contains_key(d)) {
            diags.error(
                task.meta.depends_line,
                format!(
                    "task `{}` depends on `{dep}`, which is not in the plan",
                    task.id
                ),
            );
        }
    }
}

/// Reports each dependency cycle once, starting from its first task in plan order.
fn cycles(plan: &Plan, graph: &Graph<'_>, diags: &mut Diagnostics) {
    let n = plan.tasks.len();
    let mut stuck = vec![true; n];
    graph
        .order(false)
        .into_iter()
        .for_each(|i| stuck[i] = false);
    let mut explored = vec![false; n];
    for start in 0..n {
        if !stuck[start] || explored[start] {
            continue;
        }
        // Every stuck task waits on a stuck dependency, so this walk must loop.
        let mut path: Vec<usize> = Vec::new();
        let mut at = start;
        while !explored[at] {
            explored[at] = true;
            path.push(at);
            let Some(next) = graph.deps[at].iter().copied().find(|&d| stuck[d]) else {
                break;
            };
            at = next;
        }
        let looped = path
            .last()
            .is_some_and(|&last| graph.deps[last].contains(&at));
        let Some(pos) = path.iter().position(|&i| i == at).filter(|_| looped) else {
            continue; // The walk ran into a cycle reported before.
        };
        let mut cycle = path.split_off(pos);
        let min = cycle
            .iter()
            .enumerate()
            .min_by_key(|&(_, &i)| i)
            .map_or(0, |(k, _)| k);
        cycle.rotate_left(min);
        let mut names: Vec<&str> = cycle.iter().map(|&i| plan.tasks[i].id.as_str()).collect();
        names.push(names[0]);
        let head = &plan.tasks[cycle[0]];
        diags.error(
            head.meta.depends_line,
            format!(
                "dependency cycle: {} (each depends on the next)",
                names.join(" -> ")
            ),
        );
    }
}

fn output_references(plan: &Plan, graph: &Graph<'_>, diags: &mut Diagnostics) {
    if plan.tasks.iter().all(|t| t.meta.output_refs.is_empty()) {
        return;
    }
    let ancestors = graph.ancestors();
    for (i, task) in plan.tasks.iter().enumerate() {
        for (found, line) in &task.meta.output_refs {
            let reference = match found {
                Ok(r) => r,
                Err(raw) => {
                    diags.error(
                        *line,
                        format!("malformed output reference `{raw}`: write `${{ID.outputs.name}}`"),
                    );
                    continue;
                }
            };
            let Some(&j) = graph.index.get(&reference.task) else {
                diags.error(
                    *line,
                    format!(
                        "`{reference}` names task `{}`, which is not in the plan",
                        reference.task
                    ),
                );
                continue;
            };
            let target = &plan.tasks[j];
            if !target.outputs.iter().any(|o| o.name == reference.name) {
                diags.error(
                    *line,
                    format!(
                        "`{reference}`: task `{}` declares no output `{}`{}",
                        target.id,
                        reference.name,
                        declared(target)
                    ),
                );
            } else if i == j {
                diags.error(*line, format!("`{reference}` refers to task `{}` itself; its outputs exist only after it is done", task.id));
            } else if !ancestors[i].contains(j) {
                diags.error(
                    *line,
                    format!("`{reference}` refers to task `{}`, which `{}` does not depend on; add it to `Depends:`", target.id, task.id),
                );
            }
        }
    }
}

fn declared(task: &Task) -> String {
    if task.outputs.is_empty() {
        return " (it declares no outputs)".to_owned();
    }
    let names: Vec<String> = task
        .outputs
        .iter()
        .map(|o| format!("`{}`", o.name))
        .collect();
    format!(" (it declares {})", names.join(", "))
}
