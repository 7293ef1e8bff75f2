//! A bare remote and clones of it in one temp dir, each a "machine": git and `git aos`
//! run hermetically in any of them, and runners start as real processes.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::common::{hermetic, stderr, stdout};

/// Settings every test starts from: autonomous runs, no desktop notifications.
pub const AOS_TOML: &str = "[project]\nbase = \"main\"\n\n[profiles.default]\nautonomy = \"autonomous\"\n\n[notify]\ndesktop = false\n";

/// A two-task plan whose shell agent writes which runner implemented each task.
pub const PLAN: &str = "# Plan: p\n\n### [ ] T1: One\n\n#### Acceptance\n- `test -f one.txt`\n\n#### Run\n```sh\necho \"${RUNNER:-none}\" > one.txt\n```\n\n### [ ] T2: Two\nDepends: T1\n\n#### Acceptance\n- `test -f two.txt`\n\n#### Run\n```sh\necho \"${RUNNER:-none}\" > two.txt\n```\n";

/// A remote and its clones.
pub struct Fleet {
    pub tmp: tempfile::TempDir,
}

impl Fleet {
    /// Returns a bare remote whose `main` holds `aos.toml` (with `extra` appended) and
    /// `files`, pushed from clone `a`.
    pub fn new(extra: &str, files: &[(&str, &str)]) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let fleet = Self { tmp };
        let top = fleet.top();
        fleet.git(&top, &["init", "-q", "--bare", "-b", "main", "remote.git"]);
        fleet.git(&top, &["init", "-q", "-b", "main", "a"]);
        let a = fleet.dir("a");
        std::fs::write(a.join("aos.toml"), format!("{AOS_TOML}{extra}")).unwrap();
        for (path, text) in files {
            std::fs::write(a.join(path), text).unwrap();
        }
        fleet.git(&a, &["add", "."]);
        fleet.git(&a, &["commit", "-q", "-m", "initial"]);
        fleet.git(&a, &["remote", "add", "origin", "../remote.git"]);
        fleet.git(&a, &["push", "-q", "origin", "main"]);
        fleet
    }

    /// Returns the directory every machine lives in (canonical).
    pub fn top(&self) -> PathBuf {
        self.tmp.path().canonicalize().unwrap()
    }

    /// Returns a machine's clone.
    pub fn dir(&self, name: &str) -> PathBuf {
        self.top().join(name)
    }

    /// Makes another machine: a clone of the remote on `main`.
    pub fn clone(&self, name: &str) -> PathBuf {
        self.git(
            &self.top(),
            &["clone", "-q", "-b", "main", "remote.git", name],
        );
        self.dir(name)
    }

    /// Runs a program in `dir` hermetically.
    pub fn run(&self, dir: &Path, program: &str, args: &[&str]) -> Output {
        let mut cmd = Command::new(program);
        cmd.args(args).current_dir(dir);
        hermetic(&mut cmd, self.tmp.path());
        cmd.output().unwrap()
    }

    /// Runs git and asserts success; returns stdout.
    pub fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.run(dir, "git", args);
        assert!(
            out.status.success(),
            "git {args:?} in {}: {}",
            dir.display(),
            stderr(&out)
        );
        stdout(&out)
    }

    /// Runs `git aos …` in `dir`.
    pub fn aos(&self, dir: &Path, args: &[&str]) -> Output {
        let mut all = vec!["aos"];
        all.extend_from_slice(args);
        self.run(dir, "git", &all)
    }

    /// Runs `git aos …`, asserts exit 0 and returns stdout.
    pub fn aos_ok(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.aos(dir, args);
        assert!(
            out.status.success(),
            "git aos {args:?} in {} exited {:?}\nstdout: {}\nstderr: {}",
            dir.display(),
            out.status.code(),
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// Starts `git-aos` itself (so a kill reaches it, not a `git` in between) in `dir`,
    /// with `RUNNER` set to `runner`, its output captured.
    pub fn spawn(&self, dir: &Path, runner: &str, args: &[&str]) -> Child {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-aos"));
        cmd.args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        hermetic(&mut cmd, self.tmp.path());
        cmd.env("RUNNER", runner);
        cmd.spawn().unwrap()
    }

    /// Returns the remote's refs with their targets, one per line.
    pub fn remote_refs(&self) -> String {
        self.git(
            &self.dir("remote.git"),
            &["for-each-ref", "--format=%(refname) %(objectname)"],
        )
    }
}

/// Waits for a child to exit, killing it after `limit` (a safety net, not a clock the
/// test relies on); returns its output.
pub fn finish(mut child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("still running after {limit:?}; stderr:\n{}", stderr(&out));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// Polls `cond` until it holds or `limit` passes; whether it held.
pub fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
