//! `git aos approve`: accept the change waiting at the human gate and commit it.

use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::pipeline::{Pipeline, decide};
use crate::ui::Ui;

/// Approve the change waiting at the human gate; it is committed at once
#[derive(clap::Args, Debug)]
pub struct ApproveArgs {
    /// Workstream (default: the current one)
    name: Option<WorkstreamName>,
}

/// Approves and commits.
pub fn run(ui: &Ui, args: ApproveArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let name = ctx.workstream(args.name)?;
    let p = Pipeline::open(&ctx, ui)?;
    let commit = decide::approve(&p, &name)?;
    ui.status(format_args!(
        "approved; committed {} on `aos/{name}`",
        &commit[..commit.len().min(12)]
    ));
    ui.status(format_args!("continue with `git aos run {name}`"));
    Ok(())
}
