//! Turning configured agents into runnable specs, and running project commands (tests,
//! acceptance checks) through the same runner so they get timeouts and group kills too.

use std::path::Path;
use std::time::Duration;

use crate::agent::{self, Adapter, AgentSpec, Request, Role, RunLimits, RunOutput};

use super::Pipeline;

/// Longest one test or acceptance command may run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Returns the spec of a configured agent; a task's `Timeout:` overrides the agent's.
pub(super) fn spec(
    p: &Pipeline,
    name: &str,
    task_timeout: Option<&str>,
) -> anyhow::Result<AgentSpec> {
    let cfg = p
        .cfg
        .agent(name)
        .map_err(|_| super::implement::unknown_agent(name))?;
    let mut spec = cfg.spec();
    if let Some(t) = task_timeout {
        match t
            .parse::<jiff::SignedDuration>()
            .ok()
            .and_then(|d| Duration::try_from(d).ok())
        {
            Some(d) => spec.timeout = d,
            None => tracing::warn!("ignoring task timeout `{t}`: not a duration"),
        }
    }
    Ok(spec)
}

/// Returns whether an agent can review (the built-in shell agent only runs scripts).
pub(super) fn can_review(p: &Pipeline, name: &str) -> bool {
    p.cfg.agent(name).is_ok_and(|a| a.adapter != Adapter::Shell)
}

/// Runs a project command with `sh -c` in `dir` through the agent runner.
pub(super) async fn run_command(
    p: &Pipeline,
    cmd: &str,
    dir: &Path,
    scratch: &Path,
) -> anyhow::Result<RunOutput> {
    let mut spec = AgentSpec::new("aos-check", Adapter::Command);
    spec.command = vec!["sh".into(), "-c".into(), cmd.into()];
    spec.timeout = COMMAND_TIMEOUT;
    spec.idle_timeout = Duration::ZERO;
    let req = Request::new(
        Role::Implement,
        String::new(),
        dir.to_path_buf(),
        scratch.to_path_buf(),
    );
    let inv = agent::build(&spec, &req)?;
    let limits = RunLimits {
        timeout: COMMAND_TIMEOUT,
        idle_timeout: Duration::ZERO,
        ..RunLimits::default()
    };
    Ok(agent::run(&inv, &limits, &p.redactor).await?)
}
