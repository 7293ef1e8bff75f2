//! `git aos close`: abandon a workstream — archive its state, remove its worktree.

use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::ui::Ui;
use crate::workstream;

/// Close a workstream: archive its state and remove its worktree (the branch is kept)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos close spike                   # archive it, remove its worktree, keep the branch\n  git aos close spike --force --delete-branch"
)]
pub struct CloseArgs {
    /// Workstream (default: the current one)
    name: Option<WorkstreamName>,
    /// Discard uncommitted changes in its worktree
    #[arg(long)]
    force: bool,
    /// Also delete the branch `aos/<name>` (its tip is recorded in the archive)
    #[arg(long)]
    delete_branch: bool,
}

/// Closes the workstream.
pub fn run(ui: &Ui, args: CloseArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let name = ctx.workstream(args.name)?;
    let id = workstream::close(
        &ctx.store,
        ctx.repo_root()?,
        &name,
        args.force,
        args.delete_branch,
    )?;
    ui.status(format_args!(
        "closed `{name}`; archived as `{id}` (bring it back with `git aos open {name}`)"
    ));
    Ok(())
}
