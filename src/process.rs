//! Project commands (setup, tests, acceptance checks) run in the foreground with `sh -c`.
//! Agents never come through here: they go through `agent`'s runner, which adds process
//! groups, timeouts and watchdogs.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::Context as _;

/// What a project command did.
#[derive(Debug, Clone)]
pub struct ShellOutput {
    /// Whether it exited 0.
    pub success: bool,
    /// Its exit code, when it exited (not killed by a signal).
    pub code: Option<i32>,
    /// stdout and stderr, interleaved as the command wrote them.
    pub output: String,
}

impl ShellOutput {
    /// Returns the exit code as text (`signal` when killed).
    pub fn code_text(&self) -> String {
        self.code
            .map_or_else(|| "signal".to_owned(), |c| c.to_string())
    }

    /// Returns the last `lines` lines of output.
    pub fn tail(&self, lines: usize) -> String {
        let all: Vec<&str> = self.output.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

/// Runs `cmd` with `sh -c` in `dir`, stdin closed, stdout and stderr captured together.
pub fn run_shell(cmd: &str, dir: &Path) -> anyhow::Result<ShellOutput> {
    run_shell_env(cmd, dir, &[])
}

/// Runs `cmd` like [`run_shell`], with extra environment variables.
pub fn run_shell_env(cmd: &str, dir: &Path, env: &[(&str, &str)]) -> anyhow::Result<ShellOutput> {
    run_shell_with(cmd, dir, env, &[])
}

/// Runs `cmd` like [`run_shell`], without the environment variables named in `remove`
/// (a git hook drops the ones git set to point at the repository being committed to).
pub fn run_shell_without(cmd: &str, dir: &Path, remove: &[&str]) -> anyhow::Result<ShellOutput> {
    run_shell_with(cmd, dir, &[], remove)
}

fn run_shell_with(
    cmd: &str,
    dir: &Path,
    env: &[(&str, &str)],
    remove: &[&str],
) -> anyhow::Result<ShellOutput> {
    let (reader, writer) = std::io::pipe().context("could not create a pipe")?;
    let mut command = Command::new("sh");
    for name in remove {
        command.env_remove(name);
    }
    let mut child = command
        .arg("-c")
        .arg(cmd)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(writer.try_clone()?)
        .stderr(writer)
        .spawn()
        .with_context(|| format!("could not run `{cmd}`"))?;
    // `command` holds the pipe's write ends until dropped; EOF needs them closed here.
    drop(command);
    let mut output = Vec::new();
    // The write ends live only in the child (and its children) now, so this ends at EOF.
    std::io::Read::read_to_end(&mut { reader }, &mut output)?;
    let status = child.wait()?;
    Ok(ShellOutput {
        success: status.success(),
        code: status.code(),
        output: String::from_utf8_lossy(&output).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn captures_both_streams_and_the_exit_code() {
        let dir = tempfile::tempdir().unwrap();
        let out = super::run_shell("echo out; echo err >&2; exit 3", dir.path()).unwrap();
        assert!(!out.success);
        assert_eq!(out.code, Some(3));
        assert!(out.output.contains("out") && out.output.contains("err"));
        assert_eq!(out.tail(1), "err");
    }
}
