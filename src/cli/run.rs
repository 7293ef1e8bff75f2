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
#[command(
    after_help = "Examples:\n  git aos run auth                      # until a gate, a failure or the end\n  git aos run --loop --max-parallel 4   # every live workstream"
)]
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
    #[arg(long, value_parser = super::at_least_one)]
    max_parallel: Option<usize>,
    /// Drive only the workstreams this runner claims on REMOTE, shared with runners on
    /// other machines; state and branches are pushed after every stage
    #[arg(long, value_name = "REMOTE")]
    remote: Option<String>,
}

/// Runs the pipeline; exit 3 when it stopped at a gate, 4 when a task failed.
pub async fn run(ui: &Ui, args: RunArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let cfg = ctx.config()?;
    if let Some(remote) = &args.remote {
        let remote = crate::remote::resolve(ctx.repo_root()?, Some(remote))?;
        let named = if !args.names.is_empty() {
            Some(args.names.clone())
        } else if args.r#loop {
            None
        } else {
            ctx.current_workstream()?.map(|c| vec![c])
        };
        return run_claimed(&ctx, ui, cfg, remote, named, &args).await;
    }
    let names = if !args.names.is_empty() {
        args.names.clone()
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
    let mut made_here = Vec::new();
    for name in &names {
        if check_out_here(&ctx, &cfg, name)? {
            made_here.push(name.clone());
        }
    }
    let max_parallel = max_parallel(&cfg, &args);
    let mode = mode(&args);
    let root = ctx.repo_root()?.to_owned();
    let p = Arc::new(Pipeline::new(
        ctx.store.clone(),
        cfg,
        root.clone(),
        ui.clone(),
    )?);
    for name in &made_here {
        pipeline::restart_elsewhere(&p, &ctx.store.find(name)?)?;
    }
    let summary = pipeline::run(p, names, mode, max_parallel).await?;
    crate::git::maintenance_auto(&root);
    let untrusted: Vec<WorkstreamName> = untrusted.into_iter().map(|(n, _)| n).collect();
    finish(&summary, &untrusted)
}

/// `run --remote`: the named workstreams (or, with none, every live one) that this
/// runner can claim.
async fn run_claimed(
    ctx: &Ctx,
    ui: &Ui,
    cfg: crate::config::Config,
    remote: crate::ids::RemoteName,
    names: Option<Vec<WorkstreamName>>,
    args: &RunArgs,
) -> anyhow::Result<()> {
    let opts = pipeline::Claiming {
        remote,
        names,
        mode: mode(args),
        wait: args.r#loop,
        max_parallel: max_parallel(&cfg, args),
    };
    let root = ctx.repo_root()?.to_owned();
    let p = Pipeline::new(ctx.store.clone(), cfg, root.clone(), ui.clone())?;
    let (summary, untrusted) = pipeline::run_claimed(p, opts).await?;
    crate::git::maintenance_auto(&root);
    if summary.outcomes.is_empty() && untrusted.is_empty() {
        ui.status("nothing to run: no workstream on the remote is waiting for work");
    }
    finish(&summary, &untrusted)
}

/// Returns the run's exit: a failure, a gate or a busy workstream first, then plans
/// that were not run because they are not trusted here.
fn finish(summary: &pipeline::Summary, untrusted: &[WorkstreamName]) -> anyhow::Result<()> {
    match summary.error() {
        Some(e) => Err(e),
        None if !untrusted.is_empty() => {
            let names: Vec<String> = untrusted.iter().map(|n| format!("`{n}`")).collect();
            Err(UserError::with_hint(
                format!("not run: the plans of {} are not trusted here", names.join(", ")),
                "`git aos trust <name> --show` shows what a plan runs; `git aos trust <name>` lets it run",
            )
            .into())
        }
        None => Ok(()),
    }
}

fn max_parallel(cfg: &crate::config::Config, args: &RunArgs) -> usize {
    let default = cfg
        .profile(crate::config::DEFAULT_PROFILE)
        .map(|p| p.max_parallel as usize)
        .unwrap_or(3);
    args.max_parallel.unwrap_or(default)
}

fn mode(args: &RunArgs) -> RunMode {
    if args.once {
        RunMode::Once
    } else {
        RunMode::Loop
    }
}

/// Makes the worktree of a workstream that arrived from another clone (with `sync`) and
/// was never checked out here, its branch taken from what was fetched.
/// Returns whether it made one.
fn check_out_here(
    ctx: &Ctx,
    cfg: &crate::config::Config,
    name: &WorkstreamName,
) -> anyhow::Result<bool> {
    let snap = ctx.store.find(name)?;
    let root = ctx.repo_root()?;
    if ctx.store.created_here(name)
        || crate::workstream::worktree_path(&ctx.store, &snap.ws).is_dir()
    {
        return Ok(false);
    }
    let branch = crate::store::refs::branch(&snap.ws.branch);
    let tip = match crate::remote::resolve(root, None) {
        Ok(remote) => ctx.store.fetched_refs(&remote)?.remove(&branch),
        Err(_) => None,
    };
    let done = crate::workstream::checkout_here(&ctx.store, cfg, root, &snap.ws, tip.as_deref())?;
    if done.worktree_made {
        let path = crate::workstream::worktree_path(&ctx.store, &snap.ws);
        tracing::info!("made the worktree of `{name}` at `{}`", path.display());
    }
    Ok(done.worktree_made)
}

/// A workstream not run, and why.
type Refused = (WorkstreamName, anyhow::Error);

/// Splits the workstreams into those whose plans this clone trusts and those it
/// refuses (each refusal shown at once, with the commands the plan would run).
fn trusted_only(
    ctx: &Ctx,
    ui: &Ui,
    names: Vec<WorkstreamName>,
) -> anyhow::Result<(Vec<WorkstreamName>, Vec<Refused>)> {
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
