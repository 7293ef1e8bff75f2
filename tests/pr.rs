//! `git aos pr` end to end: a real bare remote behind a GitHub or GitLab URL (git's
//! `insteadOf` sends pushes there), fake `gh` and `glab` programs that keep a small forge
//! in a JSON file and print what the real CLIs print, and fake claude agents that run the
//! workstream. Requests are created, drafted, updated, read, merged on the forge and
//! commented on; every refusal leaves the remote, the forge and the state as they were.

mod common;
#[path = "pr/create.rs"]
mod create;
#[path = "pr/feedback.rs"]
mod feedback;
#[path = "pr/refusals.rs"]
mod refusals;
#[path = "pr/status.rs"]
mod status;
#[path = "pr/update.rs"]
mod update;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Repo, hermetic, path_with_binary};
use serde_json::{Value, json};

/// The implementer: writes `<task>.txt`, reports done.
const IMPLEMENT: &str = "write ${AOS_TASK}.txt made by ${AOS_AGENT}\\n\nresult {\"status\":\"done\",\"summary\":\"wrote the file\"}\nemit success done\n";
/// The reviewer: approves.
const APPROVE: &str =
    "emit success {\"verdict\":\"approve\",\"summary\":\"reads well\",\"comments\":[]}\n";

/// A plan of two tasks, each checked by an acceptance command.
pub const PLAN: &str = "# Plan: Rate limiting\n\nLimit requests per client.\n\n### [ ] T1: Add the limiter\n\n#### Acceptance\n- `test -f T1.txt`\n\n### [ ] T2: Use the limiter\nDepends: T1\n\n#### Acceptance\n- `test -f T2.txt`\n";

/// Which forge the remote is on.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Host {
    GitHub,
    GitLab,
}

/// A repository whose `origin` is a forge project backed by a bare repository, a fake
/// forge in a JSON file, and workstream `w` made from [`PLAN`].
pub struct World {
    pub repo: Repo,
    pub bare: PathBuf,
    pub state: PathBuf,
    pub calls: PathBuf,
}

impl World {
    /// Returns a world on `host` whose `aos.toml` has `extra` appended.
    pub fn new(host: Host, extra: &str) -> Self {
        let (forge_host, url) = match host {
            Host::GitHub => ("github.com", "https://github.com/acme/widgets.git"),
            Host::GitLab => ("gitlab.com", "https://gitlab.com/acme/widgets.git"),
        };
        Self::with_remote(forge_host, url, extra)
    }

    /// Returns a world whose `origin` is `url`, served by a forge at `forge_host`.
    pub fn with_remote(forge_host: &str, url: &str, extra: &str) -> Self {
        let repo = Repo::new();
        let dir = repo.tmp.path().to_path_buf();
        let bare = dir.join("remote.git");
        repo.git(&["init", "-q", "--bare", bare.to_str().unwrap()]);
        repo.git(&["remote", "add", "origin", url]);
        repo.git(&["config", &format!("url.{}.insteadOf", bare.display()), url]);
        let world = Self {
            state: dir.join("forge.json"),
            calls: dir.join("forge-calls.jsonl"),
            bare,
            repo,
        };
        world.write_forge(&json!({
            "repo": format!("{forge_host}/acme/widgets"),
            "git_dir": world.bare,
            "auth": true,
            "next_number": 1,
            "requests": [],
        }));
        // Confined agents write only where aos.toml allows: the fakes keep their
        // counters next to their scenarios.
        let io = world.repo.agent_io();
        for (agent, scenario) in [("claude", IMPLEMENT), ("critic", APPROVE)] {
            std::fs::write(io.join(format!("{agent}.txt")), scenario).unwrap();
        }
        let toml = format!(
            "[project]\nbase = \"main\"\n{}\n[agents.claude]\nadapter = \"claude\"\nenv = {{ FAKE_AGENT_SCENARIO = \"{}\" }}\n\n[agents.critic]\nadapter = \"claude\"\nenv = {{ FAKE_AGENT_SCENARIO = \"{}\" }}\n\n[roles]\nimplement = [\"claude\"]\nreview = \"critic\"\n\n[notify]\ndesktop = false\n\n{extra}",
            world.repo.allow_agent_io(),
            io.join("claude.txt").display(),
            io.join("critic.txt").display(),
        );
        std::fs::write(world.repo.path("aos.toml"), toml).unwrap();
        std::fs::write(world.repo.path("plan.md"), PLAN).unwrap();
        world.repo.git(&["add", "."]);
        world.repo.git(&["commit", "-q", "-m", "aos"]);
        world.repo.git(&["push", "-q", "origin", "main"]);
        world.repo.aos_ok(&["new", "w", "--plan", "plan.md"]);
        world
    }

