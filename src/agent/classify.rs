//! Recognises environment failures (authentication, rate limits, network) in the error
//! text of a failed invocation, following AGENT-FORMATS.md's classification table.
//!
//! Only error text is scanned — never the output of a successful run, where an agent
//! working on a login page says "authentication" all day long.

/// An environment problem named in an agent's error text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnvSignal {
    /// Missing or rejected credentials, or no credit left: retrying cannot help.
    Auth,
    /// Rate limit or overload: retry after a backoff.
    RateLimit,
    /// Network trouble: retry after a backoff.
    Network,
}

impl EnvSignal {
    /// Returns whether a retry after a backoff may succeed.
    pub(crate) fn retryable(self) -> bool {
        !matches!(self, Self::Auth)
    }

    /// Returns a short explanation for the user.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Auth => {
                "authentication or billing failed: check the agent's login, API key or credit"
            }
            Self::RateLimit => "rate limited or overloaded: retry after a backoff",
            Self::Network => "network error: retry after a backoff",
        }
    }
}

const AUTH_WORDS: &[&str] = &[
    "api key",
    "api_key",
    "apikey",
    "authentication",
    "unauthorized",
    "not logged in",
    "please run /login",
    "invalid x-api-key",
    "credit balance",
    "insufficient_quota",
    "exceeded your current quota",
];
const AUTH_CODES: &[&str] = &["401"];
const RATE_WORDS: &[&str] = &[
    "rate limit",
    "rate_limit",
    "ratelimit",
    "overloaded",
    "too many requests",
    "usage limit",
];
const RATE_CODES: &[&str] = &["429", "529"];
const NETWORK_WORDS: &[&str] = &[
    "network error",
    "connection refused",
    "connection reset",
    "connection closed",
    "could not resolve host",
    "failed to connect",
    "error sending request",
    "stream disconnected",
    "econnrefused",
    "econnreset",
    "etimedout",
    "enotfound",
    "service unavailable",
    "bad gateway",
    "gateway timeout",
];
const NETWORK_CODES: &[&str] = &["502", "503", "504"];

/// Returns the environment problem the error text names, authentication first.
pub(crate) fn env_signal(error_text: &str) -> Option<EnvSignal> {
    let text = error_text.to_lowercase();
    let hit = |words: &[&str], codes: &[&str]| {
        words.iter().any(|w| text.contains(w)) || codes.iter().any(|c| has_code(&text, c))
    };
    if hit(AUTH_WORDS, AUTH_CODES) {
        Some(EnvSignal::Auth)
    } else if hit(RATE_WORDS, RATE_CODES) {
        Some(EnvSignal::RateLimit)
    } else if hit(NETWORK_WORDS, NETWORK_CODES) {
        Some(EnvSignal::Network)
    } else {
        None
    }
}

/// Returns whether `code` occurs as a number of its own (`429`, not `14290` or `line 4290`).
fn has_code(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_table_of_agent_formats() {
        let cases = [
            ("Invalid API key · Please run /login", Some(EnvSignal::Auth)),
            ("HTTP 401 Unauthorized", Some(EnvSignal::Auth)),
            ("authentication_error", Some(EnvSignal::Auth)),
            (
                "API Error: 429 rate_limit_error",
                Some(EnvSignal::RateLimit),
            ),
            (
                "exceeded retry limit, last status: 429 Too Many Requests",
                Some(EnvSignal::RateLimit),
            ),
            ("Overloaded", Some(EnvSignal::RateLimit)),
            ("error sending request for url", Some(EnvSignal::Network)),
            (
                "stream disconnected before completion",
                Some(EnvSignal::Network),
            ),
            ("panicked at src/main.rs:4290", None),
            ("assertion failed: left == right", None),
        ];
        for (text, want) in cases {
            assert_eq!(env_signal(text), want, "{text}");
        }
    }

    #[test]
    fn status_codes_must_stand_alone() {
        assert!(has_code("status 429.", "429"));
        assert!(has_code("(401)", "401"));
        assert!(!has_code("id 14290", "429"));
        assert!(!has_code("x401y", "401"));
    }

    #[test]
    fn only_authentication_is_final() {
        assert!(!EnvSignal::Auth.retryable());
        assert!(EnvSignal::RateLimit.retryable() && EnvSignal::Network.retryable());
    }
}
