//! `git aos retry`: try a failed, halted, skipped or waiting task again, keeping what its
//! worktree holds.

use crate::ctx::Ctx;
use crate::ids::{TaskId, WorkstreamName};
use crate::pipeline::{Pipeline, recover};
use crate::ui::Ui;

/// Try a failed or blocked task again with a fresh set of attempts, keeping its work
///
/// The next `git aos run` (or the one running now) picks it up.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos retry auth T2                 # new attempts on what its worktree holds\n  git aos retry auth T2 --agent codex -f \"the limiter must be per user\""
)]
pub struct RetryArgs {
    /// Workstream (default: the current one)
    name: Option<WorkstreamName>,
    /// Task (default: the only one that failed, halted or waits)
    task: Option<TaskId>,
    /// Agent for the new attempts (default: the plan's or the `implement` role's)
    #[arg(long, value_name = "AGENT")]
    agent: Option<String>,
    /// What the next attempt should know (goes into its prompt)
    #[arg(short = 'f', long = "feedback", value_name = "TEXT", value_parser = super::non_empty)]
    feedback: Option<String>,
}

/// Queues the task for new attempts.
pub fn run(ui: &Ui, args: RetryArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let name = ctx.workstream(args.name)?;
    let p = Pipeline::open(&ctx, ui)?;
    let task = recover::retry(
        &p,
        &name,
        args.task.as_ref(),
        args.agent.as_deref(),
        args.feedback.as_deref(),
    )?;
    ui.status(format_args!(
        "{task} will be tried again with its work as it is; `git aos run {name}` goes on"
    ));
    Ok(())
}
