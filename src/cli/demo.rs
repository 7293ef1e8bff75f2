//! `git aos demo` and its scripted reviewer.

use std::path::PathBuf;

use crate::ui::Ui;

/// Run the whole pipeline on a scratch repository, offline: two workstreams in parallel, a scripted reviewer
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  git aos demo\n  git aos demo --dir /tmp/aos-demo")]
pub struct DemoArgs {
    /// Directory to create the demo in (default: a new one under the system temp dir)
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// Runs the demo.
pub async fn run(ui: &Ui, args: DemoArgs) -> anyhow::Result<()> {
    crate::demo::run(ui, args.dir).await.map(drop)
}

/// The demo's scripted reviewer (run by the demo's `command` agent)
#[derive(clap::Args, Debug)]
pub struct DemoReviewerArgs {}

/// Reviews the change in the current directory; the verdict goes to `$AOS_RESULT`.
pub fn run_reviewer(_ui: &Ui, _args: DemoReviewerArgs) -> anyhow::Result<()> {
    let result = std::env::var_os("AOS_RESULT")
        .map(PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("AOS_RESULT is not set"))?;
    let worktree = std::env::current_dir()?;
    crate::demo::reviewer::review(&worktree, &result)
}
