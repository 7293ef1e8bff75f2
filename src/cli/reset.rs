//! `git aos reset`: discard the current task's changes and start it over.

use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::pipeline::{Pipeline, decide};
use crate::ui::Ui;

/// Discard the worktree's changes for the current (or failed) task and start it over
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos reset auth                    # discards the task's changes; it starts over"
)]
pub struct ResetArgs {
    /// Workstream (default: the current one)
    name: Option<WorkstreamName>,
}

/// Resets the task.
pub fn run(ui: &Ui, args: ResetArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let name = ctx.workstream(args.name)?;
    let p = Pipeline::open(&ctx, ui)?;
    if let Some(task) = decide::reset(&p, &name)? {
        ui.status(format_args!(
            "reset {task}: its changes are discarded and its attempts back to 0"
        ));
    }
    Ok(())
}
