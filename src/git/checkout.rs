//! A worktree as git aos speaks to it: always named explicitly (`--git-dir` and
//! `--work-tree`), never found by git's discovery from the working directory. An agent
//! that deletes or rewrites a worktree's `.git` link therefore can never send one of git
//! aos's writes to another repository or branch.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use anyhow::Context as _;

use super::{INTERNAL_ENV, check, retry_on_index_lock};
use crate::error::UserError;

/// A worktree and its administrative directory (`<common dir>/worktrees/<id>`, or the
/// common dir itself for the main worktree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    top: PathBuf,
    git_dir: PathBuf,
}

/// What the worktree's `.git` entry is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// A `gitdir:` file naming this worktree's administrative directory.
    Intact,
    /// Missing, or a file that names something else (or nothing readable).
    Broken(String),
    /// A directory: a repository of its own was made where the link belongs.
    Directory,
}

/// Where a worktree's HEAD points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// On a branch (full ref name).
    Branch(String),
    /// Detached at a commit.
    Detached(String),
}

impl Checkout {
    /// Returns the checkout of the worktree at `top`: the linked worktree whose
    /// administrative directory under `common_dir` records `top`, or the main worktree.
    ///
    /// The administrative directories are the truth here, not the `.git` file in `top`,
    /// which whatever ran in the worktree may have changed.
    pub fn locate(common_dir: &Path, top: &Path) -> anyhow::Result<Self> {
        let top = std::path::absolute(top)?;
        if common_dir.parent().is_some_and(|p| same_dir(p, &top)) {
            return Ok(Self {
                top,
                git_dir: common_dir.to_owned(),
            });
        }
        let admin = common_dir.join("worktrees");
        let entries = std::fs::read_dir(&admin).into_iter().flatten().flatten();
        for entry in entries {
            let Ok(text) = std::fs::read_to_string(entry.path().join("gitdir")) else {
                continue;
            };
            let recorded = Path::new(text.trim());
            if recorded.parent().is_some_and(|p| same_dir(p, &top)) {
                return Ok(Self {
                    top,
                    git_dir: entry.path(),
                });
            }
        }
        Err(UserError::with_hint(
            format!(
                "`{}` is not a worktree of this repository (no entry under `{}` names it)",
                top.display(),
                admin.display()
            ),
            "`git aos fsck --fix` recreates a workstream's worktree",
        )
        .into())
    }

    /// Returns the top of the worktree.
    pub fn top(&self) -> &Path {
        &self.top
    }

