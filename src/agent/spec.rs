//! What an agent is (`AgentSpec`, `Adapter`) and what it is asked to be (`Role`).
//!
//! Plain data: the config layer builds these from `aos.toml`; nothing here reads files.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How an agent is called and how its output is read (`adapter` in `aos.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Adapter {
    /// Claude Code, `claude -p` with stream-json output.
    Claude,
    /// Codex CLI, `codex exec --json`.
    Codex,
    /// Any program, from an argv template.
    Command,
    /// The built-in agent: runs the task's `Run` script with bash.
    Shell,
}

impl Adapter {
    /// Every adapter, in the order the docs list them.
    pub const ALL: [Adapter; 4] = [Self::Claude, Self::Codex, Self::Command, Self::Shell];

    /// Returns the adapter called `name` in `aos.toml`, if there is one.
    pub fn parse(name: &str) -> Option<Adapter> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// Returns the adapter's name as written in `aos.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claude => "claude",
            Self::Codex => "codex",
            Self::Command => "command",
            Self::Shell => "shell",
        }
    }
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The part an agent plays in the pipeline (a key of `[roles]`); a reviewer answers
/// with a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Changes the code for a task.
    Implement,
    /// Reads the diff and answers approve, request_changes or block.
    Review,
    /// Turns a brief into a plan.
    Plan,
    /// Writes the tests of a task before it is implemented (tdd profile).
    Tests,
}

impl Role {
    /// Every role, in the order `[roles]` lists them.
    pub const ALL: [Role; 4] = [Self::Implement, Self::Review, Self::Plan, Self::Tests];

    /// Returns the role's name as written in `aos.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Implement => "implement",
            Self::Review => "review",
            Self::Plan => "plan",
            Self::Tests => "tests",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One configured agent: which adapter, which binary, and its limits.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSpec {
    /// Name from `aos.toml` (`[agents.<name>]`); exported to the agent as `AOS_AGENT`.
    pub name: String,
    /// How the agent is called.
    pub adapter: Adapter,
    /// The argv template for `command`; for `claude`/`codex` an optional replacement of
    /// the binary (`["npx", "claude"]` puts `npx` first and `claude` before the flags).
    pub command: Vec<String>,
    /// Extra arguments appended after the adapter's own flags.
    pub args: Vec<String>,
    /// Extra environment for the agent; the `AOS_*` variables win over these.
    pub env: BTreeMap<String, String>,
    /// Wall-clock limit of one invocation; zero means none.
    pub timeout: Duration,
    /// Longest stretch without any output before the agent is killed; zero means none.
    pub idle_timeout: Duration,
    /// Model passed to the CLI (`--model` / `-m`), if any.
    pub model: Option<String>,
    /// Where CLI help is cached for the interface-drift guard; when set, `invoke`
    /// checks the adapter's flags against the CLI's `--help` before starting it.
    pub contract_cache: Option<PathBuf>,
    /// Where the agent may write.
    pub sandbox: Sandbox,
}

impl AgentSpec {
    /// Returns a spec with the adapter's defaults: 20 minutes wall clock, 5 minutes idle.
    pub fn new(name: impl Into<String>, adapter: Adapter) -> Self {
        Self {
            name: name.into(),
            adapter,
            command: Vec::new(),
            args: Vec::new(),
            env: BTreeMap::new(),
            timeout: Duration::from_secs(20 * 60),
            idle_timeout: Duration::from_secs(5 * 60),
            model: None,
            contract_cache: None,
            sandbox: Sandbox::default(),
        }
    }
}

/// Whether an agent runs confined (`[agents.<name>] sandbox`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SandboxMode {
    /// Writes only to its worktree and the few paths it needs (DESIGN §6.3).
    Worktree,
    /// Unconfined: the project's own commands, and agents configured so.
    #[default]
    Off,
}

impl SandboxMode {
    /// Every mode, in the order the docs list them.
    pub const ALL: [SandboxMode; 2] = [Self::Worktree, Self::Off];

    /// Returns the mode called `name` in `aos.toml`, if there is one.
    pub fn parse(name: &str) -> Option<SandboxMode> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// Returns the mode's name as written in `aos.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Worktree => "worktree",
            Self::Off => "off",
        }
    }
}

impl fmt::Display for SandboxMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one agent's writes are confined; the runner turns it into a Landlock ruleset.
///
/// A spec made with [`AgentSpec::new`] is unconfined (`Off`): that is what the project's
/// own commands get. Configured agents default to `Worktree`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sandbox {
    /// Confined or not.
    pub mode: SandboxMode,
    /// Extra writable paths (`sandbox_allow`): absolute, or `~/…` under `$HOME`.
    pub allow: Vec<String>,
    /// The repository's common git directory, when the agent works in one of its
    /// worktrees: its objects and the worktree's admin directory become writable.
    pub git_common_dir: Option<PathBuf>,
}
