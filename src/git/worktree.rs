//! Worktrees through the git CLI: add (on a new, existing or no branch), remove, list, and
//! what is uncommitted in one.

use std::path::{Path, PathBuf};

use super::{read, run};

/// A worktree git knows about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worktree {
    /// Its top directory.
    pub path: PathBuf,
    /// Checked-out commit, if any.
    pub head: Option<String>,
    /// Checked-out branch (short name), if any.
    pub branch: Option<String>,
}

/// One uncommitted change in a worktree (`git status --porcelain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorktreeChange {
    /// Two-letter status code (`??` for untracked).
    pub code: String,
    /// Path relative to the worktree top.
    pub path: String,
}

/// Creates a worktree at `path` on a new branch `branch` starting at `start`.
pub fn add_with_new_branch(
    repo: &Path,
    path: &Path,
    branch: &str,
    start: &str,
) -> anyhow::Result<()> {
    let path = path.to_string_lossy();
    run(
        repo,
        ["worktree", "add", "--quiet", "-b", branch, &path, start],
    )
    .map(drop)
}

/// Creates a worktree at `path` on the existing branch `branch`.
pub fn add_existing(repo: &Path, path: &Path, branch: &str) -> anyhow::Result<()> {
    let path = path.to_string_lossy();
    run(repo, ["worktree", "add", "--quiet", &path, branch]).map(drop)
}

/// Creates a worktree at `path` with `rev` checked out on a detached HEAD (no branch), for
/// scratch work that must not touch any branch.
pub fn add_detached(repo: &Path, path: &Path, rev: &str) -> anyhow::Result<()> {
    let path = path.to_string_lossy();
    run(repo, ["worktree", "add", "--quiet", "--detach", &path, rev]).map(drop)
}

/// A detached worktree for scratch work (trying an agent, a merge gate), removed with
/// whatever it holds when dropped.
#[derive(Debug)]
pub struct ScratchWorktree {
    repo: PathBuf,
    path: PathBuf,
}

impl ScratchWorktree {
    /// Creates a detached worktree of `rev` at `path`, which must not exist yet.
    pub fn create(repo: &Path, path: &Path, rev: &str) -> anyhow::Result<Self> {
        add_detached(repo, path, rev)?;
        Ok(Self {
            repo: repo.to_owned(),
            path: path.to_owned(),
        })
    }

    /// Returns the worktree's top directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchWorktree {
    fn drop(&mut self) {
        if let Err(e) = remove(&self.repo, &self.path, true) {
            tracing::warn!("could not remove the scratch worktree: {e:#}");
            // Whatever is left, git must forget it, or the next `worktree add` clashes.
            let _ = std::fs::remove_dir_all(&self.path);
            let _ = prune(&self.repo);
        }
    }
}

/// Removes the worktree at `path`; `force` also discards its uncommitted changes.
pub fn remove(repo: &Path, path: &Path, force: bool) -> anyhow::Result<()> {
    let path = path.to_string_lossy();
    let mut args = vec!["worktree", "remove"];
    if force {
        args.push("--force");
    }
    args.push(&path);
    run(repo, args).map(drop)
}

/// Forgets worktrees whose directories are gone.
pub fn prune(repo: &Path) -> anyhow::Result<()> {
    run(repo, ["worktree", "prune"]).map(drop)
}

/// Returns every worktree of the repository.
pub fn list(repo: &Path) -> anyhow::Result<Vec<Worktree>> {
    let text = read(repo, ["worktree", "list", "--porcelain"])?;
    Ok(parse_list(&text))
}

fn parse_list(text: &str) -> Vec<Worktree> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let mut wt = Worktree {
            path: PathBuf::new(),
            head: None,
            branch: None,
        };
        for line in block.lines() {
            if let Some(p) = line.strip_prefix("worktree ") {
                wt.path = PathBuf::from(p);
            } else if let Some(h) = line.strip_prefix("HEAD ") {
                wt.head = Some(h.to_owned());
            } else if let Some(b) = line.strip_prefix("branch ") {
                wt.branch = Some(b.strip_prefix("refs/heads/").unwrap_or(b).to_owned());
            }
        }
        if !wt.path.as_os_str().is_empty() {
            out.push(wt);
        }
    }
    out
}

/// Returns which of `paths` exist in the checkout as files git ignores (untracked, and
/// matched by an ignore rule, themselves or through an ignored directory).
pub fn ignored_among(co: &super::Checkout, paths: &[String]) -> anyhow::Result<Vec<String>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let out = co.run([
        "ls-files",
        "--others",
        "--ignored",
        "--exclude-standard",
        "--directory",
        "-z",
    ])?;
    let text = String::from_utf8_lossy(&out.stdout);
    let ignored: Vec<&str> = text.split('\0').filter(|p| !p.is_empty()).collect();
    Ok(paths
        .iter()
        .filter(|p| {
            ignored.iter().any(|i| match i.strip_suffix('/') {
                Some(dir) => p.starts_with(dir) && p[dir.len()..].starts_with('/'),
                None => *i == p.as_str(),
            })
        })
        .cloned()
        .collect())
}

/// Returns the uncommitted changes (tracked and untracked) in the worktree at `path`.
///
/// git looks for the repository at `path` only, never above it: a worktree whose `.git`
/// link was deleted is an error here, not the status of a repository that contains it.
pub fn changes(path: &Path) -> anyhow::Result<Vec<WorktreeChange>> {
    let args = ["status", "--porcelain=v1", "-z", "--untracked-files=all"];
    let mut cmd = super::command(path);
    if let Some(parent) = path.parent() {
        cmd.env("GIT_CEILING_DIRECTORIES", parent);
    }
    let out = cmd
        .args(args)
        .output()
        .map_err(|e| anyhow::anyhow!("could not run `git`: {e}"))?;
    let shown: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let out = super::check(out, &shown)?;
    Ok(parse_status(&out.stdout))
}

fn parse_status(raw: &[u8]) -> Vec<WorktreeChange> {
    let mut out = Vec::new();
    let mut fields = raw.split(|b| *b == 0).filter(|f| !f.is_empty());
    while let Some(f) = fields.next() {
        if f.len() < 4 {
            continue;
        }
        let code = String::from_utf8_lossy(&f[..2]).into_owned();
        let path = String::from_utf8_lossy(&f[3..]).into_owned();
        // A rename or copy is followed by its source path as a separate field.
        if code.starts_with('R') || code.starts_with('C') {
            fields.next();
        }
        out.push(WorktreeChange { code, path });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcelain_list_parses() {
        let text = "worktree /r\nHEAD abc\nbranch refs/heads/main\n\nworktree /w/a\nHEAD def\nbranch refs/heads/aos/a\n\nworktree /w/d\nHEAD 123\ndetached\n";
        let list = parse_list(text);
        assert_eq!(list.len(), 3);
        assert_eq!(list[1].branch.as_deref(), Some("aos/a"));
        assert_eq!(list[2].branch, None);
    }

    #[test]
    fn porcelain_status_parses_renames() {
        let raw = b" M src/a.rs\0R  new.rs\0old.rs\0?? x y.txt\0";
        let changes = parse_status(raw);
        let paths: Vec<_> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["src/a.rs", "new.rs", "x y.txt"]);
        assert_eq!(changes[2].code, "??");
    }
}
