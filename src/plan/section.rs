//! The level-4 sections of a task (`Acceptance`, `Outputs`, `Must not`, `Steps`,
//! `References`, `Run`) and how their blocks become task fields.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::diagnostic::Diagnostics;
use super::reference::is_output_name;
use super::source::{Block, BlockKind, LineIndex, cover, is_inline, one_line};
use super::{Acceptance, Output, Task};

/// A known level-4 section of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Acceptance,
    Outputs,
    MustNot,
    Steps,
    References,
    Run,
}

/// The section names as the user should write them.
pub(crate) const NAMES: [&str; 6] = [
    "Acceptance",
    "Outputs",
    "Must not",
    "Steps",
    "References",
    "Run",
];

impl Section {
    /// Returns the section a heading names (case and spacing do not matter).
    pub fn from_heading(text: &str) -> Option<Self> {
        let mut words = text.trim_end_matches(':').split_whitespace();
        let (first, second) = (words.next()?, words.next());
        if words.next().is_some() {
            return None;
        }
        let is = |w: &str, name: &str| w.eq_ignore_ascii_case(name);
        Some(match second {
            None if is(first, "acceptance") => Self::Acceptance,
            None if is(first, "outputs") => Self::Outputs,
            None if is(first, "steps") => Self::Steps,
            None if is(first, "references") => Self::References,
            None if is(first, "run") => Self::Run,
            Some(not) if is(first, "must") && is(not, "not") => Self::MustNot,
            _ => return None,
        })
    }
}

/// One list item (or a bare paragraph) of a section: its line, the range of its
/// inline text and its code spans.
#[derive(Debug)]
struct Item {
    line: usize,
    extent: Option<Range<usize>>,
    codes: Vec<(String, Range<usize>)>,
}

/// Returns the items of a list or paragraph block; nested items are items of their own.
fn items(block: &Block<'_>, lines: &LineIndex) -> Vec<Item> {
    let mut done = Vec::new();
    let mut open: Vec<Item> = Vec::new();
    if block.kind == BlockKind::Paragraph {
        open.push(Item {
            line: lines.line(block.range.start),
            extent: None,
            codes: Vec::new(),
        });
    }
    let mut in_code_block = 0usize;
    for (event, range) in &block.events {
        match event {
            Event::Start(Tag::Item) => {
                open.push(Item {
                    line: lines.line(range.start),
                    extent: None,
                    codes: Vec::new(),
                });
            }
            Event::End(TagEnd::Item) => done.extend(open.pop()),
            Event::Start(Tag::CodeBlock(_)) => in_code_block += 1,
            Event::End(TagEnd::CodeBlock) => in_code_block = in_code_block.saturating_sub(1),
            e if in_code_block == 0 && is_inline(e) => {
                if let Some(item) = open.last_mut() {
                    if let Event::Code(code) = e {
                        item.codes.push((code.to_string(), range.clone()));
                    }
                    item.extent = Some(match item.extent.take() {
                        Some(r) => cover(r, range.clone()),
                        None => range.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    done.extend(open);
    // Nested items close before their parents; plan order is source order.
    done.sort_by_key(|i| i.extent.as_ref().map_or(usize::MAX, |r| r.start));
    done
}

fn item_text(text: &str, item: &Item) -> String {
    item.extent
        .clone()
        .and_then(|r| text.get(r))
        .map(one_line)
        .unwrap_or_default()
}

/// Adds one block found under `section` to `task`.
pub(crate) fn absorb(
    section: Section,
    block: &Block<'_>,
    text: &str,
    lines: &LineIndex,
    task: &mut Task,
    diags: &mut Diagnostics,
) {
    let line = lines.line(block.range.start);
    match (section, block.kind) {
        (Section::Run, BlockKind::CodeBlock) => {
            let script: String = block
                .events
                .iter()
                .filter_map(|(e, _)| if let Event::Text(t) = e { Some(t.as_ref()) } else { None })
                .collect();
            if task.run.is_some() {
                diags.error(line, format!("task `{}` has more than one `Run` code block", task.id));
            } else {
                task.run = Some(script);
            }
        }
        (Section::Acceptance, BlockKind::CodeBlock) => diags.warning(
            line,
            "a code block under `Acceptance` is not run: write each command as a list item with a code span, e.g. - `cargo test`",
        ),
        (Section::Run, _) | (_, BlockKind::Heading(_) | BlockKind::CodeBlock | BlockKind::Other) => {}
        (_, BlockKind::List | BlockKind::Paragraph) => {
            for item in items(block, lines) {
                absorb_item(section, &item, text, lines, task, diags);
            }
        }
    }
}

fn absorb_item(
    section: Section,
    item: &Item,
    text: &str,
    lines: &LineIndex,
    task: &mut Task,
    diags: &mut Diagnostics,
) {
    let written = item_text(text, item);
    let line = item.line;
    match section {
        Section::Acceptance if !item.codes.is_empty() => {
            for (cmd, range) in &item.codes {
                let line = lines.line(range.start);
                if cmd.trim().is_empty() {
                    diags.error(
                        line,
                        format!("empty acceptance command in task `{}`", task.id),
                    );
                } else {
                    task.acceptance.push(Acceptance::Command {
                        cmd: cmd.trim().to_owned(),
                        line,
                    });
                }
            }
        }
        Section::Acceptance
            if !written.is_empty() && written.chars().all(|c| c == '`' || c == ' ') =>
        {
            diags.error(
                line,
                format!("empty acceptance command in task `{}`", task.id),
            );
        }
        Section::Acceptance if !written.is_empty() => {
            task.acceptance.push(Acceptance::Criterion {
                text: written,
                line,
            });
        }
        Section::Outputs if !written.is_empty() => absorb_output(written, line, task, diags),
        Section::MustNot if !written.is_empty() => task.must_not.push(written),
        Section::Steps if !written.is_empty() => task.steps.push(written),
        Section::References if !written.is_empty() => task.references.push(written),
        _ => {}
    }
}

fn absorb_output(written: String, line: usize, task: &mut Task, diags: &mut Diagnostics) {
    let unquote = |s: &str| s.trim().trim_matches('`').trim().to_owned();
    let parsed = written
        .split_once(':')
        .map(|(n, v)| (unquote(n), unquote(v)));
    let Some((name, value)) = parsed.filter(|(n, _)| is_output_name(n)) else {
        diags.error(
            line,
            format!("output `{written}` must be `name: value`, with a name like `limiter_path`"),
        );
        return;
    };
    if let Some(first) = task.outputs.iter().find(|o| o.name == name) {
        diags.error(
            line,
            format!("duplicate output `{name}` (first on line {})", first.line),
        );
        return;
    }
    task.outputs.push(Output { name, value, line });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_names_ignore_case_spacing_and_colons() {
        assert_eq!(Section::from_heading("Must  Not:"), Some(Section::MustNot));
        assert_eq!(
            Section::from_heading("ACCEPTANCE"),
            Some(Section::Acceptance)
        );
        assert_eq!(Section::from_heading("Acceptence"), None);
        assert_eq!(NAMES.len(), 6);
    }
}
