//! Agents: adapters that build a command for each CLI (claude, codex, any command, the
//! built-in shell), the one runner that spawns it, and the normalizer that turns what it
//! printed into an `Outcome` the pipeline acts on (DESIGN §6, §6.1).
//!
//! Nothing else in the crate spawns an agent: `build` describes the process, `run`
//! owns it from spawn to the death of its process group, `normalize` reads the rest.

mod claude;
mod codex;
mod command;
mod contract;
mod invocation;
mod native;
mod outcome;
mod redact;
mod shell;
mod spec;

use std::path::PathBuf;

pub use contract::{
    AgentResult, ResultStatus, ReviewComment, ReviewVerdict, Severity, Verdict, fenced_block,
    review_schema,
};
pub use invocation::{Invocation, OutputKind, Request, build};
pub use outcome::{ErrorClass, NextAction, Outcome, Usage};
pub use redact::{MASK, Redactor};
pub use spec::{Adapter, AgentSpec, Role};

/// Errors of the agent layer: the invocation could not be built or run at all. An
/// agent that runs and fails is not an error but an `Outcome`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec cannot produce a command for this request.
    #[error("agent `{agent}` cannot be called: {reason}")]
    Spec {
        /// The agent's name.
        agent: String,
        /// What is missing.
        reason: String,
    },
    /// The program is not on `PATH`.
    #[error("`{program}` is not on PATH")]
    NotFound {
        /// The program looked up.
        program: String,
    },
    /// The program exists but could not be started.
    #[error("could not start `{program}`")]
    Spawn {
        /// The program started.
        program: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// The worktree to run in does not exist.
    #[error("the working directory `{}` does not exist", .0.display())]
    NoWorkdir(PathBuf),
    /// A prompt, helper, result or log file could not be written or read.
    #[error("could not access `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Waiting for the agent process failed.
    #[error("lost track of the agent process")]
    Wait(#[source] std::io::Error),
    /// Ctrl-C arrived; the agent's process group was stopped.
    #[error("interrupted: the agent was stopped")]
    Interrupted,
}
