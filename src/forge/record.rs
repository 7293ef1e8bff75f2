//! `pr.toml` in the state tree: the request a workstream has on a forge — where, which
//! number, which commit was last pushed, what the forge last said, and which review
//! comments already became fix tasks.

use serde::{Deserialize, Serialize};

use super::Tool;
use super::model::RequestState;

/// Path of the record in the state tree.
pub const RECORD_FILE: &str = "pr.toml";

/// The request of one workstream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrRecord {
    /// The tool that speaks for the forge.
    pub tool: Tool,
    /// The git remote the branch is pushed to.
    pub remote: String,
    /// The forge host.
    pub host: String,
    /// The project path on the forge.
    pub repo: String,
    /// The request's number.
    pub number: u64,
    /// Its web address.
    pub url: String,
    /// The head branch on the remote (`aos/<name>`).
    pub branch: String,
    /// The branch it merges into.
    pub base: String,
    /// The commit last pushed: the next push is leased to it.
    pub head: String,
    /// Whether git aos last made it a draft.
    pub draft: bool,
    /// What the forge last said: open, closed or merged.
    pub state: RequestState,
    /// RFC 3339: when it was opened.
    pub opened_at: String,
    /// RFC 3339: when git aos last pushed or changed it.
    pub updated_at: String,
    /// The commit that merged it on the forge, once merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_commit: Option<String>,
    /// Ids of the reviews and comments already turned into fix tasks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feedback: Vec<String>,
}

impl PrRecord {
    /// Returns the request's reference as its forge writes it (`#12`, `!12`).
    pub fn reference(&self) -> String {
        self.tool.reference(self.number)
    }

    /// Returns the forge target the record points at.
    pub fn target(&self) -> super::Target {
        super::Target {
            remote: self.remote.clone(),
            host: self.host.clone(),
            repo: self.repo.clone(),
            tool: self.tool,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_round_trips_through_toml() {
        let record = PrRecord {
            tool: Tool::Glab,
            remote: "origin".into(),
            host: "gitlab.com".into(),
            repo: "acme/widgets".into(),
            number: 7,
            url: "https://gitlab.com/acme/widgets/-/merge_requests/7".into(),
            branch: "aos/w".into(),
            base: "main".into(),
            head: "0".repeat(40),
            draft: true,
            state: RequestState::Open,
            opened_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-01T00:00:00Z".into(),
            merge_commit: None,
            feedback: vec!["note:1".into()],
        };
        let text = toml::to_string(&record).unwrap();
        assert!(text.contains("tool = \"glab\""), "{text}");
        assert_eq!(toml::from_str::<PrRecord>(&text).unwrap(), record);
        assert_eq!(record.reference(), "!7");
    }
}
