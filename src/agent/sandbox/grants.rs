//! Which paths a confined agent may write. They come from what git aos knows — the
//! worktree it hands the agent, the repository's common git dir, the scratch directory,
//! the adapter and `$HOME` — never from files the agent could have changed.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::agent::spec::{Adapter, Sandbox};

/// Devices any program expects to write (a terminal included, for tools that open one).
const DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
    "/dev/ptmx",
];
/// Device directories: pseudo-terminals and POSIX shared memory.
const DEVICE_DIRS: &[&str] = &["/dev/pts", "/dev/shm"];

/// Whether a grant covers a directory and everything beneath it, or one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantKind {
    /// The directory and everything beneath it: create, write, rename, remove.
    Dir,
    /// The file itself: write and truncate in place (no rename over it).
    File,
}

/// Where a grant comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The repository or the invocation: worktree, admin dir, objects, scratch, temp.
    Repository,
    /// `/dev/null` and friends.
    Device,
    /// Build and package caches.
    Cache,
    /// What the adapter's CLI writes (`~/.claude`, `~/.codex`).
    Agent,
    /// `sandbox_allow`.
    Allow,
}

/// One path a confined agent may write, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The path (not resolved: rules follow symlinks when they are made).
    pub path: PathBuf,
    /// Directory tree or single file.
    pub kind: GrantKind,
    /// Where it comes from.
    pub source: Source,
    /// Why it is writable, for logs.
    pub why: String,
    /// Created (as a directory) when missing, because the agent's CLI needs it and
    /// could not create it under a read-only `$HOME`.
    pub create: bool,
}

impl Grant {
    fn dir(source: Source, path: impl Into<PathBuf>, why: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            kind: GrantKind::Dir,
            source,
            why: why.into(),
            create: false,
        }
    }

    fn file(source: Source, path: impl Into<PathBuf>, why: impl Into<String>) -> Self {
        Self {
            kind: GrantKind::File,
            ..Self::dir(source, path, why)
        }
    }

    fn created(mut self) -> Self {
        self.create = true;
        self
    }
}

/// The environment an agent will see: its own `env` over the inherited one.
#[derive(Debug, Clone, Copy)]
pub struct AgentEnv<'a> {
    /// Variables the spec sets.
    pub set: &'a BTreeMap<String, String>,
}

impl AgentEnv<'_> {
    /// Returns a variable as the agent will see it; an empty value counts as unset.
    pub fn var(&self, name: &str) -> Option<OsString> {
        let value = match self.set.get(name) {
            Some(v) => Some(OsString::from(v)),
            None => std::env::var_os(name),
        };
        value.filter(|v| !v.is_empty())
    }

    fn path(&self, name: &str) -> Option<PathBuf> {
        self.var(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    }

    /// Returns `$HOME` as the agent sees it.
    pub fn home(&self) -> Option<PathBuf> {
        self.path("HOME")
    }
}

/// Returns the grants that do not depend on one invocation: the repository's objects,
/// the devices, what the adapter's CLI writes, the usual caches and `sandbox_allow`.
pub fn shared(adapter: Adapter, sandbox: &Sandbox, env: AgentEnv<'_>) -> Vec<Grant> {
    let mut grants = Vec::new();
    if let Some(common) = &sandbox.git_common_dir {
        grants.push(Grant::dir(
            Source::Repository,
            common.join("objects"),
            "git objects (`git add`)",
        ));
    }
    grants.extend(
        DEVICES
            .iter()
            .map(|d| Grant::file(Source::Device, d, "device")),
    );
    grants.extend(
        DEVICE_DIRS
            .iter()
            .map(|d| Grant::dir(Source::Device, d, "device")),
    );
    let home = env.home();
    grants.extend(agent_paths(adapter, env, home.as_deref()));
    grants.extend(caches(env, home.as_deref()));
    for entry in &sandbox.allow {
        if let Some(path) = expand(entry, home.as_deref()) {
            grants.push(Grant::dir(Source::Allow, path, "sandbox_allow"));
        }
    }
    grants
}

/// Returns the grants of one invocation: its worktree, the worktree's admin directory
/// (index, `HEAD`), its scratch directory and its private temp directory.
/// A reviewer (`writes_worktree` false) gets neither the worktree nor its admin
/// directory: it reads, and its verdict goes to its scratch directory or its output.
pub fn invocation(
    worktree: &Path,
    admin_dir: Option<&Path>,
    scratch: &Path,
    tmpdir: &Path,
    writes_worktree: bool,
) -> Vec<Grant> {
    let repo = Source::Repository;
    let mut grants = Vec::new();
    if writes_worktree {
        grants.push(Grant::dir(repo, worktree, "the worktree"));
    }
    if let Some(admin) = admin_dir.filter(|_| writes_worktree) {
        grants.push(Grant::dir(
            repo,
            admin,
            "the worktree's git admin dir (index)",
        ));
    }
    grants.push(Grant::dir(repo, scratch, "the invocation's scratch dir"));
    grants.push(Grant::dir(repo, tmpdir, "private temp dir ($TMPDIR)"));
    grants
}

