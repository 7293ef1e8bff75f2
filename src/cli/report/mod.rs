//! `git aos report`: the implementation report of a workstream — what was built, how it
//! was tested and reviewed, who approved it, what was deferred and why, each task's wave
//! and timeline, and what it cost. Every agent invocation counts: planners, reviewers,
//! and the attempts of runs a `reset` discarded.

mod markdown;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::agent::Spend;
use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::pipeline::record::{Invocation, RunRecord, RunStatus};
use crate::store::{Snapshot, Store, TaskStatus};
use crate::ui::Ui;

/// Print the implementation report of a workstream: tasks, commits, attempts, tests, reviews, approvals, time and cost
///
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos report auth --md > report.md\n  git aos report auth --json"
)]
pub struct ReportArgs {
    /// Workstream, live or archived (default: the current one)
    name: Option<WorkstreamName>,
    /// Print JSON
    #[arg(long, conflicts_with = "md")]
    json: bool,
    /// Print Markdown (the default)
    #[arg(long)]
    md: bool,
}

/// One stage of a task, on the workstream's timeline.
#[derive(Serialize, Clone)]
pub(super) struct Span {
    stage: String,
    attempt: u32,
    agent: Option<String>,
    /// Seconds from the workstream's first recorded stage.
    start: f64,
    end: f64,
    outcome: String,
}

#[derive(Serialize)]
pub(super) struct TaskReport {
    id: String,
    title: String,
    status: String,
    wave: Option<usize>,
    commit: Option<String>,
    attempts: u32,
    /// Runs of the task, those a `reset` discarded included.
    runs: usize,
    /// The agent of the attempt that landed (or the latest one).
    agent: Option<String>,
    /// Every agent that made an attempt, in order, repeats left out.
    agents: Vec<String>,
    tests: Vec<String>,
    review: Option<String>,
    review_summary: String,
    approved_by: Option<String>,
    overrides: Vec<String>,
    reason: Option<String>,
    seconds: f64,
    timeline: Vec<Span>,
    /// Tokens and cost of the task's agent calls, each call counted once.
    #[serde(flatten)]
    spend: Spend,
}

#[derive(Serialize, Default)]
pub(super) struct AgentTotals {
    runs: u32,
    seconds: f64,
    /// Tokens (input counting cached ones, for every agent alike) and cost; an
    /// unknown cost is `null` and counted in `cost_unknown_calls`, never `0`.
    #[serde(flatten)]
    spend: Spend,
}

#[derive(Serialize)]
pub(super) struct Deferred {
    task: String,
    status: String,
    why: String,
}

#[derive(Serialize)]
pub(super) struct Report {
    workstream: String,
    status: String,
    branch: String,
    base: String,
    waves: Vec<Vec<String>>,
    tasks: Vec<TaskReport>,
    deferred: Vec<Deferred>,
    /// Agent invocations by role (`implement`, `review`, `plan`, `tests`).
    invocations: BTreeMap<String, u32>,
    agents: BTreeMap<String, AgentTotals>,
    /// Every agent call of the report.
    total: Spend,
}

/// Prints the report.
pub fn run(ui: &Ui, args: ReportArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let name = ctx.workstream(args.name)?;
    let snap = ctx.store.find_any(&name)?;
    let report = build(&ctx.store, &snap)?;
    if args.json {
        return ui.json(&report);
    }
    markdown::print(ui, &report);
    Ok(())
}

/// Everything recorded under `runs/`: task runs, and the invocations outside them.
struct Runs {
    tasks: Vec<RunRecord>,
    others: Vec<Invocation>,
}

fn read_runs(store: &Store, snap: &Snapshot) -> anyhow::Result<Runs> {
    let mut runs = Runs {
        tasks: Vec::new(),
        others: Vec::new(),
    };
    for dir in store.list_dir(snap, "runs")? {
        let path = format!("runs/{dir}/run.toml");
        if let Some(run) = store.read_toml::<RunRecord>(snap, &path)? {
            runs.tasks.push(run);
            continue;
        }
        for file in store.list_dir(snap, &format!("runs/{dir}"))? {
            if file.ends_with(".toml")
                && let Some(i) =
                    store.read_toml::<Invocation>(snap, &format!("runs/{dir}/{file}"))?
            {
                runs.others.push(i);
            }
        }
    }
    Ok(runs)
}

