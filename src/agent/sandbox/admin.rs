//! A linked worktree's admin directory (`<common-dir>/worktrees/<id>`): found from the
//! common dir's side, and guarded — the agent may write its index and `HEAD` there, but
//! the files that tell git which repository and config to use are put back after it.

use std::path::{Path, PathBuf};

/// Files of the admin directory an agent has no business changing: per-worktree config
/// (hooks path, fsmonitor: commands git would run for aos later) and the links between
/// the worktree and its repository.
const GUARDED: &[&str] = &["config.worktree", "commondir", "gitdir"];

/// Returns the admin directory of `worktree` under `common_dir`, if it is a linked
/// worktree of that repository.
///
/// It is found by the `gitdir` files under `<common-dir>/worktrees/`, which only git and
/// aos write (the agent's own one included, which can only point elsewhere, never make
/// another directory its own); the `.git` file in the worktree is not trusted. The name
/// git gives by default (the worktree's base name) is tried first.
pub fn find(common_dir: &Path, worktree: &Path) -> Option<PathBuf> {
    let root = common_dir.join("worktrees");
    let want = std::fs::canonicalize(worktree).ok()?.join(".git");
    let names_worktree = |dir: &Path| -> bool {
        let is_dir = std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir());
        let Ok(text) = std::fs::read_to_string(dir.join("gitdir")) else {
            return false;
        };
        let linked = dir.join(text.trim());
        is_dir
            && linked
                .parent()
                .and_then(|p| std::fs::canonicalize(p).ok())
                .is_some_and(|p| p.join(".git") == want)
    };
    if let Some(base) = worktree.file_name() {
        let guess = root.join(base);
        if names_worktree(&guess) {
            return Some(guess);
        }
    }
    std::fs::read_dir(&root)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|dir| names_worktree(dir))
}

/// What the guarded files held before the agent ran.
///
/// It is also kept in a file outside the agent's reach (`<common-dir>/aos/guard/<id>.json`,
/// emptied once the files are checked), so a git aos killed while the agent ran puts
/// them back before its next agent in that worktree starts.
#[derive(Debug)]
pub struct AdminGuard {
    dir: PathBuf,
    before: Vec<(String, Option<Vec<u8>>)>,
    kept: Option<PathBuf>,
}

impl AdminGuard {
    /// Puts back what a killed run's guard kept for `dir`, then reads the guarded files
    /// (three small reads) and keeps them under `keep_dir`.
    pub fn snapshot(dir: &Path, keep_dir: &Path) -> Self {
        let kept = dir
            .file_name()
            .map(|id| keep_dir.join(format!("{}.json", id.to_string_lossy())));
        if let Some(leftover) = kept.as_deref().and_then(Self::load) {
            let restored = Self {
                dir: dir.to_owned(),
                ..leftover
            }
            .restore();
            if !restored.is_empty() {
                tracing::warn!(
                    "an interrupted agent had changed {} in `{}`; put back",
                    restored.join(", "),
                    dir.display()
                );
            }
        }
        let before: Vec<(String, Option<Vec<u8>>)> = GUARDED
            .iter()
            .map(|name| ((*name).to_owned(), std::fs::read(dir.join(name)).ok()))
            .collect();
        let kept = kept.filter(|path| {
            let text = serde_json::to_vec(&before).unwrap_or_default();
            let written =
                std::fs::create_dir_all(keep_dir).and_then(|()| std::fs::write(path, text));
            written
                .inspect_err(|e| tracing::warn!("could not keep `{}`: {e}", path.display()))
                .is_ok()
        });
        Self {
            dir: dir.to_owned(),
            before,
            kept,
        }
    }

    fn load(path: &Path) -> Option<Self> {
        let text = std::fs::read(path).ok().filter(|t| !t.is_empty())?;
        let before = serde_json::from_slice(&text).ok()?;
        Some(Self {
            dir: PathBuf::new(),
            before,
            kept: Some(path.to_owned()),
        })
    }

    /// Puts back every guarded file the agent changed, created or removed, and returns
    /// their names; then forgets the kept copy.
    pub fn restore(self) -> Vec<String> {
        let mut restored = Vec::new();
        for (name, before) in &self.before {
            let path = self.dir.join(name);
            let now = std::fs::read(&path).ok();
            if &now == before {
                continue;
            }
            let done = match before {
                Some(bytes) => {
                    crate::atomic_file::replace(&path, bytes, None).map_err(|e| format!("{e:#}"))
                }
                None => std::fs::remove_file(&path).map_err(|e| e.to_string()),
            };
            match done {
                Ok(()) => restored.push(name.clone()),
                Err(e) => tracing::warn!("could not restore `{}`: {e}", path.display()),
            }
        }
        // Emptied, not removed: making a file anew where one was just deleted is slow
        // on ext4, and this happens around every agent.
        if let Some(kept) = &self.kept {
            let _ = std::fs::write(kept, b"");
        }
        restored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_created_and_removed_files_are_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let keep = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("gitdir"), "/wt/.git\n").unwrap();
        std::fs::write(d.join("commondir"), "../..\n").unwrap();
        let guard = AdminGuard::snapshot(d, keep.path());
        std::fs::write(d.join("config.worktree"), "[core]\n\thooksPath = /evil\n").unwrap();
        std::fs::write(d.join("gitdir"), "/elsewhere/.git\n").unwrap();
        std::fs::remove_file(d.join("commondir")).unwrap();
        std::fs::write(d.join("index"), "agent's index").unwrap();
        let mut restored = guard.restore();
        restored.sort();
        assert_eq!(restored, ["commondir", "config.worktree", "gitdir"]);
        assert!(!d.join("config.worktree").exists());
        assert_eq!(
            std::fs::read_to_string(d.join("gitdir")).unwrap(),
            "/wt/.git\n"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("commondir")).unwrap(),
            "../..\n"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("index")).unwrap(),
            "agent's index"
        );
        for kept in std::fs::read_dir(keep.path()).unwrap() {
            assert_eq!(std::fs::read(kept.unwrap().path()).unwrap(), b"");
        }
    }

    #[test]
    fn a_guard_left_by_a_killed_run_is_applied_before_the_next_agent() {
        let dir = tempfile::tempdir().unwrap();
        let keep = tempfile::tempdir().unwrap();
        let d = dir.path().join("wt");
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("gitdir"), "/wt/.git\n").unwrap();
        let killed = AdminGuard::snapshot(&d, keep.path());
        std::fs::write(d.join("config.worktree"), "[core]\n\tfsmonitor = evil\n").unwrap();
        std::mem::forget(killed); // the process died: nothing ran after the agent
        let next = AdminGuard::snapshot(&d, keep.path());
        assert!(!d.join("config.worktree").exists());
        assert!(next.restore().is_empty());
    }
}
