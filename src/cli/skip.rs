//! `git aos skip`: set a task aside — its dependents wait, the rest of the plan goes on.

use crate::ctx::Ctx;
use crate::ids::{TaskId, WorkstreamName};
use crate::pipeline::{Pipeline, recover};
use crate::ui::Ui;

/// Set a task aside: its dependents wait, every other task goes on; its work is kept
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos skip auth T2                  # `git aos retry auth T2` brings it back"
)]
pub struct SkipArgs {
    /// Workstream
    name: WorkstreamName,
    /// Task to set aside
    task: TaskId,
}

/// Skips the task.
pub fn run(ui: &Ui, args: SkipArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let p = Pipeline::open(&ctx, ui)?;
    recover::skip(&p, &args.name, &args.task)?;
    ui.status(format_args!(
        "{} set aside: what depends on it waits, the rest goes on with `git aos run {}`",
        args.task, args.name
    ));
    Ok(())
}
