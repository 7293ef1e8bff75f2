//! The one place that starts `gh` and `glab`: no shell, stdin closed, prompts, pagers,
//! colour and update checks switched off, output captured, and a timeout after which the
//! call is killed.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::Tool;
use crate::error::UserError;

/// One call of a forge tool, as an adapter builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The tool.
    pub tool: Tool,
    /// Its arguments.
    pub args: Vec<String>,
}

impl Call {
    /// Returns a call of `tool` with `args`.
    pub fn new<I, S>(tool: Tool, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            tool,
            args: args.into_iter().map(Into::into).collect(),
        }
    }

    /// Returns the call as a person would type it (for messages); an argument of many
    /// lines or characters (a request's description) is shown by its start.
    pub fn shown(&self) -> String {
        let mut out = self.tool.program().to_owned();
        for a in &self.args {
            out.push(' ');
            let a = &abbreviated(a);
            if a.is_empty() || a.contains([' ', '"', '\'', '&', '?']) {
                out.push_str(&format!("'{}'", a.replace('\'', "'\\''")));
            } else {
                out.push_str(a);
            }
        }
        out
    }
}

/// Most characters of an argument shown whole.
const SHOWN_WHOLE: usize = 100;

/// Returns `arg`, or its first line cut to 40 characters and an ellipsis when it is
/// longer than [`SHOWN_WHOLE`] or spans lines.
fn abbreviated(arg: &str) -> String {
    if !arg.contains('\n') && arg.chars().count() <= SHOWN_WHOLE {
        return arg.to_owned();
    }
    let first = arg.lines().next().unwrap_or_default();
    format!("{}…", first.chars().take(40).collect::<String>())
}

/// What a finished call printed.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Its exit code (`None` when a signal ended it).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Answer {
    /// Returns whether it exited 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// Returns what it said about a failure: stderr, else stdout, trimmed to its end.
    pub fn complaint(&self) -> String {
        let text = if self.stderr.trim().is_empty() {
            &self.stdout
        } else {
            &self.stderr
        };
        let lines: Vec<&str> = text.trim().lines().collect();
        lines[lines.len().saturating_sub(12)..].join("\n")
    }
}

/// Runs `call` in `dir` and returns what it printed, whatever its exit code; a tool that
/// is not installed or does not answer within `timeout` is an error with a hint.
pub fn run(call: &Call, dir: &Path, timeout: Duration) -> anyhow::Result<Answer> {
    let program = call.tool.program();
    tracing::debug!(dir = %dir.display(), "{}", call.shown());
    let mut child = match Command::new(program)
        .args(&call.args)
        .current_dir(dir)
        .env("GH_PROMPT_DISABLED", "1")
        .env("GH_NO_UPDATE_NOTIFIER", "1")
        .env("GH_PAGER", "cat")
        .env("NO_PROMPT", "1")
        .env("GLAB_CHECK_UPDATE", "false")
        .env("GLAB_PAGER", "cat")
        .env("PAGER", "cat")
        .env("NO_COLOR", "1")
        .env("CLICOLOR", "0")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env(crate::git::INTERNAL_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(UserError::with_hint(
                format!("`{program}` is not installed (it is not on PATH)"),
                call.tool.install_hint(),
            )
            .into());
        }
        Err(e) => return Err(e).with_context(|| format!("could not start `{program}`")),
    };
    // Both pipes are drained on their own threads, so a chatty tool never blocks on a
    // full pipe while this thread waits for it to exit.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(2);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(UserError::with_hint(
                format!(
                    "`{}` did not finish within {} s and was stopped",
                    call.shown(),
                    timeout.as_secs()
                ),
                format!("check the network and `{program} auth status`, or raise `[pr] timeout`"),
            )
            .into());
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    Ok(Answer {
        code: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// Runs `call` like [`run`] and returns its stdout; a non-zero exit is an error that
/// shows the call and what the tool said.
pub fn run_ok(call: &Call, dir: &Path, timeout: Duration) -> anyhow::Result<String> {
    let answer = run(call, dir, timeout)?;
    if answer.success() {
        return Ok(answer.stdout);
    }
    Err(failed(call, &answer))
}

/// Returns the error for a call that exited non-zero.
pub fn failed(call: &Call, answer: &Answer) -> anyhow::Error {
    let code = answer
        .code
        .map_or_else(|| "a signal".to_owned(), |c| format!("exit {c}"));
    anyhow::anyhow!("`{}` failed ({code}): {}", call.shown(), answer.complaint())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_show_as_typed_with_quotes_where_needed() {
        let call = Call::new(Tool::Gh, ["pr", "edit", "12", "--title", "Rate limiting"]);
        assert_eq!(call.shown(), "gh pr edit 12 --title 'Rate limiting'");
    }

    #[test]
    fn a_long_argument_shows_by_its_start() {
        let description = format!("Workstream `w`: {}\n\n## Tasks\n", "x".repeat(200));
        let call = Call::new(
            Tool::Glab,
            ["mr", "update", "7", "--description", &description],
        );
        assert_eq!(
            call.shown(),
            "glab mr update 7 --description 'Workstream `w`: xxxxxxxxxxxxxxxxxxxxxxxx…'"
        );
    }
}
