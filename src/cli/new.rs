//! `git aos new`: create a workstream — branch, worktree and first state commit.

use std::path::PathBuf;

use crate::ctx::Ctx;
use crate::ids::WorkstreamName;
use crate::ui::Ui;
use crate::workstream::{self, NewWorkstream};

/// Create a workstream on a new branch `aos/<name>` with its own worktree
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos new auth --plan plan.md       # branch aos/auth + worktree ../<repo>.aos/auth\n  git aos new spike --base release-2.0 --profile tdd --plan spike.md"
)]
pub struct NewArgs {
    /// Name of the workstream: `[a-z0-9][a-z0-9._-]{0,62}`; the branch becomes `aos/<name>`
    name: WorkstreamName,
    /// Commit or branch to start from (default: `[project] base`, else the current branch)
    #[arg(long)]
    base: Option<String>,
    /// Plan file (Markdown) whose tasks the workstream will run
    #[arg(long)]
    plan: Option<PathBuf>,
    /// Pipeline profile from aos.toml
    #[arg(long)]
    profile: Option<String>,
    /// Print the new workstream as JSON
    #[arg(long)]
    json: bool,
}

/// Creates the workstream.
pub fn run(ui: &Ui, args: NewArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let cfg = ctx.config()?;
    let plan = match &args.plan {
        Some(file) => Some(workstream::plan_file::load(
            ctx.repo_root()?,
            &cfg,
            &args.name,
            file,
            ui,
        )?),
        None => None,
    };
    let req = NewWorkstream {
        name: args.name,
        base: args.base,
        profile: args.profile,
        plan,
    };
    let snap = workstream::create(&ctx.store, &cfg, ctx.repo_root()?, &req)?;
    if !ctx.repo_root()?.join(crate::config::FILE_NAME).is_file() {
        ui.hint(
            "there is no aos.toml here: tasks run with the built-in `shell` agent, which only runs \
             a task's `#### Run` block; `git aos init --agent claude` (or `codex`) sets up an agent that writes code",
        );
    }
    if args.json {
        return ui.json(&snap.ws);
    }
    ui.status(format_args!(
        "created workstream `{}` on branch `{}`",
        snap.ws.name, snap.ws.branch
    ));
    ui.status(format_args!("  worktree  {}", snap.ws.worktree));
    if snap.ws.tasks_total > 0 {
        ui.status(format_args!(
            "  tasks     {} pending; run them with `git aos run {}`",
            snap.ws.tasks_total, snap.ws.name
        ));
    }
    ui.data(&snap.ws.worktree);
    Ok(())
}
