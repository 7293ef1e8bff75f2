//! Confinement: whether this kernel can confine agents (Landlock and its ABI), and for
//! each agent which paths it may write when it runs.

use std::path::Path;

use super::{Finding, Level};
use crate::agent::sandbox::{self, AgentEnv, Availability, Grant, Source};
use crate::agent::{Adapter, Sandbox, SandboxMode};
use crate::config::{AgentConfig, Config};

/// Oldest Landlock ABI that also confines truncation (Linux 6.2).
const FULL_ABI: i32 = 3;

/// Returns the kernel's finding (with what every confined agent may write), then one
/// per agent (what it may write besides).
pub(super) fn check(config: &Config, common_dir: &Path) -> Vec<Finding> {
    let available = sandbox::availability();
    let mut findings = vec![kernel(&available, common_dir)];
    for agent in config.agents.values() {
        findings.push(agent_finding(agent, common_dir));
    }
    findings
}

fn kernel(available: &Availability, common_dir: &Path) -> Finding {
    let home = AgentEnv {
        set: &Default::default(),
    }
    .home();
    let common = common_paths(common_dir, home.as_deref());
    match available {
        Availability::Available { abi } if *abi >= FULL_ABI => Finding::ok(
            "sandbox",
            "",
            format!(
                "Landlock ABI {abi}: every agent is confined; it may write {common} (a reviewer \
                 neither the worktree nor its admin dir)"
            ),
        ),
        Availability::Available { abi } => Finding::new(
            "sandbox",
            "",
            Level::Warning,
            format!(
                "Landlock ABI {abi}: every agent is confined (it may write {common}), but \
                 truncating a file elsewhere is not denied before ABI 3{}",
                if *abi < 2 {
                    ", and moving a file between two writable directories fails"
                } else {
                    ""
                }
            ),
        )
        .hint("Linux 6.2 or newer confines fully"),
        Availability::Unavailable { reason } => Finding::new(
            "sandbox",
            "",
            Level::Warning,
            format!(
                "agents run unconfined: {reason}; files that change in the main checkout \
                 while one runs are reported in `git aos show` and the commit's note"
            ),
        )
        .hint("Linux 5.13 or newer with Landlock enabled confines agents to their worktrees"),
    }
}

/// Returns what every confined agent may write, in words.
fn common_paths(common_dir: &Path, home: Option<&Path>) -> String {
    let sandbox = Sandbox {
        git_common_dir: Some(common_dir.to_owned()),
        ..Sandbox::default()
    };
    let set = Default::default();
    let grants = sandbox::shared(Adapter::Shell, &sandbox, AgentEnv { set: &set });
    let mut parts = sandbox::describe_invocation(Some(common_dir));
    let list = |source: Source| -> Vec<String> {
        grants
            .iter()
            .filter(|g| g.source == source && g.path.exists())
            .map(|g| short(&g.path, home))
            .collect()
    };
    parts.extend(
        list(Source::Repository)
            .into_iter()
            .map(|p| format!("`{p}`")),
    );
    parts.push(format!("devices ({})", list(Source::Device).join(", ")));
    let caches = list(Source::Cache);
    if !caches.is_empty() {
        parts.push(format!("caches ({})", caches.join(", ")));
    }
    parts.join(", ")
}

fn agent_finding(agent: &AgentConfig, common_dir: &Path) -> Finding {
    let name = &agent.name;
    if agent.sandbox == SandboxMode::Off {
        return Finding::new(
            "sandbox",
            name,
            Level::Warning,
            "runs unconfined (`sandbox = \"off\"`): it may write anywhere you can",
        )
        .hint(format!(
            "remove `sandbox = \"off\"` from `[agents.{name}]` to confine it to its worktree"
        ));
    }
    let mut spec = agent.spec();
    spec.sandbox.git_common_dir = Some(common_dir.to_owned());
    let env = AgentEnv { set: &spec.env };
    let home = env.home();
    let own: Vec<Grant> = sandbox::shared(spec.adapter, &spec.sandbox, env)
        .into_iter()
        .filter(|g| matches!(g.source, Source::Agent | Source::Allow))
        .collect();
    let listed = |g: &Grant| format!("`{}`", short(&g.path, home.as_deref()));
    let (present, missing): (Vec<&Grant>, Vec<&Grant>) = own
        .iter()
        .partition(|g| g.create || g.path.exists() || g.source == Source::Agent);
    let mut message = if present.is_empty() {
        "confined: nothing besides what every agent may write".to_owned()
    } else {
        let list: Vec<String> = present.iter().map(|g| listed(g)).collect();
        format!("confined: may also write {}", list.join(", "))
    };
    if missing.is_empty() {
        return Finding::ok("sandbox", name, message);
    }
    let list: Vec<String> = missing.iter().map(|g| listed(g)).collect();
    message.push_str(&format!(
        "; `sandbox_allow` names paths that do not exist: {}",
        list.join(", ")
    ));
    Finding::new("sandbox", name, Level::Warning, message)
        .hint("create them, or remove them from `sandbox_allow`")
}

/// Returns `path` with `$HOME` written as `~`.
fn short(path: &Path, home: Option<&Path>) -> String {
    match home.and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) if rest.as_os_str().is_empty() => "~".to_owned(),
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}
