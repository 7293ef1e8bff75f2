//! Installing, removing and inspecting the shims in the hooks directory, one hook file
//! at a time; the text edits are `shim`'s, the files and their modes are here.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;

use super::location::{HooksDir, locate};
use super::scoped::{self, Scoped};
use super::{HookName, shim};
use crate::store::Store;

/// Which worktrees run the shims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Shims in the shared hooks directory: every worktree runs them; off
    /// `aos/*` branches each returns at once, but git still starts a shell per hook.
    Shared,
    /// Shims in `<common dir>/aos/hooks`, which only workstream worktrees point at: other
    /// worktrees run no git aos hook at all.
    Workstreams,
}

/// Where one hook stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HookState {
    /// The current shim is in the file.
    Installed,
    /// An older shim is in the file; `install` refreshes it.
    Outdated,
    /// No shim (no file, or a file without one).
    Missing,
    /// A script for another interpreter: the shim cannot go in.
    Foreign,
    /// A begin marker without its end marker: fix the file by hand.
    Broken,
}

impl HookState {
    /// Returns the snake_case name used in `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Installed => "installed",
            Self::Outdated => "outdated",
            Self::Missing => "missing",
            Self::Foreign => "foreign",
            Self::Broken => "broken",
        }
    }
}

/// One hook file and where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct HookStatus {
    /// The hook.
    #[serde(serialize_with = "as_str")]
    pub hook: HookName,
    /// Its file.
    pub path: PathBuf,
    /// Where it stands.
    pub state: HookState,
    /// Whether the file runs something besides the shim.
    pub chained: bool,
    /// Whether install created the file (uninstall deletes it).
    pub created: bool,
    /// Whether git can run it (a hook file without the executable bit is ignored).
    pub executable: bool,
    /// What install or uninstall just did to it, if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed: Option<&'static str>,
}

/// The shared hooks directory, every hook in it, and the workstream-scoped shims.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Which worktrees run the shims; `None` when none is installed.
    pub scope: Option<Scope>,
    /// The shared hooks directory.
    pub dir: HooksDir,
    /// Each hook git aos has a shim for, in the shared directory.
    pub hooks: Vec<HookStatus>,
    /// The workstream-scoped shims, when installed.
    pub workstreams: Option<ScopedReport>,
    /// Worktrees uninstall took off the scoped shims.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub detached: Vec<PathBuf>,
}

/// The workstream-scoped shims and the files that hold them.
#[derive(Debug, Clone, Serialize)]
pub struct ScopedReport {
    /// Where they stand.
    #[serde(flatten)]
    pub scoped: Scoped,
    /// Each shim file.
    pub hooks: Vec<HookStatus>,
}

/// Returns where each hook stands.
pub fn status(store: &Store, cwd: &Path) -> anyhow::Result<Report> {
    let dir = locate(store, cwd)?;
    let hooks = HookName::ALL
        .into_iter()
        .map(|hook| inspect(&dir.path, hook))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let common = &store.paths().common_dir;
    let workstreams = if scoped::is_installed(common) {
        let scoped = scoped::status(common, &workstream_worktrees(store)?)?;
        Some(ScopedReport {
            hooks: scoped_files(&scoped)?,
            scoped,
        })
    } else {
        None
    };
    let scope = if workstreams.is_some() {
        Some(Scope::Workstreams)
    } else if hooks.iter().any(|h| h.state != HookState::Missing) {
        Some(Scope::Shared)
    } else {
        None
    };
    Ok(Report {
        scope,
        dir,
        hooks,
        workstreams,
        detached: Vec::new(),
    })
}

