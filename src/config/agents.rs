//! `[agents.<name>]`: the programs aos can run as agents, with their defaults.

use std::collections::BTreeMap;
use std::time::Duration;

use toml::Spanned;

use super::error::{Error, code_list};
use super::file::{RawAgent, Text};
use super::source::{Source, dotted};
use super::units::parse_duration;
use crate::agent::{Adapter, AgentSpec, Sandbox, SandboxMode};

/// Name of the agent that always exists unless `aos.toml` redefines it.
pub const BUILTIN_AGENT: &str = "shell";
/// Default for an agent's `timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// Default for an agent's `idle_timeout` (no output for this long kills the agent).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// One `[agents.<name>]` table, with defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentConfig {
    /// The table's name, as roles and plans refer to it.
    pub name: String,
    /// How to run it. When `aos.toml` leaves it out, the agent's name if that names an
    /// adapter (`[agents.claude]`).
    pub adapter: Adapter,
    /// The argv for `command`; for `claude`/`codex`, when not empty, replaces the program
    /// (a wrapper script, say). Empty for `shell`.
    pub command: Vec<String>,
    /// Extra arguments after what the adapter builds.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: BTreeMap<String, String>,
    /// Longest a single run may take.
    pub timeout: Duration,
    /// Longest the agent may stay silent.
    pub idle_timeout: Duration,
    /// Model to ask the adapter for, if any.
    pub model: Option<String>,
    /// How many runs of this agent may happen at once, if capped.
    pub max_parallel: Option<u32>,
    /// Whether the agent is confined to its worktree (`sandbox`, default `worktree`).
    pub sandbox: SandboxMode,
    /// Extra paths it may write: `[project] sandbox_allow`, then its own.
    pub sandbox_allow: Vec<String>,
}

impl AgentConfig {
    /// Returns an agent with every optional setting at its default.
    pub fn new(name: impl Into<String>, adapter: Adapter) -> Self {
        Self {
            name: name.into(),
            adapter,
            command: Vec::new(),
            args: Vec::new(),
            env: BTreeMap::new(),
            timeout: DEFAULT_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            model: None,
            max_parallel: None,
            sandbox: super::sandbox::DEFAULT_SANDBOX,
            sandbox_allow: Vec::new(),
        }
    }

    /// Returns what the agent layer needs to call this agent (everything but
    /// `max_parallel`, which is the scheduler's). The sandbox knows no repository yet:
    /// callers that run the agent in a worktree of one set `sandbox.git_common_dir`.
    pub fn spec(&self) -> AgentSpec {
        AgentSpec {
            name: self.name.clone(),
            adapter: self.adapter,
            command: self.command.clone(),
            args: self.args.clone(),
            env: self.env.clone(),
            timeout: self.timeout,
            idle_timeout: self.idle_timeout,
            model: self.model.clone(),
            contract_cache: None,
            sandbox: Sandbox {
                mode: self.sandbox,
                allow: self.sandbox_allow.clone(),
                git_common_dir: None,
            },
        }
    }
}

/// Checks every `[agents.<name>]` table and adds the built-in `shell` agent; every
/// agent may write `project_allow` (`[project] sandbox_allow`) besides its own list.
pub(super) fn resolve_agents(
    raw: BTreeMap<Text, Spanned<RawAgent>>,
    project_allow: &[String],
    source: &Source<'_>,
) -> Result<BTreeMap<String, AgentConfig>, Error> {
    let mut agents = BTreeMap::new();
    for (name, table) in raw {
        let mut agent = resolve_agent(&name, table, source)?;
        agent
            .sandbox_allow
            .splice(0..0, project_allow.iter().cloned());
        agents.insert(name.into_inner(), agent);
    }
    agents.entry(BUILTIN_AGENT.to_owned()).or_insert_with(|| {
        let mut shell = AgentConfig::new(BUILTIN_AGENT, Adapter::Shell);
        shell.sandbox_allow = project_allow.to_vec();
        shell
    });
    Ok(agents)
}

fn resolve_agent(
    name: &Text,
    table: Spanned<RawAgent>,
    source: &Source<'_>,
) -> Result<AgentConfig, Error> {
    let key = |field: &str| dotted(&["agents", name.get_ref(), field]);
    let section = dotted(&["agents", name.get_ref()]);
    let bare = name
        .get_ref()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if name.get_ref().is_empty() || !bare {
        let message = format!(
            "agent name `{}` has characters other than letters, digits, `_` and `-`",
            name.get_ref()
        );
        return Err(source.invalid(&name.span(), message, None));
    }
    let adapters = || {
        Some(format!(
            "adapters: {}",
            code_list(&Adapter::ALL.map(Adapter::as_str))
        ))
    };
    let table_span = table.span();
    let raw = table.into_inner();
    let adapter = match &raw.adapter {
        Some(text) => Adapter::parse(text.get_ref()).ok_or_else(|| {
            let message = format!(
                "`{}` is `{}`, which is not an adapter",
                key("adapter"),
                text.get_ref()
            );
            source.invalid(&text.span(), message, adapters())
        })?,
        // `[agents.claude]` needs no `adapter = "claude"`.
        None => Adapter::parse(name.get_ref()).ok_or_else(|| {
            source.invalid(
                &table_span,
                format!("`[{section}]` has no `adapter`"),
                adapters(),
            )
        })?,
    };
    let command = raw.command.unwrap_or_default();
    match adapter {
        Adapter::Command if command.is_empty() => {
            let message = format!("`[{section}]` uses the `command` adapter but has no `command`");
            let hint = "add the argv to run, e.g. `command = [\"my-agent\", \"--prompt-file\", \"{prompt_file}\"]`";
            return Err(source.invalid(&table_span, message, Some(hint.into())));
        }
        Adapter::Shell if !command.is_empty() => {
            let message = format!(
                "`[{section}]` uses the built-in `shell` adapter, which takes no `command`"
            );
            let hint = "use `adapter = \"command\"` to run a program of your own";
            return Err(source.invalid(&table_span, message, Some(hint.into())));
        }
        _ => {}
    }
    let duration = |text: Option<&Text>, field: &str, default: Duration| match text {
        None => Ok(default),
        Some(text) => parse_duration(text.get_ref()).map_err(|why| {
            let hint = "write a duration like `90s`, `20m` or `1h 30m`";
            source.invalid(
                &text.span(),
                format!("`{}`: {why}", key(field)),
                Some(hint.into()),
            )
        }),
    };
    let max_parallel = match raw.max_parallel {
        Some(n) if *n.get_ref() == 0 => {
            return Err(source.invalid(
                &n.span(),
                format!("`{}` must be at least 1", key("max_parallel")),
                None,
            ));
        }
        other => other.map(Spanned::into_inner),
    };
    Ok(AgentConfig {
        name: name.get_ref().clone(),
        adapter,
        command,
        args: raw.args.unwrap_or_default(),
        env: raw
            .env
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.0))
            .collect(),
        timeout: duration(raw.timeout.as_ref(), "timeout", DEFAULT_TIMEOUT)?,
        idle_timeout: duration(
            raw.idle_timeout.as_ref(),
            "idle_timeout",
            DEFAULT_IDLE_TIMEOUT,
        )?,
        model: raw.model.filter(|m| !m.is_empty()),
        max_parallel,
        sandbox: super::sandbox::resolve_mode(raw.sandbox.as_ref(), &key("sandbox"), source)?,
        sandbox_allow: super::sandbox::resolve_allow(
            raw.sandbox_allow,
            &key("sandbox_allow"),
            source,
        )?,
    })
}
