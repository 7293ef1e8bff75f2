//! Diagnostics of plan and brief checks: `file:line: error: message`, collected so
//! that every problem in a file is reported at once.

use std::fmt;

use serde::Serialize;

/// How bad a diagnostic is: errors make a plan invalid, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The plan cannot be used as written.
    Error,
    /// The plan works, but probably not as its author meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

/// One problem found in a plan or brief, at a 1-based line of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file as the user named it.
    pub file: String,
    /// The 1-based line the problem is on.
    pub line: usize,
    /// What is wrong, one sentence.
    pub message: String,
}

impl Diagnostic {
    /// Returns whether this diagnostic is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.severity, self.message
        )
    }
}

/// Collects diagnostics for one file.
#[derive(Debug)]
pub(crate) struct Diagnostics {
    file: String,
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Returns an empty collection for `file`.
    pub fn new(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            list: Vec::new(),
        }
    }

    /// Records an error at `line`.
    pub fn error(&mut self, line: usize, message: impl Into<String>) {
        self.push(Severity::Error, line, message.into());
    }

    /// Records a warning at `line`.
    pub fn warning(&mut self, line: usize, message: impl Into<String>) {
        self.push(Severity::Warning, line, message.into());
    }

    fn push(&mut self, severity: Severity, line: usize, message: String) {
        self.list.push(Diagnostic {
            severity,
            file: self.file.clone(),
            line,
            message,
        });
    }

    /// Returns the diagnostics sorted by line, errors before warnings on the same line.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        // Stable sort: diagnostics on one line keep the order they were found in.
        self.list.sort_by_key(|d| (d.line, d.severity));
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_a_compiler() {
        let mut d = Diagnostics::new("plan.md");
        d.warning(3, "no acceptance command");
        d.error(3, "unknown dependency `T9`");
        d.error(1, "first");
        let list = d.into_sorted();
        let shown: Vec<String> = list.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "plan.md:1: error: first",
                "plan.md:3: error: unknown dependency `T9`",
                "plan.md:3: warning: no acceptance command"
            ]
        );
    }
}
