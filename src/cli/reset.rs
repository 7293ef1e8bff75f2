//! `git aos reset`: discard a task's changes and start it over — the one decision that
//! throws work away.

use crate::ctx::Ctx;
use crate::ids::{TaskId, WorkstreamName};
use crate::pipeline::{Pipeline, recover};
use crate::ui::Ui;

/// Discard a task's changes and start it over (the current task, or the one named)
///
/// Example: `git aos reset auth T2`. To keep the work, use `git aos retry` or
/// `git aos skip` instead.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos reset auth                    # discards the task's changes; it starts over"
)]
pub struct ResetArgs {
    /// Workstream (default: the current one)
    name: Option<WorkstreamName>,
    /// Task (default: the one in progress)
    task: Option<TaskId>,
}

/// Resets the task.
pub fn run(ui: &Ui, args: ResetArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let name = ctx.workstream(args.name)?;
    let p = Pipeline::open(&ctx, ui)?;
    let task = recover::reset(&p, &name, args.task.as_ref())?;
    ui.status(format_args!(
        "reset {task}: its changes are discarded and its attempts back to 0"
    ));
    Ok(())
}
