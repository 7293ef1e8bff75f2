//! The only place that spawns `git`: worktrees, status, config writes and maintenance —
//! what gix cannot do (or cannot do with hooks and the index kept right).
//!
//! Every git command runs with `AOS_INTERNAL=1`, so git aos's own hooks stay quiet.

pub mod change;
pub mod checkout;
pub mod drift;
pub mod hooks;
pub mod merge;
pub mod publish;
pub mod remote;
pub mod worktree;

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use anyhow::Context as _;

pub use checkout::{Checkout, Head, Link};
pub use worktree::{Worktree, WorktreeChange};

/// Environment variable that tells git aos's hooks a command comes from git aos itself.
pub const INTERNAL_ENV: &str = "AOS_INTERNAL";

/// Returns a `git` command in `dir` with hooks of git aos disabled.
fn command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env(INTERNAL_ENV, "1")
        .stdin(Stdio::null());
    cmd
}

/// Runs `git <args>` in `dir` and returns its output; a non-zero exit is an error
/// carrying git's stderr.
pub fn run<I, S>(dir: &Path, args: I) -> anyhow::Result<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<S> = args.into_iter().collect();
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect();
    tracing::debug!(dir = %dir.display(), "git {}", shown.join(" "));
    let out = retry_on_index_lock(|| {
        command(dir)
            .args(&args)
            .output()
            .context("could not run `git`; is it installed and on PATH?")
    })?;
    check(out, &shown)
}

/// Runs `attempt` again while git says another process holds an index lock, for up to
/// two seconds: a person's `git status` in the same worktree holds it for a moment. A
/// lock left by a killed process is not waited out here; the pipeline clears it before
/// it starts (`pipeline::custody`).
fn retry_on_index_lock(
    mut attempt: impl FnMut() -> anyhow::Result<Output>,
) -> anyhow::Result<Output> {
    let mut out = attempt()?;
    let mut waited = 0;
    while !out.status.success()
        && String::from_utf8_lossy(&out.stderr).contains("index.lock")
        && waited < 20
    {
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
        out = attempt()?;
    }
    Ok(out)
}

/// Returns `out` when git succeeded, else an error naming the command and git's stderr.
fn check(out: Output, shown: &[String]) -> anyhow::Result<Output> {
    if !out.status.success() {
        anyhow::bail!(
            "`git {}` failed: {}",
            shown.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out)
}

/// Runs `git <args>` in `dir` and returns trimmed stdout.
pub fn read<I, S>(dir: &Path, args: I) -> anyhow::Result<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = run(dir, args)?;
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_owned())
}

/// Returns git's version as (major, minor, patch).
pub fn version() -> anyhow::Result<(u32, u32, u32)> {
    let text = read(Path::new("."), ["--version"])?;
    parse_version(&text).with_context(|| format!("could not understand `git --version`: {text}"))
}

fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let v = text.split_whitespace().nth(2)?;
    let mut parts = v.split('.').map(|p| {
        p.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
    });
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Some((major, minor, patch))
}

/// Returns a boolean git config value as git reads it in `dir` (`false` when unset).
pub fn config_bool(dir: &Path, key: &str) -> anyhow::Result<bool> {
    let out = command(dir)
        .args(["config", "--type=bool", "--get", key])
        .output()?;
    match out.status.code() {
        Some(0) => Ok(String::from_utf8_lossy(&out.stdout).trim() == "true"),
        Some(1) => Ok(false),
        _ => anyhow::bail!(
            "`git config --get {key}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    }
}

/// Sets a git config value in the repository's local config.
pub fn config_set(dir: &Path, key: &str, value: &str) -> anyhow::Result<()> {
    run(dir, ["config", "--local", key, value]).map(drop)
}

/// Adds a value to a multi-valued git config key unless it is already there.
pub fn config_add_unique(dir: &Path, key: &str, value: &str) -> anyhow::Result<()> {
    let existing = command(dir)
        .args(["config", "--local", "--get-all", key])
        .output()?;
    let present = String::from_utf8_lossy(&existing.stdout)
        .lines()
        .any(|l| l == value);
    if !present {
        run(dir, ["config", "--local", "--add", key, value])?;
    }
    Ok(())
}

/// Lets git pack loose objects and refs when it thinks it is time (`git gc --auto`).
///
/// State writes create loose objects that gix never packs; without this, reads slow down
/// as a repository accumulates thousands of state commits.
///
/// It runs in the foreground: a detached gc would prune object directories while this
/// process's next state write is creating files in them.
pub fn maintenance_auto(dir: &Path) {
    if let Err(e) = run(
        dir,
        ["-c", "gc.autoDetach=false", "gc", "--auto", "--quiet"],
    ) {
        tracing::warn!("`git gc --auto` failed: {e:#}");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_parse() {
        assert_eq!(super::parse_version("git version 2.47.3"), Some((2, 47, 3)));
        assert_eq!(
            super::parse_version("git version 2.39.5 (Apple Git-154)"),
            Some((2, 39, 5))
        );
        assert_eq!(
            super::parse_version("git version 2.45.0.windows.1"),
            Some((2, 45, 0))
        );
        assert_eq!(super::parse_version("nope"), None);
    }
}