/// Installs the shims for `scope` (by default the scope installed now, else shared) and
/// takes out those of the other scope, so that no hook runs twice.
pub fn install(store: &Store, cwd: &Path, scope: Option<Scope>) -> anyhow::Result<Report> {
    let common = store.paths().common_dir.clone();
    let scope = scope.unwrap_or(if scoped::is_installed(&common) {
        Scope::Workstreams
    } else {
        Scope::Shared
    });
    match scope {
        Scope::Shared => {
            let detached = remove_scoped(store)?;
            let mut report = install_shared(store, cwd)?;
            report.detached = detached;
            Ok(report)
        }
        Scope::Workstreams => {
            // Refused before anything changes.
            scoped::refuse_unsafe_layout(&repo_root(store))?;
            let mut shared = uninstall_shared(store, cwd)?;
            let dir = &shared.dir;
            let chained = match &dir.hooks_path {
                Some(value) if dir.per_worktree => value.clone(),
                _ => dir.path.display().to_string(),
            };
            let listed = match (&dir.hooks_path, &store.paths().main_workdir) {
                (Some(value), Some(main)) if dir.per_worktree => main.join(value),
                _ => dir.path.clone(),
            };
            let worktrees = workstream_worktrees(store)?;
            let scoped =
                scoped::install(&common, &repo_root(store), &chained, &listed, &worktrees)?;
            shared.workstreams = Some(ScopedReport {
                hooks: scoped_files(&scoped)?,
                scoped,
            });
            shared.scope = Some(Scope::Workstreams);
            Ok(shared)
        }
    }
}

/// Takes the shims out of the shared hooks directory and the workstream-scoped ones away.
pub fn uninstall(store: &Store, cwd: &Path) -> anyhow::Result<Report> {
    let detached = remove_scoped(store)?;
    let mut report = uninstall_shared(store, cwd)?;
    report.detached = detached;
    Ok(report)
}

/// Puts the current shim into every hook file, creating the directory and files as
/// needed; files already holding it are not touched. A hook that cannot take the shim
/// (another interpreter, a broken block) is left as is and reported.
fn install_shared(store: &Store, cwd: &Path) -> anyhow::Result<Report> {
    let dir = locate(store, cwd)?;
    std::fs::create_dir_all(&dir.path)
        .with_context(|| format!("could not create `{}`", dir.path.display()))?;
    let mut hooks = Vec::new();
    for hook in HookName::ALL {
        let path = dir.path.join(hook.as_str());
        let before = read(&path)?;
        let changed = match shim::install(before.as_deref(), hook) {
            Ok(text) if before.as_deref() == Some(text.as_str()) => None,
            Ok(text) => {
                write(&path, &text, before.is_none())?;
                Some(match before.as_deref().map(|t| shim::find(t, hook)) {
                    None => "created",
                    Some(Ok(Some(_))) => "updated",
                    Some(_) => "added",
                })
            }
            Err(_) => None,
        };
        hooks.push(HookStatus {
            changed,
            ..inspect(&dir.path, hook)?
        });
    }
    Ok(Report {
        scope: Some(Scope::Shared),
        dir,
        hooks,
        workstreams: None,
        detached: Vec::new(),
    })
}

/// Takes the shim out of every hook file: a file install created is deleted, any other
/// gets back exactly the bytes it had.
fn uninstall_shared(store: &Store, cwd: &Path) -> anyhow::Result<Report> {
    let dir = locate(store, cwd)?;
    let mut hooks = Vec::new();
    for hook in HookName::ALL {
        let path = dir.path.join(hook.as_str());
        let changed = match read(&path)? {
            None => None,
            Some(text) => match shim::uninstall(&text, hook) {
                Ok(shim::Removal::Nothing) | Err(_) => None,
                Ok(shim::Removal::Delete) => {
                    std::fs::remove_file(&path)
                        .with_context(|| format!("could not delete `{}`", path.display()))?;
                    Some("deleted")
                }
                Ok(shim::Removal::Restore(original)) => {
                    write(&path, &original, false)?;
                    Some("restored")
                }
            },
        };
        hooks.push(HookStatus {
            changed,
            ..inspect(&dir.path, hook)?
        });
    }
    Ok(Report {
        scope: None,
        dir,
        hooks,
        workstreams: None,
        detached: Vec::new(),
    })
}

