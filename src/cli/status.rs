//! `git aos status`: the full picture of one workstream.

use serde::Serialize;

use crate::agent::prompt::load_directives;
use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::lock::{self, Holder};
use crate::pipeline::record::RunRecord;
use crate::store::{TaskRecord, TaskStatus, WorkstreamRecord};
use crate::ui::Ui;

/// Show a workstream in full: status, branch, worktree, task progress and what runs it (every live one when none is named or current)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos status auth\n  git aos status --json                 # every live workstream"
)]
pub struct StatusArgs {
    /// Workstream (default: the current one; with none, every live workstream)
    name: Option<WorkstreamName>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// The `--json` shape of `status` (field names are stable).
#[derive(Serialize)]
struct StatusView {
    #[serde(flatten)]
    ws: WorkstreamRecord,
    state_commit: String,
    tasks: Vec<TaskView>,
    /// The plan's waves: tasks of one wave can run at once.
    waves: Vec<Vec<String>>,
    progress: Progress,
    next: Vec<String>,
    /// Who runs the pipeline now, if anyone.
    runner: Option<Holder>,
    /// What every agent prompt is told: `[project] directives`, then `AGENTS.md`.
    directives: Vec<String>,
}

/// A task with its wave and the timeline of its latest run.
#[derive(Serialize)]
struct TaskView {
    #[serde(flatten)]
    record: TaskRecord,
    wave: Option<usize>,
    timeline: Vec<Span>,
}

/// One stage of a run: when it started and ended, which agent ran it.
#[derive(Serialize)]
struct Span {
    stage: String,
    attempt: u32,
    agent: Option<String>,
    started_at: String,
    ended_at: String,
    outcome: String,
}

#[derive(Serialize)]
struct Progress {
    done: usize,
    total: usize,
}

/// Prints the status of a workstream.
pub fn run(ui: &Ui, args: StatusArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    // A broken aos.toml must not hide the status; the directives are then AGENTS.md alone.
    let configured = match ctx.config() {
        Ok(cfg) => cfg.project.directives,
        Err(e) => {
            ui.warn(format_args!("directives of aos.toml left out: {e:#}"));
            Vec::new()
        }
    };
    let directives = load_directives(ctx.repo_root()?, &configured);
    let names = match (args.name, ctx.current_workstream()?) {
        (Some(name), _) | (None, Some(name)) => vec![name],
        // Nothing named and nothing current: the full picture of every live workstream.
        (None, None) => ctx.store.list_live()?.into_iter().map(|(n, _)| n).collect(),
    };
    let mut views = Vec::new();
    for name in &names {
        views.push(view(&ctx, name, directives.clone())?);
    }
    match (args.json, views.len()) {
        (true, 1) => ui.json(&views[0]),
        (true, _) => ui.json(&views),
        (false, 0) => {
            ui.status("no workstreams yet; create one with `git aos new <name>`");
            Ok(())
        }
        (false, _) => {
            for (i, v) in views.iter().enumerate() {
                if i > 0 {
                    ui.data("");
                }
                render(ui, v);
            }
            Ok(())
        }
    }
}

fn view(ctx: &Ctx, name: &WorkstreamName, directives: Vec<String>) -> anyhow::Result<StatusView> {
    let snap = ctx.store.find(name)?;
    let tasks = ctx.store.tasks(&snap)?;
    let (done, total) = tasks.progress();
    let next = ready(&tasks.tasks);
    let runner = lock::probe(&lock::workstream_path(ctx.common_dir(), name))?;
    let super::waves::Waves { waves, wave_of } = super::waves::of(&ctx.store, &snap)?;
    let mut views = Vec::new();
    for t in tasks.tasks {
        let run: Option<RunRecord> = match &t.last_run {
            Some(id) => ctx.store.read_toml(&snap, &RunRecord::path(id))?,
            None => None,
        };
        let timeline = run
            .map(|r| {
                r.stages
                    .into_iter()
                    .map(|s| Span {
                        stage: s.stage.to_string(),
                        attempt: s.attempt,
                        agent: s.agent,
                        started_at: s.started_at,
                        ended_at: s.ended_at,
                        outcome: s.outcome,
                    })
                    .collect()
            })
            .unwrap_or_default();
        views.push(TaskView {
            wave: wave_of.get(&t.id).copied(),
            record: t,
            timeline,
        });
    }
    // Where the worktree is on this machine, not where the state says it was made.
    let mut ws = snap.ws;
    ws.worktree = crate::workstream::worktree_path(&ctx.store, &ws)
        .display()
        .to_string();
    Ok(StatusView {
        ws,
        state_commit: snap.commit,
        tasks: views,
        waves,
        progress: Progress { done, total },
        next,
        runner,
        directives,
    })
}

/// Returns the ids of pending tasks whose dependencies are all done, in plan order.
fn ready(tasks: &[TaskRecord]) -> Vec<String> {
    let done = |id: &crate::ids::TaskId| {
        tasks
            .iter()
            .any(|t| &t.id == id && t.status == TaskStatus::Done)
    };
    tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Pending && t.depends.iter().all(done))
        .map(|t| t.id.to_string())
        .collect()
}

