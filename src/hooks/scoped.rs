//! Hooks scoped to workstream worktrees (`git aos hooks install --scope workstreams`).
//!
//! Git starts a process for every hook file it finds, so shims in the shared hooks
//! directory cost every commit and every rebased commit of every branch — a shell each,
//! even when the shim returns at once. In this scope the shims live in a directory of their
//! own, `<common dir>/aos/hooks`, and only workstream worktrees point at it, through a
//! per-worktree `core.hooksPath` (`extensions.worktreeConfig`). Every other worktree runs
//! exactly the hooks it ran before, at no cost.
//!
//! A workstream worktree must still run the person's own hooks: each of the four shim
//! files ends by running the hook of the same name from the shared hooks directory, and
//! every other hook found there gets a one-line forwarder. The shared directory is taken
//! as `core.hooksPath` is written, so a relative one (husky's `.husky/_`) is still taken
//! from the top of the worktree the hook runs in.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;

use super::HookName;
use crate::git;

/// The directory, below the common git dir.
const DIR: &str = "aos/hooks";
/// File in the directory recording the shared hooks directory the files run on to.
const CHAINED_FILE: &str = ".chained";
/// File in the directory saying `extensions.worktreeConfig` was switched on by install,
/// so that uninstall switches it off again when nothing else uses it.
const EXTENSION_FILE: &str = ".worktree-config-extension";
/// The comment a generated file starts with.
const HEADER: &str = "# written by `git aos hooks install --scope workstreams`; \
`git aos hooks uninstall` removes it";

/// Client-side hooks git knows (githooks(5)): the ones a forwarder is written for when
/// the shared hooks directory has them.
const GIT_HOOKS: &[&str] = &[
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-push",
    "pre-auto-gc",
    "post-rewrite",
    "sendemail-validate",
    "fsmonitor-watchman",
    "p4-changelist",
    "p4-prepare-changelist",
    "p4-post-changelist",
    "p4-pre-submit",
    "post-index-change",
    "reference-transaction",
    "push-to-checkout",
];

/// Where the workstream-scoped hooks stand.
#[derive(Debug, Clone, Serialize)]
pub struct Scoped {
    /// The directory holding the shims.
    pub dir: PathBuf,
    /// The shared hooks directory the shims run on to, as `core.hooksPath` is written
    /// (absolute when it is the default `<common dir>/hooks`).
    pub chained_to: String,
    /// Hooks of the shared directory that get a forwarder.
    pub forwarded: Vec<String>,
    /// Workstream worktrees pointing at the directory.
    pub attached: Vec<PathBuf>,
    /// Workstream worktrees that do not (yet) point at it.
    pub detached: Vec<PathBuf>,
}

/// Returns the directory the scoped shims live in.
pub fn dir(common_dir: &Path) -> PathBuf {
    common_dir.join(DIR)
}

/// Returns whether the scoped shims are installed.
pub fn is_installed(common_dir: &Path) -> bool {
    dir(common_dir).join(HookName::PreCommit.as_str()).is_file()
}

/// Returns the text of the shim file for `hook`, running on to `chained` (the shared hooks
/// directory as written).
pub fn shim_file(hook: HookName, chained: &str) -> String {
    let next = quote(&format!("{chained}/{hook}"));
    format!(
        "#!/bin/sh\n{HEADER}\n{}_aos_next={next}\nif [ -x \"$_aos_next\" ]; then exec \"$_aos_next\" \"$@\"; fi\n",
        hook.shim()
    )
}

/// Returns the text of a forwarder to the shared directory's `name` hook.
fn forwarder_file(name: &str, chained: &str) -> String {
    let next = quote(&format!("{chained}/{name}"));
    format!("#!/bin/sh\n{HEADER}\nexec {next} \"$@\"\n")
}

