//! What an agent CLI said about its own run, read from its native output format
//! (claude stream-json, codex JSONL) into one shape the normalizer understands.

use super::invocation::OutputKind;
use super::outcome::Usage;
use super::{claude, codex};

/// The facts a CLI reports about its run; everything is optional because output can
/// stop anywhere.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Report {
    /// Session (claude) or thread (codex) id.
    pub session_id: Option<String>,
    /// The final message: claude's `result`, codex's last `agent_message`.
    pub final_text: Option<String>,
    /// Tokens used, normalized (`Usage`); the session's running total when
    /// `usage_is_total` (codex), else this call's (claude).
    pub usage: Option<Usage>,
    /// Whether `usage` counts every call of a resumed session, not only this one.
    pub usage_is_total: bool,
    /// Cost in US dollars of this call alone, when the CLI says so.
    pub cost_usd: Option<f64>,
    /// Cost in US dollars of every call of the session so far (claude's
    /// `total_cost_usd`).
    pub total_cost_usd: Option<f64>,
    /// The HTTP status of the last failed request to the model, when the CLI named it
    /// (claude's `api_error_status` and `api_retry` lines, codex's "unexpected status").
    pub http_status: Option<u16>,
    /// Whether the CLI printed its end-of-run record (claude `result`, codex
    /// `turn.completed` or `turn.failed`).
    pub finished: bool,
    /// The CLI's own failure: `is_error`, `turn.failed`, a fatal `error` event.
    pub failure: Option<String>,
    /// Every error message seen, for recognising environment problems.
    pub errors: Vec<String>,
}

/// Returns what the CLI reported, from its kept stdout; plain output reports nothing.
pub(crate) fn parse(kind: OutputKind, stdout: &str) -> Report {
    match kind {
        OutputKind::Claude => claude::parse(stdout),
        OutputKind::Codex => codex::parse(stdout),
        OutputKind::Plain => Report::default(),
    }
}
