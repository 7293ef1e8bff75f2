//! `git aos show`: what waits for a decision — the diff, tests, reviewer verdict, and the
//! commands that resolve the gate; for a task that failed, halted or was set aside, the
//! options that apply to it with the exact commands.

mod options;
mod tasks;

use tasks::{pick_task, render_tasks, run_of};

use serde::Serialize;

use crate::agent::Spend;
use crate::ctx::Ctx;
use crate::gate::final_review::{FinalReview, FinalState};
use crate::gate::plan::{PlanGate, PlanOrigin};
use crate::gate::uat::UatGate;
use crate::gate::{clarify, final_review, plan, review, uat};
use crate::git;
use crate::ids::{TaskId, WorkstreamName};
use crate::pipeline::record::RunRecord;
use crate::store::TaskStatus;
use crate::ui::Ui;

/// Show a workstream's pending change: diff, test results, reviewer verdict, and the commands that resolve its gate
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos show auth                     # diff, tests, verdict, and how to decide\n  git aos show auth T2                  # task T2: what waits, or why it failed and what applies\n  git aos show auth --json"
)]
pub struct ShowArgs {
    /// Workstream (default: the current one)
    name: Option<WorkstreamName>,
    /// Task (default: the only one waiting, else the one in progress)
    task: Option<TaskId>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct ShowView {
    name: String,
    status: String,
    reason: Option<String>,
    /// The task shown in detail, if any.
    task: Option<String>,
    /// Its review gate (or the only one).
    gate: Option<review::ReviewGate>,
    /// Every task waiting at its review gate.
    gates: Vec<review::ReviewGate>,
    /// Every task that needs a person, with the commands that apply.
    tasks: Vec<options::TaskOptions>,
    plan_gate: Option<PlanGate>,
    final_review: Option<FinalReview>,
    uat: Option<UatGate>,
    questions: Vec<clarify::Clarification>,
    custody: Vec<String>,
    /// Tokens and cost of the agent calls of the run at the gate, each counted once;
    /// `cost_usd` is `null` when no agent reported one.
    spend: Option<Spend>,
    diff: String,
    unconfined: Vec<Unconfined>,
    commands: Vec<String>,
}

/// A run of an unfinished task whose agents ran without confinement.
#[derive(Serialize)]
struct Unconfined {
    task: String,
    run: String,
    sandbox: String,
    main_checkout_changes: Vec<String>,
}

impl ShowArgs {
    /// Returns the arguments of `git aos show <name>`.
    pub fn of(name: WorkstreamName) -> Self {
        Self {
            name: Some(name),
            task: None,
            json: false,
        }
    }
}

/// Prints the pending change.
pub fn run(ui: &Ui, args: ShowArgs) -> anyhow::Result<()> {
    print(ui, &Ctx::discover()?, args)
}

/// Prints the pending change of a workstream of `ctx`'s repository.
pub fn print(ui: &Ui, ctx: &Ctx, args: ShowArgs) -> anyhow::Result<()> {
    let name = ctx.workstream(args.name)?;
    let snap = ctx.store.find(&name)?;
    let tasks = ctx.store.tasks(&snap)?;
    let gates = review::all(&ctx.store, &snap)?;
    let needs = options::all(&name, &tasks, &gates);
    let task = pick_task(&snap, &tasks, &gates, &needs, args.task)?;
    let gate = match &task {
        Some(id) => gates.iter().find(|g| &g.task == id).cloned(),
        None => None,
    };
    let run = run_of(ctx, &snap, &tasks, task.as_ref())?;
    let spend = run.as_ref().map(RunRecord::spend);
    let mut questions = Vec::new();
    for file in ctx.store.list_dir(&snap, clarify::DIR)? {
        if let Some(c) = ctx
            .store
            .read_toml::<clarify::Clarification>(&snap, &format!("{}/{file}", clarify::DIR))?
            && c.is_open()
        {
            questions.push(c);
        }
    }
    let wt = run
        .as_ref()
        .and_then(|r| r.worktree.clone())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| crate::workstream::worktree_path(&ctx.store, &snap.ws));
    let checkout = git::Checkout::locate(ctx.common_dir(), &wt).ok();
    let diff = match (&checkout, &gate) {
        // What waits at the gate is the tested and reviewed tree, not whatever the
        // worktree holds now.
        (
            Some(co),
            Some(review::ReviewGate {
                base: Some(base),
                tree: Some(tree),
                ..
            }),
        ) => git::change::diff(co, base, tree, usize::MAX)?,
        (Some(co), _) if task.is_some() || snap.ws.current_task.is_some() => {
            co.read(["diff", "HEAD"]).unwrap_or_default()
        }
        _ => String::new(),
    };
    let custody = match (&gate, &run) {
        (Some(g), _) => g.custody.clone(),
        (None, Some(r)) => r.custody.clone(),
        (None, None) => Vec::new(),
    };
    let plan_gate: Option<PlanGate> = ctx.store.read_toml(&snap, plan::PATH)?;
    let final_review = ctx
        .store
        .read_toml::<FinalReview>(&snap, final_review::PATH)?
        .filter(|r| r.state == FinalState::Concerns);
    let mut uat = None;
    for file in ctx.store.list_dir(&snap, uat::DIR)? {
        let path = format!("{}/{file}", uat::DIR);
        if let Some(r) = ctx.store.read_toml::<UatGate>(&snap, &path)?
            && r.is_open()
        {
            uat = Some(r);
        }
    }
    let mut unconfined = Vec::new();
    for task in ctx.store.tasks(&snap)?.tasks {
        let Some(run_id) = task.last_run.filter(|_| task.status != TaskStatus::Done) else {
            continue;
        };
        let Some(run) = ctx
            .store
            .read_toml::<RunRecord>(&snap, &RunRecord::path(&run_id))?
        else {
            continue;
        };
        let mode = run.sandbox.unwrap_or_default();
        if (mode != "worktree" && !mode.is_empty()) || !run.unconfined_changes.is_empty() {
            unconfined.push(Unconfined {
                task: task.id.to_string(),
                run: run_id.to_string(),
                sandbox: mode,
                main_checkout_changes: run.unconfined_changes,
            });
        }
    }
    let mut commands = Vec::new();
    if plan_gate.is_some() || final_review.is_some() {
        commands.push(format!("git aos approve {name}"));
        commands.push(format!("git aos reject {name} -f \"what must change\""));
    }
    if uat.is_some() {
        commands.push(format!("git aos uat show {name}"));
        commands.push(format!("git aos uat pass {name}"));
        commands.push(format!(
            "git aos uat fail {name} --issues \"what is wrong\""
        ));
    }
    let shown = needs
        .iter()
        .filter(|n| task.as_ref().is_none_or(|t| n.id == t.as_str()));
    for n in shown {
        commands.extend(n.commands.iter().cloned());
    }
    for q in &questions {
        commands.push(format!("git aos clarify answer {name} {} \"answer\"", q.id));
    }
    let view = ShowView {
        name: name.to_string(),
        status: snap.ws.status.to_string(),
        reason: snap.ws.reason.clone(),
        task: task.as_ref().map(|t| t.to_string()),
        gate,
        gates,
        tasks: needs,
        plan_gate,
        final_review,
        uat,
        questions,
        custody,
        spend,
        diff,
        unconfined,
        commands,
    };
    if args.json {
        return ui.json(&view);
    }
    ui.data(format_args!("workstream {}  ({})", view.name, view.status));
    if let Some(r) = &view.reason {
        ui.data(format_args!("  {r}"));
    }
    render_tasks(ui, &view, run.as_ref());
    if let Some(g) = &view.gate {
        ui.data(format_args!(
            "\ntask {} (run {}, attempt {}) waits for your decision",
            g.task, g.run, g.attempt
        ));
        if let Some(wt) = &g.worktree {
            ui.data(format_args!("  in its worktree {wt}"));
        }
        if !g.conflicts.is_empty() {
            ui.data(format_args!(
                "  conflicts with what landed meanwhile in: {} (markers in the files)",
                g.conflicts.join(", ")
            ));
        }
        if !g.agent_summary.is_empty() {
            ui.data(format_args!(
                "\nagent summary:\n  {}",
                g.agent_summary.trim().replace('\n', "\n  ")
            ));
        }
        ui.data("\ntests:");
        for t in &g.tests {
            ui.data(format_args!("  {t}"));
        }
        ui.data(format_args!(
            "\nreviewer: {}  {}",
            g.verdict, g.review_summary
        ));
        for c in &g.comments {
            ui.data(format_args!("  - {c}"));
        }
        if let Some(s) = view.spend.as_ref().filter(|s| s.calls > 0) {
            ui.data(format_args!(
                "\nagent calls: {}; tokens {}; cost {}",
                s.calls,
                s.tokens_text(),
                s.cost_text()
            ));
        }
        ui.data(format_args!("\nwill be committed:\n{}", g.diff_stat));
    }
    if let Some(g) = &view.plan_gate {
        let plan = snap.ws.plan_path.as_deref().unwrap_or("plan.md");
        match &g.origin {
            PlanOrigin::Brief => ui.data(format_args!(
                "\nthe plan `{plan}` ({}, attempt {}); reviewer: {}",
                g.state.as_str(),
                g.attempt,
                g.verdict.as_deref().unwrap_or("none")
            )),
            PlanOrigin::Amendment { task, .. } => ui.data(format_args!(
                "\nthe plan `{plan}` changed: {} ({}) was added and waits for approval",
                task.id, task.title
            )),
        }
        for line in g.review.iter().chain(&g.problems) {
            ui.data(format_args!("  - {line}"));
        }
    }
    if let Some(r) = &view.final_review {
        ui.data(format_args!(
            "\nfinal review by {}: {}  {}",
            r.reviewer, r.verdict, r.summary
        ));
        for c in &r.comments {
            ui.data(format_args!("  - {c}"));
        }
    }
    if let Some(r) = &view.uat {
        ui.data(format_args!(
            "\nuser acceptance {} requested {}",
            r.id, r.requested_at
        ));
    }
    for q in &view.questions {
        ui.data(format_args!(
            "\nquestion {} from {} ({}):\n  {}",
            q.id, q.asked_by, q.asked_at, q.question
        ));
    }
    if !view.custody.is_empty() {
        ui.data("\nwhat agents did beyond their files (none of it landed as it was):");
        for line in &view.custody {
            ui.data(format_args!("  - {line}"));
        }
    }
    for u in &view.unconfined {
        ui.data(format_args!(
            "\ntask {} (run {}): its agents ran unconfined (sandbox: {})",
            u.task, u.run, u.sandbox
        ));
        if !u.main_checkout_changes.is_empty() {
            ui.data("  changed in the main checkout meanwhile; check them:");
            for path in &u.main_checkout_changes {
                ui.data(format_args!("    {path}"));
            }
        }
    }
    if !view.diff.is_empty() {
        ui.data(format_args!("\n{}", view.diff));
    }
    if view.commands.is_empty() {
        ui.status("nothing waits for a decision here");
    } else {
        ui.data("\nresolve with:");
        for c in &view.commands {
            ui.data(format_args!("  {c}"));
        }
    }
    Ok(())
}
