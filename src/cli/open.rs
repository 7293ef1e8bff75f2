//! `git aos open`: bring an archived workstream back, with its worktree.

use crate::ctx::Ctx;
use crate::ui::Ui;
use crate::workstream::{self, Drift};

/// Reopen an archived workstream: its state becomes live and its worktree is recreated
///
/// When its base moved on meanwhile, says first how stale the branch is and which files
/// a merge into base would conflict in now.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos open spike                    # its newest archive\n  git aos open spike.20261130T101500"
)]
pub struct OpenArgs {
    /// Workstream name (its newest archive) or archive id (`<name>.<yyyymmddThhmmss>`)
    id: String,
}

/// Reopens the workstream.
pub fn run(ui: &Ui, args: OpenArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    match workstream::drift(&ctx.store, &args.id) {
        Ok(Some(drift)) => report(ui, &drift),
        Ok(None) => {}
        Err(e) => tracing::debug!("no drift report: {e:#}"),
    }
    let snap = workstream::open(&ctx.store, ctx.repo_root()?, &args.id)?;
    ui.status(format_args!(
        "reopened `{}` ({}) at {}",
        snap.ws.name,
        snap.ws.status,
        workstream::worktree_path(&ctx.store, &snap.ws).display()
    ));
    Ok(())
}

fn report(ui: &Ui, d: &Drift) {
    let r = &d.refresh;
    let shared = if r.shared.is_empty() {
        String::new()
    } else {
        format!("; both changed: {}", r.shared.join(", "))
    };
    ui.status(format_args!(
        "`{}` moved {} commit(s), {} file(s), since `{}` forked from it: staleness {}{shared}",
        r.base, r.behind, r.base_files_changed, r.name, r.staleness
    ));
    if d.conflicts.is_empty() {
        ui.status(format_args!("  it still merges cleanly into `{}`", r.base));
    } else {
        ui.warn(format_args!(
            "a merge into `{}` now would conflict in: {}",
            r.base,
            d.conflicts.join(", ")
        ));
    }
}