/// Returns a stage as `implement 10:02:03–10:02:05 (claude)`.
fn span(s: &Span) -> String {
    let clock = |t: &str| {
        t.parse::<jiff::Timestamp>()
            .map(|t| t.strftime("%H:%M:%S").to_string())
            .unwrap_or_else(|_| t.to_owned())
    };
    let who = s
        .agent
        .as_deref()
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    format!(
        "{} {}–{}{who}",
        s.stage,
        clock(&s.started_at),
        clock(&s.ended_at)
    )
}

fn render(ui: &Ui, v: &StatusView) {
    let ws = &v.ws;
    ui.data(format_args!("workstream {}  ({})", ws.name, ws.status));
    if let Some(reason) = &ws.reason {
        ui.data(format_args!("  reason    {reason}"));
    }
    let short = &ws.base_commit[..ws.base_commit.len().min(10)];
    ui.data(format_args!(
        "  branch    {}  (from {} at {short})",
        ws.branch, ws.base
    ));
    ui.data(format_args!("  worktree  {}", ws.worktree));
    ui.data(format_args!("  profile   {}", ws.profile));
    if let Some(plan) = &ws.plan_path {
        ui.data(format_args!("  plan      {plan}"));
    }
    if v.progress.total > 0 {
        let next = if v.next.is_empty() {
            String::new()
        } else {
            format!("; next: {}", v.next.join(", "))
        };
        ui.data(format_args!(
            "  tasks     {}/{} done{next}",
            v.progress.done, v.progress.total
        ));
        for view in &v.tasks {
            let t = &view.record;
            let mark = if t.status == TaskStatus::Done {
                "x"
            } else {
                " "
            };
            let attempts = if t.attempts > 0 {
                format!("  ({} attempts)", t.attempts)
            } else {
                String::new()
            };
            let wave = view.wave.map(|w| format!("  wave {w}")).unwrap_or_default();
            ui.data(format_args!(
                "    [{mark}] {}: {}  {}{attempts}{wave}",
                t.id, t.title, t.status
            ));
            if let Some(reason) = t.reason.as_ref().filter(|_| t.status != TaskStatus::Done) {
                ui.data(format_args!("          {reason}"));
            }
            if !view.timeline.is_empty() {
                let spans: Vec<String> = view.timeline.iter().map(span).collect();
                ui.data(format_args!("          {}", spans.join(", ")));
            }
        }
    } else {
        ui.data("  tasks     none (give a plan with `git aos new --plan FILE`)");
    }
    for (i, d) in v.directives.iter().enumerate() {
        let label = if i == 0 { "directives" } else { "" };
        let mut lines = d.lines();
        let first = lines.next().unwrap_or_default();
        let more = match lines.count() {
            0 => String::new(),
            n => format!("  (+{n} lines)"),
        };
        ui.data(format_args!("  {label:<10} {first}{more}"));
    }
    if let Some(h) = &v.runner {
        ui.data(format_args!(
            "  runner    pid {} on {} since {}",
            h.pid, h.host, h.since
        ));
    }
    ui.data(format_args!(
        "  updated   {}  (state {})",
        ws.updated_at,
        &v.state_commit[..10]
    ));
}