/// Writes the scoped shims and forwarders (replacing what the directory held) and points
/// `worktrees` at it. `chained` is the shared hooks directory as written; `listed` is the
/// same directory as it resolves in the main worktree, where forwarders are looked for.
pub fn install(
    common_dir: &Path,
    repo: &Path,
    chained: &str,
    listed: &Path,
    worktrees: &[PathBuf],
) -> anyhow::Result<Scoped> {
    refuse_unsafe_layout(repo)?;
    let dir = dir(common_dir);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("could not create `{}`", dir.display()))?;
    let forwarded = other_hooks(listed);
    let mut wanted: Vec<(String, String)> = HookName::ALL
        .into_iter()
        .map(|h| (h.as_str().to_owned(), shim_file(h, chained)))
        .collect();
    wanted.extend(
        forwarded
            .iter()
            .map(|name| (name.clone(), forwarder_file(name, chained))),
    );
    // Forwarders for hooks the shared directory no longer has go.
    for entry in read_dir(&dir)? {
        if !entry.starts_with('.') && !wanted.iter().any(|(name, _)| *name == entry) {
            remove(&dir.join(&entry))?;
        }
    }
    for (name, text) in &wanted {
        write(&dir.join(name), text, 0o755)?;
    }
    write(&dir.join(CHAINED_FILE), &format!("{chained}\n"), 0o644)?;
    ensure_extension(repo, &dir)?;
    for wt in worktrees {
        attach(common_dir, wt)?;
    }
    Ok(Scoped {
        chained_to: chained.to_owned(),
        forwarded,
        attached: worktrees.to_vec(),
        detached: Vec::new(),
        dir,
    })
}

/// Points one workstream worktree at the scoped shims, when they are installed; called
/// whenever git aos makes a workstream worktree.
pub fn attach(common_dir: &Path, worktree: &Path) -> anyhow::Result<()> {
    if !is_installed(common_dir) {
        return Ok(());
    }
    let dir = dir(common_dir);
    // Install switched it on; on again if someone has switched it off since.
    ensure_extension(worktree, &dir)?;
    git::run(
        worktree,
        [
            "config",
            "--worktree",
            "core.hooksPath",
            &dir.display().to_string(),
        ],
    )
    .with_context(|| {
        format!(
            "could not point `{}` at the git aos hooks",
            worktree.display()
        )
    })?;
    Ok(())
}

/// Switches `extensions.worktreeConfig` on unless it is, noting in `dir` that git aos did.
fn ensure_extension(repo: &Path, dir: &Path) -> anyhow::Result<()> {
    if !git::config_bool(repo, "extensions.worktreeConfig")? {
        git::config_set(repo, "extensions.worktreeConfig", "true")?;
        write(
            &dir.join(EXTENSION_FILE),
            "set by git aos hooks install\n",
            0o644,
        )?;
    }
    Ok(())
}

/// Takes the per-worktree `core.hooksPath` out of every worktree pointing at the scoped
/// shims, removes them, and switches `extensions.worktreeConfig` off again when install
/// switched it on and no worktree has other per-worktree settings. Returns the worktrees
/// it detached; nothing when the scope was not installed.
pub fn uninstall(
    common_dir: &Path,
    repo: &Path,
    worktrees: &[PathBuf],
) -> anyhow::Result<Vec<PathBuf>> {
    let dir = dir(common_dir);
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut detached = Vec::new();
    for wt in worktrees {
        if points_here(&dir, wt)? {
            git::run(wt, ["config", "--worktree", "--unset", "core.hooksPath"])?;
            detached.push(wt.clone());
        }
    }
    if dir.join(EXTENSION_FILE).exists()
        && worktrees
            .iter()
            .all(|wt| worktree_settings(wt).is_ok_and(|s| s.is_empty()))
    {
        git::run(repo, ["config", "--unset", "extensions.worktreeConfig"])?;
    }
    std::fs::remove_dir_all(&dir)
        .with_context(|| format!("could not remove `{}`", dir.display()))?;
    Ok(detached)
}

