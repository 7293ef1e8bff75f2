//! `git aos uat`: user acceptance after the last task — list, show, pass, fail.

use serde::Serialize;

use crate::ctx::Ctx;
use crate::error::UserError;
use crate::gate::uat::{self, UatGate};
use crate::ids::WorkstreamName;
use crate::pipeline::{self, Pipeline};
use crate::store::{Snapshot, WsStatus};
use crate::ui::Ui;

/// User acceptance: what waits to be tried after the last task, and your verdict on it
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos uat show auth\n  git aos uat fail auth --issues 'The login page 500s on an empty password'"
)]
pub struct UatArgs {
    #[command(subcommand)]
    command: UatCommand,
}

#[derive(clap::Subcommand, Debug)]
enum UatCommand {
    /// List open UAT requests of every live workstream (`--all` adds decided ones)
    #[command(after_help = "Examples:\n  git aos uat list\n  git aos uat list --all --json")]
    List {
        /// Show decided requests too
        #[arg(long)]
        all: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Show what to judge: each task's acceptance criteria and the scenarios to try
    #[command(after_help = "Examples:\n  git aos uat show auth")]
    Show {
        /// Workstream (default: the current one)
        name: Option<WorkstreamName>,
        /// One request by id (`u1`; default: every request)
        #[arg(long, value_name = "ID")]
        id: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Accept the workstream: it becomes complete
    #[command(after_help = "Examples:\n  git aos uat pass auth")]
    Pass {
        /// Workstream (default: the current one)
        name: Option<WorkstreamName>,
    },
    /// Refuse the workstream: the issues become a fix task and `run` goes on
    #[command(
        after_help = "Examples:\n  git aos uat fail auth --issues 'Login 500s on an empty password'"
    )]
    Fail {
        /// Workstream (default: the current one)
        name: Option<WorkstreamName>,
        /// What is wrong (becomes the fix task's description)
        #[arg(long, required = true, value_name = "TEXT")]
        issues: String,
    },
}

#[derive(Serialize)]
struct Row {
    workstream: String,
    #[serde(flatten)]
    request: UatGate,
}

/// Runs the subcommand.
pub fn run(ui: &Ui, args: UatArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    match args.command {
        UatCommand::List { all, json } => {
            let mut rows = Vec::new();
            for snap in ctx.store.load_live()? {
                for request in requests(&ctx, &snap)? {
                    if all || request.is_open() {
                        let workstream = snap.ws.name.to_string();
                        rows.push(Row {
                            workstream,
                            request,
                        });
                    }
                }
            }
            if json {
                return ui.json(&rows);
            }
            if rows.is_empty() {
                ui.status("no open UAT requests");
            }
            for r in rows {
                let state = match r.request.outcome {
                    None => "open",
                    Some(uat::Outcome::Passed) => "passed",
                    Some(uat::Outcome::Failed) => "failed",
                };
                let tasks = match r.request.requirements.len() {
                    1 => "1 task".to_owned(),
                    n => format!("{n} tasks"),
                };
                ui.data(format_args!(
                    "{} {}  {state}  {tasks}, requested {}",
                    r.workstream, r.request.id, r.request.requested_at
                ));
            }
        }
        UatCommand::Show { name, id, json } => {
            let name = ctx.workstream(name)?;
            let snap = ctx.store.find(&name)?;
            let list: Vec<UatGate> = requests(&ctx, &snap)?
                .into_iter()
                .filter(|r| id.as_ref().is_none_or(|i| &r.id == i))
                .collect();
            if list.is_empty() {
                let what = id.map_or("no UAT request".into(), |i| format!("no UAT request `{i}`"));
                return Err(UserError::new(format!("`{name}` has {what}")).into());
            }
            if json {
                return ui.json(&list);
            }
            for r in &list {
                render(ui, &name, r);
            }
        }
        UatCommand::Pass { name } => {
            let name = ctx.workstream(name)?;
            let p = pipeline_of(&ctx, ui)?;
            let id = pipeline::uat::pass(&p, &name)?;
            ui.status(format_args!(
                "{id} passed; `{name}` is complete: `git aos merge {name}`"
            ));
        }
        UatCommand::Fail { name, issues } => {
            let name = ctx.workstream(name)?;
            let p = pipeline_of(&ctx, ui)?;
            let (id, task, status) = pipeline::uat::fail(&p, &name, &issues)?;
            if status == WsStatus::AwaitingReview {
                ui.status(format_args!(
                    "{id} failed; {task} added to the plan and waits for approval: `git aos approve {name}`"
                ));
            } else {
                ui.status(format_args!(
                    "{id} failed; {task} added to the plan: `git aos run {name}` implements it"
                ));
            }
        }
    }
    Ok(())
}

fn pipeline_of(ctx: &Ctx, ui: &Ui) -> anyhow::Result<Pipeline> {
    Pipeline::open(ctx, ui)
}

fn render(ui: &Ui, name: &WorkstreamName, r: &UatGate) {
    let short = &r.head[..r.head.len().min(12)];
    ui.data(format_args!(
        "{} requested {} for `aos/{name}` at {short}",
        r.id, r.requested_at
    ));
    ui.data("  requirements:");
    for req in &r.requirements {
        ui.data(format_args!("    {}: {}", req.task, req.title));
        for c in &req.criteria {
            ui.data(format_args!("      - {c}"));
        }
    }
    if !r.scenarios.is_empty() {
        ui.data("  scenarios:");
        for s in &r.scenarios {
            ui.data(format_args!("    - {s}"));
        }
    }
    match r.outcome {
        None => ui.data(format_args!(
            "  open: `git aos uat pass {name}` or `git aos uat fail {name} --issues TEXT`"
        )),
        Some(outcome) => {
            let by = r.decided_by.as_deref().unwrap_or("?");
            let what = match outcome {
                uat::Outcome::Passed => "passed".to_owned(),
                uat::Outcome::Failed => format!(
                    "failed ({})",
                    r.fix_task
                        .as_ref()
                        .map_or("no fix task".into(), |t| format!("fix task {t}"))
                ),
            };
            ui.data(format_args!("  {what} by {by}"));
            if let Some(issues) = &r.issues {
                ui.data(format_args!(
                    "  issues: {}",
                    issues.trim().replace('\n', "\n    ")
                ));
            }
        }
    }
}

fn requests(ctx: &Ctx, snap: &Snapshot) -> anyhow::Result<Vec<UatGate>> {
    let mut out = Vec::new();
    for file in ctx.store.list_dir(snap, uat::DIR)? {
        if let Some(r) = ctx
            .store
            .read_toml::<UatGate>(snap, &format!("{}/{file}", uat::DIR))?
        {
            out.push(r);
        }
    }
    uat::sort(&mut out);
    Ok(out)
}
