//! `git aos log`: the state history of a workstream, read from its chain of state commits.

use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::ui::Ui;

/// Show the state history of a workstream, newest first
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  git aos log auth -n 20\n  git aos log auth --json")]
pub struct LogArgs {
    /// Workstream, live or archived (default: the current one)
    name: Option<WorkstreamName>,
    /// Show at most this many entries
    #[arg(short = 'n', long, default_value_t = 50)]
    limit: usize,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Prints the history.
pub fn run(ui: &Ui, args: LogArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let name = ctx.workstream(args.name)?;
    let entries = ctx.store.log(&name, args.limit)?;
    if args.json {
        return ui.json(&entries);
    }
    for e in entries {
        let trailers: Vec<String> = e
            .trailers
            .iter()
            .map(|(k, v)| format!("{}={v}", k.trim_start_matches("Aos-").to_lowercase()))
            .collect();
        let extra = if trailers.is_empty() {
            String::new()
        } else {
            format!("  [{}]", trailers.join(" "))
        };
        ui.data(format_args!(
            "{} {}  {:<14} {}{extra}  — {}",
            &e.commit[..10],
            e.time,
            e.event,
            e.summary,
            e.author
        ));
    }
    Ok(())
}
