//! The dashboard's snapshot of the state: one row per live workstream (with its tasks),
//! what it waits for or what its agent does now, ordered attention first. Plain data,
//! read off the screen's thread and rendered by a pure function.

use std::cmp::Ordering;

/// Everything the screen shows, as of one read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Board {
    /// Every live workstream, attention first (`order`).
    pub rows: Vec<WsRow>,
    /// Why the last read failed, if it did (the rows are then the previous read's).
    pub error: Option<String>,
    /// The followed live log, when the log view is open.
    pub log: Option<LogPane>,
}

/// What a row asks of a person, or how it stands; the order is the screen's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attention {
    /// A change, a plan or a final review waits at the human gate.
    Review,
    /// An agent asked a question.
    Question,
    /// User acceptance waits.
    Uat,
    /// A task failed, or the run halted.
    Failed,
    /// A pipeline runs it now.
    Running,
    /// Marked running, but no process runs it (interrupted): `run` resumes it.
    Interrupted,
    /// Tasks remain; nothing runs it.
    Idle,
    /// Every task is done: ready to merge.
    Complete,
}

impl Attention {
    /// Returns whether a person must act.
    pub fn needs_person(self) -> bool {
        self <= Self::Failed
    }

    /// Returns the word the screen shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::Question => "question",
            Self::Uat => "uat",
            Self::Failed => "failed",
            Self::Running => "running",
            Self::Interrupted => "stopped",
            Self::Idle => "idle",
            Self::Complete => "complete",
        }
    }

    /// Returns the section a row goes in.
    pub fn section(self) -> Section {
        match self {
            a if a.needs_person() => Section::NeedsYou,
            Self::Running => Section::Running,
            _ => Section::Other,
        }
    }
}

/// A group of rows under one heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// Waiting for a person.
    NeedsYou,
    /// Agents at work.
    Running,
    /// The rest.
    Other,
}

impl Section {
    /// Returns the heading.
    pub fn title(self) -> &'static str {
        match self {
            Self::NeedsYou => "NEEDS YOU",
            Self::Running => "RUNNING",
            Self::Other => "OTHER",
        }
    }
}

/// One live workstream.
#[derive(Debug, Clone, PartialEq)]
pub struct WsRow {
    /// Its name.
    pub name: String,
    /// Where it stands.
    pub attention: Attention,
    /// Its status word in the state (`awaiting_review`, …).
    pub status: String,
    /// Tasks done, and in the plan.
    pub done: usize,
    /// Tasks in the plan.
    pub total: usize,
    /// What it waits for, when a person must act (one per open gate).
    pub waiting: Vec<Waiting>,
    /// What runs now (or ran last), when a task is under way.
    pub activity: Option<Activity>,
    /// Why the status is what it is (failure reason), from the state.
    pub reason: Option<String>,
    /// Its tasks, in plan order.
    pub tasks: Vec<TaskRow>,
    /// When the state last changed (RFC 3339).
    pub updated_at: String,
}

/// One open gate of a workstream.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    /// Which kind.
    pub gate: Gate,
    /// The task it is about, if any.
    pub task: Option<String>,
    /// One line for people (the question, the verdict and files, …).
    pub text: String,
    /// The question's id, for an answer.
    pub question: Option<String>,
}

/// The kinds of gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// A task's change at the human gate.
    Change,
    /// A plan at the plan gate.
    Plan,
    /// The final review's concerns.
    FinalReview,
    /// A question.
    Question,
    /// User acceptance.
    Uat,
}

/// A task under way: its stage, agent, attempt, since when, what it cost so far and
/// what its agent printed last.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Activity {
    /// The task.
    pub task: String,
    /// The stage running now (or next).
    pub stage: String,
    /// The agent at work, when an agent stage runs.
    pub agent: Option<String>,
    /// The attempt (1-based).
    pub attempt: u32,
    /// When the stage (or the agent) started (RFC 3339).
    pub since: Option<String>,
    /// Dollars spent by this run's agent calls whose cost is known.
    pub cost_usd: Option<f64>,
    /// The agent's last line of output, while it runs.
    pub last_line: Option<String>,
    /// Other tasks of the workstream running beside this one.
    pub more: usize,
}

/// One task of a workstream.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its status word (`pending`, `running`, `done`, …).
    pub status: String,
    /// Attempts so far.
    pub attempts: u32,
    /// The agent of its latest attempt.
    pub agent: Option<String>,
}

/// The followed live log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogPane {
    /// Whose output (`ws` or `ws T2`).
    pub title: String,
    /// The file.
    pub path: String,
    /// The latest lines, made readable, oldest first.
    pub lines: Vec<String>,
    /// The closing line once the agent's run ended.
    pub ended: Option<String>,
}

impl WsRow {
    /// Returns the open question, if any (the first, when several are open).
    pub fn question(&self) -> Option<&Waiting> {
        self.waiting.iter().find(|w| w.gate == Gate::Question)
    }

    /// Returns whether something waits at the human gate (approve, reject).
    pub fn at_human_gate(&self) -> bool {
        self.waiting
            .iter()
            .any(|w| matches!(w.gate, Gate::Change | Gate::Plan | Gate::FinalReview))
    }
}

/// Orders rows attention first; within a group, what waits longest first (a person's
/// queue), running ones by name, the rest most recently changed first.
pub fn order(rows: &mut [WsRow]) {
    rows.sort_by(|a, b| {
        a.attention
            .cmp(&b.attention)
            .then_with(|| match a.attention {
                at if at.needs_person() => a.updated_at.cmp(&b.updated_at),
                Attention::Running => Ordering::Equal,
                _ => b.updated_at.cmp(&a.updated_at),
            })
            .then_with(|| a.name.cmp(&b.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn row(name: &str, attention: Attention, updated: &str) -> WsRow {
        WsRow {
            name: name.into(),
            attention,
            status: attention.label().into(),
            done: 0,
            total: 1,
            waiting: Vec::new(),
            activity: None,
            reason: None,
            tasks: Vec::new(),
            updated_at: updated.into(),
        }
    }

    #[test]
    fn people_first_oldest_wait_first_then_running_then_the_rest_newest_first() {
        let mut rows = vec![
            row("idle-old", Attention::Idle, "2026-01-01T00:00:00Z"),
            row("run-b", Attention::Running, "2026-01-03T00:00:00Z"),
            row("q-new", Attention::Question, "2026-01-05T00:00:00Z"),
            row("done", Attention::Complete, "2026-01-02T00:00:00Z"),
            row("review-new", Attention::Review, "2026-01-06T00:00:00Z"),
            row("review-old", Attention::Review, "2026-01-02T00:00:00Z"),
            row("run-a", Attention::Running, "2026-01-04T00:00:00Z"),
            row("failed", Attention::Failed, "2026-01-01T00:00:00Z"),
            row("idle-new", Attention::Idle, "2026-01-09T00:00:00Z"),
        ];
        order(&mut rows);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "review-old",
                "review-new",
                "q-new",
                "failed",
                "run-a",
                "run-b",
                "idle-new",
                "idle-old",
                "done"
            ]
        );
    }

    #[test]
    fn sections_follow_attention() {
        assert_eq!(Attention::Uat.section(), Section::NeedsYou);
        assert_eq!(Attention::Failed.section(), Section::NeedsYou);
        assert_eq!(Attention::Running.section(), Section::Running);
        assert_eq!(Attention::Interrupted.section(), Section::Other);
    }
}
