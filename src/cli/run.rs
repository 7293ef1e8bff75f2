//! `git aos run`: drive the pipeline of one or many workstreams.

use std::sync::Arc;

use crate::ctx::Ctx;
use crate::error::UserError;
use crate::ids::WorkstreamName;
use crate::pipeline::{self, Pipeline, RunMode};
use crate::store::WsStatus;
use crate::ui::Ui;

/// Drive workstreams through implement, test, review, QA, the human gate and commit
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Workstreams to run (default: the current one, or with `--loop` every live one)
    names: Vec<WorkstreamName>,
    /// Advance each workstream until its next gate or the end of one task
    #[arg(long, conflicts_with = "loop")]
    once: bool,
    /// Run every runnable workstream until each is complete, failed or waiting on a person
    #[arg(long = "loop")]
    r#loop: bool,
    /// Most workstreams running at once (default: `max_parallel` of the default profile)
    #[arg(long)]
    max_parallel: Option<usize>,
}

/// Runs the pipeline; exit 3 when it stopped at a gate, 4 when a task failed.
pub async fn run(ui: &Ui, args: RunArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let cfg = ctx.config()?;
    let names = if !args.names.is_empty() {
        args.names
    } else if let (false, Some(current)) = (args.r#loop, ctx.current_workstream()?) {
        vec![current]
    } else {
        ctx.store
            .load_live()?
            .into_iter()
            .filter(|s| {
                !matches!(
                    s.ws.status,
                    WsStatus::Complete | WsStatus::Closed | WsStatus::Merged
                )
            })
            .map(|s| s.ws.name)
            .collect()
    };
    if names.is_empty() {
        ui.status("nothing to run: no live workstream is waiting for work");
        return Ok(());
    }
    let (names, untrusted) = trusted_only(&ctx, ui, names)?;
    if names.is_empty() {
        let mut refused = untrusted.into_iter().map(|(_, e)| e).collect::<Vec<_>>();
        let last = refused
            .pop()
            .unwrap_or_else(|| anyhow::anyhow!("nothing to run"));
        refused.iter().for_each(|e| ui.error(e));
        return Err(last);
    }
    let default_parallel = cfg
        .profile(crate::config::DEFAULT_PROFILE)
        .map(|p| p.max_parallel as usize)
        .unwrap_or(3);
    let max_parallel = args.max_parallel.unwrap_or(default_parallel);
    let mode = if args.once {
        RunMode::Once
    } else {
        RunMode::Loop
    };
    let root = ctx.repo_root()?.to_owned();
    let p = Arc::new(Pipeline::new(
        ctx.store.clone(),
        cfg,
        root.clone(),
        ui.clone(),
    )?);
    let summary = pipeline::run(p, names, mode, max_parallel).await?;
    crate::git::maintenance_auto(&root);
    match summary.error() {
        Some(e) => Err(e),
        None if !untrusted.is_empty() => {
            let names: Vec<String> = untrusted.iter().map(|(n, _)| format!("`{n}`")).collect();
            Err(UserError::with_hint(
                format!("not run: the plans of {} are not trusted here", names.join(", ")),
                "`git aos trust <name> --show` shows what a plan runs; `git aos trust <name>` lets it run",
            )
            .into())
        }
        None => Ok(()),
    }
}

/// Splits the workstreams into those whose plans this clone trusts and those it
/// refuses (each refusal shown at once, with the commands the plan would run).
fn trusted_only(
    ctx: &Ctx,
    ui: &Ui,
    names: Vec<WorkstreamName>,
) -> anyhow::Result<(Vec<WorkstreamName>, Vec<(WorkstreamName, anyhow::Error)>)> {
    let mut ok = Vec::new();
    let mut refused = Vec::new();
    for name in names {
        let snap = ctx.store.find(&name)?;
        match crate::trust::require(&ctx.store, &snap) {
            Ok(()) => ok.push(name),
            Err(e) => refused.push((name, e)),
        }
    }
    if !ok.is_empty() {
        for (_, e) in &refused {
            ui.error(e);
        }
    }
    Ok((ok, refused))
}
