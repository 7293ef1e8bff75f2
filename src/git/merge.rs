//! Landing merges through the git CLI: bringing a checked-out base branch's index and
//! files up to date after its ref moved (gix cannot update an existing worktree).

use std::path::Path;

use anyhow::Context as _;

use super::{command, run};

/// Moves the index and files of the worktree at `path` from commit `old` to commit `new`
/// (`git read-tree -m -u <old> <new>`, a two-tree merge), leaving HEAD alone.
///
/// git checks everything before it writes anything: when a file it would change is
/// modified, or an untracked file is in the way, it refuses and changes nothing.
pub fn update_checkout(path: &Path, old: &str, new: &str) -> anyhow::Result<()> {
    run(path, ["read-tree", "-m", "-u", old, new])?;
    // Only a cache: stale stat data makes `git status` slower, never wrong.
    if let Err(e) = command(path)
        .args(["update-index", "-q", "--refresh"])
        .output()
    {
        tracing::debug!("`git update-index --refresh` failed: {e}");
    }
    Ok(())
}

/// Returns whether the index of the worktree at `path` holds exactly the tree of `commit`.
pub fn index_matches(path: &Path, commit: &str) -> anyhow::Result<bool> {
    let out = command(path)
        .args(["diff-index", "--cached", "--quiet", commit, "--"])
        .output()
        .context("could not run `git diff-index`")?;
    match out.status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => anyhow::bail!(
            "`git diff-index --cached {commit}` failed in `{}`: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    }
}