/// Returns where the scoped shims stand, when they are installed. `workstreams` are the
/// worktrees of live workstreams.
pub fn status(common_dir: &Path, workstreams: &[PathBuf]) -> anyhow::Result<Scoped> {
    let dir = dir(common_dir);
    let chained_to = std::fs::read_to_string(dir.join(CHAINED_FILE))
        .unwrap_or_default()
        .trim_end_matches('\n')
        .to_owned();
    let names: Vec<&str> = HookName::ALL.iter().map(|h| h.as_str()).collect();
    let forwarded = read_dir(&dir)?
        .into_iter()
        .filter(|n| !n.starts_with('.') && !names.contains(&n.as_str()))
        .collect();
    let (mut attached, mut detached) = (Vec::new(), Vec::new());
    for wt in workstreams.iter().filter(|wt| wt.exists()) {
        if points_here(&dir, wt)? {
            attached.push(wt.clone());
        } else {
            detached.push(wt.clone());
        }
    }
    Ok(Scoped {
        dir,
        chained_to,
        forwarded,
        attached,
        detached,
    })
}

/// Returns whether the per-worktree `core.hooksPath` of `worktree` is `dir`.
pub fn points_here(dir: &Path, worktree: &Path) -> anyhow::Result<bool> {
    let settings = worktree_settings(worktree)?;
    Ok(settings
        .iter()
        .any(|(key, value)| key == "core.hookspath" && Path::new(value) == dir))
}

/// Returns the settings of a worktree's own `config.worktree` (empty without the extension).
fn worktree_settings(worktree: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text = git::read(worktree, ["config", "--worktree", "--list"]).unwrap_or_default();
    Ok(text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

/// Refuses a layout in which switching `extensions.worktreeConfig` on would change what
/// the main worktree sees: git then wants `core.bare` and `core.worktree` moved by hand.
pub fn refuse_unsafe_layout(repo: &Path) -> anyhow::Result<()> {
    let worktree_config = git::config_bool(repo, "extensions.worktreeConfig")?;
    let bare = git::config_bool(repo, "core.bare")?;
    let moved = git::read(repo, ["config", "--local", "--get", "core.worktree"]).is_ok();
    if !worktree_config && (bare || moved) {
        return Err(crate::error::UserError::with_hint(
            "hooks scoped to workstreams need `extensions.worktreeConfig`, and this repository sets `core.bare` or `core.worktree` in its shared config",
            "move that setting to the main worktree's `config.worktree` (see `git help worktree`, CONFIGURATION FILE), or install with `--scope shared`",
        )
        .into());
    }
    Ok(())
}

/// Returns the hooks of `dir` git would run besides the four with shims.
fn other_hooks(dir: &Path) -> Vec<String> {
    GIT_HOOKS
        .iter()
        .filter(|name| name.parse::<HookName>().is_err())
        .filter(|name| {
            std::fs::metadata(dir.join(name))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .map(|name| (*name).to_owned())
        .collect()
}

/// Returns the names in `dir`, sorted.
fn read_dir(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("could not read `{}`", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

fn remove(path: &Path) -> anyhow::Result<()> {
    std::fs::remove_file(path).with_context(|| format!("could not delete `{}`", path.display()))
}

/// Writes `text` with `mode` unless the file already holds it.
fn write(path: &Path, text: &str, mode: u32) -> anyhow::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|t| t == text) {
        return Ok(());
    }
    crate::atomic_file::replace(path, text, Some(mode))
}

/// Returns `s` as one single-quoted shell word.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shim_file_runs_the_shim_then_the_shared_hook_of_the_same_name() {
        let text = shim_file(HookName::PreCommit, ".husky/_");
        assert!(text.starts_with("#!/bin/sh\n"));
        assert!(text.contains(HookName::PreCommit.shim()));
        assert!(text.ends_with(
            "_aos_next='.husky/_/pre-commit'\nif [ -x \"$_aos_next\" ]; then exec \"$_aos_next\" \"$@\"; fi\n"
        ));
        for shell in ["sh", "bash"] {
            let out = std::process::Command::new(shell)
                .args(["-n", "-c", &text])
                .output()
                .unwrap();
            assert!(out.status.success(), "{shell}: {out:?}");
        }
    }

    #[test]
    fn a_path_with_a_quote_stays_one_shell_word() {
        assert_eq!(quote("/it's/here"), r"'/it'\''s/here'");
        let out = std::process::Command::new("sh")
            .args(["-c", &format!("printf %s {}", quote("/it's here"))])
            .output()
            .unwrap();
        assert_eq!(out.stdout, b"/it's here");
    }
}
