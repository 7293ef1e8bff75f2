//! What the pipeline does to a workstream worktree with git: stage everything, show the
//! diff, commit with git aos's identity, and discard a task's changes on `reset`.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use anyhow::Context as _;

use super::{command, read, run};

/// Stages every change (tracked, new, deleted), honouring `.gitignore`.
pub fn stage_all(wt: &Path) -> anyhow::Result<()> {
    run(wt, ["add", "-A"]).map(drop)
}

/// Returns `git diff --stat` of the staged changes against HEAD.
pub fn staged_stat(wt: &Path) -> anyhow::Result<String> {
    read(wt, ["diff", "--cached", "--stat", "HEAD"])
}

/// Returns the staged diff against HEAD, cut to `cap` bytes (on a line boundary).
pub fn staged_diff(wt: &Path, cap: usize) -> anyhow::Result<String> {
    let text = read(wt, ["diff", "--cached", "HEAD"])?;
    Ok(cut(text, cap))
}

/// Returns `text` cut to at most `cap` bytes at a line end, saying how much is left out.
fn cut(text: String, cap: usize) -> String {
    if text.len() <= cap {
        return text;
    }
    let mut end = cap;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let at = text[..end].rfind('\n').unwrap_or(0);
    format!(
        "{}\n[… diff cut at {cap} bytes of {}]\n",
        &text[..at],
        text.len()
    )
}

/// Returns the paths of the staged changes against HEAD.
pub fn staged_files(wt: &Path) -> anyhow::Result<Vec<String>> {
    let text = read(
        wt,
        ["diff", "--cached", "--name-only", "--no-renames", "HEAD"],
    )?;
    Ok(text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Returns the staged blob id of each of `paths` that is in the index (a deleted file
/// is left out), so a later call shows whether a file changed in between.
pub fn staged_blobs(
    wt: &Path,
    paths: &[String],
) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    if paths.is_empty() {
        return Ok(Default::default());
    }
    let mut args = vec!["ls-files", "--stage", "-z", "--"];
    args.extend(paths.iter().map(String::as_str));
    let out = run(wt, args)?;
    // `<mode> <blob> <stage>\t<path>`, NUL-terminated.
    Ok(String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter_map(|entry| {
            let (meta, path) = entry.split_once('\t')?;
            let blob = meta.split_whitespace().nth(1)?;
            Some((path.to_owned(), blob.to_owned()))
        })
        .collect())
}

/// Returns `git diff --stat` of everything committed on the branch since `from`.
pub fn range_stat(wt: &Path, from: &str) -> anyhow::Result<String> {
    read(wt, ["diff", "--stat", &format!("{from}..HEAD")])
}

/// Returns the diff of everything committed on the branch since `from`, cut to `cap`
/// bytes (on a line boundary).
pub fn range_diff(wt: &Path, from: &str, cap: usize) -> anyhow::Result<String> {
    let text = read(wt, ["diff", &format!("{from}..HEAD")])?;
    Ok(cut(text, cap))
}

/// Returns the commit checked out in the worktree.
pub fn head(wt: &Path) -> anyhow::Result<String> {
    read(wt, ["rev-parse", "HEAD"])
}

/// Returns the full message of the commit checked out in the worktree.
pub fn head_message(wt: &Path) -> anyhow::Result<String> {
    read(wt, ["log", "-1", "--format=%B", "HEAD"])
}

/// The identity a pipeline commit is made with.
pub struct Identity<'a> {
    /// Author name (the agent, via git aos).
    pub author_name: &'a str,
    /// Author email.
    pub author_email: &'a str,
}

/// Commits the staged changes with `message`; returns the new commit.
///
/// The committer is git aos, so no git identity needs to be configured. The user's own
/// hooks run as for any commit; git aos's hooks do not (`AOS_INTERNAL`).
pub fn commit(wt: &Path, message: &str, who: &Identity<'_>) -> anyhow::Result<String> {
    let mut child = command(wt)
        .args(["commit", "--quiet", "--file=-"])
        .env("GIT_AUTHOR_NAME", who.author_name)
        .env("GIT_AUTHOR_EMAIL", who.author_email)
        .env("GIT_COMMITTER_NAME", "git-aos")
        .env("GIT_COMMITTER_EMAIL", "aos@localhost")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("could not run `git commit`")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(message.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        anyhow::bail!(
            "`git commit` failed: {}{}",
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    head(wt)
}

/// Discards every uncommitted change in the worktree, untracked files included.
pub fn discard_changes(wt: &Path) -> anyhow::Result<()> {
    run(wt, ["reset", "--quiet", "--hard", "HEAD"])?;
    run(wt, ["clean", "-fdq"]).map(drop)
}
