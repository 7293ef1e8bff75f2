//! Where a workstream stands when nothing of it runs: derived from its tasks, so a run
//! that ends and a person's decision taken while nothing runs write the same status.
//! A failed or halted task makes it `failed` (a failed task whose fix task is still to
//! come does not); else tasks at the review gate make it `awaiting_review`, questions
//! `blocked`; a task that can start leaves it `active`; and when nothing can start and
//! nothing waits for a person, it is `failed` too: its remaining tasks wait on tasks that
//! will not land by themselves.

use crate::store::{TaskStatus, TasksFile, WsStatus};

/// Returns whether a task failed and no fix task carries its work on (under
/// `on_failure = "halt"`, no new task starts then).
pub(super) fn unhandled_failure(tasks: &TasksFile) -> bool {
    tasks.tasks.iter().any(|t| {
        t.status == TaskStatus::Failed
            && !t
                .fixed_by
                .as_ref()
                .and_then(|f| tasks.get(f))
                .is_some_and(|f| !matches!(f.status, TaskStatus::Failed | TaskStatus::Skipped))
    })
}

/// Returns the status and reason of a workstream nothing runs on, from its tasks.
pub(super) fn resting(tasks: &TasksFile) -> (WsStatus, Option<String>) {
    let reason = |t: &crate::store::TaskRecord| {
        t.reason
            .clone()
            .unwrap_or_else(|| format!("{} {}", t.id, t.status))
    };
    let handed_over = |t: &&crate::store::TaskRecord| {
        t.fixed_by
            .as_ref()
            .and_then(|f| tasks.get(f))
            .is_some_and(|f| !matches!(f.status, TaskStatus::Failed | TaskStatus::Skipped))
    };
    let failed: Vec<String> = tasks
        .tasks
        .iter()
        .filter(|t| {
            (t.status == TaskStatus::Failed && !handed_over(t))
                || (t.status == TaskStatus::Running && t.reason.is_some())
        })
        .map(reason)
        .collect();
    let review: Vec<String> = with_status(tasks, TaskStatus::AwaitingReview, reason);
    let blocked: Vec<String> = with_status(tasks, TaskStatus::Blocked, reason);
    if !failed.is_empty() {
        let mut all = failed;
        all.extend(review);
        all.extend(blocked);
        return (WsStatus::Failed, Some(all.join("; ")));
    }
    if !review.is_empty() {
        let mut all = review;
        all.extend(blocked);
        return (WsStatus::AwaitingReview, Some(all.join("; ")));
    }
    if !blocked.is_empty() {
        return (WsStatus::Blocked, Some(blocked.join("; ")));
    }
    let done =
        |id: &crate::ids::TaskId| tasks.get(id).is_some_and(|t| t.status == TaskStatus::Done);
    let can_start = tasks.tasks.iter().any(|t| {
        t.status == TaskStatus::Running
            || (t.status == TaskStatus::Pending && t.depends.iter().all(done))
    });
    if can_start || tasks.tasks.iter().all(|t| t.status == TaskStatus::Done) {
        return (WsStatus::Active, None);
    }
    (WsStatus::Failed, Some(stuck(tasks).join("; ")))
}

fn with_status(
    tasks: &TasksFile,
    status: TaskStatus,
    reason: impl Fn(&crate::store::TaskRecord) -> String,
) -> Vec<String> {
    tasks
        .tasks
        .iter()
        .filter(|t| t.status == status)
        .map(reason)
        .collect()
}

/// Returns, for each task that cannot start, which of its dependencies holds it up and
/// why (`T4 waits for T2 (skipped)`).
pub(super) fn stuck(tasks: &TasksFile) -> Vec<String> {
    tasks
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Pending)
        .filter_map(|t| {
            let holding: Vec<String> = t
                .depends
                .iter()
                .filter_map(|d| tasks.get(d))
                .filter(|d| d.status != TaskStatus::Done)
                .map(|d| format!("{} ({})", d.id, d.status))
                .collect();
            (!holding.is_empty()).then(|| format!("{} waits for {}", t.id, holding.join(", ")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TaskRecord;

    fn tasks(spec: &[(&str, TaskStatus, &[&str])]) -> TasksFile {
        TasksFile {
            tasks: spec
                .iter()
                .map(|(id, status, deps)| {
                    let mut t = TaskRecord::pending(
                        id.parse().unwrap(),
                        *id,
                        deps.iter().map(|d| d.parse().unwrap()).collect(),
                    );
                    t.status = *status;
                    t
                })
                .collect(),
        }
    }

    #[test]
    fn a_failure_outweighs_a_gate_and_a_ready_task_keeps_it_active() {
        use TaskStatus::*;
        let t = tasks(&[("A", Failed, &[]), ("B", AwaitingReview, &[])]);
        assert_eq!(resting(&t).0, WsStatus::Failed);
        let t = tasks(&[
            ("A", Done, &[]),
            ("B", AwaitingReview, &[]),
            ("C", Blocked, &[]),
        ]);
        assert_eq!(resting(&t).0, WsStatus::AwaitingReview);
        let t = tasks(&[("A", Skipped, &[]), ("B", Pending, &[])]);
        assert_eq!(resting(&t).0, WsStatus::Active);
        let t = tasks(&[("A", Skipped, &[]), ("B", Pending, &["A"])]);
        let (status, reason) = resting(&t);
        assert_eq!(status, WsStatus::Failed);
        assert_eq!(reason.as_deref(), Some("B waits for A (skipped)"));
    }

    #[test]
    fn a_failed_task_handed_to_a_fix_task_does_not_fail_the_workstream() {
        use TaskStatus::*;
        let mut t = tasks(&[("A", Failed, &[]), ("FIX-1", Pending, &[])]);
        t.tasks[0].fixed_by = Some("FIX-1".parse().unwrap());
        assert_eq!(resting(&t).0, WsStatus::Active);
        t.tasks[1].status = Failed;
        assert_eq!(resting(&t).0, WsStatus::Failed);
    }
}
