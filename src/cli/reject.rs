//! `git aos reject`: send the change at the human gate back with feedback.

use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::pipeline::{Pipeline, decide};
use crate::ui::Ui;

/// Reject the change at the human gate; the next attempt iterates on it with your feedback
#[derive(clap::Args, Debug)]
pub struct RejectArgs {
    /// Workstream (default: the current one)
    name: Option<WorkstreamName>,
    /// What must change (goes into the next prompt)
    #[arg(short = 'f', long = "feedback", required = true)]
    feedback: String,
}

/// Rejects with feedback.
pub fn run(ui: &Ui, args: RejectArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let name = ctx.workstream(args.name)?;
    let p = Pipeline::open(&ctx, ui)?;
    decide::reject(&p, &name, &args.feedback)?;
    ui.status(format_args!(
        "rejected; `git aos run {name}` iterates on the change with your feedback"
    ));
    Ok(())
}