    /// Returns a world on `host` whose workstream `w` ran to `complete`.
    pub fn complete(host: Host) -> Self {
        let world = Self::new(host, "[profiles.default]\nautonomy = \"autonomous\"\n");
        world.ok(&["run", "w"]);
        world
    }

    /// Runs `git aos …` in the repository with the fake forge tools on PATH.
    pub fn aos(&self, args: &[&str]) -> Output {
        let fakes = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake-forges");
        self.aos_with_path(args, &format!("{}:{}", fakes.display(), path_with_binary()))
    }

    /// Runs `git aos …` with `path` as PATH.
    pub fn aos_with_path(&self, args: &[&str], path: &str) -> Output {
        let mut all = vec!["aos"];
        all.extend_from_slice(args);
        let mut cmd = Command::new("git");
        cmd.args(&all).current_dir(&self.repo.root);
        hermetic(&mut cmd, self.repo.tmp.path());
        cmd.env("PATH", path)
            .env("FAKE_FORGE_STATE", &self.state)
            .env("FAKE_FORGE_RECORD", &self.calls);
        cmd.output().unwrap()
    }

    /// Runs `git aos …`, asserts exit 0 and returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
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

    /// Returns the fake forge's state.
    pub fn forge(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(&self.state).unwrap()).unwrap()
    }

    /// Replaces the fake forge's state.
    pub fn write_forge(&self, value: &Value) {
        std::fs::write(&self.state, serde_json::to_string_pretty(value).unwrap()).unwrap();
    }

    /// Changes request `number` on the forge (as reviewers and merges on the forge do).
    pub fn on_request(&self, number: u64, change: impl FnOnce(&mut Value)) {
        let mut forge = self.forge();
        let request = forge["requests"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|r| r["number"] == number)
            .expect("no such request");
        change(request);
        self.write_forge(&forge);
    }

    /// Returns every recorded forge call as (argv, body read from a file).
    pub fn calls(&self) -> Vec<(Vec<String>, Option<String>)> {
        std::fs::read_to_string(&self.calls)
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                let argv = v["argv"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_owned())
                    .collect();
                (argv, v["body"].as_str().map(str::to_owned))
            })
            .collect()
    }

    /// Returns the recorded calls whose argv starts with `words`.
    pub fn calls_of(&self, words: &[&str]) -> Vec<(Vec<String>, Option<String>)> {
        self.calls()
            .into_iter()
            .filter(|(argv, _)| argv.len() >= words.len() && argv[..words.len()] == *words)
            .collect()
    }

    /// Returns the commit the bare remote holds for `branch`.
    pub fn remote_tip(&self, branch: &str) -> Option<String> {
        let out = self.repo.cmd_in(
            &self.repo.root,
            "git",
            &[
                "--git-dir",
                self.bare.to_str().unwrap(),
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("refs/heads/{branch}"),
            ],
        );
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// Returns the tip of a local branch.
    pub fn tip(&self, rev: &str) -> String {
        self.repo.git(&["rev-parse", rev]).trim().to_owned()
    }

    /// Returns `pr.toml` of the live workstream `w`, parsed.
    pub fn record(&self) -> toml::Table {
        toml::from_str(&self.repo.git(&["show", "refs/aos/ws/w:pr.toml"])).unwrap()
    }
}

/// Returns stderr as text.
pub fn err(out: &Output) -> String {
    common::stderr(out)
}
