//! `git aos conflicts`: file overlap between live workstreams, real merge conflicts with
//! `--deep`, and a suggested merge order.

use crate::ctx::Ctx;
use crate::ui::Ui;
use crate::workstream::{self, ConflictReport};

/// Show which live workstreams touch the same files and suggest a merge order; `--deep` predicts real merge conflicts
///
/// Overlap counts committed changes since each branch's merge base with its base and
/// uncommitted work in worktrees. `--deep` merges every workstream with its base and
/// every pair with each other, in memory, from the committed tips: nothing is written to
/// the repository. The order puts first the largest set of workstreams that conflict
/// with nothing before them, so the fewest need rework. Exits 0 whether or not
/// there are conflicts.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos conflicts                     # files two workstreams both touch\n  git aos conflicts --deep --json       # real merges in memory, and a merge order"
)]
pub struct ConflictsArgs {
    /// Run real three-way merges in memory and list the files that would conflict
    #[arg(long)]
    deep: bool,
    /// Print JSON: `{"deep", "pairs": [{"a", "b", "overlap", "uncommitted", "conflicts"}], "against_base": [{"workstream", "base", "conflicts"}], "order", "skipped"}`
    #[arg(long)]
    json: bool,
}

/// Prints the report.
pub fn run(ui: &Ui, args: ConflictsArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let report = workstream::conflicts(&ctx.store, args.deep)?;
    for s in &report.skipped {
        ui.warn(format_args!("skipped `{}`: {}", s.workstream, s.reason));
    }
    if args.json {
        return ui.json(&report);
    }
    render(ui, &report);
    Ok(())
}

fn render(ui: &Ui, r: &ConflictReport) {
    if r.order.is_empty() {
        ui.status("no live workstreams");
        return;
    }
    if r.pairs.is_empty() {
        ui.data("no two workstreams touch the same file");
    }
    for p in &r.pairs {
        let marked: Vec<String> = p
            .overlap
            .iter()
            .map(|f| {
                if p.uncommitted.contains(f) {
                    format!("{f}*")
                } else {
                    f.clone()
                }
            })
            .collect();
        ui.data(format_args!(
            "{} <> {}  overlap: {}",
            p.a,
            p.b,
            marked.join(", ")
        ));
        if r.deep {
            if p.conflicts.is_empty() {
                ui.data("  merges cleanly");
            } else {
                ui.data(format_args!("  CONFLICTS: {}", p.conflicts.join(", ")));
            }
        }
    }
    if r.pairs.iter().any(|p| !p.uncommitted.is_empty()) {
        ui.data("  (* only in uncommitted work in a worktree; deep merges use committed tips)");
    }
    for b in r.against_base.iter().filter(|b| !b.conflicts.is_empty()) {
        ui.data(format_args!(
            "{} <> {} (base)  CONFLICTS: {}",
            b.workstream,
            b.base,
            b.conflicts.join(", ")
        ));
    }
    if r.deep && r.against_base.iter().all(|b| b.conflicts.is_empty()) {
        ui.data("every workstream merges cleanly into its base");
    }
    ui.data(format_args!(
        "suggested merge order: {}",
        r.order.join(", ")
    ));
    if !r.deep {
        ui.status("overlap is a risk, not a conflict: `git aos conflicts --deep` runs the merges");
    }
}
