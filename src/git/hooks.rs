//! What git says about hooks: where the hooks directory is, which config scope set
//! `core.hooksPath`, and the variables git sets for a hook it runs.

use std::path::{Path, PathBuf};

use super::{command, read};

/// Variables git sets for a hook that point at the repository being committed to. A
/// command a hook runs must not see them: a test suite that creates its own repositories
/// would otherwise write into this one.
pub const HOOK_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_PREFIX",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_QUARANTINE_PATH",
];

/// Returns the directory git runs hooks from when a command runs in `dir`: `core.hooksPath`
/// (a relative one taken from the worktree top, `~` expanded) or `<common dir>/hooks`.
/// With `value`, as if `core.hooksPath` were `value` (a command-line setting wins over
/// every config file, a worktree's own included).
pub fn hooks_dir(dir: &Path, value: Option<&str>) -> anyhow::Result<PathBuf> {
    let mut args = Vec::new();
    let setting;
    if let Some(value) = value {
        setting = format!("core.hooksPath={value}");
        args.extend(["-c", setting.as_str()]);
    }
    args.extend(["rev-parse", "--git-path", "hooks"]);
    Ok(dir.join(read(dir, args)?))
}

/// Returns `core.hooksPath` as written and the scope that set it (`local`, `global`,
/// `system`, `worktree`, `command`), or `None` when it is not set.
pub fn hooks_path_setting(dir: &Path) -> anyhow::Result<Option<(String, String)>> {
    Ok(hooks_path_settings(dir)?.pop())
}

/// Returns every `core.hooksPath` setting git sees in `dir`, as (value, scope), the one
/// that wins last.
pub fn hooks_path_settings(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let out = command(dir)
        .args(["config", "--show-scope", "--get-all", "core.hooksPath"])
        .output()?;
    // Exit 1 means "not set"; anything else non-zero is a real error.
    match out.status.code() {
        Some(0) => {}
        Some(1) => return Ok(Vec::new()),
        _ => anyhow::bail!(
            "`git config --get-all core.hooksPath` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(scope, value)| (value.to_owned(), scope.to_owned()))
        .collect())
}
