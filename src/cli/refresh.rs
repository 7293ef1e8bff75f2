//! `git aos refresh`: recompute what workstreams touch and how stale they are, and
//! record it in their state.

use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::ui::Ui;
use crate::workstream::{self, Refresh};

/// Recompute the files a workstream touches and its staleness against base, and record them in its state (`refresh.toml`)
///
/// Touched files are those committed on the branch since its merge base with base (both
/// paths of a rename) plus what is modified, staged or untracked in its worktree.
/// Staleness = commits base gained since the fork point + 10 × files both base and the
/// workstream changed; 0 means base has not moved.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  git aos refresh\n  git aos refresh auth --json")]
pub struct RefreshArgs {
    /// Workstream (default: every live workstream)
    name: Option<WorkstreamName>,
    /// Print JSON (an array, one object per workstream)
    #[arg(long)]
    json: bool,
}

/// Refreshes one or every live workstream.
pub fn run(ui: &Ui, args: RefreshArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let one = args.name.is_some();
    let names = match args.name {
        Some(name) => vec![name],
        None => ctx.store.list_live()?.into_iter().map(|(n, _)| n).collect(),
    };
    let mut records = Vec::new();
    let mut failed = 0;
    for name in names {
        match workstream::refresh(&ctx.store, &name) {
            Ok((record, _)) => records.push(record),
            Err(e) if !one => {
                ui.warn(format_args!("could not refresh `{name}`: {e:#}"));
                failed += 1;
            }
            Err(e) => return Err(e),
        }
    }
    if args.json {
        ui.json(&records)?;
    } else if records.is_empty() && failed == 0 {
        ui.status("no live workstreams; create one with `git aos new <name>`");
    } else {
        records.iter().for_each(|r| render(ui, r));
    }
    anyhow::ensure!(failed == 0, "could not refresh {failed} workstream(s)");
    Ok(())
}

fn render(ui: &Ui, r: &Refresh) {
    let uncommitted = if r.uncommitted.is_empty() {
        String::new()
    } else {
        format!(" ({} uncommitted)", r.uncommitted.len())
    };
    ui.data(format_args!(
        "{}  staleness {}  touches {}{uncommitted}, {} ahead",
        r.name,
        r.staleness,
        count(r.touched_count(), "file"),
        count(r.ahead, "commit")
    ));
    if r.behind > 0 {
        let shared = if r.shared.is_empty() {
            String::new()
        } else {
            format!("; both changed: {}", r.shared.join(", "))
        };
        ui.data(format_args!(
            "  `{}` moved {} ({}) since the fork point{shared}",
            r.base,
            count(r.behind, "commit"),
            count(r.base_files_changed, "file")
        ));
    }
}

/// Returns `1 file`, `2 files`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
