//! `git aos merge`: land a complete workstream on its base.

use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::ui::Ui;
use crate::workstream::{self, GateVerdict, MergeRequest, Strategy};

/// Merge a complete workstream into its base: merge gate, compare-and-swap, archive
///
/// Refuses a workstream that is not `complete` (unless `--force`), uncommitted work in
/// its worktree, a checkout of the base branch with uncommitted or untracked files, and a
/// merge that would conflict (listing the files). The result is built in-process and
/// `[project] test` runs on it in a temporary worktree (the merge gate); only then does
/// the base branch move, by compare-and-swap, and its checkout, if any, is brought up to
/// date. Then the workstream's worktree is removed, its branch kept (or deleted with
/// `[project] delete_branch_on_merge`) and its state archived as `merged`. Running it
/// again after an interruption finishes the merge.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  git aos merge auth\n  git aos merge auth --strategy squash")]
pub struct MergeArgs {
    /// Workstream (default: the current one)
    name: Option<WorkstreamName>,
    /// How to build the result
    #[arg(long, value_enum, default_value_t = Strategy::Merge)]
    strategy: Strategy,
    /// Merge a workstream that is not `complete`
    #[arg(long)]
    force: bool,
    /// Skip the merge gate (`[project] test` on the merged result)
    #[arg(long)]
    no_gate: bool,
}

/// Merges the workstream.
pub fn run(ui: &Ui, args: MergeArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let cfg = ctx.config()?;
    let name = ctx.workstream(args.name)?;
    let req = MergeRequest {
        name,
        strategy: args.strategy,
        force: args.force,
        gate: !args.no_gate,
    };
    let merged = workstream::merge(&ctx.store, &cfg, ctx.repo_root()?, ui, &req)?;
    let gate = match merged.gate {
        GateVerdict::Passed => "gate passed",
        GateVerdict::Skipped => "gate skipped",
        GateVerdict::NotConfigured => "no gate configured",
    };
    ui.status(format_args!(
        "merged `{}` into `{}` ({}, {gate}); archived as `{}`",
        merged.name, merged.base, merged.strategy, merged.archive_id
    ));
    if let Some(co) = &merged.checkout {
        ui.status(format_args!("  updated the checkout at {}", co.display()));
    }
    if merged.branch_deleted {
        ui.status(format_args!("  deleted branch `aos/{}`", merged.name));
    }
    ui.data(&merged.commit);
    Ok(())
}
