//! Errors that decide the exit code, and the one function that prints an error chain.
//!
//! Commands return `anyhow::Error`; `exit_code` looks through the chain for one of the
//! typed errors below. Anything else is a plain error the user can act on (exit 1).

use std::fmt;

/// Exit codes of DESIGN §4.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// An error the user can act on.
    pub const ERROR: u8 = 1;
    /// Bad usage (clap).
    pub const USAGE: u8 = 2;
    /// Stopped at a human gate (review, clarification, UAT).
    pub const GATE: u8 = 3;
    /// A task failed after its retries.
    pub const TASK_FAILED: u8 = 4;
    /// A lock is held by another process.
    pub const BUSY: u8 = 5;
}

/// An error the user can fix, with an optional hint on how.
#[derive(Debug)]
pub struct UserError {
    /// What went wrong, one sentence.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl UserError {
    /// Returns an error with no hint.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    /// Returns an error with a hint.
    pub fn with_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// A lock is held by another live process (exit 5).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} is busy: held by pid {pid} on {host} since {since}")]
pub struct Busy {
    /// What is locked, e.g. "workstream `a`".
    pub what: String,
    /// Holder's process id, as it recorded it.
    pub pid: String,
    /// Holder's host name.
    pub host: String,
    /// When the holder took the lock (RFC 3339).
    pub since: String,
}

/// The command stopped because a person must act (exit 3).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AtGate(pub String);

/// A run stopped at its `max_duration` (exit 1): not an error, a limit reached; the
/// next `run` goes on.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Stopped(pub String);

/// Returns whether an error is a normal stop (a gate, a time limit) that is reported as
/// a status line rather than as an `error:`.
pub fn is_normal_stop(err: &anyhow::Error) -> bool {
    err.chain().any(|c| c.is::<AtGate>() || c.is::<Stopped>())
}

/// A task failed after its retries (exit 4).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TaskFailed(pub String);

/// Returns the exit code for an error, looking through its whole chain.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<Busy>() {
            return exit::BUSY;
        }
        if cause.is::<AtGate>() {
            return exit::GATE;
        }
        if cause.is::<TaskFailed>() {
            return exit::TASK_FAILED;
        }
    }
    exit::ERROR
}

/// Returns the hint attached anywhere in the chain, if any.
pub fn hint(err: &anyhow::Error) -> Option<String> {
    // A `UserError` attached with `.context(…)` is only reachable through anyhow's own
    // downcast, not through the chain's items.
    if let Some(u) = err.downcast_ref::<UserError>() {
        return u.hint.clone();
    }
    err.chain().find_map(|c| {
        if let Some(u) = c.downcast_ref::<UserError>() {
            return u.hint.clone();
        }
        if c.is::<Busy>() {
            return Some("wait for it to finish, or stop that process; a lock is released when its holder exits".into());
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_and_time_limits_are_normal_stops() {
        assert!(is_normal_stop(&anyhow::Error::new(AtGate("g".into()))));
        assert!(is_normal_stop(&anyhow::Error::new(Stopped("s".into()))));
        assert!(!is_normal_stop(&anyhow::Error::new(TaskFailed("t".into()))));
        assert_eq!(
            exit_code(&anyhow::Error::new(Stopped("s".into()))),
            exit::ERROR
        );
    }

    #[test]
    fn a_user_error_given_as_context_keeps_its_hint() {
        let e = anyhow::anyhow!("low level").context(UserError::with_hint("high level", "do y"));
        assert_eq!(hint(&e).as_deref(), Some("do y"));
    }

    #[test]
    fn exit_code_finds_typed_errors_behind_context() {
        let e = anyhow::Error::new(Busy {
            what: "workstream `a`".into(),
            pid: "1".into(),
            host: "h".into(),
            since: "now".into(),
        })
        .context("running `a`");
        assert_eq!(exit_code(&e), exit::BUSY);
        assert!(hint(&e).is_some());
        let e = anyhow::Error::new(UserError::with_hint("bad", "do x")).context("outer");
        assert_eq!(exit_code(&e), exit::ERROR);
        assert_eq!(hint(&e).as_deref(), Some("do x"));
        assert_eq!(
            exit_code(&anyhow::Error::new(AtGate("g".into()))),
            exit::GATE
        );
        assert_eq!(
            exit_code(&anyhow::Error::new(TaskFailed("t".into()))),
            exit::TASK_FAILED
        );
    }
}
