//! Command-line surface: the top-level parser and the one `match` that dispatches.

mod agent;
mod approve;
mod archive;
mod clarify;
mod close;
mod complete;
mod completions;
mod conflicts;
mod debug;
mod demo;
mod doctor;
mod fsck;
mod hook;
mod hooks;
mod init;
mod list;
mod log;
mod logs;
mod merge;
mod new;
mod open;
mod plan;
mod pr;
mod refresh;
mod reject;
mod report;
mod reset;
mod retry;
mod run;
pub(crate) mod show;
mod skip;
mod status;
mod sync;
mod trust;
mod uat;
mod use_workstream;
mod watch;
mod waves;

use clap::{Parser, Subcommand};

use crate::ui::Ui;

/// Run coding agents on parallel git workstreams, each task tested, reviewed and
/// approved before it lands as one commit; all state lives in the repository
#[derive(Parser, Debug)]
#[command(
    name = "git-aos",
    bin_name = "git aos",
    version,
    propagate_version = true,
    after_help = "Examples:
  git aos demo                                   # the whole pipeline on a scratch repository
  git aos init --agent claude                    # set up this repository
  git aos plan new --template plan.md            # an example plan to edit
  git aos new auth --plan plan.md && git aos run auth
  git aos show auth && git aos approve auth      # decide at the gate

`git aos <command> --help` shows a command's options; `man git-aos` the manual."
)]
pub struct Cli {
    /// More logging on stderr (`-v` debug, `-vv` trace); `AOS_LOG` takes a filter too
    #[arg(short, long, action = clap::ArgAction::Count, global = true, help_heading = "Global options")]
    pub verbose: u8,
    /// Print only data and errors
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Every command of git aos; each args struct's doc comment is its `--help`.
#[derive(Subcommand, Debug)]
pub enum Command {
    Init(init::InitArgs),
    Doctor(doctor::DoctorArgs),
    Agent(agent::AgentArgs),
    New(new::NewArgs),
    List(list::ListArgs),
    Status(status::StatusArgs),
    Use(use_workstream::UseArgs),
    Log(log::LogArgs),
    Logs(logs::LogsArgs),
    Archive(archive::ArchiveArgs),
    Run(run::RunArgs),
    Watch(watch::WatchArgs),
    Show(show::ShowArgs),
    Approve(approve::ApproveArgs),
    Reject(reject::RejectArgs),
    Reset(reset::ResetArgs),
    Retry(retry::RetryArgs),
    Skip(skip::SkipArgs),
    Clarify(clarify::ClarifyArgs),
    Uat(uat::UatArgs),
    Report(report::ReportArgs),
    Close(close::CloseArgs),
    Open(open::OpenArgs),
    Refresh(refresh::RefreshArgs),
    Conflicts(conflicts::ConflictsArgs),
    Merge(merge::MergeArgs),
    Sync(sync::SyncArgs),
    Trust(trust::TrustArgs),
    Pr(pr::PrArgs),
    Fsck(fsck::FsckArgs),
    Demo(demo::DemoArgs),
    #[command(hide = true)]
    DemoReviewer(demo::DemoReviewerArgs),
    Plan(plan::PlanArgs),
    Hooks(hooks::HooksArgs),
    Completions(completions::CompletionsArgs),
    #[command(hide = true, name = "__complete")]
    Complete(complete::CompleteArgs),
    #[command(hide = true)]
    Hook(hook::HookArgs),
    #[command(hide = true)]
    Debug(debug::DebugArgs),
}

impl Command {
    /// Returns whether the command drives agents or workstreams in parallel, and so
    /// wants a multi-threaded runtime.
    pub fn needs_threads(&self) -> bool {
        matches!(
            self,
            Self::Run(_)
                | Self::Watch(_)
                | Self::Demo(_)
                | Self::Agent(_)
                | Self::Plan(_)
                | Self::Doctor(_)
        )
    }
}

/// Parses a text argument that must say something (a question, an answer, feedback).
pub(crate) fn non_empty(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Err("it is empty: write the text in quotes".into());
    }
    Ok(s.to_owned())
}

/// Parses a count that must be at least 1.
pub(crate) fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("it must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number")),
    }
}

/// Runs the parsed command.
pub async fn run(cli: Cli, ui: &Ui) -> anyhow::Result<()> {
    match cli.command {
        Command::Init(args) => init::run(ui, args),
        Command::Doctor(args) => doctor::run(ui, args).await,
        Command::Agent(args) => agent::run(ui, args).await,
        Command::New(args) => new::run(ui, args),
        Command::List(args) => list::run(ui, args),
        Command::Status(args) => status::run(ui, args),
        Command::Use(args) => use_workstream::run(ui, args),
        Command::Log(args) => log::run(ui, args),
        Command::Logs(args) => logs::run(ui, args),
        Command::Archive(args) => archive::run(ui, args),
        Command::Run(args) => run::run(ui, args).await,
        Command::Watch(args) => watch::run(ui, args).await,
        Command::Show(args) => show::run(ui, args),
        Command::Approve(args) => approve::run(ui, args).await,
        Command::Reject(args) => reject::run(ui, args),
        Command::Reset(args) => reset::run(ui, args),
        Command::Retry(args) => retry::run(ui, args),
        Command::Skip(args) => skip::run(ui, args),
        Command::Clarify(args) => clarify::run(ui, args),
        Command::Uat(args) => uat::run(ui, args),
        Command::Report(args) => report::run(ui, args),
        Command::Close(args) => close::run(ui, args),
        Command::Open(args) => open::run(ui, args),
        Command::Refresh(args) => refresh::run(ui, args),
        Command::Conflicts(args) => conflicts::run(ui, args),
        Command::Merge(args) => merge::run(ui, args),
        Command::Sync(args) => sync::run(ui, args),
        Command::Trust(args) => trust::run(ui, args),
        Command::Pr(args) => pr::run(ui, args),
        Command::Fsck(args) => fsck::run(ui, args),
        Command::Demo(args) => demo::run(ui, args).await,
        Command::DemoReviewer(args) => demo::run_reviewer(ui, args),
        Command::Plan(args) => plan::run(ui, args).await,
        Command::Hooks(args) => hooks::run(ui, args),
        Command::Completions(args) => completions::run(ui, args),
        Command::Complete(args) => complete::run(ui, args),
        Command::Hook(args) => hook::run(ui, args),
        Command::Debug(args) => debug::run(ui, args),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Collects `path` of every visible command under `cmd` without an `Examples:` block
    /// after its help.
    fn without_examples(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        // clap's own `help` subcommand is not ours to document.
        let ours = |s: &&clap::Command| !s.is_hide_set() && s.get_name() != "help";
        for sub in cmd.get_subcommands().filter(ours) {
            let path = format!("{path} {}", sub.get_name());
            let examples = sub
                .get_after_help()
                .is_some_and(|h| h.to_string().starts_with("Examples:"));
            if !examples {
                missing.push(path.clone());
            }
            without_examples(sub, &path, missing);
        }
    }

    #[test]
    fn every_visible_command_shows_examples_after_its_help() {
        let mut root = super::Cli::command();
        root.build();
        let mut missing = Vec::new();
        without_examples(&root, "git aos", &mut missing);
        assert!(
            missing.is_empty(),
            "no `after_help = \"Examples:…\"`: {missing:?}"
        );
    }
}
