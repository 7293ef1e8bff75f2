//! The real `claude` and `codex` programs — the npm versions pinned in
//! `scripts/agent-clis.versions` — driven by `git aos` against a scripted model server
//! of our own on 127.0.0.1 (`tests/model-server/model_server.py`): the Anthropic
//! Messages API for Claude Code, the OpenAI Responses API for Codex.
//!
//! The CLIs are found in `$AOS_REAL_CLIS` (a directory holding `claude` and `codex`,
//! which `scripts/test` sets), else in the cache `scripts/install-agent-clis` fills. When
//! they are missing every test fails with the command that installs them, unless
//! `AOS_SKIP_REAL_CLIS=1` says to skip them (then each test says it was skipped).
//!
//! Repositories live under Cargo's target tmp dir, not `/tmp`: codex's sandbox lets
//! commands write `/tmp`, which would hide a scratch directory it cannot write.

#[path = "../common/mod.rs"]
mod common;

mod failures;
mod pipeline;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use common::Repo;
use serde_json::{Value, json};

/// The pinned versions, one `<npm package> <version>` a line.
const VERSIONS: &str = include_str!("../../scripts/agent-clis.versions");

/// Where the two CLIs are.
pub struct Clis {
    pub claude: PathBuf,
    pub codex: PathBuf,
}

/// Returns the cache directory `scripts/install-agent-clis` installs into:
/// `${XDG_CACHE_HOME:-$HOME/.cache}/git-aos/agent-clis/<name>-<version>_…`.
fn cache_bin_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let key: Vec<String> = VERSIONS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .map(|(package, version)| {
            let name = package.rsplit('/').next().unwrap_or(package);
            format!("{name}-{}", version.trim())
        })
        .collect();
    Some(
        base.join("git-aos/agent-clis")
            .join(key.join("_"))
            .join("node_modules/.bin"),
    )
}

/// Returns the CLIs, or `None` when `AOS_SKIP_REAL_CLIS=1` skips these tests.
///
/// # Panics
///
/// When they are not installed and not skipped: a test that cannot run must not pass.
pub fn clis() -> Option<Clis> {
    let dir = std::env::var_os("AOS_REAL_CLIS")
        .map(PathBuf::from)
        .or_else(cache_bin_dir);
    let found = dir.as_ref().and_then(|dir| {
        let (claude, codex) = (dir.join("claude"), dir.join("codex"));
        (claude.is_file() && codex.is_file()).then_some(Clis { claude, codex })
    });
    if found.is_some() {
        return found;
    }
    if std::env::var("AOS_SKIP_REAL_CLIS").as_deref() == Ok("1") {
        eprintln!("skipped: AOS_SKIP_REAL_CLIS=1 and the real agent CLIs are not installed");
        return None;
    }
    panic!(
        "the real claude and codex CLIs are not installed (looked in {}): run \
         `scripts/install-agent-clis` (or `scripts/test`, which installs them and runs \
         the tests), or set AOS_SKIP_REAL_CLIS=1 to skip these tests",
        dir.map_or_else(
            || "$AOS_REAL_CLIS and the cache".to_owned(),
            |d| format!("`{}`", d.display())
        )
    );
}

/// The scripted model server, stopped when dropped.
pub struct ModelServer {
    child: Child,
    stdin: Option<ChildStdin>,
    pub port: u16,
    log: PathBuf,
}

impl ModelServer {
    /// Starts the server on an ephemeral loopback port with `rules` (see the server's
    /// docstring); it stops when this test ends, or after ten minutes whatever happens.
    pub fn start(dir: &Path, rules: Value) -> Self {
        let script = dir.join("model-rules.json");
        std::fs::write(&script, json!({ "rules": rules }).to_string()).unwrap();
        let log = dir.join("model-requests.jsonl");
        let server =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/model-server/model_server.py");
        let mut child = Command::new("python3")
            .arg(server)
            .arg("--script")
            .arg(&script)
            .arg("--log")
            .arg(&log)
            .args(["--lifetime", "600"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the model server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the model server did not start: {line:?}"));
        Self {
            stdin: child.stdin.take(),
            child,
            port,
            log,
        }
    }

    /// Returns every request logged so far, oldest first.
    pub fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Returns the logged requests of one API (`anthropic` or `openai`).
    pub fn requests_of(&self, api: &str) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r["api"] == api)
            .collect()
    }
}

impl Drop for ModelServer {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A repository, a model server, and both CLIs configured to use it.
pub struct World {
    pub repo: Repo,
    pub server: ModelServer,
    pub clis: Clis,
}

impl World {
    /// Returns a world whose model answers by `rules`, or `None` when skipped.
    pub fn new(rules: Value) -> Option<World> {
        let clis = clis()?;
        let repo = Repo::new_in(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("real-clis"));
        let server = ModelServer::start(repo.tmp.path(), rules);
        let codex_home = repo.tmp.path().join("codex-home");
        std::fs::create_dir_all(&codex_home).unwrap();
        std::fs::write(
            codex_home.join("config.toml"),
            format!(
                "model = \"gpt-test\"\nmodel_provider = \"scripted\"\n\n\
                 [model_providers.scripted]\nname = \"scripted\"\n\
                 base_url = \"http://127.0.0.1:{}/v1\"\nwire_api = \"responses\"\n\
                 env_key = \"AOS_TEST_MODEL_KEY\"\nrequest_max_retries = 0\n\
                 stream_max_retries = 0\n",
                server.port
            ),
        )
        .unwrap();
        Some(World { repo, server, clis })
    }

