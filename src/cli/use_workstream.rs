//! `git aos use`: set (or show, or clear) this worktree's current workstream.

use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::ui::Ui;

/// Set the current workstream of this worktree, which commands use when none is named
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos use auth                      # later commands default to `auth`\n  git aos use --clear"
)]
pub struct UseArgs {
    /// Workstream to make current (without it: print the current one)
    name: Option<WorkstreamName>,
    /// Forget the current workstream
    #[arg(long, conflicts_with = "name")]
    clear: bool,
}

/// Sets, clears or prints the current workstream.
pub fn run(ui: &Ui, args: UseArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let file = ctx.current_file();
    if args.clear {
        match std::fs::remove_file(&file) {
            Ok(()) => ui.status("cleared the current workstream"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                ui.status("no current workstream was set")
            }
            Err(e) => return Err(e.into()),
        }
        return Ok(());
    }
    match args.name {
        Some(name) => {
            ctx.store.find(&name)?;
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&file, format!("{name}\n"))?;
            ui.status(format_args!("current workstream: `{name}`"));
        }
        None => match ctx.current_workstream()? {
            Some(name) => ui.data(name),
            None => ui.status("no current workstream; set one with `git aos use <name>`"),
        },
    }
    Ok(())
}
