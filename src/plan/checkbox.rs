//! Edits to a plan's text that keep every other byte as it was: ticking a task's
//! checkbox, and appending a task (UAT fix tasks) at the end.

use super::{Error, parse};
use crate::ids::TaskId;

/// Returns `plan_text` with the checkbox of task `id` ticked: `[ ]` becomes `[x]` on
/// its heading line and no other byte changes (CRLF and trailing spaces stay).
///
/// Ticking a task that is already ticked returns the text unchanged.
pub fn tick(plan_text: &str, id: &TaskId) -> Result<String, Error> {
    let (plan, _) = parse(plan_text, "");
    let mut matching = plan.tasks.iter().filter(|t| &t.id == id);
    let task = matching
        .next()
        .ok_or_else(|| Error::UnknownTask(id.clone()))?;
    if matching.next().is_some() {
        return Err(Error::DuplicateTask(id.clone()));
    }
    let mut text = plan_text.to_owned();
    if !task.done {
        let at = task.meta.checkbox_at;
        // The parser put `at` between `[` and `]` of `[ ]`; check rather than trust.
        if text.get(at..at + 1) != Some(" ") {
            return Err(Error::NoCheckbox(id.clone()));
        }
        text.replace_range(at..at + 1, "x");
    }
    Ok(text)
}

/// A task to add to a plan with `append_task`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    /// The new task's id; no task of the plan may have it.
    pub id: TaskId,
    /// One-line title.
    pub title: String,
    /// Tasks it depends on.
    pub depends: Vec<TaskId>,
    /// Prose: what to do.
    pub body: String,
    /// Acceptance commands, run by aos.
    pub commands: Vec<String>,
    /// Acceptance criteria, judged by the reviewer.
    pub criteria: Vec<String>,
    /// The declared scope (`Files:`), if any.
    pub files: Vec<String>,
    /// The script the built-in `shell` agent runs (`#### Run`), if any.
    pub run: Option<String>,
}

/// Returns `plan_text` with `task` appended as a new section at the end, written with
/// the line ending the plan already uses.
///
/// Refuses a duplicate id and a task that would not read back as written (a title on
/// two lines, say).
pub fn append_task(plan_text: &str, task: &NewTask) -> Result<String, Error> {
    let (plan, _) = parse(plan_text, "");
    if plan.try_find_task(&task.id).is_some() {
        return Err(Error::DuplicateTask(task.id.clone()));
    }
    let nl = if plan_text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut section = vec![format!("### [ ] {}: {}", task.id, task.title.trim())];
    let depends: Vec<&str> = task.depends.iter().map(TaskId::as_str).collect();
    section.push(format!(
        "Depends: {}",
        if depends.is_empty() {
            "none".to_owned()
        } else {
            depends.join(", ")
        }
    ));
    if !task.files.is_empty() {
        section.push(format!("Files: {}", task.files.join(", ")));
    }
    if !task.body.trim().is_empty() {
        section.push(String::new());
        section.extend(task.body.trim().lines().map(str::to_owned));
    }
    if !(task.commands.is_empty() && task.criteria.is_empty()) {
        section.extend([String::new(), "#### Acceptance".to_owned()]);
        section.extend(task.commands.iter().map(|c| format!("- {}", code_span(c))));
        section.extend(task.criteria.iter().map(|c| format!("- {}", c.trim())));
    }
    if let Some(script) = task.run.as_deref().filter(|r| !r.trim().is_empty()) {
        let longest = script
            .lines()
            .map(|l| l.trim_start().chars().take_while(|c| *c == '`').count())
            .max()
            .unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        section.extend([String::new(), "#### Run".to_owned(), format!("{fence}sh")]);
        section.extend(script.trim_end().lines().map(str::to_owned));
        section.push(fence);
    }
    let mut text = plan_text.to_owned();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(nl);
    }
    if !text.is_empty() {
        text.push_str(nl);
    }
    text.push_str(&section.join(nl));
    text.push_str(nl);

    let (after, _) = parse(&text, "");
    let added = after
        .tasks
        .last()
        .filter(|_| after.tasks.len() == plan.tasks.len() + 1);
    let reads_back = added.is_some_and(|t| {
        t.id == task.id
            && t.title == task.title.trim()
            && t.depends == task.depends
            && t.files == task.files
            && t.commands().eq(task.commands.iter().map(|c| c.trim()))
    });
    if reads_back {
        Ok(text)
    } else {
        Err(Error::CannotAppend {
            id: task.id.clone(),
            reason: "its title, body or commands would not read back as written".into(),
        })
    }
}

/// Returns `text` with every task of `from` that `text` lacks appended, each section as
/// `from` writes it (heading to the next task's heading), in `from`'s order.
///
/// The state's plan is authoritative: tasks git aos appended there (fix tasks) reach a
/// branch's plan file this way even when the file was written before they were added.
pub fn with_tasks_of(text: &str, from: &str) -> String {
    let (have, _) = parse(text, "");
    let (theirs, _) = parse(from, "");
    let lines: Vec<&str> = from.split_inclusive('\n').collect();
    let mut out = text.to_owned();
    for (i, task) in theirs.tasks.iter().enumerate() {
        if have.try_find_task(&task.id).is_some() {
            continue;
        }
        let start = task.line.saturating_sub(1);
        let end = theirs
            .tasks
            .get(i + 1)
            .map_or(lines.len(), |next| next.line.saturating_sub(1));
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(
            lines
                .get(start..end)
                .map(|l| l.concat())
                .as_deref()
                .unwrap_or(""),
        );
    }
    out
}

