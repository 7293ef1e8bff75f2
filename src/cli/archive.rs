//! `git aos archive list|show`: closed and merged workstreams.

use crate::ctx::Ctx;
use crate::ui::Ui;

/// List or show archived (closed or merged) workstreams
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  git aos archive list\n  git aos archive show auth --json")]
pub struct ArchiveArgs {
    #[command(subcommand)]
    command: ArchiveCommand,
}

#[derive(clap::Subcommand, Debug)]
enum ArchiveCommand {
    /// List archived workstreams, oldest first
    #[command(after_help = "Examples:\n  git aos archive list\n  git aos archive list --json")]
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Show one archived workstream (by name for its newest archive, or by archive id)
    #[command(
        after_help = "Examples:\n  git aos archive show spike\n  git aos archive show spike.20261130T101500 --json"
    )]
    Show {
        /// Workstream name or archive id (`<name>.<yyyymmddThhmmss>`)
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Lists or shows archives.
pub fn run(ui: &Ui, args: ArchiveArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let archives = ctx.store.list_archives()?;
    match args.command {
        ArchiveCommand::List { json } => {
            if json {
                return ui.json(&archives);
            }
            if archives.is_empty() {
                ui.status("nothing is archived");
            }
            for a in archives {
                ui.data(format_args!(
                    "{}  {:8}  {}  {}",
                    a.id, a.ws.status, a.ws.branch, a.ws.updated_at
                ));
            }
        }
        ArchiveCommand::Show { id, json } => {
            let entry = archives
                .into_iter()
                .rev()
                .find(|a| a.id == id || a.name == id)
                .ok_or_else(|| {
                    crate::error::UserError::with_hint(
                        format!("no archived workstream `{id}`"),
                        "`git aos archive list` shows what is archived",
                    )
                })?;
            if json {
                return ui.json(&entry);
            }
            let ws = &entry.ws;
            ui.data(format_args!("archive {}  ({})", entry.id, ws.status));
            ui.data(format_args!(
                "  branch    {} (head {})",
                ws.branch,
                ws.head.as_deref().unwrap_or("unknown")
            ));
            ui.data(format_args!(
                "  base      {} at {}",
                ws.base, ws.base_commit
            ));
            if let Some(m) = &ws.merge_commit {
                ui.data(format_args!("  merged as {m}"));
            }
            ui.data(format_args!(
                "  tasks     {}/{} done",
                ws.tasks_done, ws.tasks_total
            ));
            ui.data(format_args!("  state     {}", entry.commit));
            ui.data(format_args!("  reopen    git aos open {}", entry.id));
        }
    }
    Ok(())
}
