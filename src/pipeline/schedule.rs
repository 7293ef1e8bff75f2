//! Which tasks start now: first the tasks in progress that nothing drives (a run a kill
//! interrupted, or one a person sent back with `reject` or `retry`), then pending tasks
//! whose dependencies are done, in plan order; never more than the free slots, and never
//! one whose declared `Files:` overlap those of a task that runs (it waits for it).

use std::collections::BTreeMap;

use crate::ids::TaskId;
use crate::plan::Plan;
use crate::store::{TaskStatus, TasksFile};

/// Returns the tasks to start, at most `slots`, given the tasks running now with their
/// declared files. A task in progress that nothing drives (a halted one, one a person
/// sent back, one a kill interrupted) goes first; `only_in_progress` starts nothing new
/// (a failure halts the workstream under `on_failure = "halt"`).
pub(super) fn pick(
    tasks: &TasksFile,
    plan: &Plan,
    running: &BTreeMap<TaskId, Vec<String>>,
    slots: usize,
    only_in_progress: bool,
) -> Vec<TaskId> {
    let done = |id: &TaskId| tasks.get(id).is_some_and(|t| t.status == TaskStatus::Done);
    let in_progress = tasks
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Running && !running.contains_key(&t.id));
    let ready = tasks.tasks.iter().filter(|t| {
        !only_in_progress
            && t.status == TaskStatus::Pending
            && t.depends.iter().all(done)
            && plan.try_find_task(&t.id).is_some()
    });
    let mut taken: Vec<(TaskId, Vec<String>)> = running
        .iter()
        .map(|(id, files)| (id.clone(), files.clone()))
        .collect();
    let mut picked = Vec::new();
    for t in in_progress.chain(ready) {
        if picked.len() >= slots {
            break;
        }
        let files = plan
            .try_find_task(&t.id)
            .map(|p| p.files.clone())
            .unwrap_or_default();
        if taken.iter().any(|(_, other)| overlaps(&files, other)) {
            continue;
        }
        picked.push(t.id.clone());
        taken.push((t.id.clone(), files));
    }
    picked
}

/// Returns whether two declared scopes may touch the same file: some entry of one is a
/// path prefix of an entry of the other, each cut at its first glob character. A task
/// that declares no files overlaps nothing: its scope is unknown, and landing merges it.
pub(super) fn overlaps(a: &[String], b: &[String]) -> bool {
    let stem = |e: &String| -> (String, bool) {
        let e = e.trim().trim_start_matches("./");
        match e.find(['*', '?', '[', '{']) {
            Some(cut) => (e[..cut].to_owned(), true),
            None => (e.trim_end_matches('/').to_owned(), false),
        }
    };
    let within = |short: &str, long: &str| {
        short.is_empty()
            || long == short
            || (long.starts_with(short)
                && (short.ends_with('/') || long[short.len()..].starts_with('/')))
    };
    // A glob's literal stem may end inside a file name (`src/a` of `src/a*.rs`).
    let inside_name = |(stem, glob): &(String, bool), other: &str| {
        *glob && other.starts_with(stem.as_str()) && !other[stem.len()..].contains('/')
    };
    a.iter().map(stem).any(|x| {
        b.iter().map(stem).any(|y| {
            within(&x.0, &y.0)
                || within(&y.0, &x.0)
                || inside_name(&x, &y.0)
                || inside_name(&y, &x.0)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TaskRecord;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn scopes_overlap_by_path_prefix_and_glob_stem() {
        assert!(overlaps(&s(&["src/lib.rs"]), &s(&["src/lib.rs"])));
        assert!(overlaps(&s(&["src/"]), &s(&["src/a/b.rs"])));
        assert!(overlaps(&s(&["src/*.rs"]), &s(&["src/lib.rs"])));
        assert!(overlaps(&s(&["src/a*.rs"]), &s(&["src/ab.rs"])));
        assert!(!overlaps(&s(&["src/a.rs"]), &s(&["src/ab.rs"])));
        assert!(!overlaps(&s(&["docs/"]), &s(&["src/"])));
        assert!(!overlaps(&s(&["src/a"]), &s(&["src/ab/c.rs"])));
        assert!(!overlaps(&[], &s(&["src/"])), "no scope overlaps nothing");
    }

    fn plan() -> Plan {
        let text = "### [ ] A: a\nFiles: src/a.rs\n\n### [ ] B: b\nFiles: src/a.rs\n\n### [ ] C: c\nFiles: docs/\n\n### [ ] D: d\nDepends: A\n";
        crate::plan::check(text, "p.md").unwrap().plan
    }

    fn tasks(p: &Plan) -> TasksFile {
        TasksFile {
            tasks: p
                .tasks
                .iter()
                .map(|t| TaskRecord::pending(t.id.clone(), &t.title, t.depends.clone()))
                .collect(),
        }
    }

    fn ids(v: &[TaskId]) -> Vec<&str> {
        v.iter().map(TaskId::as_str).collect()
    }

    #[test]
    fn ready_tasks_start_in_plan_order_without_overlapping_files() {
        let p = plan();
        let t = tasks(&p);
        let none = BTreeMap::new();
        assert_eq!(ids(&pick(&t, &p, &none, 10, false)), ["A", "C"]);
        assert_eq!(ids(&pick(&t, &p, &none, 1, false)), ["A"]);
        let a_runs = BTreeMap::from([("A".parse().unwrap(), s(&["src/a.rs"]))]);
        assert_eq!(ids(&pick(&t, &p, &a_runs, 10, false)), ["C"]);
    }

    #[test]
    fn tasks_in_progress_come_first_then_what_became_ready() {
        let p = plan();
        let mut t = tasks(&p);
        t.get_mut(&"C".parse().unwrap()).unwrap().status = TaskStatus::Running;
        assert_eq!(ids(&pick(&t, &p, &BTreeMap::new(), 1, false)), ["C"]);
        t.get_mut(&"A".parse().unwrap()).unwrap().status = TaskStatus::Done;
        assert_eq!(
            ids(&pick(&t, &p, &BTreeMap::new(), 5, false)),
            ["C", "B", "D"]
        );
        assert_eq!(ids(&pick(&t, &p, &BTreeMap::new(), 5, true)), ["C"]);
    }
}