    /// Returns the worktree's administrative directory.
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// Returns a `git` command on this worktree, named explicitly.
    fn command(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("--git-dir")
            .arg(&self.git_dir)
            .arg("--work-tree")
            .arg(&self.top)
            .current_dir(&self.top)
            .env(INTERNAL_ENV, "1")
            // Paths git aos passes are file names, never patterns.
            .env("GIT_LITERAL_PATHSPECS", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `git <args>` on this worktree; a non-zero exit is an error with git's stderr.
    pub fn run<I, S>(&self, args: I) -> anyhow::Result<Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<S> = args.into_iter().collect();
        let shown: Vec<String> = args
            .iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect();
        tracing::debug!(worktree = %self.top.display(), "git {}", shown.join(" "));
        let out = retry_on_index_lock(|| {
            self.command()
                .args(&args)
                .output()
                .context("could not run `git`; is it installed and on PATH?")
        })?;
        check(out, &shown)
    }

    /// Runs `git <args>` on this worktree and returns trimmed stdout.
    pub fn read<I, S>(&self, args: I) -> anyhow::Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.run(args)?;
        Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_owned())
    }

    /// Runs `git <args>` on this worktree with `input` on stdin and `env` set.
    pub(super) fn run_with_input_env(
        &self,
        args: &[&str],
        input: &[u8],
        env: &[(&str, &str)],
    ) -> anyhow::Result<Output> {
        use std::io::Write as _;
        let mut child = self
            .command()
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("could not run `git`")?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input)?;
        }
        let out = child.wait_with_output()?;
        let shown: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        check(out, &shown)
    }

    /// Returns what the worktree's `.git` entry is now.
    pub fn link(&self) -> Link {
        let dot_git = self.top.join(".git");
        if self
            .git_dir
            .parent()
            .is_none_or(|p| p.file_name() != Some(OsStr::new("worktrees")))
        {
            // The main worktree: its `.git` is the common dir itself.
            return if dot_git == self.git_dir || dot_git.is_dir() {
                Link::Intact
            } else {
                Link::Broken("the main worktree has no `.git` directory".into())
            };
        }
        match std::fs::symlink_metadata(&dot_git) {
            Err(_) => Link::Broken("`.git` was deleted".into()),
            Ok(m) if m.is_dir() => Link::Directory,
            Ok(_) => match std::fs::read_to_string(&dot_git) {
                Ok(text) => {
                    let named = text.trim().strip_prefix("gitdir:").map(str::trim);
                    let same = named.is_some_and(|n| {
                        let n = self.top.join(n);
                        n == self.git_dir
                            || std::fs::canonicalize(&n).ok()
                                == std::fs::canonicalize(&self.git_dir).ok()
                    });
                    if same {
                        Link::Intact
                    } else {
                        Link::Broken(format!(
                            "`.git` names `{}` instead of this worktree's administrative directory",
                            named.unwrap_or("nothing")
                        ))
                    }
                }
                Err(e) => Link::Broken(format!("`.git` cannot be read: {e}")),
            },
        }
    }

    /// Writes the worktree's `.git` link again (and the administrative directory's
    /// pointer back to it), as `git worktree add` made them.
    pub fn repair_link(&self) -> anyhow::Result<()> {
        let dot_git = self.top.join(".git");
        if dot_git.is_file() || dot_git.is_symlink() {
            std::fs::remove_file(&dot_git)
                .with_context(|| format!("could not remove `{}`", dot_git.display()))?;
        }
        std::fs::write(&dot_git, format!("gitdir: {}\n", self.git_dir.display()))
            .with_context(|| format!("could not write `{}`", dot_git.display()))?;
        std::fs::write(
            self.git_dir.join("gitdir"),
            format!("{}\n", dot_git.display()),
        )
        .with_context(|| format!("could not write `{}/gitdir`", self.git_dir.display()))
    }

    /// Moves the worktree to `new_top` (a path that must not exist) and records the move
    /// in its administrative directory, as `git worktree move` does; the `.git` link names
    /// the administrative directory by its absolute path and stays as it is.
    pub fn relocate(&self, new_top: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = new_top.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::rename(&self.top, new_top).with_context(|| {
            format!(
                "could not move `{}` to `{}`",
                self.top.display(),
                new_top.display()
            )
        })?;
        std::fs::write(
            self.git_dir.join("gitdir"),
            format!("{}\n", new_top.join(".git").display()),
        )
        .with_context(|| format!("could not write `{}/gitdir`", self.git_dir.display()))?;
        Ok(Self {
            top: new_top.to_owned(),
            git_dir: self.git_dir.clone(),
        })
    }

    /// Returns where the worktree's HEAD points, read from its administrative directory.
    pub fn head(&self) -> anyhow::Result<Head> {
        let path = self.git_dir.join("HEAD");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("could not read `{}`", path.display()))?;
        let text = text.trim();
        Ok(match text.strip_prefix("ref:") {
            Some(r) => Head::Branch(r.trim().to_owned()),
            None => Head::Detached(text.to_owned()),
        })
    }

    /// Points HEAD at the branch `full_ref` (`refs/heads/…`) without touching the index or
    /// the files.
    pub fn attach_head(&self, full_ref: &str) -> anyhow::Result<()> {
        self.run(["symbolic-ref", "HEAD", full_ref]).map(drop)
    }

    /// Points HEAD at `commit`, detached, without touching the index or the files.
    pub fn detach_head(&self, commit: &str) -> anyhow::Result<()> {
        self.run(["update-ref", "--no-deref", "HEAD", commit])
            .map(drop)
    }

    /// Sets the index to `tree_ish`, keeping the files as they are (a mixed reset that
    /// moves no ref).
    pub fn reset_index(&self, tree_ish: &str) -> anyhow::Result<()> {
        self.run(["read-tree", tree_ish]).map(drop)
    }

    /// Stages every file of the worktree and returns the tree it makes: the worktree's
    /// content, `.gitignore` honoured. Nothing else is written.
    pub fn write_tree(&self) -> anyhow::Result<String> {
        self.run(["add", "-A"])?;
        self.read(["write-tree"])
    }

    /// Brings the worktree back to `tree`: files it changed, added or removed since are
    /// put back (ignored files are left alone). The index ends at `tree`.
    pub fn restore_tree(&self, tree: &str) -> anyhow::Result<()> {
        self.run(["add", "-A"])?;
        self.run(["read-tree", "-u", "--reset", tree]).map(drop)
    }

    /// Returns the index lock file of this worktree when one exists that no live process
    /// holds: left by a git command that was killed.
    pub fn stale_index_lock(&self) -> Option<PathBuf> {
        let lock = self.git_dir.join("index.lock");
        let stale = lock.exists()
            && !crate::process::file_in_use(&lock)
            && !crate::process::git_running_in(&self.top);
        stale.then_some(lock)
    }
}

