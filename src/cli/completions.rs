//! `git aos completions`: shell completion scripts, generated from the CLI definition.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::ui::Ui;

/// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout
#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in
    shell: Shell,
}

/// Writes the completion script for `git-aos`.
pub fn run(ui: &Ui, args: CompletionsArgs) -> anyhow::Result<()> {
    let mut cmd = super::Cli::command();
    // Generated into memory first: clap_complete panics on a closed pipe (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "git-aos", &mut script);
    ui.data(String::from_utf8_lossy(&script).trim_end());
    Ok(())
}
