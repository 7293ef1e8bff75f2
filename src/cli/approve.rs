//! `git aos approve`: accept what waits at the human gate — a task's change (committed at
//! once), a plan, or a branch the final review raised concerns about; with `--force`, a
//! task that failed or whose reviewer did not approve, once the checks pass.

use crate::ctx::Ctx;
use crate::ids::{TaskId, WorkstreamName};
use crate::pipeline::Pipeline;
use crate::pipeline::resolve::{self, Approved};
use crate::ui::Ui;

/// Approve what waits at the human gate: a task's change (committed at once), a plan, or the branch after a final review
///
/// Example: `git aos approve auth T2`, or `git aos approve --force auth T3` to land a
/// task that failed once its checks pass on what its worktree holds.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos show auth && git aos approve auth\n  git aos approve                       # the current workstream"
)]
pub struct ApproveArgs {
    /// Workstream (default: the current one)
    name: Option<WorkstreamName>,
    /// Task (needed when several wait)
    task: Option<TaskId>,
    /// Land a task that failed, halted or was not approved by its reviewer: the checks
    /// run first on its worktree, and the note records who overrode which verdict
    #[arg(long)]
    force: bool,
}

/// Approves.
pub async fn run(ui: &Ui, args: ApproveArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let name = ctx.workstream(args.name)?;
    let p = Pipeline::open(&ctx, ui)?;
    match resolve::approve(&p, &name, args.task.as_ref(), args.force).await? {
        Approved::Task { task, commit } => ui.status(format_args!(
            "{task} approved; committed {} on `aos/{name}`",
            &commit[..commit.len().min(12)]
        )),
        Approved::Plan { tasks: 1 } => ui.status("plan approved (1 task)"),
        Approved::Plan { tasks } => ui.status(format_args!("plan approved ({tasks} tasks)")),
        Approved::FinalReview => ui.status("branch accepted despite the final review's concerns"),
    }
    ui.status(format_args!("continue with `git aos run {name}`"));
    Ok(())
}
