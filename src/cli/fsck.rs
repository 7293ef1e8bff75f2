//! `git aos fsck`: check every aos ref, tree and lock; repair what a crash left.

use crate::ctx::Ctx;
use crate::error::UserError;
use crate::ui::Ui;
use crate::workstream::fsck;

/// Check every aos ref, state tree, ref lock and worktree; `--fix` repairs what a crash left
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  git aos fsck\n  git aos fsck --fix")]
pub struct FsckArgs {
    /// Repair what can be repaired safely (never deletes uncommitted work)
    #[arg(long)]
    fix: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Runs the checks; exit 1 when a problem remains.
pub fn run(ui: &Ui, args: FsckArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let problems = fsck::check(&ctx.store, ctx.repo_root()?, args.fix)?;
    let remaining = problems.iter().filter(|p| !p.fixed).count();
    if args.json {
        ui.json(&serde_json::json!({ "ok": remaining == 0, "problems": problems }))?;
    } else {
        for p in &problems {
            let state = if p.fixed { "fixed" } else { "found" };
            ui.data(format_args!("{state}: {}: {}", p.kind, p.message));
            if let (false, Some(h)) = (p.fixed, &p.hint) {
                ui.hint(h);
            }
        }
        if problems.is_empty() {
            ui.status("all aos refs, state trees, locks and worktrees are sound");
        }
    }
    if remaining > 0 {
        let hint = if args.fix {
            "the problems above need a person; each says what to do"
        } else {
            "run `git aos fsck --fix` to repair what can be repaired"
        };
        return Err(UserError::with_hint(format!("{remaining} problem(s) found"), hint).into());
    }
    Ok(())
}