/// Returns `cmd` as a Markdown code span, with enough backticks to hold any inside it.
fn code_span(cmd: &str) -> String {
    let cmd = cmd.trim();
    let longest = cmd.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if cmd.starts_with('`') || cmd.ends_with('`') {
        format!("{fence} {cmd} {fence}")
    } else {
        format!("{fence}{cmd}{fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> TaskId {
        s.parse().unwrap()
    }

    /// Returns the lines where `a` and `b` differ (they have the same number of lines).
    fn changed_lines(a: &str, b: &str) -> Vec<usize> {
        assert_eq!(a.split('\n').count(), b.split('\n').count());
        a.split('\n')
            .zip(b.split('\n'))
            .enumerate()
            .filter(|(_, (x, y))| x != y)
            .map(|(i, _)| i + 1)
            .collect()
    }

    const PLAN: &str = "# Plan: p\r\n\r\n### [ ] T1: one   \r\nDepends: none\r\n\r\n### [ ]   T2: two\r\nDepends: T1\r\n- [ ] not a task\r\n";

    #[test]
    fn tick_changes_exactly_one_byte_on_one_line() {
        let out = tick(PLAN, &id("T2")).unwrap();
        assert_eq!(changed_lines(PLAN, &out), [6]);
        assert_eq!(out.len(), PLAN.len());
        assert!(out.contains("### [x]   T2: two\r\n"));
        let bytes_changed = PLAN
            .bytes()
            .zip(out.bytes())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(bytes_changed, 1);
    }

    #[test]
    fn tick_finds_the_checkbox_behind_a_byte_order_mark() {
        let text = "\u{feff}### [ ] T1: a\n";
        assert_eq!(tick(text, &id("T1")).unwrap(), "\u{feff}### [x] T1: a\n");
    }

    #[test]
    fn tick_is_idempotent() {
        let once = tick(PLAN, &id("T1")).unwrap();
        assert_eq!(tick(&once, &id("T1")).unwrap(), once);
        let upper = PLAN.replace("[ ] T1", "[X] T1");
        assert_eq!(tick(&upper, &id("T1")).unwrap(), upper);
    }

    #[test]
    fn tick_refuses_unknown_and_duplicate_tasks() {
        assert!(matches!(tick(PLAN, &id("T9")), Err(Error::UnknownTask(_))));
        let dup = format!("{PLAN}### [ ] T1: again\n");
        assert!(matches!(
            tick(&dup, &id("T1")),
            Err(Error::DuplicateTask(_))
        ));
    }

    #[test]
    fn append_task_adds_a_section_that_reads_back() {
        let new = NewTask {
            id: id("UAT-1"),
            title: "Fix the login".into(),
            depends: vec![id("T2")],
            body: "The button does nothing.".into(),
            commands: vec!["cargo test login".into(), "echo `date`".into()],
            criteria: vec!["the button works".into()],
            files: Vec::new(),
            run: None,
        };
        let out = append_task(PLAN, &new).unwrap();
        assert!(out.starts_with(PLAN));
        assert!(
            out.ends_with("- `` echo `date` ``\r\n- the button works\r\n"),
            "{out}"
        );
        assert!(
            !out[PLAN.len()..].replace("\r\n", "").contains('\n'),
            "CRLF kept"
        );
        let checked = super::super::check(&out, "p.md").unwrap();
        let added = checked.plan.tasks.last().unwrap();
        assert_eq!(
            added.commands().collect::<Vec<_>>(),
            ["cargo test login", "echo `date`"]
        );
        assert!(matches!(
            append_task(&out, &new),
            Err(Error::DuplicateTask(_))
        ));
    }

    #[test]
    fn tasks_the_state_added_reach_a_branch_file_that_lacks_them() {
        let state = "# Plan: p\n\n### [x] T1: One\n\n### [ ] FIX-1: Fix\nDepends: none\n\nDo it.\n";
        let branch = "# Plan: p\n\n### [x] T1: One\n";
        let out = with_tasks_of(branch, state);
        assert_eq!(
            out,
            format!("{branch}\n### [ ] FIX-1: Fix\nDepends: none\n\nDo it.\n")
        );
        assert_eq!(with_tasks_of(&out, state), out, "nothing twice");
    }

    #[test]
    fn append_task_writes_the_scope_and_the_run_block() {
        let new = NewTask {
            id: id("FIX-1"),
            title: "Fix T1".into(),
            depends: vec![],
            body: "Carry T1 on.".into(),
            commands: vec!["test -f a".into()],
            criteria: vec![],
            files: vec!["src/a.rs".into(), "docs/".into()],
            run: Some("echo ```x``` > a\necho done".into()),
        };
        let out = append_task("# Plan: p\n\n### [ ] T1: One\n", &new).unwrap();
        let checked = super::super::check(&out, "p.md").unwrap();
        let added = checked.plan.tasks.last().unwrap();
        assert_eq!(added.files, ["src/a.rs", "docs/"]);
        assert_eq!(
            added.run.as_deref().map(str::trim_end),
            Some("echo ```x``` > a\necho done")
        );
    }

    #[test]
    fn append_task_refuses_what_would_not_read_back() {
        let new = NewTask {
            id: id("UAT-2"),
            title: "two\nlines".into(),
            depends: vec![],
            body: String::new(),
            commands: vec![],
            criteria: vec![],
            files: Vec::new(),
            run: None,
        };
        assert!(matches!(
            append_task("", &new),
            Err(Error::CannotAppend { .. })
        ));
    }
}
