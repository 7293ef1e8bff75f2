//! The messages of merge results and the notes on them: tasks as `T1: title` lines
//! (never prompts), an `Aos-Workstream` trailer.

use super::gate::Verdict;
use super::landing::short;
use super::merge::Strategy;
use crate::store::{BranchCommit, TaskStatus, TasksFile, WorkstreamRecord};

/// Returns the message of a merge commit: git's own subject, then the tasks.
pub fn merge(ws: &WorkstreamRecord, tasks: &TasksFile) -> String {
    let mut msg = format!("Merge branch '{}' into {}\n\n", ws.branch, ws.base);
    if !tasks.tasks.is_empty() {
        msg.push_str(&task_lines(tasks));
        msg.push('\n');
    }
    msg.push_str(&format!("Aos-Workstream: {}\n", ws.name));
    msg
}

/// Returns the message of a squash commit: the plan's title, the tasks (or, without a
/// plan, the subjects of the squashed commits) and where they came from.
pub fn squash(
    ws: &WorkstreamRecord,
    tasks: &TasksFile,
    commits: &[BranchCommit],
    plan: Option<&[u8]>,
    tip: &str,
) -> String {
    let title = plan
        .and_then(plan_title)
        .unwrap_or_else(|| format!("Workstream {}", ws.name));
    let mut msg = format!("{title} (squash of {})\n\n", ws.branch);
    if tasks.tasks.is_empty() {
        for c in commits {
            msg.push_str(&format!("- {}\n", c.summary));
        }
    } else {
        msg.push_str(&task_lines(tasks));
    }
    msg.push_str(&format!(
        "\nSquashed from {} commits of {} (tip {}).\n\nAos-Workstream: {}\n",
        commits.len(),
        ws.branch,
        short(tip),
        ws.name
    ));
    msg
}

/// Returns the provenance note of a merge or squash result.
pub fn note(
    ws: &WorkstreamRecord,
    tasks: &TasksFile,
    strategy: Strategy,
    branch_tip: &str,
    gate: Verdict,
) -> String {
    let ids: Vec<String> = tasks.tasks.iter().map(|t| t.id.to_string()).collect();
    let gate = match gate {
        Verdict::Passed => "passed",
        Verdict::Skipped => "skipped",
        Verdict::NotConfigured => "none configured",
    };
    format!(
        "workstream: {}\nstrategy: {strategy}\nbranch: {}\nbranch-tip: {branch_tip}\ntasks: {}\nmerge-gate: {gate}\n",
        ws.name,
        ws.branch,
        if ids.is_empty() {
            "none".to_owned()
        } else {
            ids.join(", ")
        }
    )
}

/// Returns `T1: title` lines; a task that is not done says its status.
fn task_lines(tasks: &TasksFile) -> String {
    tasks
        .tasks
        .iter()
        .map(|t| {
            if t.status == TaskStatus::Done {
                format!("{}: {}\n", t.id, t.title)
            } else {
                format!("{}: {} ({})\n", t.id, t.title, t.status)
            }
        })
        .collect()
}

/// Returns the title of a plan: its first level-1 heading, without a `Plan:` prefix.
pub fn plan_title(plan: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(plan);
    let heading = text.lines().find_map(|l| l.strip_prefix("# "))?.trim();
    let title = heading.strip_prefix("Plan:").unwrap_or(heading).trim();
    (!title.is_empty()).then(|| title.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TaskRecord;

    #[test]
    fn plan_titles_drop_the_plan_prefix() {
        assert_eq!(
            plan_title(b"intro\n# Plan: rate limiting\n"),
            Some("rate limiting".into())
        );
        assert_eq!(plan_title(b"# Cache\n"), Some("Cache".into()));
        assert_eq!(plan_title(b"## only level two\n"), None);
    }

    #[test]
    fn task_lines_name_unfinished_tasks() {
        let mut done = TaskRecord::pending("T1".parse().unwrap(), "First", vec![]);
        done.status = TaskStatus::Done;
        let file = TasksFile {
            tasks: vec![
                done,
                TaskRecord::pending("T2".parse().unwrap(), "Second", vec![]),
            ],
        };
        assert_eq!(task_lines(&file), "T1: First\nT2: Second (pending)\n");
    }
}
