//! The one place that writes to the terminal: data to stdout, messages to stderr (a
//! closed or full stream is ignored, never a panic),
//! `--json` rendering, colour only on a terminal and never with `NO_COLOR`, and on a
//! terminal a live block of progress lines (one per running workstream, with its
//! elapsed time and its agent's last line of output). A captured `Ui` keeps the messages
//! for a full-screen view to show instead.

mod live;

use std::fmt;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use live::Live;
pub use live::elapsed;

/// Output channel shared by every command (and every task of a parallel run).
#[derive(Debug, Clone)]
pub struct Ui {
    color: bool,
    quiet: bool,
    /// The live progress block; `None` when stderr is not a terminal.
    live: Option<Arc<Mutex<Live>>>,
    /// Messages kept instead of written, for a full-screen view (`Ui::captured`).
    sink: Option<Arc<Mutex<Vec<String>>>>,
}

impl Ui {
    /// Returns a Ui that colours stderr only when it is a terminal and `NO_COLOR` is unset.
    pub fn new(quiet: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let terminal = std::io::stderr().is_terminal();
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        Self {
            color: !no_color && terminal,
            quiet,
            live: (terminal && !dumb && !quiet).then(Live::shared),
            sink: None,
        }
    }

    /// Returns a Ui that writes nothing to the terminal: data, messages, warnings and
    /// errors are kept for `take_messages`, and progress lines are dropped (a full-screen
    /// view owns the terminal and shows the state itself).
    pub fn captured() -> Self {
        Self {
            color: false,
            quiet: false,
            live: None,
            sink: Some(Arc::new(Mutex::new(Vec::new()))),
        }
    }

    /// Returns (and forgets) the messages a captured Ui kept, oldest first.
    pub fn take_messages(&self) -> Vec<String> {
        match &self.sink {
            Some(sink) => std::mem::take(&mut *sink.lock().unwrap_or_else(|p| p.into_inner())),
            None => Vec::new(),
        }
    }

    /// Keeps a line of a captured Ui; returns false when this Ui is not captured.
    fn keep(&self, line: fmt::Arguments<'_>) -> bool {
        let Some(sink) = &self.sink else {
            return false;
        };
        let mut sink = sink.lock().unwrap_or_else(|p| p.into_inner());
        sink.push(line.to_string());
        // A view shows the latest few; a long unattended run must not grow without end.
        if sink.len() > 1000 {
            sink.drain(..500);
        }
        true
    }

    /// Shows, on a terminal, the last line of the live log at `log` on the progress line
    /// of `key` while its agent runs, and says once per log where it is and the command
    /// (`follow`) that follows it.
    pub fn follow_log(&self, key: &str, log: &std::path::Path, follow: &str) {
        let Some(live) = &self.live else {
            return;
        };
        let first = live::attach(live, key, log);
        if first {
            self.status(format_args!(
                "{key}: the agent's output goes to {} (`{follow}` follows it)",
                log.display()
            ));
        }
    }

    /// Shows `text` as the progress of `key`: on a terminal one live line per key,
    /// redrawn in place; otherwise a plain `key: text` line.
    pub fn progress(&self, key: &str, text: impl fmt::Display) {
        if self.sink.is_some() {
            return;
        }
        let Some(live) = &self.live else {
            self.status(format_args!("{key}: {text}"));
            return;
        };
        live::set(live, key, text.to_string());
    }

    /// Ends the live line of `key`, leaving `text` printed above the block.
    pub fn progress_done(&self, key: &str, text: impl fmt::Display) {
        if let Some(live) = &self.live {
            live.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
        }
        self.status(format_args!("{key}: {text}"));
    }

    /// Writes one line to stderr, keeping the live block below it.
    fn err_line(&self, line: fmt::Arguments<'_>) {
        if self.keep(line) {
            return;
        }
        match &self.live {
            Some(live) => {
                let mut live = live.lock().unwrap_or_else(|p| p.into_inner());
                let mut err = std::io::stderr().lock();
                live.clear(&mut err);
                let _ = writeln!(err, "{line}");
                live.draw(&mut err);
            }
            None => {
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
        }
    }

    /// Returns whether stderr is a terminal that takes colour.
    pub fn is_color(&self) -> bool {
        self.color
    }

    /// Writes one line of data to stdout.
    pub fn data(&self, line: impl fmt::Display) {
        if self.keep(format_args!("{line}")) {
            return;
        }
        let mut out = std::io::stdout().lock();
        // A closed pipe (`git aos list | head`) is not an error worth a panic.
        let _ = writeln!(out, "{line}");
    }

    /// Writes a value as pretty JSON to stdout.
    pub fn json<T: Serialize>(&self, value: &T) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        self.data(text);
        Ok(())
    }

    /// Writes a status message to stderr (suppressed by `--quiet`).
    pub fn status(&self, msg: impl fmt::Display) {
        if !self.quiet {
            self.err_line(format_args!("{msg}"));
        }
    }

    /// Writes a question to stderr, without a newline, for an answer on stdin.
    pub fn prompt(&self, question: impl fmt::Display) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{question}");
        let _ = err.flush();
    }

    /// Writes a warning to stderr.
    pub fn warn(&self, msg: impl fmt::Display) {
        self.err_line(format_args!("{} {msg}", self.paint("warning:", "33")));
    }

    /// Writes a diagnostic (`file:line: error: message`) to stderr, even with `--quiet`.
    pub fn diagnostic(&self, line: impl fmt::Display) {
        self.err_line(format_args!("{line}"));
    }

    /// Writes a hint to stderr.
    pub fn hint(&self, msg: impl fmt::Display) {
        self.err_line(format_args!("{} {msg}", self.paint("hint:", "36")));
    }

    /// Prints an error chain as `error:` / `Caused by:` / `hint:`.
    pub fn error(&self, err: &anyhow::Error) {
        if self.keep(format_args!("error: {err:#}")) {
            return;
        }
        if let Some(live) = &self.live {
            // The block is stale once a command fails; leave the error on a clean screen.
            let mut live = live.lock().unwrap_or_else(|p| p.into_inner());
            live.clear(&mut std::io::stderr().lock());
            live.forget_rows();
        }
        // A closed or full stderr is no reason to panic: the exit code still tells.
        let mut out = std::io::stderr().lock();
        let _ = writeln!(out, "{} {err}", self.paint("error:", "1;31"));
        let causes: Vec<String> = err.chain().skip(1).map(|c| c.to_string()).collect();
        // gix chains repeat the parent text in the child; show each distinct cause once.
        let mut shown = vec![err.to_string()];
        let mut first = true;
        for cause in causes {
            if shown.iter().any(|s| s == &cause) {
                continue;
            }
            if first {
                let _ = writeln!(out, "\nCaused by:");
                first = false;
            }
            let _ = writeln!(out, "  {cause}");
            shown.push(cause);
        }
        if let Some(h) = crate::error::hint(err) {
            let _ = writeln!(out, "{} {h}", self.paint("hint:", "36"));
        }
    }

    /// Returns `text` in the given ANSI colour when colour is on.
    pub fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}
