//! Command-line surface: the top-level parser and the one `match` that dispatches.

mod archive;
mod close;
mod debug;
mod fsck;
mod hook;
mod hooks;
mod init;
mod list;
mod log;
mod new;
mod open;
mod plan;
mod status;
mod use_workstream;

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

/// Every command of git aos; each args struct's doc comment is its `--help`.
#[derive(Subcommand, Debug)]
pub enum Command {
    Init(init::InitArgs),
    New(new::NewArgs),
    List(list::ListArgs),
    Status(status::StatusArgs),
    Use(use_workstream::UseArgs),
    Log(log::LogArgs),
    Archive(archive::ArchiveArgs),
    Close(close::CloseArgs),
    Open(open::OpenArgs),
    Fsck(fsck::FsckArgs),
    Plan(plan::PlanArgs),
    Hooks(hooks::HooksArgs),
    #[command(hide = true)]
    Hook(hook::HookArgs),
    #[command(hide = true)]
    Debug(debug::DebugArgs),
}

/// Runs the parsed command.
pub async fn run(cli: Cli, ui: &Ui) -> anyhow::Result<()> {
    match cli.command {
        Command::Init(args) => init::run(ui, args),
        Command::New(args) => new::run(ui, args),
        Command::List(args) => list::run(ui, args),
        Command::Status(args) => status::run(ui, args),
        Command::Use(args) => use_workstream::run(ui, args),
        Command::Log(args) => log::run(ui, args),
        Command::Archive(args) => archive::run(ui, args),
        Command::Close(args) => close::run(ui, args),
        Command::Open(args) => open::run(ui, args),
        Command::Fsck(args) => fsck::run(ui, args),
        Command::Plan(args) => plan::run(ui, args).await,
        Command::Hooks(args) => hooks::run(ui, args),
        Command::Hook(args) => hook::run(ui, args),
        Command::Debug(args) => debug::run(ui, args),
    }
}
