//! Which task a person's commit in a workstream counts for.

use crate::ids::TaskId;
use crate::store::{TaskStatus, TasksFile, WorkstreamRecord};

/// Returns the task a commit counts for: the workstream's current task, else the first
/// pending task (in plan order) whose dependencies are all done; `None` when every task
/// is done or waits for another.
pub fn current(ws: &WorkstreamRecord, tasks: &TasksFile) -> Option<TaskId> {
    if let Some(id) = &ws.current_task {
        return Some(id.clone());
    }
    let done = |id: &TaskId| tasks.get(id).is_some_and(|t| t.status == TaskStatus::Done);
    tasks
        .tasks
        .iter()
        .find(|t| t.status == TaskStatus::Pending && t.depends.iter().all(done))
        .map(|t| t.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{TaskRecord, WsStatus};

    fn record(current: Option<&str>) -> WorkstreamRecord {
        WorkstreamRecord {
            name: "w".parse().unwrap(),
            branch: "aos/w".into(),
            base: "main".into(),
            base_commit: "0".repeat(40),
            worktree: "/w".into(),
            profile: "default".into(),
            status: WsStatus::Active,
            created_at: String::new(),
            updated_at: String::new(),
            plan_path: None,
            current_task: current.map(|c| c.parse().unwrap()),
            reason: None,
            head: None,
            merge_commit: None,
            tasks_done: 0,
            tasks_total: 0,
            tip: None,
            integrating: None,
        }
    }

    fn task(id: &str, status: TaskStatus, depends: &[&str]) -> TaskRecord {
        let deps = depends.iter().map(|d| d.parse().unwrap()).collect();
        let mut t = TaskRecord::pending(id.parse().unwrap(), id, deps);
        t.status = status;
        t
    }

    #[test]
    fn the_current_task_wins_then_the_first_ready_one() {
        let tasks = TasksFile {
            tasks: vec![
                task("T1", TaskStatus::Done, &[]),
                task("T2", TaskStatus::Pending, &["T3"]),
                task("T3", TaskStatus::Pending, &["T1"]),
            ],
        };
        assert_eq!(
            current(&record(Some("T2")), &tasks),
            Some("T2".parse().unwrap())
        );
        assert_eq!(current(&record(None), &tasks), Some("T3".parse().unwrap()));
        let all_done = TasksFile {
            tasks: vec![task("T1", TaskStatus::Done, &[])],
        };
        assert_eq!(current(&record(None), &all_done), None);
    }
}
