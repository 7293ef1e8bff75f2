//! `[project] setup`: commands run once in each new worktree.

use std::path::Path;

use crate::error::UserError;

/// Runs each setup command with `sh -c` in `worktree`; the first failure is an error
/// carrying the command and the end of its output.
pub fn run(commands: &[String], worktree: &Path) -> anyhow::Result<()> {
    for cmd in commands {
        let out = crate::process::run_shell(cmd, worktree)?;
        if !out.success {
            return Err(UserError::with_hint(
                format!(
                    "setup command `{cmd}` failed (exit {}):\n{}",
                    out.code_text(),
                    out.tail(20)
                ),
                "fix the command in `[project] setup` of aos.toml; nothing was created",
            )
            .into());
        }
    }
    Ok(())
}
