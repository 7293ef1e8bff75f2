//! `git aos list`: one line per workstream.

use serde::Serialize;

use crate::ctx::Ctx;
use crate::store::WorkstreamRecord;
use crate::ui::Ui;

/// List live workstreams, one per line (`--all` adds archived ones)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos list\n  git aos list --all --json            # archived ones too, as JSON"
)]
pub struct ListArgs {
    /// Include closed and merged workstreams from the archive
    #[arg(long)]
    all: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// One row of the listing (`--json` field names are stable).
#[derive(Serialize)]
struct Row {
    name: String,
    status: String,
    branch: String,
    base: String,
    tasks_done: usize,
    tasks_total: usize,
    updated_at: String,
    worktree: String,
    /// `null` when live; the archive id otherwise.
    archive: Option<String>,
}

fn row(ws: &WorkstreamRecord, archive: Option<String>) -> Row {
    Row {
        name: ws.name.to_string(),
        status: ws.status.to_string(),
        branch: ws.branch.clone(),
        base: ws.base.clone(),
        tasks_done: ws.tasks_done,
        tasks_total: ws.tasks_total,
        updated_at: ws.updated_at.clone(),
        worktree: ws.worktree.clone(),
        archive,
    }
}

/// Prints the workstreams.
pub fn run(ui: &Ui, args: ListArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let mut rows: Vec<Row> = ctx
        .store
        .load_live()?
        .iter()
        .map(|s| {
            let mut r = row(&s.ws, None);
            // Where the worktree is on this machine, not where the state says it was made.
            r.worktree = crate::workstream::worktree_path(&ctx.store, &s.ws)
                .display()
                .to_string();
            r
        })
        .collect();
    if args.all {
        rows.extend(
            ctx.store
                .list_archives()?
                .into_iter()
                .map(|a| row(&a.ws, Some(a.id))),
        );
    }
    if args.json {
        return ui.json(&rows);
    }
    if rows.is_empty() {
        ui.status("no workstreams yet; create one with `git aos new <name>`");
        return Ok(());
    }
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    // One write for the whole table: stdout is line-buffered, and hundreds of rows
    // would otherwise cost a system call each.
    let mut table = String::new();
    for r in rows {
        let tasks = if r.tasks_total > 0 {
            format!("{}/{}", r.tasks_done, r.tasks_total)
        } else {
            "-".into()
        };
        let extra = r
            .archive
            .map(|id| format!("  (archived as {id})"))
            .unwrap_or_default();
        table.push_str(&format!(
            "{:width$}  {:15}  {:>5}  {}{extra}\n",
            r.name, r.status, tasks, r.branch
        ));
    }
    ui.data(table.trim_end());
    Ok(())
}
