//! `git aos reject`: send what waits at the human gate back with feedback.

use crate::ctx::Ctx;
use crate::ids::{TaskId, WorkstreamName};
use crate::pipeline::Pipeline;
use crate::pipeline::resolve::{self, PlanRejected, Rejected};
use crate::store::WsStatus;
use crate::ui::Ui;

/// Reject what waits at the human gate: a change is iterated on, a plan rewritten by the planner, a final review's concerns become a fix task
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos reject auth -f 'Handle an empty token; add a test for it'"
)]
pub struct RejectArgs {
    /// Workstream (default: the current one)
    name: Option<WorkstreamName>,
    /// Task (needed when several wait)
    task: Option<TaskId>,
    /// What must change (goes into the next prompt)
    #[arg(
        short = 'f',
        long = "feedback",
        required = true,
        value_name = "TEXT",
        value_parser = super::non_empty
    )]
    feedback: String,
}

/// Rejects with feedback.
pub fn run(ui: &Ui, args: RejectArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let name = ctx.workstream(args.name)?;
    let p = Pipeline::open(&ctx, ui)?;
    match resolve::reject(&p, &name, args.task.as_ref(), &args.feedback)? {
        Rejected::Task(task) => ui.status(format_args!(
            "{task} rejected; `git aos run {name}` iterates on the change with your feedback"
        )),
        Rejected::Plan(PlanRejected::Replan) => ui.status(format_args!(
            "plan rejected; `git aos run {name}` has the planner rewrite it with your feedback"
        )),
        Rejected::Plan(PlanRejected::Refined(task)) => ui.status(format_args!(
            "{task} reworded with your feedback; the plan still waits: `git aos approve {name}`"
        )),
        Rejected::FinalReview {
            task,
            status: WsStatus::AwaitingReview,
        } => ui.status(format_args!(
            "{task} added to the plan; it waits for approval: `git aos approve {name}`"
        )),
        Rejected::FinalReview { task, .. } => ui.status(format_args!(
            "{task} added to the plan; `git aos run {name}` implements it"
        )),
    }
    Ok(())
}
