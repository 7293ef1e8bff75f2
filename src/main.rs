//! The `git-aos` binary: parse arguments, run the command, map errors to exit codes.
#![deny(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use git_aos::cli::Cli;
use git_aos::error::{exit, exit_code};
use git_aos::ui::Ui;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_tracing(cli.verbose);
    let ui = Ui::new(cli.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            ui.error(&anyhow::Error::new(e).context("could not start the async runtime"));
            return ExitCode::from(exit::ERROR);
        }
    };
    match runtime.block_on(git_aos::cli::run(cli, &ui)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(err) => {
            ui.error(&err);
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
