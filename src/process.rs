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

/// Returns whether some live process has `path` open. On Linux the open files of every
/// process are read from `/proc`; elsewhere a file untouched for a minute counts as
/// abandoned.
pub fn file_in_use(path: &Path) -> bool {
    let Ok(target) = std::fs::canonicalize(path) else {
        return false;
    };
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return std::fs::metadata(path)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().unwrap_or_default() < std::time::Duration::from_secs(60));
    };
    procs.flatten().any(|p| {
        std::fs::read_dir(p.path().join("fd"))
            .into_iter()
            .flatten()
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|l| l == target))
    })
}

/// Returns whether a `git` process runs with its working directory inside `dir` (on
/// Linux; elsewhere `false`). A commit that runs hooks has closed its index lock's file
/// while it still holds the lock: this tells it from a lock a killed process left.
pub fn git_running_in(dir: &Path) -> bool {
    let Ok(dir) = std::fs::canonicalize(dir) else {
        return false;
    };
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return false;
    };
    procs.flatten().any(|p| {
        std::fs::read_to_string(p.path().join("comm")).is_ok_and(|c| c.trim() == "git")
            && std::fs::read_link(p.path().join("cwd")).is_ok_and(|cwd| cwd.starts_with(&dir))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_open_here_is_in_use_and_a_closed_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.lock");
        let file = std::fs::File::create(&path).unwrap();
        assert!(super::file_in_use(&path));
        drop(file);
        assert!(!super::file_in_use(&path));
    }

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
