//! Recognises environment failures (authentication, rate limits, a busy or failing
//! model service, network, a CLI that refuses its command line or to run as root) in
//! the error text or HTTP status of a failed invocation.
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
    /// The model service failed or is busy (HTTP 5xx, codex's "high demand"): retry
    /// after a backoff.
    Server,
    /// Network trouble: retry after a backoff.
    Network,
    /// Claude Code refuses to skip permission prompts as root: retrying cannot help.
    Root,
    /// The CLI refused the command line (an unknown flag): retrying cannot help.
    Usage,
}

impl EnvSignal {
    /// Returns whether a retry after a backoff may succeed.
    pub(crate) fn retryable(self) -> bool {
        matches!(self, Self::RateLimit | Self::Server | Self::Network)
    }

    /// Returns the signal an HTTP status from the model service stands for.
    pub(crate) fn from_status(status: u16) -> Option<EnvSignal> {
        match status {
            401 | 403 => Some(Self::Auth),
            408 | 409 | 429 | 529 => Some(Self::RateLimit),
            500..=599 => Some(Self::Server),
            _ => None,
        }
    }

    /// Returns a short explanation for the user.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Auth => {
                "authentication or billing failed: check the agent's login, API key or credit"
            }
            Self::RateLimit => "rate limited or overloaded: retry after a backoff",
            Self::Server => "the model service failed or is busy: retry after a backoff",
            Self::Network => "network error: retry after a backoff",
            Self::Root => {
                "claude refuses `--permission-mode bypassPermissions` when run as root: run \
                 git aos as a normal user, or, on a throwaway machine or container, set \
                 `env = { IS_SANDBOX = \"1\" }` in the agent's `[agents.<name>]`"
            }
            Self::Usage => {
                "the CLI refused the command line git aos built (a flag it does not \
                 know): install the version git aos supports, or see `git aos doctor`"
            }
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
const SERVER_WORDS: &[&str] = &[
    "high demand",
    "server-side issue",
    "internal server error",
    "service unavailable",
    "bad gateway",
    "gateway timeout",
];
// A bare 5xx is left to the HTTP status the CLIs name (`Report::http_status`): in
// free text, `main.rs:500` is as likely as a status.
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
];
const ROOT_WORDS: &[&str] = &["cannot be used with root/sudo privileges"];
/// What clap (codex) and commander (claude) print for a flag they do not take.
const USAGE_WORDS: &[&str] = &[
    "unexpected argument",
    "unknown option",
    "unrecognized subcommand",
    "unexpected value",
];

/// Returns the environment problem the error text names: what the CLI refused first,
/// then authentication, rate limits, the service, the network.
pub(crate) fn env_signal(error_text: &str) -> Option<EnvSignal> {
    let text = error_text.to_lowercase();
    let hit = |words: &[&str], codes: &[&str]| {
        words.iter().any(|w| text.contains(w)) || codes.iter().any(|c| has_code(&text, c))
    };
    [
        (EnvSignal::Root, ROOT_WORDS, &[][..]),
        (EnvSignal::Auth, AUTH_WORDS, AUTH_CODES),
        (EnvSignal::RateLimit, RATE_WORDS, RATE_CODES),
        (EnvSignal::Server, SERVER_WORDS, &[][..]),
        (EnvSignal::Network, NETWORK_WORDS, &[][..]),
    ]
    .into_iter()
    .find(|(_, words, codes)| hit(words, codes))
    .map(|(signal, _, _)| signal)
}

/// Returns whether stderr of a CLI that exited 2 is a usage error (clap's "unexpected
/// argument"), not an authentication failure, which the same exit code also means.
pub(crate) fn is_usage_error(stderr: &str) -> bool {
    let text = stderr.to_lowercase();
    USAGE_WORDS.iter().any(|w| text.contains(w))
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
            (
                "We’re currently experiencing high demand, which may cause temporary errors.",
                Some(EnvSignal::Server),
            ),
            (
                "API Error: 500 boom. This is a server-side issue, usually temporary",
                Some(EnvSignal::Server),
            ),
            ("HTTP 503 Service Unavailable", Some(EnvSignal::Server)),
            (
                "--dangerously-skip-permissions cannot be used with root/sudo privileges for \
                 security reasons",
                Some(EnvSignal::Root),
            ),
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
    fn only_a_busy_service_or_network_is_worth_a_retry() {
        for final_one in [EnvSignal::Auth, EnvSignal::Root, EnvSignal::Usage] {
            assert!(!final_one.retryable(), "{final_one:?}");
        }
        for retry in [EnvSignal::RateLimit, EnvSignal::Server, EnvSignal::Network] {
            assert!(retry.retryable(), "{retry:?}");
        }
    }

    #[test]
    fn http_statuses_map_to_signals() {
        let cases = [
            (401, Some(EnvSignal::Auth)),
            (403, Some(EnvSignal::Auth)),
            (429, Some(EnvSignal::RateLimit)),
            (529, Some(EnvSignal::RateLimit)),
            (500, Some(EnvSignal::Server)),
            (503, Some(EnvSignal::Server)),
            (400, None),
            (404, None),
        ];
        for (status, want) in cases {
            assert_eq!(EnvSignal::from_status(status), want, "{status}");
        }
    }

    #[test]
    fn usage_errors_are_told_from_authentication_failures() {
        assert!(is_usage_error(
            "error: unexpected argument '--full-auto' found\n\nUsage: codex exec [OPTIONS] [PROMPT]"
        ));
        assert!(is_usage_error("error: unknown option '--frobnicate'"));
        assert!(!is_usage_error("Not logged in"));
    }
}
