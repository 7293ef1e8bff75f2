//! Command-line surface: the top-level parser and the one `match` that dispatches.

pub mod plan;

use clap::{Parser, Subcommand};

use crate::ui::Ui;

/// Run coding agents on parallel git workstreams, each task tested, reviewed and
/// approved before it lands as one commit; all state lives in the repository
#[derive(Parser, Debug)]
#[command(
    name = "git-aos",
    bin_name = "git aos",
    version,
    propagate_version = true
)]
pub struct Cli {
    /// More logging on stderr (`-v` debug, `-vv` trace); `AOS_LOG` takes a filter too
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Print only data and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Every command of git aos.
#[derive(Subcommand, Debug)]
pub enum Command {
    Plan(plan::PlanArgs),
}

/// Runs the parsed command.
pub async fn run(cli: Cli, ui: &Ui) -> anyhow::Result<()> {
    match cli.command {
        Command::Plan(args) => plan::run(ui, args).await,
    }
}