/// Returns whether two paths name the same directory (symlinks resolved when they exist).
fn same_dir(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A repository with a linked worktree inside it, as `worktrees = ".worktrees"` makes.
    fn inner_worktree() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("r");
        std::fs::create_dir(&root).unwrap();
        git(&root, &["init", "-q", "-b", "main"]);
        std::fs::write(root.join("a"), "a\n").unwrap();
        git(&root, &["add", "."]);
        git(&root, &["commit", "-q", "-m", "a"]);
        git(
            &root,
            &["worktree", "add", "-q", "-b", "aos/w", ".worktrees/w"],
        );
        let wt = root.join(".worktrees/w");
        (dir, root, wt)
    }

    #[test]
    fn a_deleted_link_is_seen_and_repaired_and_writes_never_reach_the_main_repository() {
        let (_d, root, wt) = inner_worktree();
        let co = Checkout::locate(&root.join(".git"), &wt).unwrap();
        assert_eq!(co.link(), Link::Intact);
        assert_eq!(co.head().unwrap(), Head::Branch("refs/heads/aos/w".into()));
        std::fs::remove_file(wt.join(".git")).unwrap();
        assert!(matches!(co.link(), Link::Broken(_)));
        // Even with the link gone, staging names the worktree's own index.
        std::fs::write(wt.join("b"), "b\n").unwrap();
        let tree = co.write_tree().unwrap();
        let main_status = Command::new("git")
            .args(["diff", "--cached", "--name-only"])
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(main_status.stdout.is_empty(), "the main index was touched");
        co.repair_link().unwrap();
        assert_eq!(co.link(), Link::Intact);
        assert_eq!(
            co.read(["rev-parse", "--show-toplevel"]).unwrap(),
            wt.display().to_string()
        );
        // Restoring puts the tree back exactly.
        std::fs::write(wt.join("b"), "changed\n").unwrap();
        std::fs::write(wt.join("c"), "new\n").unwrap();
        co.restore_tree(&tree).unwrap();
        assert_eq!(std::fs::read_to_string(wt.join("b")).unwrap(), "b\n");
        assert!(!wt.join("c").exists());
    }

    #[test]
    fn a_directory_is_not_a_worktree_of_the_repository() {
        let (_d, root, _wt) = inner_worktree();
        let other = root.join("elsewhere");
        std::fs::create_dir(&other).unwrap();
        assert!(Checkout::locate(&root.join(".git"), &other).is_err());
        let main = Checkout::locate(&root.join(".git"), &root).unwrap();
        assert_eq!(main.git_dir(), root.join(".git"));
        assert_eq!(main.link(), Link::Intact);
    }
}
