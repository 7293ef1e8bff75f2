//! How `pre-commit` tells `post-commit` what its verification found: one line in
//! `<worktree git dir>/aos/verification`.
//!
//! `pre-commit` writes it `fresh`; `prepare-commit-msg`, which runs in every commit (even
//! with `--no-verify`), claims a fresh one made on the same `HEAD` and drops anything
//! else; `post-commit` takes what was claimed and deletes the file. So a verdict left by
//! an aborted commit never reaches a later commit made with `--no-verify`.

use std::path::{Path, PathBuf};

/// What the verification before a commit found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// The acceptance commands (or the quick check) passed.
    Passed,
    /// They failed, and the commit was made anyway (`--no-verify` right after).
    Failed,
    /// Nothing was verified: no command to run, or `pre-commit` did not run.
    None,
}

impl Verification {
    /// Returns the value written in notes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::None => "none",
        }
    }
}

fn file(git_dir: &Path) -> PathBuf {
    git_dir.join("aos").join("verification")
}

/// Records the outcome of `pre-commit`'s verification on top of commit `head`.
pub fn record(git_dir: &Path, outcome: Verification, head: &str) -> anyhow::Result<()> {
    let path = file(git_dir);
    if outcome == Verification::None {
        return forget(&path);
    }
    std::fs::create_dir_all(path.parent().unwrap_or(git_dir))?;
    std::fs::write(&path, format!("fresh {} {head}\n", outcome.as_str()))?;
    Ok(())
}

/// Claims a fresh verdict made on `head` for the commit being prepared; drops a stale one.
pub fn claim(git_dir: &Path, head: Option<&str>) -> anyhow::Result<()> {
    let path = file(git_dir);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    match text.split_whitespace().collect::<Vec<_>>()[..] {
        ["fresh", outcome, at] if Some(at) == head => {
            std::fs::write(&path, format!("claimed {outcome} {at}\n"))?;
            Ok(())
        }
        _ => forget(&path),
    }
}

/// Returns the verdict for the commit just made, and deletes it.
pub fn take(git_dir: &Path) -> anyhow::Result<Verification> {
    let path = file(git_dir);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Verification::None);
    };
    forget(&path)?;
    Ok(match text.split_whitespace().collect::<Vec<_>>()[..] {
        ["fresh" | "claimed", "passed", _] => Verification::Passed,
        ["fresh" | "claimed", "failed", _] => Verification::Failed,
        _ => Verification::None,
    })
}

fn forget(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_reaches_the_commit_it_was_made_for() {
        let dir = tempfile::tempdir().unwrap();
        let g = dir.path();
        record(g, Verification::Passed, "abc").unwrap();
        claim(g, Some("abc")).unwrap();
        assert_eq!(take(g).unwrap(), Verification::Passed);
        assert_eq!(take(g).unwrap(), Verification::None);
    }

    #[test]
    fn an_aborted_commit_leaves_nothing_for_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let g = dir.path();
        record(g, Verification::Passed, "abc").unwrap();
        claim(g, Some("abc")).unwrap();
        // The commit was aborted in the editor; the next one runs with --no-verify.
        claim(g, Some("abc")).unwrap();
        assert_eq!(take(g).unwrap(), Verification::None);
    }

    #[test]
    fn a_verdict_on_another_head_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let g = dir.path();
        record(g, Verification::Failed, "abc").unwrap();
        claim(g, Some("def")).unwrap();
        assert_eq!(take(g).unwrap(), Verification::None);
        record(g, Verification::Failed, "abc").unwrap();
        claim(g, Some("abc")).unwrap();
        assert_eq!(take(g).unwrap(), Verification::Failed);
        record(g, Verification::Passed, "abc").unwrap();
        record(g, Verification::None, "abc").unwrap();
        assert_eq!(take(g).unwrap(), Verification::None);
    }
}
