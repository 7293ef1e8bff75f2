//! The project profile: `aos.toml` plus local overrides from git config `aos.*`, checked
//! once at load so every later use can trust it (DESIGN §5.1). Errors name the file or
//! git config key, the key and the line.

mod agents;
mod detect;
mod error;
mod file;
mod forms;
mod overrides;
mod pr;
mod profile;
mod project;
mod roles;
mod sandbox;
mod source;
mod template;
mod units;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use toml::de::DeTable;

/// The agent layer's enums, which `aos.toml` names directly.
pub use crate::agent::{Adapter, Role};
pub use agents::{AgentConfig, BUILTIN_AGENT, DEFAULT_IDLE_TIMEOUT, DEFAULT_TIMEOUT};
pub use detect::detect_test_command;
pub use error::{Error, Origin};
pub use pr::{DEFAULT_PR_TIMEOUT, PR_TOOLS, Pr};
pub use profile::{Autonomy, DEFAULT_PROFILE, OnFailure, ResolvedProfile, Stage};
pub use project::{
    DEFAULT_CLAIM_EXPIRY, DEFAULT_LOG_CAP, DEFAULT_MAX_AGENTS, DEFAULT_WORKTREES, Merge, Notify,
    Project, Remote, Secrets, Uat,
};
pub use roles::Roles;
pub use sandbox::DEFAULT_SANDBOX;
pub use template::{InitAnswers, render_initial};

use file::RawFile;
use source::Source;

/// Name of the file at the repository root.
pub const FILE_NAME: &str = "aos.toml";

/// Variables always redacted, whatever `[secrets] env` says: the credentials of the
/// agents aos ships adapters for.
const ALWAYS_SECRET: &[&str] = &["ANTHROPIC_API_KEY", "OPENAI_API_KEY"];

/// The checked configuration.
///
/// Beyond DESIGN §5.1: a list of strings (`setup`, `directives`, roles, `[secrets]`,
/// `scenarios`) may also be written as one string; `[agents.claude]` and
/// `[agents.codex]` need no `adapter` line; an empty `test`, `quick_check` or
/// `notify.command` means none. A missing `aos.toml` means every default: the built-in
/// `shell` agent in every role and the built-in `default` profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `[project]`.
    pub project: Project,
    /// Every agent by name, the built-in `shell` included.
    pub agents: BTreeMap<String, AgentConfig>,
    /// `[roles]`, with fallbacks filled in.
    pub roles: Roles,
    /// `[notify]`.
    pub notify: Notify,
    /// `[secrets]`.
    pub secrets: Secrets,
    /// `[uat]`.
    pub uat: Uat,
    /// `[merge]`.
    pub merge: Merge,
    /// `[remote]`.
    pub remote: Remote,
    /// `[pr]`.
    pub pr: Pr,
    profiles: BTreeMap<String, ResolvedProfile>,
}

impl Default for Config {
    fn default() -> Self {
        let shell = AgentConfig::new(BUILTIN_AGENT, Adapter::Shell);
        Self {
            project: Project::default(),
            agents: BTreeMap::from([(BUILTIN_AGENT.to_owned(), shell)]),
            roles: Roles::default(),
            notify: Notify::default(),
            secrets: Secrets::default(),
            uat: Uat::default(),
            merge: Merge::default(),
            remote: Remote::default(),
            pr: Pr::default(),
            profiles: BTreeMap::from([(
                DEFAULT_PROFILE.to_owned(),
                ResolvedProfile::builtin(DEFAULT_PROFILE),
            )]),
        }
    }
}

impl Config {
    /// Loads `path` (usually `<repo root>/aos.toml`; missing means all defaults) and applies
    /// `overrides`, the `aos.*` git config entries in full (`("aos.project.test", "make
    /// check")`), in the order git lists them. Messages name the file by its file name.
    pub fn load(path: &Path, overrides: &[(String, String)]) -> Result<Config, Error> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(Error::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let name = path
            .file_name()
            .map_or_else(|| FILE_NAME.into(), |n| n.to_string_lossy());
        Self::parse_as(&name, &text, overrides)
    }

    /// Parses `text` as the contents of `aos.toml` and applies `overrides` as [`Config::load`] does.
    pub fn parse(text: &str, overrides: &[(String, String)]) -> Result<Config, Error> {
        Self::parse_as(FILE_NAME, text, overrides)
    }

    fn parse_as(file: &str, text: &str, overrides: &[(String, String)]) -> Result<Config, Error> {
        let mut source = Source::new(file, text);
        let mut doc = DeTable::parse(text).map_err(|e| source.syntax_error(&e))?;
        overrides::apply(doc.get_mut(), overrides, &mut source)?;
        let root = doc.get_ref().clone();
        let raw = RawFile::deserialize(toml::de::Deserializer::from(doc))
            .map_err(|e| source.type_error(&root, &e))?;
        let project = project::resolve_project(raw.project, &source)?;
        let agents = agents::resolve_agents(raw.agents, &project.sandbox_allow, &source)?;
        Ok(Config {
            project,
            roles: roles::resolve_roles(raw.roles, &agents, &source)?,
            agents,
            notify: project::resolve_notify(raw.notify),
            secrets: project::resolve_secrets(raw.secrets),
            uat: project::resolve_uat(raw.uat),
            merge: project::resolve_merge(raw.merge, &source)?,
            remote: project::resolve_remote(raw.remote, &source)?,
            pr: pr::resolve_pr(raw.pr, &source)?,
            profiles: profile::resolve_all(raw.profiles, &source)?,
        })
    }

    /// Returns the agent called `name`, or an error listing the defined ones.
    pub fn agent(&self, name: &str) -> Result<&AgentConfig, Error> {
        self.agents.get(name).ok_or_else(|| Error::Unknown {
            what: "agent",
            name: name.to_owned(),
            known: self.agents.keys().cloned().collect(),
        })
    }

    /// Returns the agents for `role`, primary first then fallbacks; empty only for an
    /// unset `review` (no reviewer).
    pub fn role_agents(&self, role: Role) -> Vec<&str> {
        self.roles.agents(role).iter().map(String::as_str).collect()
    }

    /// Returns the profile called `name` with its `extends` chain applied.
    pub fn profile(&self, name: &str) -> Result<ResolvedProfile, Error> {
        self.profiles
            .get(name)
            .cloned()
            .ok_or_else(|| Error::Unknown {
                what: "profile",
                name: name.to_owned(),
                known: self.profile_names(),
            })
    }

    /// Returns the names of every profile, the built-in `default` included.
    pub fn profile_names(&self) -> Vec<String> {
        self.profiles.keys().cloned().collect()
    }

    /// Returns the directory worktrees go in: `[project] worktrees` with `{repo}` replaced
    /// by the repository's directory name, a relative path taken from `repo_root`, and
    /// `.`/`..` removed lexically (so `repo_root` should be canonical, as git reports it).
    pub fn worktree_root(&self, repo_root: &Path) -> PathBuf {
        let repo = repo_root
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let joined = repo_root.join(self.project.worktrees.replace("{repo}", &repo));
        let mut out = PathBuf::new();
        for part in joined.components() {
            match part {
                Component::CurDir => {}
                Component::ParentDir
                    if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
                {
                    out.pop();
                }
                other => out.push(other),
            }
        }
        out
    }

    /// Returns the names of environment variables whose values must never be stored:
    /// `[secrets] env` plus the API keys of the built-in adapters, without repeats.
    pub fn secret_env_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.secrets.env.iter().map(String::as_str).collect();
        for name in ALWAYS_SECRET {
            if !names.contains(name) {
                names.push(name);
            }
        }
        names
    }
}
