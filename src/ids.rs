//! Identifier newtypes (`WorkstreamName`, `TaskId`, `RunId`), validated once at the edge
//! and trusted everywhere inside.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a string is not a valid identifier; the message is shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidId(pub String);

/// A workstream name: `[a-z0-9][a-z0-9._-]{0,62}`, no `..`, no trailing `.lock`.
///
/// The rule keeps every derived ref (`refs/aos/ws/<name>`, `refs/heads/aos/<name>`)
/// valid and free of directory/file clashes, and every derived path inside its parent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WorkstreamName(String);

impl WorkstreamName {
    /// Returns the name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Returns whether `s` (before any extension) is a reserved device name on Windows:
/// git refuses such path components there, so no ref or worktree may carry one.
fn is_device_name(s: &str) -> bool {
    let stem = s.split('.').next().unwrap_or(s);
    matches!(stem, "con" | "prn" | "aux" | "nul" | "conin$" | "conout$")
        || ((stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit())
}

impl FromStr for WorkstreamName {
    type Err = InvalidId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            Err(InvalidId(format!(
                "invalid workstream name `{s}`: {why}; names match `[a-z0-9][a-z0-9._-]{{0,62}}`"
            )))
        };
        if s.is_empty() {
            return bad("it is empty");
        }
        if s.len() > 63 {
            return bad("it is longer than 63 characters");
        }
        let first = s.as_bytes()[0];
        if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
            return bad("it must start with a lowercase letter or a digit");
        }
        if let Some(c) = s.chars().find(|c| {
            !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        }) {
            return bad(&format!("`{c}` is not allowed"));
        }
        if s.contains("..") {
            return bad("it contains `..`");
        }
        if s.ends_with(".lock") {
            return bad("it ends with `.lock`");
        }
        if s.ends_with('.') {
            return bad("it ends with `.`");
        }
        if is_device_name(s) {
            return bad(
                "it is a device name on Windows (`con`, `nul`, `com1`, …), which no branch or worktree there may be called",
            );
        }
        Ok(Self(s.to_owned()))
    }
}

impl TryFrom<String> for WorkstreamName {
    type Error = InvalidId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<WorkstreamName> for String {
    fn from(n: WorkstreamName) -> Self {
        n.0
    }
}

impl fmt::Display for WorkstreamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A task identifier from a plan: `[A-Za-z][A-Za-z0-9_-]*` (`T1`, `COMMIT-TF-001`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaskId(String);

impl TaskId {
    /// Returns the id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TaskId {
    type Err = InvalidId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut chars = s.chars();
        let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidId(format!(
                "invalid task id `{s}`: ids match `[A-Za-z][A-Za-z0-9_-]*`"
            )))
        }
    }
}

impl TryFrom<String> for TaskId {
    type Error = InvalidId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<TaskId> for String {
    fn from(n: TaskId) -> Self {
        n.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A run identifier: a ULID, so run directories sort by creation time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RunId(String);

impl RunId {
    /// Returns a fresh, time-ordered run id.
    pub fn generate() -> Self {
        Self(ulid::Ulid::generate().to_string())
    }

    /// Returns the id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for RunId {
    type Err = InvalidId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ulid::Ulid::from_string(s)
            .map(|_| Self(s.to_owned()))
            .map_err(|_| InvalidId(format!("invalid run id `{s}`: run ids are ULIDs")))
    }
}

impl TryFrom<String> for RunId {
    type Error = InvalidId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<RunId> for String {
    fn from(n: RunId) -> Self {
        n.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of a configured git remote (`origin`): `[A-Za-z0-9][A-Za-z0-9._-]*`, so the
/// refs that keep what was fetched from it (`refs/aos/remotes/<remote>/…`) stay valid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RemoteName(String);

impl RemoteName {
    /// Returns the name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for RemoteName {
    type Err = InvalidId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut chars = s.chars();
        let ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            && !s.contains("..")
            && !s.ends_with(".lock");
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidId(format!(
                "invalid remote name `{s}`: give the name of a configured remote (`git remote`), not a URL"
            )))
        }
    }
}

impl fmt::Display for RemoteName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workstream_names_follow_the_ref_safe_rule() {
        for ok in ["a", "auth-limiter", "v1.2", "x_y", "0", &"a".repeat(63)] {
            assert!(ok.parse::<WorkstreamName>().is_ok(), "{ok} should be valid");
        }
        for bad in [
            "",
            "A",
            "-a",
            ".a",
            "a/b",
            "../x",
            "a..b",
            "a.lock",
            "a b",
            "a.",
            "é",
            &"a".repeat(64),
            "a\\b",
            "a:b",
            "a~1",
            "a^",
            "a@{1}",
        ] {
            assert!(
                bad.parse::<WorkstreamName>().is_err(),
                "{bad:?} should be invalid"
            );
        }
    }

    #[test]
    fn windows_device_names_are_refused_with_or_without_an_extension() {
        for bad in ["nul", "con", "com1", "lpt9", "aux.txt", "prn.x.y"] {
            let err = bad.parse::<WorkstreamName>().unwrap_err();
            assert!(err.0.contains("device name"), "{bad}: {err}");
        }
        for ok in ["console", "com", "com10", "nullable", "lpt", "auxiliary"] {
            assert!(ok.parse::<WorkstreamName>().is_ok(), "{ok}");
        }
    }

    #[test]
    fn task_ids_accept_the_styles_real_plans_use() {
        for ok in ["T1", "TODO-3", "COMMIT-TF-001", "t_2"] {
            assert!(ok.parse::<TaskId>().is_ok(), "{ok}");
        }
        for bad in ["", "1T", "-T", "T 1", "T.1"] {
            assert!(bad.parse::<TaskId>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn remote_names_are_names_not_urls() {
        assert!("origin".parse::<RemoteName>().is_ok());
        assert!("my-fork.2".parse::<RemoteName>().is_ok());
        for bad in ["", "../x.git", "git@host:x", "a/b", ".x", "x.lock"] {
            assert!(bad.parse::<RemoteName>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn run_ids_round_trip() {
        let id = RunId::generate();
        assert_eq!(id.as_str().parse::<RunId>().unwrap(), id);
        assert!("nope".parse::<RunId>().is_err());
    }
}
