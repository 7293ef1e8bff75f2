//! The normalized outcome of one agent invocation (DESIGN §6): what the pipeline should
//! do next and why, whatever agent ran.

use serde::{Deserialize, Serialize};

use super::contract::{AgentResult, ReviewVerdict};

/// What the pipeline should do after an invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NextAction {
    /// Go on to the next stage.
    Proceed,
    /// Run the stage again (after a backoff for `env`, with the next fallback for `agent`).
    Retry,
    /// Open a clarification gate with the agent's question.
    Clarify,
    /// Stop and tell a person; retrying cannot help.
    Escalate,
}

impl NextAction {
    /// Returns the action as `--json` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proceed => "proceed",
            Self::Retry => "retry",
            Self::Clarify => "clarify",
            Self::Escalate => "escalate",
        }
    }
}

/// Whose fault a failure is, which decides how it is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Nothing went wrong.
    None,
    /// The environment: binary missing, authentication, network, rate limit.
    Env,
    /// The code: tests or acceptance failed (decided by the pipeline, not here).
    Code,
    /// The agent: crash, error result, no result or an unreadable one.
    Agent,
    /// The wall-clock limit or the no-output watchdog fired.
    Timeout,
}

impl ErrorClass {
    /// Returns the class as `--json` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Env => "env",
            Self::Code => "code",
            Self::Agent => "agent",
            Self::Timeout => "timeout",
        }
    }
}

/// Tokens an invocation used, counted the same way for every CLI: `input_tokens` is
/// every input token, those served from the prompt cache included (codex counts them
/// so; claude reports cache reads and writes apart, and they are added in).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Input tokens, cached ones included.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// The part of `input_tokens` served from the prompt cache.
    pub cached_input_tokens: u64,
}

impl std::ops::Add for Usage {
    type Output = Usage;

    /// Returns the sum of two usages.
    fn add(self, other: Usage) -> Usage {
        Usage {
            input_tokens: self.input_tokens + other.input_tokens,
            output_tokens: self.output_tokens + other.output_tokens,
            cached_input_tokens: self.cached_input_tokens + other.cached_input_tokens,
        }
    }
}

impl Usage {
    /// Returns `self - earlier` when `earlier` fits in it field by field, else `None`
    /// (then `earlier` was not an earlier total of the same session).
    pub fn since(self, earlier: Usage) -> Option<Usage> {
        Some(Usage {
            input_tokens: self.input_tokens.checked_sub(earlier.input_tokens)?,
            output_tokens: self.output_tokens.checked_sub(earlier.output_tokens)?,
            cached_input_tokens: self
                .cached_input_tokens
                .checked_sub(earlier.cached_input_tokens)?,
        })
    }
}

/// The running totals of a session (claude) or thread (codex) after a call, as far as
/// they are known: what the next call that resumes it subtracts from what it reports,
/// so each call is counted once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionTotals {
    /// Tokens of every call of the session so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Cost in US dollars of every call of the session so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
}

/// One invocation, normalized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// What to do next.
    pub next_action: NextAction,
    /// Whose fault a failure is (`none` on success).
    pub error_class: ErrorClass,
    /// Whether running the stage again may help.
    pub retryable: bool,
    /// Why, in short sentences for the log and the user.
    pub reasons: Vec<String>,
    /// Tokens this call used, when the CLI reported them.
    pub usage: Option<Usage>,
    /// Cost in US dollars of this call, when the CLI reported it (codex never does):
    /// `None` is unknown, never zero.
    pub cost_usd: Option<f64>,
    /// Session (claude) or thread (codex) id, to continue the conversation.
    pub session_id: Option<String>,
    /// The session's running totals after this call, for the call that resumes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_totals: Option<SessionTotals>,
    /// The agent's own summary, or its final message.
    pub summary: Option<String>,
    /// The agent's result, when it gave one.
    pub result: Option<AgentResult>,
    /// The reviewer's verdict, for a review.
    pub verdict: Option<ReviewVerdict>,
}

impl Outcome {
    /// Returns a successful outcome with nothing filled in yet.
    pub fn proceed() -> Self {
        Self {
            next_action: NextAction::Proceed,
            error_class: ErrorClass::None,
            retryable: false,
            reasons: Vec::new(),
            usage: None,
            cost_usd: None,
            session_id: None,
            session_totals: None,
            summary: None,
            result: None,
            verdict: None,
        }
    }

    /// Returns a failed outcome of the given class; the next action follows from it.
    pub fn failure(class: ErrorClass, retryable: bool, reason: impl Into<String>) -> Self {
        let mut o = Self::proceed();
        o.fail(class, retryable, reason);
        o
    }

    /// Marks the outcome failed, keeping what was already collected (usage, session, …).
    pub fn fail(&mut self, class: ErrorClass, retryable: bool, reason: impl Into<String>) {
        self.error_class = class;
        self.retryable = retryable;
        self.next_action = if retryable {
            NextAction::Retry
        } else {
            NextAction::Escalate
        };
        self.reasons.push(reason.into());
    }

    /// Returns whether the invocation succeeded.
    pub fn is_success(&self) -> bool {
        self.error_class == ErrorClass::None && self.next_action == NextAction::Proceed
    }

    /// Returns the agent's question when it is blocked on one.
    pub fn question(&self) -> Option<&str> {
        self.result.as_ref()?.question.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_serialize_in_snake_case() {
        let o = Outcome::failure(ErrorClass::Timeout, true, "timed out after 1s");
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(json["next_action"], "retry");
        assert_eq!(json["error_class"], "timeout");
        assert_eq!(json["reasons"][0], "timed out after 1s");
        let back: Outcome = serde_json::from_value(json).unwrap();
        assert_eq!(back, o);
    }

    #[test]
    fn names_match_the_serde_spelling() {
        for action in [
            NextAction::Proceed,
            NextAction::Retry,
            NextAction::Clarify,
            NextAction::Escalate,
        ] {
            assert_eq!(serde_json::to_value(action).unwrap(), action.as_str());
        }
        for class in [
            ErrorClass::None,
            ErrorClass::Env,
            ErrorClass::Code,
            ErrorClass::Agent,
            ErrorClass::Timeout,
        ] {
            assert_eq!(serde_json::to_value(class).unwrap(), class.as_str());
        }
    }

    #[test]
    fn a_failure_that_cannot_be_retried_escalates() {
        let o = Outcome::failure(ErrorClass::Env, false, "no key");
        assert_eq!(o.next_action, NextAction::Escalate);
        assert!(!o.is_success());
        assert!(Outcome::proceed().is_success());
    }
}
