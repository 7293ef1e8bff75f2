//! Agents: adapters that build a command for each CLI (claude, codex, any command, the
//! built-in shell), the one runner that spawns it, and the normalizer that turns what it
//! printed into an `Outcome` the pipeline acts on (DESIGN §6, §6.1).
//!
//! Nothing else in the crate spawns an agent: `build` describes the process, `run`
//! owns it from spawn to the death of its process group, `normalize` reads the rest.

mod capture;
mod classify;
mod claude;
mod codex;
mod command;
mod contract;
pub mod group;
mod guard;
pub mod interrupt;
mod invocation;
pub mod live;
mod native;
mod normalize;
mod outcome;
pub mod probe;
pub mod prompt;
mod redact;
mod runner;
pub mod sandbox;
mod session;
mod shell;
mod spec;
mod stream;
mod transcript;
mod usage;
pub mod versions;

use std::path::PathBuf;

pub use capture::DEFAULT_CAP_BYTES;
pub use contract::{
    AgentResult, ResultStatus, ReviewComment, ReviewVerdict, Severity, Verdict, fenced_block,
    review_schema,
};
pub use invocation::{Invocation, OutputKind, Request, build, result_file};
pub use normalize::{normalize, outcome_for_start_error};
pub use outcome::{ErrorClass, NextAction, Outcome, SessionTotals, Usage};
pub use redact::{MASK, Redactor};
pub use runner::{RunLimits, RunOutput, run};
pub use sandbox::{Availability, Confinement, SandboxReport};
pub use spec::{Adapter, AgentSpec, Role, Sandbox, SandboxMode};
pub use usage::Spend;

/// Returns where the interface-drift guard caches each CLI's help and version:
/// `<git-common-dir>/aos/cache/cli-help/`, derived and safe to delete.
pub fn cli_help_cache(common_dir: &std::path::Path) -> PathBuf {
    common_dir.join("aos").join("cache").join("cli-help")
}

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
    /// The agent was to be confined to its worktree but could not be.
    #[error("agent `{agent}` cannot be confined to its worktree: {reason}")]
    Sandbox {
        /// The agent's name.
        agent: String,
        /// Why.
        reason: String,
    },
    /// Ctrl-C, SIGTERM or SIGHUP arrived; the agent's process group was stopped.
    #[error("interrupted: the agent was stopped")]
    Interrupted,
}

/// One invocation from start to normalized outcome.
#[derive(Debug, Clone)]
pub struct Execution {
    /// What was run.
    pub invocation: Invocation,
    /// What it left behind; `None` when it could not start (see `outcome`).
    pub output: Option<RunOutput>,
    /// What the pipeline should do next.
    pub outcome: Outcome,
}

/// Builds, runs and normalizes one invocation.
///
/// A program that is missing or cannot start is an `env` outcome, not an error; so is
/// a CLI that no longer lists a flag the adapter passes (checked first when the spec
/// has a `contract_cache`; nothing is started then). Errors are left for what aos
/// itself cannot do (write files, a spec without a command, Ctrl-C).
pub async fn invoke(
    spec: &AgentSpec,
    request: &Request,
    limits: &RunLimits,
    redactor: &Redactor,
) -> Result<Execution, Error> {
    let invocation = build(spec, request)?;
    if let Some(cache) = &spec.contract_cache
        && let Some(outcome) = guard::check(spec, cache).await
    {
        return Ok(Execution {
            invocation,
            output: None,
            outcome,
        });
    }
    match run(&invocation, limits, redactor).await {
        Ok(output) => {
            let outcome = normalize(&invocation, &output);
            Ok(Execution {
                invocation,
                output: Some(output),
                outcome,
            })
        }
        Err(err) => match outcome_for_start_error(&err) {
            Some(outcome) => Ok(Execution {
                invocation,
                output: None,
                outcome,
            }),
            None => Err(err),
        },
    }
}