fn build(store: &Store, snap: &Snapshot) -> anyhow::Result<Report> {
    let tasks = store.tasks(snap)?;
    let runs = read_runs(store, snap)?;
    let super::waves::Waves { waves, wave_of } = super::waves::of(store, snap)?;
    let origin = runs
        .tasks
        .iter()
        .flat_map(|r| r.stages.iter().map(|s| s.started_at.as_str()))
        .chain(runs.others.iter().map(|i| i.started_at.as_str()))
        .filter_map(|t| t.parse::<jiff::Timestamp>().ok())
        .min();
    let offset = |t: &str| match (origin, t.parse::<jiff::Timestamp>()) {
        (Some(o), Ok(t)) => t.duration_since(o).as_secs_f64(),
        _ => 0.0,
    };
    let mut agents: BTreeMap<String, AgentTotals> = BTreeMap::new();
    let mut invocations: BTreeMap<String, u32> = BTreeMap::new();
    let mut rows = Vec::new();
    for t in &tasks.tasks {
        let mut mine: Vec<&RunRecord> = runs.tasks.iter().filter(|r| r.task == t.id).collect();
        mine.sort_by(|a, b| a.id.cmp(&b.id));
        let last = t
            .last_run
            .as_ref()
            .and_then(|id| mine.iter().find(|r| &r.id == id).copied());
        let mut row = TaskReport {
            id: t.id.to_string(),
            title: t.title.clone(),
            status: t.status.to_string(),
            wave: wave_of.get(&t.id).copied(),
            commit: t.commit.clone(),
            attempts: t.attempts,
            runs: mine.len(),
            agent: last.and_then(|r| r.agent.clone()).or(t.agent.clone()),
            agents: Vec::new(),
            tests: last.map(|r| r.tests.clone()).unwrap_or_default(),
            review: last.and_then(|r| r.verdict.clone()),
            review_summary: last.map(|r| r.review_summary.clone()).unwrap_or_default(),
            approved_by: last.and_then(|r| r.approved_by.clone()),
            overrides: last.map(|r| r.overrides.clone()).unwrap_or_default(),
            reason: t.reason.clone(),
            seconds: 0.0,
            timeline: Vec::new(),
            spend: Spend::default(),
        };
        for run in &mine {
            for s in &run.stages {
                let (start, end) = (offset(&s.started_at), offset(&s.ended_at));
                row.seconds += (end - start).max(0.0);
                row.timeline.push(Span {
                    stage: s.stage.to_string(),
                    attempt: s.attempt,
                    agent: s.agent.clone(),
                    start,
                    end,
                    outcome: match run.status {
                        RunStatus::Reset => format!("{} (run reset)", s.outcome),
                        _ => s.outcome.clone(),
                    },
                });
                let Some(agent) = &s.agent else { continue };
                if s.stage == crate::config::Stage::Implement && !row.agents.contains(agent) {
                    row.agents.push(agent.clone());
                }
                *invocations.entry(role_of(s.stage)).or_default() += 1;
                let a = agents.entry(agent.clone()).or_default();
                a.runs += 1;
                a.seconds += (end - start).max(0.0);
                s.add_to(&mut a.spend);
                s.add_to(&mut row.spend);
            }
        }
        rows.push(row);
    }
    for i in &runs.others {
        *invocations.entry(i.role.clone()).or_default() += 1;
        let a = agents.entry(i.agent.clone()).or_default();
        a.runs += 1;
        a.seconds += (offset(&i.ended_at) - offset(&i.started_at)).max(0.0);
        i.add_to(&mut a.spend);
    }
    let mut total = Spend::default();
    for a in agents.values() {
        total.merge(&a.spend);
    }
    Ok(Report {
        workstream: snap.ws.name.to_string(),
        status: snap.ws.status.to_string(),
        branch: snap.ws.branch.clone(),
        base: snap.ws.base.clone(),
        waves,
        deferred: deferred(&tasks),
        tasks: rows,
        invocations,
        agents,
        total,
    })
}

/// Returns the role an agent stage plays.
fn role_of(stage: crate::config::Stage) -> String {
    use crate::config::Stage;
    match stage {
        Stage::Review => "review",
        Stage::Tests => "tests",
        _ => "implement",
    }
    .to_owned()
}

/// Returns the tasks that did not land and why: failed, halted, skipped, and those that
/// wait on them.
fn deferred(tasks: &crate::store::TasksFile) -> Vec<Deferred> {
    let mut out: Vec<Deferred> = tasks
        .tasks
        .iter()
        .filter(|t| {
            matches!(t.status, TaskStatus::Failed | TaskStatus::Skipped)
                || (t.status == TaskStatus::Running && t.reason.is_some())
        })
        .map(|t| Deferred {
            task: t.id.to_string(),
            status: t.status.to_string(),
            why: match &t.fixed_by {
                Some(f) => format!(
                    "{}; {f} carries its work on",
                    t.reason.as_deref().unwrap_or("failed")
                ),
                None => t.reason.clone().unwrap_or_default(),
            },
        })
        .collect();
    for line in waiting(tasks) {
        out.push(line);
    }
    out
}

fn waiting(tasks: &crate::store::TasksFile) -> Vec<Deferred> {
    tasks
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Pending)
        .filter_map(|t| {
            let holding: Vec<String> = t
                .depends
                .iter()
                .filter_map(|d| tasks.get(d))
                .filter(|d| !matches!(d.status, TaskStatus::Done | TaskStatus::Pending))
                .filter(|d| d.status != TaskStatus::Running || d.reason.is_some())
                .map(|d| format!("{} ({})", d.id, d.status))
                .collect();
            (!holding.is_empty()).then(|| Deferred {
                task: t.id.to_string(),
                status: t.status.to_string(),
                why: format!("waits for {}", holding.join(", ")),
            })
        })
        .collect()
}
