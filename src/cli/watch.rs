//! `git aos watch`: the live dashboard of every workstream.

use std::io::IsTerminal;

use crate::ctx::Ctx;
use crate::error::UserError;
use crate::ui::Ui;

/// Watch every workstream live and act on what needs you, one key each
///
/// Workstreams waiting for a person come first (a change to review, a question, user
/// acceptance, a failure), then running ones with their stage, agent, attempt, elapsed
/// time, cost so far and the agent's last line of output, then the rest. Keys act on the
/// selected workstream exactly as the commands do: a approve, r reject (type the
/// feedback), c answer a question, d diff, l follow the live log, R retry and s skip a
/// failed task, m merge; / filters, ? lists every key, q quits. The state is read from
/// the refs several times a second, so `git aos run --loop` can drive the pipeline in
/// another terminal; with `--run` this dashboard drives it itself.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos watch                         # while `git aos run --loop` runs elsewhere\n  git aos watch --run                   # drive every runnable workstream, and watch\n  NO_COLOR=1 git aos watch              # without colour"
)]
pub struct WatchArgs {
    /// Drive the pipeline in this process too, like `git aos run --loop`
    #[arg(long)]
    run: bool,
    /// With `--run`: most workstreams running at once (default: `max_parallel` of the
    /// default profile)
    #[arg(long, value_parser = super::at_least_one, requires = "run")]
    max_parallel: Option<usize>,
    /// Read the board N times without a screen and print the time each read took (JSON)
    #[arg(long, hide = true, value_name = "N")]
    measure_refresh: Option<usize>,
}

/// Runs the dashboard.
pub async fn run(ui: &Ui, args: WatchArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    if let Some(n) = args.measure_refresh {
        let report = crate::watch::measure_refresh(&ctx, n)?;
        return ui.json(&report);
    }
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(UserError::with_hint(
            "`git aos watch` needs a terminal",
            "for scripts, `git aos list --json` and `git aos status <name> --json` read the same state",
        )
        .into());
    }
    let cfg = ctx.config()?;
    let default = cfg
        .profile(crate::config::DEFAULT_PROFILE)
        .map(|p| p.max_parallel as usize)
        .unwrap_or(3);
    let opts = crate::watch::Options {
        drive: args.run,
        max_parallel: args.max_parallel.unwrap_or(default),
    };
    crate::watch::run(ctx, opts).await
}
