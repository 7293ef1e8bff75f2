//! `git aos hook`: what the installed shims call. Hidden: people never run it.

use std::ffi::OsString;

use crate::ui::Ui;

/// Run git aos's part of a git hook (the shims in the hooks directory call this)
#[derive(clap::Args, Debug)]
pub struct HookArgs {
    /// The hook git runs: pre-commit, prepare-commit-msg, post-commit or post-rewrite
    name: String,
    /// The arguments git passed to the hook
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<OsString>,
}

/// Runs the hook; a failed verification exits 1 without an `error:` line, since the
/// hook has printed why.
pub fn run(ui: &Ui, args: HookArgs) -> anyhow::Result<()> {
    let code = crate::hooks::run(&args.name, &args.args, ui);
    if code != 0 {
        std::process::exit(code.into());
    }
    Ok(())
}
