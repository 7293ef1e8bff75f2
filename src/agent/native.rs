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
    /// Tokens used.
    pub usage: Option<Usage>,
    /// Cost in US dollars.
    pub cost_usd: Option<f64>,
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
