//! The on-disk schema of `aos.toml`: raw serde types that keep spans so later checks can
//! name the line, and the key names of each table (for hints and git config overrides).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub(super) use super::forms::{EnvValue, Names, Size};

/// A string that remembers where it was written.
pub(super) type Text = Spanned<String>;

/// The top-level tables.
pub(super) const SECTIONS: &[&str] = &[
    "project", "agents", "roles", "profiles", "notify", "secrets", "uat", "merge", "remote", "pr",
];
const PROJECT: &[&str] = &[
    "base",
    "test",
    "setup",
    "worktrees",
    "directives",
    "delete_branch_on_merge",
    "log_cap",
    "quick_check",
    "max_agents",
    "sandbox_allow",
];
const AGENT: &[&str] = &[
    "adapter",
    "command",
    "args",
    "env",
    "timeout",
    "idle_timeout",
    "model",
    "max_parallel",
    "sandbox",
    "sandbox_allow",
];
const ROLES: &[&str] = &["implement", "review", "plan", "tests"];
const PROFILE: &[&str] = &[
    "extends",
    "stages",
    "max_attempts",
    "max_parallel",
    "autonomy",
    "final_review",
    "alternate",
    "on_failure",
    "max_duration",
    "count_gate_time",
    "parallel_tasks",
];
const NOTIFY: &[&str] = &["desktop", "command"];
const SECRETS: &[&str] = &["env", "env_files"];
const UAT: &[&str] = &["enabled", "scenarios"];
const MERGE: &[&str] = &["resolvers"];
const REMOTE: &[&str] = &["claim_expiry"];
const PR: &[&str] = &["tool", "remote", "timeout"];

/// Returns the keys a table at `path` accepts, or `None` when its keys are free names
/// (`[agents]`, `[profiles]`, an agent's `env`).
pub(super) fn fields(path: &[&str]) -> Option<&'static [&'static str]> {
    Some(match path {
        [] => SECTIONS,
        ["project"] => PROJECT,
        ["agents", _] => AGENT,
        ["roles"] => ROLES,
        ["profiles", _] => PROFILE,
        ["notify"] => NOTIFY,
        ["secrets"] => SECRETS,
        ["uat"] => UAT,
        ["merge"] => MERGE,
        ["remote"] => REMOTE,
        ["pr"] => PR,
        _ => return None,
    })
}

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    pub project: RawProject,
    #[serde(default)]
    pub agents: BTreeMap<Text, Spanned<RawAgent>>,
    #[serde(default)]
    pub roles: RawRoles,
    #[serde(default)]
    pub profiles: BTreeMap<Text, Spanned<RawProfile>>,
    #[serde(default)]
    pub notify: RawNotify,
    #[serde(default)]
    pub secrets: RawSecrets,
    pub uat: Option<RawUat>,
    #[serde(default)]
    pub merge: RawMerge,
    #[serde(default)]
    pub remote: RawRemote,
    #[serde(default)]
    pub pr: RawPr,
}

/// `[project]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProject {
    pub base: Option<String>,
    pub test: Option<String>,
    pub setup: Option<Names>,
    pub worktrees: Option<Text>,
    pub directives: Option<Names>,
    pub delete_branch_on_merge: Option<bool>,
    pub log_cap: Option<Spanned<Size>>,
    pub quick_check: Option<String>,
    pub max_agents: Option<Spanned<u32>>,
    pub sandbox_allow: Option<Spanned<Names>>,
}

/// `[agents.<name>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAgent {
    pub adapter: Option<Text>,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    pub env: Option<BTreeMap<String, EnvValue>>,
    pub timeout: Option<Text>,
    pub idle_timeout: Option<Text>,
    pub model: Option<String>,
    pub max_parallel: Option<Spanned<u32>>,
    pub sandbox: Option<Text>,
    pub sandbox_allow: Option<Spanned<Names>>,
}

/// `[roles]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoles {
    pub implement: Option<Spanned<Names>>,
    pub review: Option<Spanned<Names>>,
    pub plan: Option<Spanned<Names>>,
    pub tests: Option<Spanned<Names>>,
}

/// `[profiles.<name>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProfile {
    pub extends: Option<Text>,
    pub stages: Option<Vec<Text>>,
    pub max_attempts: Option<Spanned<u32>>,
    pub max_parallel: Option<Spanned<u32>>,
    pub autonomy: Option<Text>,
    pub final_review: Option<bool>,
    pub alternate: Option<bool>,
    pub on_failure: Option<Text>,
    pub max_duration: Option<Text>,
    pub count_gate_time: Option<bool>,
    pub parallel_tasks: Option<Spanned<u32>>,
}

/// `[notify]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {
    pub desktop: Option<bool>,
    pub command: Option<String>,
}

/// `[secrets]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSecrets {
    pub env: Option<Names>,
    pub env_files: Option<Names>,
}

/// `[uat]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUat {
    pub enabled: Option<bool>,
    pub scenarios: Option<Names>,
}

/// `[merge]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMerge {
    pub resolvers: Option<Spanned<Vec<Vec<Text>>>>,
}

/// `[remote]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRemote {
    pub claim_expiry: Option<Text>,
}

/// `[pr]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPr {
    pub tool: Option<Text>,
    pub remote: Option<String>,
    pub timeout: Option<Text>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns the key list serde reports for an unknown key in the table at `path`.
    fn serde_fields(path: &[&str]) -> String {
        let header = if path.is_empty() {
            String::new()
        } else {
            format!("[{}]\n", path.join("."))
        };
        let text = format!("{header}zz_unknown = 1\n");
        match toml::from_str::<RawFile>(&text) {
            Ok(_) => panic!("`zz_unknown` was accepted in {path:?}"),
            // serde writes "expected `a`", "expected `a` or `b`", "expected one of `a`, `b`, `c`".
            Err(e) => e
                .message()
                .split_once("expected ")
                .map(|(_, k)| k.replace("one of ", "").replace("` or `", "`, `"))
                .unwrap_or_default(),
        }
    }

    #[test]
    fn field_lists_match_the_serde_structs() {
        for path in [
            &[][..],
            &["project"],
            &["agents", "a"],
            &["roles"],
            &["profiles", "p"],
            &["notify"],
            &["secrets"],
            &["uat"],
            &["merge"],
            &["remote"],
            &["pr"],
        ] {
            let listed = fields(path)
                .unwrap_or_default()
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>();
            assert_eq!(serde_fields(path), listed.join(", "), "table {path:?}");
        }
    }
}
