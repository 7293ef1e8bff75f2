//! Pull and merge requests from workstreams (`git aos pr`): the branch is pushed with a
//! lease and a request opened, updated, watched and read back through the forge's own
//! CLI — `gh` for GitHub, `glab` for GitLab.
//!
//! The adapters (`gh.rs`, `glab.rs`) only build commands and parse what the tools print;
//! `runner.rs` is the one place that starts them. It lives here and not in `process.rs`
//! or `agent/`: forge calls are short request/answer programs that run without a shell,
//! never interactively, with a timeout, and whose output is parsed, not streamed.
//! What a request is recorded as lives in the state tree (`pr.toml`, `record.rs`).

mod body;
mod client;
mod feedback;
mod gh;
mod glab;
mod model;
mod publish;
mod readiness;
mod reconcile;
mod record;
mod remote;
mod runner;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use feedback::{Feedback, feedback};
pub use model::{Check, CheckState, Comment, RequestState, Review, View};
pub use publish::{Publish, Published, publish};
pub use readiness::open_gates;
pub use reconcile::{Reconciled, reconcile};
pub use record::{PrRecord, RECORD_FILE};
pub use remote::{Target, tool_for_host};

/// The forge CLI that speaks for a remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    /// GitHub CLI: pull requests.
    Gh,
    /// GitLab CLI: merge requests.
    Glab,
}

impl Tool {
    /// Returns the program name.
    pub fn program(self) -> &'static str {
        match self {
            Self::Gh => "gh",
            Self::Glab => "glab",
        }
    }

    /// Returns what the forge calls a request: `pull request` or `merge request`.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Gh => "pull request",
            Self::Glab => "merge request",
        }
    }

    /// Returns how the forge writes a request's number: `#12` or `!12`.
    pub fn reference(self, number: u64) -> String {
        match self {
            Self::Gh => format!("#{number}"),
            Self::Glab => format!("!{number}"),
        }
    }

    /// Returns where to get the tool and how to log in.
    fn install_hint(self) -> &'static str {
        match self {
            Self::Gh => "install GitHub CLI (https://cli.github.com), then `gh auth login`",
            Self::Glab => {
                "install GitLab CLI (https://gitlab.com/gitlab-org/cli), then `glab auth login`"
            }
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.program())
    }
}

impl FromStr for Tool {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "gh" => Ok(Self::Gh),
            "glab" => Ok(Self::Glab),
            other => Err(format!("`{other}` is no forge tool: use `gh` or `glab`")),
        }
    }
}
