//! The event a state commit records: its one-line summary, its trailers and who acted.
//! The commit message is the event (Gerrit NoteDb style), so `git log` is the audit trail.

use crate::ids::{RunId, TaskId, WorkstreamName};

/// Who caused a state change; becomes the state commit's author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// git aos itself (`git-aos <aos@localhost>`).
    Tool,
    /// An agent driven by the pipeline (`git-aos (<agent>) <aos@localhost>`).
    Agent(String),
    /// The person running the command: their git identity, or git aos when they have none.
    Person,
}

/// One state change, as written into the commit message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `Aos-Event` value, e.g. `create`, `stage`, `approve`, `close`.
    pub kind: String,
    /// Summary after `ws <name>: `.
    pub summary: String,
    /// Further trailers in order (`Aos-Task`, `Aos-Stage`, …).
    pub trailers: Vec<(String, String)>,
    /// Who acted.
    pub actor: Actor,
}

impl Event {
    /// Returns an event of `kind` with a summary, made by git aos itself.
    pub fn new(kind: impl Into<String>, summary: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            summary: summary.into(),
            trailers: Vec::new(),
            actor: Actor::Tool,
        }
    }

    /// Returns the event with who acted.
    pub fn by(mut self, actor: Actor) -> Self {
        self.actor = actor;
        self
    }

    /// Returns the event with one more trailer.
    pub fn trailer(mut self, key: impl Into<String>, value: impl std::fmt::Display) -> Self {
        self.trailers.push((key.into(), value.to_string()));
        self
    }

    /// Returns the event with an `Aos-Task` trailer.
    pub fn task(self, id: &TaskId) -> Self {
        self.trailer("Aos-Task", id)
    }

    /// Returns the event with an `Aos-Run` trailer.
    pub fn run(self, id: &RunId) -> Self {
        self.trailer("Aos-Run", id)
    }

    /// Returns the full commit message for the workstream `ws`.
    pub fn message(&self, ws: &WorkstreamName) -> String {
        // Trailers must be single-line; a newline smuggled in would forge another trailer.
        let clean = |s: &str| s.replace(['\n', '\r'], " ");
        let mut msg = format!(
            "ws {ws}: {}\n\nAos-Event: {}\n",
            clean(&self.summary),
            clean(&self.kind)
        );
        for (k, v) in &self.trailers {
            msg.push_str(&format!("{}: {}\n", clean(k), clean(v)));
        }
        msg
    }
}

/// Returns the value of trailer `key` in a commit message, if present.
pub fn trailer<'a>(message: &'a str, key: &str) -> Option<&'a str> {
    message.lines().rev().find_map(|l| {
        l.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(':'))
            .map(str::trim)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_has_summary_and_trailers() {
        let ws: WorkstreamName = "auth".parse().unwrap();
        let ev = Event::new("stage", "T2 review -> request_changes (attempt 2)")
            .task(&"T2".parse().unwrap())
            .trailer("Aos-Stage", "review")
            .trailer("Aos-Attempt", 2);
        let msg = ev.message(&ws);
        assert_eq!(
            msg,
            "ws auth: T2 review -> request_changes (attempt 2)\n\nAos-Event: stage\nAos-Task: T2\nAos-Stage: review\nAos-Attempt: 2\n"
        );
        assert_eq!(trailer(&msg, "Aos-Stage"), Some("review"));
        assert_eq!(trailer(&msg, "Aos-Run"), None);
    }

    #[test]
    fn newlines_cannot_forge_trailers() {
        let ws: WorkstreamName = "a".parse().unwrap();
        let msg = Event::new("x", "evil\nAos-Event: forged").message(&ws);
        assert_eq!(
            msg.lines().filter(|l| l.starts_with("Aos-Event")).count(),
            1
        );
    }
}
