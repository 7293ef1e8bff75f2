//! `git aos report`: the implementation report of a workstream — what was built, how it
//! was tested and reviewed, who approved it, and what it cost.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::agent::Spend;
use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::pipeline::record::RunRecord;
use crate::ui::Ui;

/// Print the implementation report of a workstream: tasks, commits, attempts, tests, reviews, approvals, time and cost
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

#[derive(Serialize)]
struct TaskReport {
    id: String,
    title: String,
    status: String,
    commit: Option<String>,
    attempts: u32,
    agent: Option<String>,
    tests: Vec<String>,
    review: Option<String>,
    review_summary: String,
    approved_by: Option<String>,
    seconds: f64,
    /// Tokens and cost of the task's agent calls, each call counted once.
    #[serde(flatten)]
    spend: Spend,
}

#[derive(Serialize, Default)]
struct AgentTotals {
    runs: u32,
    seconds: f64,
    /// Tokens (input counting cached ones, for every agent alike) and cost; an
    /// unknown cost is `null` and counted in `cost_unknown_calls`, never `0`.
    #[serde(flatten)]
    spend: Spend,
}

#[derive(Serialize)]
struct Report {
    workstream: String,
    status: String,
    branch: String,
    base: String,
    tasks: Vec<TaskReport>,
    agents: BTreeMap<String, AgentTotals>,
    /// Every agent call of the report.
    total: Spend,
}

/// Prints the report.
pub fn run(ui: &Ui, args: ReportArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let name = ctx.workstream(args.name)?;
    let snap = ctx.store.find_any(&name)?;
    let tasks = ctx.store.tasks(&snap)?;
    let mut agents: BTreeMap<String, AgentTotals> = BTreeMap::new();
    let mut rows = Vec::new();
    for t in &tasks.tasks {
        let run: Option<RunRecord> = match &t.last_run {
            Some(id) => ctx.store.read_toml(&snap, &RunRecord::path(id))?,
            None => None,
        };
        let mut seconds = 0.0;
        let mut spend = Spend::default();
        if let Some(run) = &run {
            for s in &run.stages {
                let d = duration(&s.started_at, &s.ended_at);
                seconds += d;
                if let Some(agent) = &s.agent {
                    let a = agents.entry(agent.clone()).or_default();
                    a.runs += 1;
                    a.seconds += d;
                    s.add_to(&mut a.spend);
                    s.add_to(&mut spend);
                }
            }
        }
        rows.push(TaskReport {
            id: t.id.to_string(),
            title: t.title.clone(),
            status: t.status.to_string(),
            commit: t.commit.clone(),
            attempts: t.attempts,
            agent: t.agent.clone(),
            tests: run.as_ref().map(|r| r.tests.clone()).unwrap_or_default(),
            review: run.as_ref().and_then(|r| r.verdict.clone()),
            review_summary: run
                .as_ref()
                .map(|r| r.review_summary.clone())
                .unwrap_or_default(),
            approved_by: run.as_ref().and_then(|r| r.approved_by.clone()),
            seconds,
            spend,
        });
    }
    let mut total = Spend::default();
    for a in agents.values() {
        total.merge(&a.spend);
    }
    let report = Report {
        workstream: name.to_string(),
        status: snap.ws.status.to_string(),
        branch: snap.ws.branch.clone(),
        base: snap.ws.base.clone(),
        tasks: rows,
        agents,
        total,
    };
    if args.json {
        return ui.json(&report);
    }
    markdown(ui, &report);
    Ok(())
}

/// Returns the seconds between two RFC 3339 times (0 when either does not parse).
fn duration(start: &str, end: &str) -> f64 {
    match (
        start.parse::<jiff::Timestamp>(),
        end.parse::<jiff::Timestamp>(),
    ) {
        (Ok(a), Ok(b)) => b.duration_since(a).as_secs_f64(),
        _ => 0.0,
    }
}

fn markdown(ui: &Ui, r: &Report) {
    ui.data(format_args!("# Implementation report: {}\n", r.workstream));
    ui.data(format_args!(
        "Branch `{}` from `{}`; status **{}**.\n",
        r.branch, r.base, r.status
    ));
    ui.data("| task | status | commit | attempts | agent | review | approved by | time | cost |");
    ui.data("|---|---|---|---|---|---|---|---|---|");
    for t in &r.tasks {
        let commit = t
            .commit
            .as_deref()
            .map(|c| &c[..c.len().min(10)])
            .unwrap_or("-");
        ui.data(format_args!(
            "| {}: {} | {} | `{commit}` | {} | {} | {} | {} | {:.1} s | {} |",
            t.id,
            t.title,
            t.status,
            t.attempts,
            t.agent.as_deref().unwrap_or("-"),
            t.review.as_deref().unwrap_or("-"),
            t.approved_by.as_deref().unwrap_or("-"),
            t.seconds,
            t.spend.cost_text()
        ));
    }
    for t in r
        .tasks
        .iter()
        .filter(|t| !t.tests.is_empty() || !t.review_summary.is_empty())
    {
        ui.data(format_args!("\n## {}: {}\n", t.id, t.title));
        for line in &t.tests {
            ui.data(format_args!("- `{line}`"));
        }
        if !t.review_summary.is_empty() {
            ui.data(format_args!("\nReviewer: {}", t.review_summary));
        }
    }
    ui.data("\n## Agents\n");
    ui.data("| agent | runs | time | tokens in (cached) | tokens out | cost |");
    ui.data("|---|---|---|---|---|---|");
    for (name, a) in &r.agents {
        let s = &a.spend;
        ui.data(format_args!(
            "| {name} | {} | {:.1} s | {} ({}) | {} | {} |",
            a.runs,
            a.seconds,
            s.input_tokens,
            s.cached_input_tokens,
            s.output_tokens,
            s.cost_text()
        ));
    }
    ui.data(format_args!(
        "\nTotal: {}; cost {}. Each call is counted once (a resumed session's running \
         totals are split into calls); input tokens include cached ones; a cost an agent \
         did not report (codex never does) is unknown.",
        r.total.tokens_text(),
        r.total.cost_text()
    ));
}