    /// Writes `aos.toml` (both agents with `timeout`, `extra` agent tables, `roles`,
    /// `autonomy`) and commits it.
    pub fn configure(&self, roles: &str, autonomy: &str, timeout: &str, extra: &str) {
        let toml = format!(
            "[project]\nbase = \"main\"\n\n{}\n{extra}\n[roles]\n{roles}\n\n[profiles.default]\n\
             autonomy = \"{autonomy}\"\n\n[notify]\ndesktop = false\n",
            self.agents(timeout)
        );
        std::fs::write(self.repo.path("aos.toml"), toml).unwrap();
        self.repo.git(&["add", "."]);
        self.repo.git(&["commit", "-q", "-m", "aos"]);
    }

    /// Configures as `configure` does, then writes `plan` and creates workstream `w`.
    pub fn setup(&self, roles: &str, autonomy: &str, timeout: &str, plan: &str) {
        std::fs::write(self.repo.path("plan.md"), plan).unwrap();
        self.configure(roles, autonomy, timeout, "");
        self.repo.aos_ok(&["new", "w", "--plan", "plan.md"]);
    }

    /// Runs `git aos agent try <agent> --prompt <prompt> --json` and returns the
    /// outcome it printed.
    pub fn try_agent(&self, agent: &str, prompt: &str) -> Value {
        let out = self
            .repo
            .aos(&["agent", "try", agent, "--prompt", prompt, "--json"]);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "`agent try {agent}` printed no outcome ({e}): {}",
                common::stderr(&out)
            )
        })
    }

    /// Returns the `[agents.claude]` and `[agents.codex]` tables.
    pub fn agents(&self, timeout: &str) -> String {
        let port = self.server.port;
        let codex_home = self.repo.tmp.path().join("codex-home");
        format!(
            "[agents.claude]\nadapter = \"claude\"\ncommand = [\"{claude}\"]\ntimeout = \"{timeout}\"\n\
             env = {{ ANTHROPIC_BASE_URL = \"http://127.0.0.1:{port}\", ANTHROPIC_API_KEY = \"sk-test-offline\", \
             CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = \"1\", DISABLE_AUTOUPDATER = \"1\", \
             DISABLE_TELEMETRY = \"1\", IS_SANDBOX = \"1\", CODEX_HOME = \"{home}\" }}\n\n\
             [agents.codex]\nadapter = \"codex\"\ncommand = [\"{codex}\"]\ntimeout = \"{timeout}\"\n\
             env = {{ CODEX_HOME = \"{home}\", AOS_TEST_MODEL_KEY = \"sk-test-offline\" }}\n",
            claude = self.clis.claude.display(),
            codex = self.clis.codex.display(),
            home = codex_home.display(),
        )
    }

    /// Returns the run record of task T1's run as TOML.
    pub fn run_record(&self) -> toml::Table {
        let tasks: toml::Table =
            toml::from_str(&self.repo.git(&["show", "refs/aos/ws/w:tasks.toml"])).unwrap();
        let run = tasks["task"][0]["last_run"].as_str().unwrap().to_owned();
        toml::from_str(
            &self
                .repo
                .git(&["show", &format!("refs/aos/ws/w:runs/{run}/run.toml")]),
        )
        .unwrap()
    }
}

/// A rule: when the request matches `when`, answer `reply` (with `usage` tokens).
pub fn rule(when: Value, reply: Value) -> Value {
    json!({ "when": when, "reply": reply })
}

/// The shell command an implementer runs: write `file` with `text`, and a done result.
pub fn write_and_finish(file: &str, text: &str, summary: &str) -> String {
    format!(
        "printf '%s\\n' '{text}' > {file} && printf '%s' '{{\"status\":\"done\",\"summary\":\"{summary}\"}}' > \"$AOS_RESULT\""
    )
}

/// A reviewer's answer: the verdict JSON, bare (codex's `--output-schema`) or in an
/// `aos-review` block (claude).
pub fn verdict(verdict: &str, summary: &str, fenced: bool) -> String {
    let json = json!({"verdict": verdict, "summary": summary, "comments": []}).to_string();
    if fenced {
        format!("Reviewed.\n```aos-review\n{json}\n```")
    } else {
        json
    }
}

/// The plan of every scenario: one task whose acceptance needs `greeting.txt` to say hello.
pub const PLAN: &str = "# Plan: greet\n\n### [ ] T1: Greet\nFiles: greeting.txt\n\n\
    Write `greeting.txt` saying hello.\n\n#### Acceptance\n- `grep -q hello greeting.txt`\n";
