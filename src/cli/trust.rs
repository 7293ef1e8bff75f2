//! `git aos trust`: let a plan that arrived from another machine run on this one.

use crate::ctx::Ctx;
use crate::error::UserError;
use crate::ids::WorkstreamName;
use crate::trust;
use crate::ui::Ui;

/// Trust a workstream's plan on this machine, after seeing what it runs
///
/// Plans made on this machine are trusted; a plan that arrived with `sync` (or changed
/// there) runs only once trusted here. Trust is kept locally, for the plan's text with
/// its checkboxes cleared: a plan changed again elsewhere needs trusting again.
///
/// Example: `git aos trust auth --show`, then `git aos trust auth`
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos trust auth --show             # what the plan from elsewhere would run\n  git aos trust auth"
)]
pub struct TrustArgs {
    /// Workstream (default: the current one)
    name: Option<WorkstreamName>,
    /// Show the plan's commands and whether it is trusted; change nothing
    #[arg(long, conflicts_with = "revoke")]
    show: bool,
    /// Stop trusting the plan
    #[arg(long)]
    revoke: bool,
    /// Print JSON (with `--show`)
    #[arg(long, requires = "show")]
    json: bool,
}

/// Shows, grants or revokes trust.
pub fn run(ui: &Ui, args: TrustArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let name = ctx.workstream(args.name)?;
    let snap = ctx.store.find(&name)?;
    let review = trust::review(&ctx.store, &snap)?.ok_or_else(|| {
        UserError::new(format!(
            "`{name}` has no plan yet: there is nothing to trust"
        ))
    })?;
    if args.json {
        return ui.json(&review);
    }
    if args.show {
        ui.data(format_args!("plan of `{name}` ({})", &review.digest[..12]));
        for c in &review.commands {
            ui.data(format_args!("{} {}:", c.task, c.kind));
            for line in c.command.lines() {
                ui.data(format_args!("    {line}"));
            }
        }
        match &review.trusted {
            Some(why) => ui.status(format_args!("trusted here: {why}")),
            None => ui.status(format_args!(
                "not trusted here; `git aos trust {name}` lets it run"
            )),
        }
        return Ok(());
    }
    if args.revoke {
        if ctx.store.distrust_plan(&review.digest) {
            ui.status(format_args!("`{name}`'s plan is no longer trusted here"));
        } else {
            ui.status(format_args!(
                "`{name}`'s plan was not trusted by a `trust` here; nothing to revoke"
            ));
        }
        return Ok(());
    }
    trust::trust(&ctx.store, &review)?;
    for c in &review.commands {
        ui.status(format_args!(
            "  {} {}: {}",
            c.task,
            c.kind,
            c.command.lines().next().unwrap_or_default()
        ));
    }
    ui.status(format_args!(
        "trusted the plan of `{name}` ({} commands); `git aos run {name}` runs it",
        review.commands.len()
    ));
    Ok(())
}
