//! Git hooks (DESIGN §7): the shims `git aos hooks install` writes into the hooks
//! directory, and the handlers `git aos hook <name>` runs when git calls them.
//!
//! A hook runs on every commit of every person. So the shim itself reads `HEAD` with shell
//! builtins and starts `git-aos` only on an `aos/` branch (and never under
//! `AOS_INTERNAL`); there `probe` checks the live ref and replayed sequences with a few
//! file reads, and only then does a handler open the store. A handler never fails a git
//! command by accident: internal errors become one warning line and exit 0; only a failed
//! verification in `pre-commit` blocks.

mod dispatch;
mod install;
mod location;
mod note;
mod post_commit;
mod post_rewrite;
mod pre_commit;
mod prepare_msg;
mod probe;
mod scoped;
mod shim;
mod task;
mod trailers;
mod verdict;

use std::fmt;
use std::str::FromStr;

pub use dispatch::run;
pub use install::{HookState, HookStatus, Report, Scope, ScopedReport, install, status, uninstall};
pub use location::HooksDir;
pub use scoped::attach as attach_worktree;

/// A git hook git aos installs a shim for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookName {
    /// Runs the current task's acceptance commands; blocks the commit on failure.
    PreCommit,
    /// Adds `Aos-Workstream` / `Aos-Task` trailers.
    PrepareCommitMsg,
    /// Records a person's commit in the state chain and notes it.
    PostCommit,
    /// Carries notes and task commit ids over to rewritten commits.
    PostRewrite,
}

impl HookName {
    /// Every hook, in the order git runs them during a commit.
    pub const ALL: [HookName; 4] = [
        Self::PreCommit,
        Self::PrepareCommitMsg,
        Self::PostCommit,
        Self::PostRewrite,
    ];

    /// Returns the hook's file name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreCommit => "pre-commit",
            Self::PrepareCommitMsg => "prepare-commit-msg",
            Self::PostCommit => "post-commit",
            Self::PostRewrite => "post-rewrite",
        }
    }

    /// Returns whether git runs the hook once per commit, so that it must stay quiet
    /// while a rebase, cherry-pick or merge replays commits.
    pub fn is_per_commit(self) -> bool {
        !matches!(self, Self::PostRewrite)
    }

    /// Returns the block `hooks install` writes for this hook (markers included).
    pub fn shim(self) -> &'static str {
        match self {
            Self::PreCommit => include_str!("../../hooks/pre-commit"),
            Self::PrepareCommitMsg => include_str!("../../hooks/prepare-commit-msg"),
            Self::PostCommit => include_str!("../../hooks/post-commit"),
            Self::PostRewrite => include_str!("../../hooks/post-rewrite"),
        }
    }
}

impl fmt::Display for HookName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HookName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|h| h.as_str() == s)
            .ok_or_else(|| format!("unknown hook `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shim_sits_between_the_markers_and_names_its_hook_once() {
        for hook in HookName::ALL {
            let lines: Vec<&str> = hook.shim().lines().collect();
            assert_eq!(lines.first(), Some(&shim::BEGIN), "{hook}");
            assert_eq!(lines.last(), Some(&shim::END), "{hook}");
            let call = format!("git-aos hook {hook} \"$@\"");
            assert_eq!(hook.shim().matches(&call).count(), 1, "{hook}");
            assert_eq!(hook.shim().matches("git-aos hook").count(), 1, "{hook}");
            assert_eq!(hook.as_str().parse::<HookName>(), Ok(hook));
        }
    }

    #[test]
    fn every_shim_is_valid_posix_shell() {
        for hook in HookName::ALL {
            for shell in ["sh", "bash"] {
                let out = std::process::Command::new(shell)
                    .args(["-n", "-c", hook.shim()])
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{hook} in {shell}: {out:?}");
            }
        }
    }
}