/// What the agent's own CLI writes: its config and session files.
fn agent_paths(adapter: Adapter, env: AgentEnv<'_>, home: Option<&Path>) -> Vec<Grant> {
    match adapter {
        // With `CLAUDE_CONFIG_DIR` everything (`.claude.json` too) lives in that directory.
        // Without it Claude Code writes `~/.claude/` and `~/.claude.json`; it replaces the
        // latter by rename when it can and in place when it cannot, so the file alone is
        // granted: never `$HOME`, which would let an agent rewrite `~/.bashrc`.
        Adapter::Claude => match env.path("CLAUDE_CONFIG_DIR") {
            Some(dir) => vec![Grant::dir(Source::Agent, dir, "Claude Code config").created()],
            None => home
                .map(|h| {
                    vec![
                        Grant::dir(Source::Agent, h.join(".claude"), "Claude Code config")
                            .created(),
                        Grant::file(
                            Source::Agent,
                            h.join(".claude.json"),
                            "Claude Code settings",
                        ),
                    ]
                })
                .unwrap_or_default(),
        },
        Adapter::Codex => env
            .path("CODEX_HOME")
            .or_else(|| home.map(|h| h.join(".codex")))
            .map(|dir| vec![Grant::dir(Source::Agent, dir, "Codex home").created()])
            .unwrap_or_default(),
        Adapter::Command | Adapter::Shell => Vec::new(),
    }
}

/// Caches that build tools and package managers write while an agent runs the tests.
fn caches(env: AgentEnv<'_>, home: Option<&Path>) -> Vec<Grant> {
    let mut grants = Vec::new();
    if let Some(cache) = env
        .path("XDG_CACHE_HOME")
        .or_else(|| home.map(|h| h.join(".cache")))
    {
        grants.push(Grant::dir(Source::Cache, cache, "cache"));
    }
    if let Some(home) = home {
        grants.push(Grant::dir(Source::Cache, home.join(".npm"), "npm cache"));
    }
    if let Some(cargo) = env
        .path("CARGO_HOME")
        .or_else(|| home.map(|h| h.join(".cargo")))
    {
        for dir in ["registry", "git"] {
            grants.push(Grant::dir(Source::Cache, cargo.join(dir), "cargo cache"));
        }
        for file in [".package-cache", ".package-cache-mutate", ".global-cache"] {
            grants.push(Grant::file(
                Source::Cache,
                cargo.join(file),
                "cargo cache lock",
            ));
        }
    }
    grants
}

/// Returns a `sandbox_allow` entry as a path: `~` and `~/…` under `home`.
pub fn expand(entry: &str, home: Option<&Path>) -> Option<PathBuf> {
    match entry.strip_prefix('~') {
        Some("") => home.map(Path::to_path_buf),
        Some(rest) => rest
            .strip_prefix('/')
            .and_then(|rest| home.map(|h| h.join(rest))),
        None => Some(PathBuf::from(entry)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn paths(grants: &[Grant]) -> Vec<String> {
        grants
            .iter()
            .map(|g| g.path.display().to_string())
            .collect()
    }

    #[test]
    fn claude_gets_its_directory_and_settings_file_never_home() {
        let set = env(&[("HOME", "/h"), ("CLAUDE_CONFIG_DIR", "")]);
        let sandbox = Sandbox::default();
        let got = shared(Adapter::Claude, &sandbox, AgentEnv { set: &set });
        let p = paths(&got);
        assert!(p.contains(&"/h/.claude".into()), "{p:?}");
        let file = got.iter().find(|g| g.path == Path::new("/h/.claude.json"));
        assert_eq!(file.map(|g| g.kind), Some(GrantKind::File));
        assert!(!p.contains(&"/h".into()), "{p:?}");
    }

    #[test]
    fn a_config_dir_variable_replaces_the_defaults() {
        let set = env(&[
            ("HOME", "/h"),
            ("CLAUDE_CONFIG_DIR", "/cfg"),
            ("CODEX_HOME", "/cx"),
        ]);
        let sandbox = Sandbox::default();
        let claude = paths(&shared(Adapter::Claude, &sandbox, AgentEnv { set: &set }));
        assert!(claude.contains(&"/cfg".into()) && !claude.contains(&"/h/.claude".into()));
        let codex = paths(&shared(Adapter::Codex, &sandbox, AgentEnv { set: &set }));
        assert!(codex.contains(&"/cx".into()) && !codex.contains(&"/h/.codex".into()));
    }

    #[test]
    fn repository_objects_and_allowed_paths_are_granted() {
        let set = env(&[("HOME", "/h")]);
        let sandbox = Sandbox {
            allow: vec!["~/.m2".into(), "/srv/x".into()],
            git_common_dir: Some("/r/.git".into()),
            ..Sandbox::default()
        };
        let p = paths(&shared(Adapter::Shell, &sandbox, AgentEnv { set: &set }));
        for want in [
            "/r/.git/objects",
            "/h/.m2",
            "/srv/x",
            "/dev/null",
            "/h/.cache",
        ] {
            assert!(p.contains(&want.to_owned()), "{want} in {p:?}");
        }
        assert!(!p.iter().any(|x| x.starts_with("/h/.claude")), "{p:?}");
    }

    #[test]
    fn tilde_expands_only_at_the_start() {
        let home = Some(Path::new("/h"));
        assert_eq!(expand("~", home), Some("/h".into()));
        assert_eq!(expand("~/a", home), Some("/h/a".into()));
        assert_eq!(expand("/a/~", home), Some("/a/~".into()));
        assert_eq!(expand("~/a", None), None);
    }
}
