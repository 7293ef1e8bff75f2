//! `git aos open`: bring an archived workstream back, with its worktree.

use crate::ctx::Ctx;
use crate::ui::Ui;
use crate::workstream;

/// Reopen an archived workstream: its state becomes live and its worktree is recreated
#[derive(clap::Args, Debug)]
pub struct OpenArgs {
    /// Workstream name (its newest archive) or archive id (`<name>.<yyyymmddThhmmss>`)
    id: String,
}

/// Reopens the workstream.
pub fn run(ui: &Ui, args: OpenArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let snap = workstream::open(&ctx.store, ctx.repo_root()?, &args.id)?;
    ui.status(format_args!(
        "reopened `{}` ({}) at {}",
        snap.ws.name, snap.ws.status, snap.ws.worktree
    ));
    Ok(())
}
