//! `doctor`: everything a run depends on, checked before a run — git and its features,
//! `aos.toml`, each agent's program and CLI contract, hooks, locks left by dead
//! holders, and the state of every live workstream. Each finding says what to do.

mod agents;
mod remote;
mod repo;
mod sandbox;

use serde::Serialize;

use crate::ctx::Ctx;
use crate::git;

/// Oldest git with `git worktree remove` (workstreams live in worktrees).
const GIT_WORKTREE: (u32, u32) = (2, 17);
/// Oldest git with `git merge-tree --write-tree` (merge previews by the git CLI).
const GIT_MERGE_TREE: (u32, u32) = (2, 38);

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// All is well.
    Ok,
    /// Worth fixing, but no run fails because of it.
    Warning,
    /// A run would fail because of it.
    Error,
}

impl Level {
    /// Returns the level as `--json` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// One thing `doctor` checked, and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable name of the check: `git`, `repository`, `config`, `agent`, `sandbox`,
    /// `hooks`, `lock`, `workstream`.
    pub check: &'static str,
    /// What it is about: an agent's name, a lock file, a workstream; empty for the whole.
    pub subject: String,
    /// How bad it is.
    pub level: Level,
    /// What was found, for people.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    fn new(
        check: &'static str,
        subject: impl Into<String>,
        level: Level,
        message: impl Into<String>,
    ) -> Self {
        Self {
            check,
            subject: subject.into(),
            level,
            message: message.into(),
            hint: None,
        }
    }

    fn ok(check: &'static str, subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(check, subject, Level::Ok, message)
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Runs every check from the current directory and returns the findings in the order
/// they were made. Without a repository only git is checked.
pub async fn check() -> Vec<Finding> {
    let mut findings = vec![check_git()];
    let ctx = match Ctx::discover() {
        Ok(ctx) => ctx,
        Err(e) => {
            findings.push(
                Finding::new("repository", "", Level::Error, format!("{e:#}"))
                    .hint("run `git aos doctor` inside the repository you want to check"),
            );
            return findings;
        }
    };
    match ctx.config() {
        Ok(config) => {
            findings.push(Finding::ok(
                "config",
                crate::config::FILE_NAME,
                config_summary(&ctx),
            ));
            findings.extend(agents::check(&config, ctx.common_dir()).await);
            findings.extend(sandbox::check(&config, ctx.common_dir()));
        }
        Err(e) => {
            let mut f = Finding::new(
                "config",
                crate::config::FILE_NAME,
                Level::Error,
                format!("{e:#}"),
            );
            f.hint = crate::error::hint(&e)
                .or_else(|| Some("fix `aos.toml`; agents were not checked".into()));
            findings.push(f);
        }
    }
    findings.extend(repo::check(&ctx));
    findings.extend(remote::check(&ctx));
    findings
}

fn config_summary(ctx: &Ctx) -> String {
    let exists = ctx
        .repo_root()
        .is_ok_and(|root| root.join(crate::config::FILE_NAME).is_file());
    if exists {
        "`aos.toml` loads".into()
    } else {
        "no `aos.toml`: every default applies (the built-in `shell` agent in every role)".into()
    }
}

/// Checks git's version against what workstreams and merges need.
fn check_git() -> Finding {
    let (major, minor, patch) = match git::version() {
        Ok(v) => v,
        Err(e) => {
            return Finding::new("git", "git", Level::Error, format!("{e:#}"))
                .hint("install git 2.38 or newer and put it on PATH");
        }
    };
    let version = format!("version {major}.{minor}.{patch}");
    let at_least = |(a, b): (u32, u32)| (major, minor) >= (a, b);
    if !at_least(GIT_WORKTREE) {
        return Finding::new(
            "git",
            "git",
            Level::Error,
            format!("{version} is too old: workstreams need `git worktree` from git 2.17"),
        )
        .hint("install git 2.38 or newer");
    }
    if !at_least(GIT_MERGE_TREE) {
        return Finding::new(
            "git",
            "git",
            Level::Warning,
            format!(
                "{version} has no `git merge-tree --write-tree` (git 2.38): merges cannot be \
                 previewed by git"
            ),
        )
        .hint("install git 2.38 or newer");
    }
    Finding::ok(
        "git",
        "git",
        format!("{version}, with `worktree` and `merge-tree --write-tree`"),
    )
}

/// Returns whether any finding would make a run fail.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.level == Level::Error)
}
