//! A request as git aos sees it, whichever forge holds it: its state, review decision,
//! checks and comments, normalized from what `gh` and `glab` print.

use serde::{Deserialize, Serialize};

/// Whether a request is open, closed unmerged, or merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Open (draft or not).
    Open,
    /// Closed without merging.
    Closed,
    /// Merged on the forge.
    Merged,
}

impl RequestState {
    /// Returns the snake_case name used in files and `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Merged => "merged",
        }
    }
}

/// What reviewers decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// Approved as the forge's rules require.
    Approved,
    /// A reviewer asked for changes.
    ChangesRequested,
    /// A review is required and none decided yet.
    ReviewRequired,
    /// The forge reports no decision.
    None,
}

impl Review {
    /// Returns the snake_case name used in `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::ChangesRequested => "changes_requested",
            Self::ReviewRequired => "review_required",
            Self::None => "none",
        }
    }
}

/// Where one check (a CI job, a status, a pipeline) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    /// Succeeded.
    Passed,
    /// Failed, errored, timed out or was cancelled.
    Failed,
    /// Queued or running.
    Pending,
    /// Skipped or neutral.
    Skipped,
}

/// One check on the request's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Its name (`build`, `pipeline`).
    pub name: String,
    /// Where it stands.
    pub state: CheckState,
}

/// A request as the forge reports it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// Its number (`#12`, `!12`).
    pub number: u64,
    /// Its web address.
    pub url: String,
    /// Open, closed or merged.
    pub state: RequestState,
    /// Whether it is a draft.
    pub draft: bool,
    /// The reviewers' decision.
    pub review: Review,
    /// The checks on its head.
    pub checks: Vec<Check>,
    /// The commit the forge has as its head.
    pub head: Option<String>,
    /// The commit that merged it, once merged (a squash or merge commit).
    pub merge_commit: Option<String>,
}

impl View {
    /// Returns (passed, failed, pending) check counts; skipped checks count nowhere.
    pub fn check_counts(&self) -> (usize, usize, usize) {
        let count = |s: CheckState| self.checks.iter().filter(|c| c.state == s).count();
        (
            count(CheckState::Passed),
            count(CheckState::Failed),
            count(CheckState::Pending),
        )
    }

    /// Returns the checks in a few words: `2 passed, 1 failed`, or `none`.
    pub fn checks_summary(&self) -> String {
        let (passed, failed, pending) = self.check_counts();
        let parts: Vec<String> = [(passed, "passed"), (failed, "failed"), (pending, "pending")]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, w)| format!("{n} {w}"))
            .collect();
        if parts.is_empty() {
            "none".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// A review, comment or line comment left on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// A stable id (`review:…`, `comment:…`, `line:…`, `note:…`), so a comment is turned
    /// into feedback once.
    pub id: String,
    /// Who wrote it.
    pub author: String,
    /// What it says.
    pub body: String,
    /// The file it is on, for a line comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The line it is on, when the forge says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// For a review: its verdict (`changes requested`, `commented`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
}

/// Returns a stable id for a comment the forge gives no id: its author, time and body.
pub(super) fn fallback_id(kind: &str, author: &str, at: &str, body: &str) -> String {
    // FNV-1a: stable across runs and machines, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in author.bytes().chain(at.bytes()).chain(body.bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{kind}:{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_sum_up_in_words() {
        let mut view = View {
            number: 1,
            url: String::new(),
            state: RequestState::Open,
            draft: false,
            review: Review::None,
            checks: Vec::new(),
            head: None,
            merge_commit: None,
        };
        assert_eq!(view.checks_summary(), "none");
        for (name, state) in [
            ("a", CheckState::Passed),
            ("b", CheckState::Passed),
            ("c", CheckState::Failed),
            ("d", CheckState::Skipped),
        ] {
            view.checks.push(Check {
                name: name.into(),
                state,
            });
        }
        assert_eq!(view.checks_summary(), "2 passed, 1 failed");
    }

    #[test]
    fn fallback_ids_are_stable_and_tell_bodies_apart() {
        let a = fallback_id("comment", "ann", "2026-01-01", "fix it");
        assert_eq!(a, fallback_id("comment", "ann", "2026-01-01", "fix it"));
        assert_ne!(a, fallback_id("comment", "ann", "2026-01-01", "fix that"));
        assert!(a.starts_with("comment:"));
    }
}
