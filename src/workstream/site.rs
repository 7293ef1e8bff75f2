//! Where a workstream's worktree is on this machine. `workstream.toml` records where it
//! was made; every clone computes its own from `[project] worktrees` and the name, so a
//! state that arrived from another machine never sends a command to that machine's path.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::config::Config;
use crate::store::{Store, WorkstreamRecord};

/// Returns the workstream's worktree on this machine: the recorded path when it is a
/// worktree of this repository (made here, even if deleted since), else the path this
/// clone's `[project] worktrees` gives the name.
pub fn worktree_path(store: &Store, ws: &WorkstreamRecord) -> PathBuf {
    let recorded = PathBuf::from(&ws.worktree);
    if is_ours(store, &recorded) {
        return recorded;
    }
    local_root(store).join(ws.name.as_str())
}

/// Returns whether `path` is, or was until it was deleted, a worktree of this repository:
/// its `.git` file points into this repository's common dir, or git still has it
/// registered there.
pub fn is_ours(store: &Store, path: &Path) -> bool {
    let common = &store.paths().common_dir;
    if let Ok(text) = std::fs::read_to_string(path.join(".git"))
        && let Some(gitdir) = text.trim().strip_prefix("gitdir:")
    {
        // `worktree.useRelativePaths` writes it relative to the worktree.
        let gitdir = path.join(gitdir.trim());
        let canonical = std::fs::canonicalize(&gitdir).unwrap_or(gitdir);
        return canonical.parent().and_then(Path::parent) == Some(common.as_path());
    }
    let Ok(entries) = std::fs::read_dir(common.join("worktrees")) else {
        return false;
    };
    let dot_git = path.join(".git");
    entries.filter_map(Result::ok).any(|e| {
        std::fs::read_to_string(e.path().join("gitdir"))
            .is_ok_and(|t| e.path().join(t.trim()) == dot_git)
    })
}

/// Returns the directory this clone makes worktrees in (`[project] worktrees`); the
/// default pattern when `aos.toml` cannot be read (every command that needs it says why).
/// Worked out once per repository and process: `list` asks for every workstream.
fn local_root(store: &Store) -> PathBuf {
    static ROOTS: Mutex<Vec<(PathBuf, PathBuf)>> = Mutex::new(Vec::new());
    let common = &store.paths().common_dir;
    let mut roots = ROOTS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, root)) = roots.iter().find(|(c, _)| c == common) {
        return root.clone();
    }
    let root = configured_root(store);
    roots.push((common.clone(), root.clone()));
    root
}

fn configured_root(store: &Store) -> PathBuf {
    let paths = store.paths();
    let Some(root) = paths.main_workdir.as_deref().or(paths.workdir.as_deref()) else {
        return paths.common_dir.join("aos").join("worktrees");
    };
    let cfg =
        Config::load(&root.join(crate::config::FILE_NAME), &store.aos_config()).unwrap_or_default();
    cfg.worktree_root(root)
}
