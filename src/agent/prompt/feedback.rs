//! Feedback from earlier attempts (review, failed tests, a person's rejection, answers,
//! QA) and how it reads in the next prompt; test output is cut to what matters.

use serde::{Deserialize, Serialize};

use super::markdown::{Doc, cap, code};
use crate::agent::ReviewVerdict;

/// Lines kept from the end of a failed command's output.
const TAIL_LINES: usize = 60;
/// Most lines kept from before the tail that mention an error.
const ERROR_LINES: usize = 40;
/// A longer line is cut.
const LINE_MAX: usize = 400;
/// Most bytes of trimmed output in a prompt.
const OUTPUT_MAX: usize = 16 * 1024;
/// Words that make a line worth keeping from before the tail (matched ignoring case).
const ERROR_WORDS: [&str; 4] = ["error", "panic", "failed", "assert"];

/// Something the next attempt must take into account, in the order it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Feedback {
    /// The reviewer's verdict on the previous diff (usually `request_changes`).
    Review(ReviewVerdict),
    /// A command aos ran (the project test or an acceptance command) failed.
    TestFailure {
        /// The command line.
        command: String,
        /// Its exit code; `None` when a signal or a time limit ended it.
        exit_code: Option<i32>,
        /// Its whole output; the prompt keeps the end and the lines naming errors.
        output: String,
    },
    /// A person rejected the change at the human gate (`git aos reject -f TEXT`).
    Rejection {
        /// Who rejected it.
        by: String,
        /// What they said.
        text: String,
    },
    /// A question asked earlier, and its answer.
    Clarification {
        /// The question.
        question: String,
        /// The answer.
        answer: String,
        /// Who answered.
        answered_by: String,
    },
    /// aos's own checks (QA stage) refused the change.
    Qa {
        /// Why, one sentence each.
        reasons: Vec<String>,
    },
    /// aos checked what the previous attempt produced (a plan, test-first tests) and
    /// refused it.
    Refused {
        /// What was checked and found wanting, as a heading.
        what: String,
        /// The problems, one each.
        reasons: Vec<String>,
    },
}

/// Adds one `###` block per feedback item to `doc`.
pub(super) fn render(doc: &mut Doc, items: &[Feedback]) {
    for item in items {
        match item {
            Feedback::Review(v) => {
                doc.sub(&format!("Review: {}", v.verdict.as_str()));
                doc.block(&v.summary);
                doc.bullets(v.comments.iter().map(|c| {
                    let place = match (&c.path, c.line) {
                        (Some(path), Some(line)) => format!(" {}", code(&format!("{path}:{line}"))),
                        (Some(path), None) => format!(" {}", code(path)),
                        _ => String::new(),
                    };
                    format!("[{}]{place} {}", c.severity.as_str(), c.message.trim())
                }));
            }
            Feedback::TestFailure {
                command,
                exit_code,
                output,
            } => {
                let how = match exit_code {
                    Some(code) => format!("exited with code {code}"),
                    None => "was stopped (signal or time limit)".to_owned(),
                };
                doc.sub(&format!("Failed: {}", code(command)));
                doc.block(&format!("The command {how}. Its output, trimmed:"));
                doc.fenced("text", &trim_test_output(output));
            }
            Feedback::Rejection { by, text } => {
                doc.sub(&format!("Rejected by {by}"));
                doc.block(text);
            }
            Feedback::Clarification {
                question,
                answer,
                answered_by,
            } => {
                doc.sub("Clarification");
                doc.block(&format!("Question: {}", question.trim()));
                doc.block(&format!("Answer from {answered_by}: {}", answer.trim()));
            }
            Feedback::Qa { reasons } => {
                doc.sub("Refused by the QA checks");
                doc.bullets(reasons);
            }
            Feedback::Refused { what, reasons } => {
                doc.sub(what);
                doc.bullets(reasons);
            }
        }
    }
}

/// Returns what matters of a failed command's output: every line before the last 60
/// that mentions `error`, `panic`, `FAILED` or `assert` (the first 40 of them), then the
/// last 60 lines; long lines and the whole are capped, and each gap is marked.
pub fn trim_test_output(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let tail_start = lines.len().saturating_sub(TAIL_LINES);
    let mut kept = String::new();
    let mut skipped = 0usize;
    let mut errors = 0usize;
    let flush = |kept: &mut String, skipped: &mut usize| {
        if *skipped > 0 {
            kept.push_str(&format!("[… {skipped} lines …]\n"));
            *skipped = 0;
        }
    };
    for line in &lines[..tail_start] {
        let lower = line.to_lowercase();
        if errors < ERROR_LINES && ERROR_WORDS.iter().any(|w| lower.contains(w)) {
            flush(&mut kept, &mut skipped);
            kept.push_str(&cut_line(line));
            kept.push('\n');
            errors += 1;
        } else {
            skipped += 1;
        }
    }
    flush(&mut kept, &mut skipped);
    for line in &lines[tail_start..] {
        kept.push_str(&cut_line(line));
        kept.push('\n');
    }
    // Keep the end when the whole is too long: that is where the summary is.
    if kept.len() > OUTPUT_MAX {
        let mut start = kept.len() - OUTPUT_MAX;
        while !kept.is_char_boundary(start) {
            start += 1;
        }
        let start = kept[start..].find('\n').map_or(start, |i| start + i + 1);
        kept = format!("[… output cut …]\n{}", &kept[start..]);
    }
    kept
}

fn cut_line(line: &str) -> String {
    let line = line.trim_end();
    if line.len() <= LINE_MAX {
        return line.to_owned();
    }
    cap(line, LINE_MAX).trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_output_is_kept_whole() {
        assert_eq!(trim_test_output("a\nb\n"), "a\nb\n");
    }

    #[test]
    fn long_output_keeps_earlier_errors_and_the_tail() {
        let mut text = String::new();
        for i in 0..200 {
            match i {
                10 => text.push_str("error[E0425]: cannot find value `x`\n"),
                50 => text.push_str("thread 'main' PANICKED at src/a.rs:3\n"),
                _ => text.push_str(&format!("line {i}\n")),
            }
        }
        let trimmed = trim_test_output(&text);
        let lines: Vec<&str> = trimmed.lines().collect();
        assert_eq!(lines[0], "[… 10 lines …]");
        assert_eq!(lines[1], "error[E0425]: cannot find value `x`");
        assert_eq!(lines[2], "[… 39 lines …]");
        assert_eq!(lines[3], "thread 'main' PANICKED at src/a.rs:3");
        assert_eq!(lines[4], "[… 89 lines …]");
        assert_eq!(lines[5], "line 140");
        assert_eq!(lines.len(), 5 + 60);
    }

    #[test]
    fn the_whole_is_capped_from_the_front() {
        let text = format!("{}\n", "x".repeat(300)).repeat(100);
        let trimmed = trim_test_output(&text);
        assert!(trimmed.len() <= OUTPUT_MAX + 40, "{}", trimmed.len());
        assert!(trimmed.starts_with("[… output cut …]\n"));
        assert!(trimmed.ends_with(&format!("{}\n", "x".repeat(300))));
    }
}
