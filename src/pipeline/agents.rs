//! Turning configured agents into runnable specs, and running project commands (tests,
//! acceptance checks) through the same runner so they get timeouts and group kills too.

use std::path::Path;
use std::time::Duration;

use crate::agent::{self, Adapter, AgentSpec, Execution, Request, Role, RunLimits, RunOutput};

use super::custody;
use super::record::{RunRecord, Stage, StageRecord};
use super::stage::{TaskCtx, cap_log};

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
    spec.contract_cache = Some(p.cli_help_cache());
    // Confined agents may write this repository's objects and their worktree's index.
    spec.sandbox.git_common_dir = Some(p.store.paths().common_dir.clone());
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
    let argv = vec!["sh".into(), "-c".into(), cmd.into()];
    run_argv(p, argv, dir, scratch, COMMAND_TIMEOUT).await
}

/// Runs a program (an argv, no shell) in `dir` through the agent runner, with a
/// wall-clock `timeout`.
pub(super) async fn run_argv(
    p: &Pipeline,
    argv: Vec<String>,
    dir: &Path,
    scratch: &Path,
    timeout: Duration,
) -> anyhow::Result<RunOutput> {
    let mut spec = AgentSpec::new("aos-check", Adapter::Command);
    spec.command = argv;
    spec.timeout = timeout;
    spec.idle_timeout = Duration::ZERO;
    let req = Request::new(
        Role::Implement,
        String::new(),
        dir.to_path_buf(),
        scratch.to_path_buf(),
    );
    let inv = agent::build(&spec, &req)?;
    let limits = RunLimits {
        timeout,
        idle_timeout: Duration::ZERO,
        group_file: Some(scratch.join(agent::group::RECORD_FILE)),
        ..RunLimits::default()
    };
    Ok(agent::run(&inv, &limits, &p.redactor).await?)
}

/// What one agent invocation of a stage left: the execution, its stage record, its log
/// as (path in the state tree, capped text), and why the run must stop when the custody
/// guard could not bring the worktree back.
pub(super) struct AgentRun {
    pub exec: Execution,
    pub record: StageRecord,
    pub log: (String, String),
    pub stop: Option<String>,
}

/// Runs `agent` for `stage` of the task: waits for the agent's slot (`max_parallel`),
/// streams to the live log, then brings the worktree back to custody (what the agent
/// did beyond its files goes to `t.run.custody`), and returns the outcome with its record
/// and log.
pub(super) async fn invoke(
    p: &Pipeline,
    t: &mut TaskCtx,
    stage: Stage,
    agent: &str,
    spec: &AgentSpec,
    req: &Request,
) -> anyhow::Result<AgentRun> {
    // Tasks side by side each write their own live log; one at a time, the workstream's.
    let own = t.in_own_worktree().then_some(&t.task.id);
    let limits = p.limits(spec, &t.name, own, &req.scratch_dir);
    let what = format!(
        "{} {} (attempt {}, agent {agent})",
        t.task.id,
        stage.as_str(),
        t.run.attempt
    );
    p.ui.progress(t.name.as_str(), &what);
    let started = crate::store::now_precise();
    let heads = custody::watch(p)?;
    let (exec, before) = {
        let _slots = p.agent_slot(agent).await?;
        let before = super::confinement::watch(p, spec);
        (
            agent::invoke(spec, req, &limits, &p.redactor).await?,
            before,
        )
    };
    let who = format!(
        "{} {} (attempt {}, {agent})",
        t.task.id,
        stage.as_str(),
        t.run.attempt
    );
    let report = custody::after_agent(p, &t.place(), &heads, &who)?;
    t.run.custody.extend(report.lines);
    let mut record =
        super::implement::agent_stage_record(stage, t.run.attempt, started, agent, &exec.outcome);
    let path = RunRecord::log_path(&t.run.id, stage, t.run.attempt);
    let text = exec_log(p, &exec);
    record.exit_code = exec.output.as_ref().and_then(|o| o.exit_code);
    if exec.output.is_none() {
        // Nothing started (missing program, changed CLI): the call cost nothing.
        record.cost_usd = Some(0.0);
    }
    super::confinement::record(p, &mut t.run, &mut record, &exec, before);
    record.log = path.rsplit('/').next().map(str::to_owned);
    Ok(AgentRun {
        exec,
        record,
        log: (path, text),
        stop: report.stop,
    })
}

/// Returns what an invocation printed, capped to `[project] log_cap`, or why it could
/// not run.
pub(super) fn exec_log(p: &Pipeline, exec: &Execution) -> String {
    match &exec.output {
        Some(o) => cap_log(
            &format!("{}{}", o.stdout, o.stderr),
            p.cfg.project.log_cap as usize,
        ),
        None => exec.outcome.reasons.join("\n"),
    }
}
