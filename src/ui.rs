//! The one place that writes to the terminal: data to stdout, messages to stderr,
//! `--json` rendering, colour only on a terminal and never with `NO_COLOR`.

use std::fmt;
use std::io::{IsTerminal, Write};

use serde::Serialize;

/// Output channel shared by every command.
#[derive(Debug, Clone)]
pub struct Ui {
    color: bool,
    quiet: bool,
}

impl Ui {
    /// Returns a Ui that colours stderr only when it is a terminal and `NO_COLOR` is unset.
    pub fn new(quiet: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            color: !no_color && std::io::stderr().is_terminal(),
            quiet,
        }
    }

    /// Returns whether stderr is a terminal that takes colour.
    pub fn is_color(&self) -> bool {
        self.color
    }

    /// Writes one line of data to stdout.
    pub fn data(&self, line: impl fmt::Display) {
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
            eprintln!("{msg}");
        }
    }

    /// Writes a warning to stderr.
    pub fn warn(&self, msg: impl fmt::Display) {
        eprintln!("{} {msg}", self.paint("warning:", "33"));
    }

    /// Writes a diagnostic (`file:line: error: message`) to stderr, even with `--quiet`.
    pub fn diagnostic(&self, line: impl fmt::Display) {
        eprintln!("{line}");
    }

    /// Writes a hint to stderr.
    pub fn hint(&self, msg: impl fmt::Display) {
        eprintln!("{} {msg}", self.paint("hint:", "36"));
    }

    /// Prints an error chain as `error:` / `Caused by:` / `hint:`.
    pub fn error(&self, err: &anyhow::Error) {
        eprintln!("{} {err}", self.paint("error:", "1;31"));
        let causes: Vec<String> = err.chain().skip(1).map(|c| c.to_string()).collect();
        // gix chains repeat the parent text in the child; show each distinct cause once.
        let mut shown = vec![err.to_string()];
        let mut first = true;
        for cause in causes {
            if shown.iter().any(|s| s == &cause) {
                continue;
            }
            if first {
                eprintln!("\nCaused by:");
                first = false;
            }
            eprintln!("  {cause}");
            shown.push(cause);
        }
        if let Some(h) = crate::error::hint(err) {
            eprintln!("{} {h}", self.paint("hint:", "36"));
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
