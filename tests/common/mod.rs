//! Shared fixtures for end-to-end tests: a scratch repository, a hermetic environment,
//! and `git aos` run through real `git` with the built binary on PATH.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch repository in a temp dir, removed on drop.
pub struct Repo {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
}

/// Returns a PATH with the directory of the built `git-aos` first.
pub fn path_with_binary() -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_git-aos"));
    let dir = bin.parent().unwrap().to_path_buf();
    let fakes = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake-agents");
    let old = std::env::var("PATH").unwrap_or_default();
    format!("{}:{}:{old}", dir.display(), fakes.display())
}

/// Applies the hermetic environment to a command.
pub fn hermetic(cmd: &mut Command, home: &Path) {
    cmd.env_clear()
        .env("PATH", path_with_binary())
        .env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Tester")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Tester")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        // The fake claude, like the real one, refuses to skip permission prompts as
        // root unless it is told the machine is a sandbox; tests may run as root.
        .env("IS_SANDBOX", "1");
}

impl Repo {
    /// Returns a repository on `main` with one commit.
    pub fn new() -> Self {
        Self::new_in(&std::env::temp_dir())
    }

    /// Returns a repository on `main` with one commit, in a temp dir under `parent`.
    pub fn new_in(parent: &Path) -> Self {
        std::fs::create_dir_all(parent).unwrap();
        let tmp = tempfile::tempdir_in(parent).unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        let root = root.canonicalize().unwrap();
        let repo = Self { tmp, root };
        repo.git(&["init", "-q", "-b", "main"]);
        std::fs::write(repo.root.join("README.md"), "hello\n").unwrap();
        repo.git(&["add", "."]);
        repo.git(&["commit", "-q", "-m", "initial"]);
        repo
    }

    /// Returns the path of a file under the root.
    pub fn path(&self, rela: &str) -> PathBuf {
        self.root.join(rela)
    }

    /// Returns a directory for the fake agents' scenarios and records, outside the
    /// repository; agents are confined, so `aos.toml` must allow it (`allow_agent_io`).
    pub fn agent_io(&self) -> PathBuf {
        let dir = self.tmp.path().join("agent-io");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Returns the `[project]` line that lets confined agents write `agent_io()`.
    pub fn allow_agent_io(&self) -> String {
        format!("sandbox_allow = [\"{}\"]\n", self.agent_io().display())
    }

    /// Returns where worktrees go by default (`../repo.aos/<name>`).
    pub fn worktree(&self, name: &str) -> PathBuf {
        self.tmp.path().join("repo.aos").join(name)
    }

    /// Returns where the latest run of workstream `ws` did its work: its task's own
    /// worktree when tasks run side by side (`parallel_tasks` > 1, the default), else the
    /// workstream's worktree.
    pub fn task_worktree(&self, ws: &str) -> PathBuf {
        let runs = self.git(&["ls-tree", "--name-only", &format!("refs/aos/ws/{ws}:runs")]);
        // Run ids are ULIDs: the last in order is the newest.
        let latest = runs
            .lines()
            .filter(|l| !l.is_empty())
            .max()
            .map(str::to_owned);
        let record = latest.map(|run| {
            let out = self.cmd_in(
                &self.root,
                "git",
                &["show", &format!("refs/aos/ws/{ws}:runs/{run}/run.toml")],
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        });
        record
            .as_deref()
            .and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("worktree = \""))
                    .and_then(|rest| rest.strip_suffix('"'))
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| self.worktree(ws))
    }

    /// Runs a command in `dir` hermetically.
    pub fn cmd_in(&self, dir: &Path, program: &str, args: &[&str]) -> Output {
        let mut cmd = Command::new(program);
        cmd.args(args).current_dir(dir);
        hermetic(&mut cmd, self.tmp.path());
        cmd.output().unwrap()
    }

    /// Runs git and asserts success; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.cmd_in(&self.root, "git", args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs `git aos …` (through git, as a user would) in the repository root.
    pub fn aos(&self, args: &[&str]) -> Output {
        self.aos_in(&self.root, args)
    }

    /// Runs `git aos …` in `dir`.
    pub fn aos_in(&self, dir: &Path, args: &[&str]) -> Output {
        let mut all = vec!["aos"];
        all.extend_from_slice(args);
        self.cmd_in(dir, "git", &all)
    }

    /// Runs `git aos …`, asserts exit 0 and returns stdout.
    pub fn aos_ok(&self, args: &[&str]) -> String {
        let out = self.aos(args);
        assert!(
            out.status.success(),
            "git aos {args:?} exited {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Returns every ref with its target, to prove a failed command changed nothing.
    pub fn refs(&self) -> String {
        self.git(&["for-each-ref", "--format=%(refname) %(objectname)"])
    }
}

/// Returns stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Returns stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}
