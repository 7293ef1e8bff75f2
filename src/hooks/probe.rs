//! The cheap test every hook starts with: is this a person's git command in a workstream
//! worktree? Answered with a few file reads — no git process, no config, no gix — so that
//! hooks cost next to nothing everywhere else.

use std::path::{Path, PathBuf};

use super::HookName;
use crate::git::INTERNAL_ENV;
use crate::ids::WorkstreamName;
use crate::store::refs;

/// Files in a worktree's git dir that mean git is replaying commits (rebase, cherry-pick,
/// revert, merge), when per-commit hooks must do nothing.
const SEQUENCE_MARKERS: &[&str] = &[
    "rebase-merge",
    "rebase-apply",
    "sequencer",
    "CHERRY_PICK_HEAD",
    "REVERT_HEAD",
    "MERGE_HEAD",
];

/// Where a hook runs, when it runs in a workstream worktree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The workstream whose branch is checked out.
    pub workstream: WorkstreamName,
    /// The worktree's own git dir (`.git/worktrees/<id>` for a linked worktree).
    pub git_dir: PathBuf,
    /// The top of the worktree.
    pub top: PathBuf,
}

/// Set in every agent's environment (`AOS_AGENT`, the agent's name).
const AGENT_ENV: &str = "AOS_AGENT";

/// Returns where `hook` runs when it has work to do: not started by git aos itself
/// (`AOS_INTERNAL`) or by an agent (`AOS_AGENT`), on branch `aos/<name>` of a live
/// workstream, and — for per-commit hooks — not while git replays a sequence of
/// commits. `None` means return at once.
pub fn probe(hook: HookName) -> Option<Site> {
    // git aos's own commands, and an agent's commits: the pipeline's custody guard keeps
    // an agent's commits aside (they are no person's work, and none lands as it is).
    if std::env::var_os(INTERNAL_ENV).is_some() || std::env::var_os(AGENT_ENV).is_some() {
        return None;
    }
    let cwd = std::env::current_dir().ok()?;
    let (git_dir, top) = match std::env::var_os("GIT_DIR") {
        Some(dir) => {
            let top = std::env::var_os("GIT_WORK_TREE").map_or_else(|| cwd.clone(), PathBuf::from);
            (cwd.join(dir), cwd.join(top))
        }
        None => find_git_dir(&cwd)?,
    };
    let workstream = checked_out_workstream(&git_dir)?;
    if hook.is_per_commit() && SEQUENCE_MARKERS.iter().any(|m| git_dir.join(m).exists()) {
        return None;
    }
    let common = common_dir(&git_dir);
    is_live(&common, &workstream).then_some(Site {
        workstream,
        git_dir,
        top,
    })
}

/// Returns (git dir, worktree top) for the repository containing `dir`, looking upwards
/// for `.git` as git does: a directory, or a file `gitdir: <path>` (linked worktrees).
fn find_git_dir(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    for top in dir.ancestors() {
        let dot_git = top.join(".git");
        let Ok(meta) = std::fs::metadata(&dot_git) else {
            continue;
        };
        if meta.is_dir() {
            return Some((dot_git, top.to_owned()));
        }
        let text = std::fs::read_to_string(&dot_git).ok()?;
        let target = text.strip_prefix("gitdir:")?.trim();
        return Some((top.join(target), top.to_owned()));
    }
    None
}

/// Returns the workstream whose branch `HEAD` names, if it names one.
fn checked_out_workstream(git_dir: &Path) -> Option<WorkstreamName> {
    let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let branch = head.strip_prefix("ref: refs/heads/")?.trim_end();
    branch
        .strip_prefix(refs::DEFAULT_BRANCH_PREFIX)?
        .parse()
        .ok()
}

/// Returns the common dir of the repository a (possibly linked) worktree belongs to.
fn common_dir(git_dir: &Path) -> PathBuf {
    match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(text) => git_dir.join(text.trim_end()),
        Err(_) => git_dir.to_owned(),
    }
}

/// Returns whether `refs/aos/ws/<name>` exists, loose or packed. A repository on the
/// reftable backend is assumed live: the store, which reads it properly, decides.
fn is_live(common: &Path, name: &WorkstreamName) -> bool {
    let full = refs::live(name);
    if common.join(&full).is_file() || common.join("reftable").is_dir() {
        return true;
    }
    let Ok(packed) = std::fs::read(common.join("packed-refs")) else {
        return false;
    };
    packed.split(|b| *b == b'\n').any(|line| {
        line.strip_suffix(full.as_bytes())
            .is_some_and(|rest| rest.len() == 41 || rest.len() == 65)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(name: &str) -> WorkstreamName {
        name.parse().unwrap()
    }

    #[test]
    fn head_on_a_workstream_branch_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let write = |text: &str| std::fs::write(dir.path().join("HEAD"), text).unwrap();
        write("ref: refs/heads/aos/auth\n");
        assert_eq!(checked_out_workstream(dir.path()), Some(ws("auth")));
        write("ref: refs/heads/main\n");
        assert_eq!(checked_out_workstream(dir.path()), None);
        write("ref: refs/heads/aos/Bad/name\n");
        assert_eq!(checked_out_workstream(dir.path()), None);
        write("0123456789012345678901234567890123456789\n");
        assert_eq!(checked_out_workstream(dir.path()), None);
    }

    #[test]
    fn live_refs_are_found_loose_and_packed() {
        let dir = tempfile::tempdir().unwrap();
        let common = dir.path();
        assert!(!is_live(common, &ws("a")));
        std::fs::create_dir_all(common.join("refs/aos/ws")).unwrap();
        std::fs::write(common.join("refs/aos/ws/a"), "x\n").unwrap();
        assert!(is_live(common, &ws("a")));
        let id = "0123456789012345678901234567890123456789";
        std::fs::write(
            common.join("packed-refs"),
            format!("# pack-refs with: peeled\n{id} refs/aos/ws/b\n{id} refs/aos/ws/cb\n"),
        )
        .unwrap();
        assert!(is_live(common, &ws("b")));
        assert!(is_live(common, &ws("cb")));
        assert!(!is_live(common, &ws("c")));
    }

    #[test]
    fn linked_worktrees_are_found_through_their_git_file() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().join("wt");
        std::fs::create_dir_all(top.join("src")).unwrap();
        std::fs::write(top.join(".git"), "gitdir: ../main/.git/worktrees/wt\n").unwrap();
        let (git_dir, found_top) = find_git_dir(&top.join("src")).unwrap();
        assert_eq!(found_top, top);
        assert_eq!(git_dir, top.join("../main/.git/worktrees/wt"));
        std::fs::create_dir_all(dir.path().join("main/.git/worktrees/wt")).unwrap();
        std::fs::write(
            dir.path().join("main/.git/worktrees/wt/commondir"),
            "../..\n",
        )
        .unwrap();
        assert_eq!(
            common_dir(&git_dir),
            top.join("../main/.git/worktrees/wt/../..")
        );
    }
}