/// Returns where each file of the scoped shims stands.
fn scoped_files(scoped: &Scoped) -> anyhow::Result<Vec<HookStatus>> {
    HookName::ALL
        .into_iter()
        .map(|hook| {
            let mut status = inspect(&scoped.dir, hook)?;
            let text = read(&status.path)?;
            if status.state == HookState::Installed
                && text.as_deref() != Some(scoped::shim_file(hook, &scoped.chained_to).as_str())
            {
                status.state = HookState::Outdated;
            }
            status.created = true;
            status.chained = false;
            Ok(status)
        })
        .collect()
}

/// Returns the worktrees of live workstreams.
fn workstream_worktrees(store: &Store) -> anyhow::Result<Vec<PathBuf>> {
    Ok(store
        .load_live()?
        .into_iter()
        .map(|snap| crate::workstream::worktree_path(store, &snap.ws))
        .filter(|wt| wt.exists())
        .collect())
}

/// Removes the workstream-scoped shims, if there are any, from every worktree of the
/// repository; returns the worktrees that pointed at them.
fn remove_scoped(store: &Store) -> anyhow::Result<Vec<PathBuf>> {
    let common = &store.paths().common_dir;
    if !scoped::dir(common).exists() {
        return Ok(Vec::new());
    }
    let worktrees: Vec<PathBuf> = crate::git::worktree::list(&repo_root(store))?
        .into_iter()
        .map(|wt| wt.path)
        .filter(|wt| wt.exists())
        .collect();
    scoped::uninstall(common, &repo_root(store), &worktrees)
}

/// Returns a directory git commands for the whole repository run in.
fn repo_root(store: &Store) -> PathBuf {
    let paths = store.paths();
    paths
        .main_workdir
        .clone()
        .or_else(|| paths.workdir.clone())
        .unwrap_or_else(|| paths.common_dir.clone())
}

fn inspect(dir: &Path, hook: HookName) -> anyhow::Result<HookStatus> {
    let path = dir.join(hook.as_str());
    let text = read(&path)?;
    let executable = std::fs::metadata(&path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0);
    let mut status = HookStatus {
        hook,
        path,
        state: HookState::Missing,
        chained: false,
        created: false,
        executable,
        changed: None,
    };
    let Some(text) = text else {
        return Ok(status);
    };
    match shim::find(&text, hook) {
        Ok(Some(block)) => {
            status.state = if block.current {
                HookState::Installed
            } else {
                HookState::Outdated
            };
            status.chained = block.chained;
            status.created = block.created;
        }
        Ok(None) => {
            status.chained = !text.trim().is_empty();
            if let Err(shim::Error::NotShell(_)) = shim::install(Some(&text), hook) {
                status.state = HookState::Foreign;
            }
        }
        Err(_) => status.state = HookState::Broken,
    }
    Ok(status)
}

/// Returns a hook file's text, or `None` when there is no file.
fn read(path: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .with_context(|| format!("`{}` is not UTF-8 text", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => {
            Err(anyhow::Error::new(e).context(format!("could not read `{}`", path.display())))
        }
    }
}

/// Replaces a hook file through a temporary file and a rename, keeping its mode (a new
/// file is executable); a symlinked hook is written where the link points.
fn write(path: &Path, text: &str, new: bool) -> anyhow::Result<()> {
    let target: PathBuf = if path.is_symlink() {
        std::fs::canonicalize(path)?
    } else {
        path.to_owned()
    };
    let mode = if new {
        0o755
    } else {
        std::fs::metadata(&target)?.permissions().mode()
    };
    crate::atomic_file::replace(&target, text, Some(mode))
}

fn as_str<S: serde::Serializer>(hook: &HookName, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(hook.as_str())
}
