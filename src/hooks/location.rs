//! Where the hooks directory is: `core.hooksPath` as git resolves it, else
//! `<common dir>/hooks`, and whether it lies outside the repository.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::git;
use crate::store::Store;

/// The directory git runs hooks from, for commands run where git aos was started.
#[derive(Debug, Clone, Serialize)]
pub struct HooksDir {
    /// The directory, absolute.
    pub path: PathBuf,
    /// `core.hooksPath` as written, when it is set.
    pub hooks_path: Option<String>,
    /// The config scope that set `core.hooksPath` (`local`, `global`, …).
    pub scope: Option<String>,
    /// Whether `core.hooksPath` is relative: each worktree resolves it against its own
    /// top, so other worktrees have other hooks directories.
    pub per_worktree: bool,
    /// Whether the directory lies outside the repository (a global hooks directory):
    /// every repository that uses it runs the shims.
    pub outside: bool,
}

/// Returns the hooks directory for commands run in `cwd`.
pub fn locate(store: &Store, cwd: &Path) -> anyhow::Result<HooksDir> {
    let paths = store.paths();
    let mut settings = git::hooks::hooks_path_settings(cwd)?;
    // A workstream worktree pointed at the scoped shims still has the shared directory
    // behind them: that one is the hooks directory here.
    let scoped = super::scoped::dir(&paths.common_dir);
    let ours =
        |(value, scope): &(String, String)| scope == "worktree" && Path::new(value) == scoped;
    let (setting, path) = if settings.last().is_some_and(ours) {
        settings.retain(|s| !ours(s));
        let setting = settings.pop();
        let path = match &setting {
            Some((value, _)) => git::hooks::hooks_dir(cwd, Some(value))?,
            None => paths.common_dir.join("hooks"),
        };
        (setting, path)
    } else {
        (settings.pop(), git::hooks::hooks_dir(cwd, None)?)
    };
    let path = normalize(&path);
    let inside = [
        Some(&paths.common_dir),
        paths.workdir.as_ref(),
        paths.main_workdir.as_ref(),
    ]
    .into_iter()
    .flatten()
    .any(|root| path.starts_with(root));
    let per_worktree = setting
        .as_ref()
        .is_some_and(|(value, _)| !Path::new(value).is_absolute() && !value.starts_with('~'));
    Ok(HooksDir {
        path,
        per_worktree,
        outside: !inside,
        scope: setting.as_ref().map(|(_, scope)| scope.clone()),
        hooks_path: setting.map(|(value, _)| value),
    })
}

/// Returns `path` canonical when it exists, else with `.` and `..` removed lexically
/// below its longest existing ancestor.
fn normalize(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => normalize(parent).join(name),
        (Some(parent), None) => normalize(parent)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        _ => path.to_owned(),
    }
}
