//! Git hooks end to end: real `git commit`, `--amend`, `rebase` and `cherry-pick` in
//! scratch repositories, with the built `git-aos` on PATH as the shims find it.

#[path = "../common/mod.rs"]
mod common;

mod install;
mod record;
mod rewrite;
mod scoped;
mod verify;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Repo, stderr};

/// A plan whose first task is accepted once `ok.txt` exists.
const PLAN: &str = "# Plan: hooks

### [ ] T1: Make ok
Depends: none

Create ok.txt.

#### Acceptance
- `test -f ok.txt`

### [ ] T2: Then more
Depends: T1

More.

#### Acceptance
- `test -f more.txt`
";

/// A repository after `git aos init` (hooks installed) with workstream `w` from `PLAN`.
struct Fixture {
    repo: Repo,
    wt: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        Self::with_plan(PLAN)
    }

    fn with_plan(plan: &str) -> Self {
        let repo = Repo::new();
        repo.aos_ok(&["init", "--yes"]);
        let file = repo.tmp.path().join("plan.md");
        std::fs::write(&file, plan).unwrap();
        repo.aos_ok(&["new", "w", "--plan", file.to_str().unwrap()]);
        let wt = repo.worktree("w");
        Self { repo, wt }
    }

    /// Runs git in the workstream worktree.
    fn git_wt(&self, args: &[&str]) -> Output {
        self.repo.cmd_in(&self.wt, "git", args)
    }

    /// Runs git in the workstream worktree, asserts success, returns stdout.
    fn git_wt_ok(&self, args: &[&str]) -> String {
        let out = self.git_wt(args);
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Writes a file in the worktree and commits it with `-m`.
    fn commit(&self, file: &str, message: &str) -> Output {
        write(&self.wt, file, message);
        self.git_wt_ok(&["add", file]);
        self.git_wt(&["commit", "-q", "-m", message])
    }

    /// Returns the number of state commits of `w`.
    fn state_commits(&self) -> usize {
        self.repo
            .git(&["rev-list", "--count", "refs/aos/ws/w"])
            .trim()
            .parse()
            .unwrap()
    }

    /// Returns the note on a commit, or an empty string.
    fn note(&self, rev: &str) -> String {
        let out = self.git_wt(&["notes", "--ref=aos", "show", rev]);
        String::from_utf8(out.stdout).unwrap()
    }

    fn rev(&self, rev: &str) -> String {
        self.git_wt_ok(&["rev-parse", rev]).trim().to_owned()
    }

    fn tasks(&self) -> toml::Value {
        toml::from_str(&self.repo.git(&["show", "refs/aos/ws/w:tasks.toml"])).unwrap()
    }
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), format!("{text}\n")).unwrap();
}

/// Returns how many lines of `text` start with `prefix`.
fn count_lines(text: &str, prefix: &str) -> usize {
    text.lines().filter(|l| l.starts_with(prefix)).count()
}
