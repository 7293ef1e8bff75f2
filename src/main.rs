//! The `git-aos` binary: parse arguments, run the command, map errors to exit codes.
#![deny(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use git_aos::cli::Cli;
use git_aos::error::{exit, exit_code, is_normal_stop};
use git_aos::ui::Ui;

fn main() -> ExitCode {
    // `git aos hook` runs on every commit of every person: no argument parser, no
    // logging setup, no async runtime on its way; it decides in a few file reads.
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|a| a == "hook") {
        let name = args.next().unwrap_or_default();
        let rest: Vec<_> = args.collect();
        return ExitCode::from(git_aos::hooks::run(
            &name.to_string_lossy(),
            &rest,
            &Ui::new(false),
        ));
    }
    // `git aos --help` is `man git-aos`: keep the pages next to the binary.
    git_aos::manual::ensure_installed();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // A well-formed command with a bad value (a workstream name that breaks the
            // naming rule, say) is an error the user acts on, not a usage error.
            let code = match e.kind() {
                _ if !e.use_stderr() => exit::OK,
                clap::error::ErrorKind::ValueValidation => exit::ERROR,
                _ => exit::USAGE,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_tracing(cli.verbose);
    let ui = Ui::new(cli.quiet);
    // Only commands that drive agents need worker threads; the others start faster on
    // the current thread.
    let mut builder = if cli.command.needs_threads() {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            ui.error(&anyhow::Error::new(e).context("could not start the async runtime"));
            return ExitCode::from(exit::ERROR);
        }
    };
    match runtime.block_on(git_aos::cli::run(cli, &ui)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(err) => {
            // Waiting for a person (exit 3) or a reached time limit is how a run ends
            // normally: said as a status line, not as an error.
            if is_normal_stop(&err) {
                ui.status(format_args!("{err:#}"));
            } else {
                ui.error(&err);
            }
            ExitCode::from(exit_code(&err))
        }
    }
}

/// Sends `tracing` output to stderr: `-v` for debug, `-vv` for trace, or `AOS_LOG=<filter>`.
fn init_tracing(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("AOS_LOG") {
        Ok(f) if !f.is_empty() => EnvFilter::new(f),
        _ => EnvFilter::new(match verbose {
            0 => "warn",
            1 => "git_aos=debug",
            _ => "git_aos=trace",
        }),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}
