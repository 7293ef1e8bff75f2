//! Shared setup of the agent integration tests: a temp worktree, the fake agents of
//! `tests/fake-agents` first on the agent's `PATH`, scenarios, and bounded polling.
#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use git_aos::agent::{Adapter, AgentSpec, Execution, Redactor, Request, Role, RunLimits, invoke};
use nix::errno::Errno;
use nix::sys::signal::killpg;
use nix::unistd::Pid;
use tempfile::TempDir;

/// A temp directory holding a worktree, a scratch dir and a live log.
pub struct Fixture {
    pub dir: TempDir,
    pub worktree: PathBuf,
    pub scratch: PathBuf,
    pub live_log: PathBuf,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let worktree = dir.path().join("wt");
        std::fs::create_dir(&worktree).expect("worktree");
        let scratch = dir.path().join("run");
        let live_log = dir.path().join("common/aos/live/ws.log");
        Self {
            dir,
            worktree,
            scratch,
            live_log,
        }
    }

    /// Returns a path inside the temp dir (not the worktree).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Returns a spec whose agent finds the fakes first on `PATH` and plays `scenario`.
    pub fn spec(&self, adapter: Adapter, scenario: &str) -> AgentSpec {
        let file = self.path("scenario.txt");
        std::fs::write(&file, scenario).expect("scenario");
        let mut spec = AgentSpec::new(format!("fake-{adapter}"), adapter);
        spec.env.insert("PATH".into(), fake_path());
        // Like the real claude, the fake refuses bypassPermissions as root without it.
        spec.env.insert("IS_SANDBOX".into(), "1".into());
        spec.env
            .insert("FAKE_AGENT_SCENARIO".into(), file.display().to_string());
        spec.env.insert(
            "FAKE_AGENT_RECORD".into(),
            self.path("record.jsonl").display().to_string(),
        );
        spec
    }

    pub fn request(&self, role: Role) -> Request {
        let mut req = Request::new(
            role,
            "Implement T1.\nWrite the result.",
            &self.worktree,
            &self.scratch,
        );
        req.task = Some("T1".parse().expect("task id"));
        req
    }

    /// Safety-net limits: generous, so a loaded machine never trips them by accident.
    pub fn limits(&self) -> RunLimits {
        RunLimits {
            timeout: Duration::from_secs(120),
            idle_timeout: Duration::from_secs(60),
            grace: Duration::from_millis(500),
            live_log: Some(self.live_log.clone()),
            ..RunLimits::default()
        }
    }

    /// Runs a scenario through the public API with the given role and limits.
    pub async fn invoke(
        &self,
        adapter: Adapter,
        role: Role,
        scenario: &str,
        limits: &RunLimits,
    ) -> Execution {
        let spec = self.spec(adapter, scenario);
        invoke(&spec, &self.request(role), limits, &Redactor::default())
            .await
            .expect("invoke")
    }

    /// Returns the calls the fakes recorded, one JSON value each.
    pub fn records(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.path("record.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("record line"))
            .collect()
    }

    /// Returns the process group a fake wrote with `pidfile <path>`.
    pub fn pgid(&self, pidfile: &str) -> i32 {
        let text = std::fs::read_to_string(self.path(pidfile)).expect("pidfile");
        text.split_whitespace()
            .nth(1)
            .and_then(|g| g.parse().ok())
            .expect("pgid")
    }
}

/// Returns the directory of the fake agents.
pub fn fake_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake-agents")
}

/// Returns `PATH` with the fakes first.
pub fn fake_path() -> String {
    format!(
        "{}:{}",
        fake_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Returns whether no process of the group exists any more.
pub fn group_gone(pgid: i32) -> bool {
    matches!(killpg(Pid::from_raw(pgid), None), Err(Errno::ESRCH))
}

/// Polls `done` until it holds or `limit` passes; returns whether it held.
pub async fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done()
}
