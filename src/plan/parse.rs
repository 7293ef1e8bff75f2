//! Turns plan Markdown into a `Plan`: walks the top-level blocks pulldown-cmark finds,
//! in order, deciding for each whether it is the title, context, a task heading, a key
//! paragraph, prose or part of a task section. Every item keeps its source line.

use std::ops::Range;

use pulldown_cmark::HeadingLevel;

use super::diagnostic::{Diagnostic, Diagnostics};
use super::heading::{self, HeadingKind, TaskHead};
use super::keys;
use super::reference;
use super::section::{self, NAMES, Section};
use super::source::{
    Block, BlockKind, LineIndex, for_each_block, heading_text, nested_headings, normalize,
};
use super::{Plan, Task, TaskMeta};

/// Parses `text` into a plan, as far as it can, with the problems found on the way.
///
/// Only problems of form are reported here (headings, keys, sections); `Plan::validate`
/// checks how tasks relate. `source` names the file in diagnostics and in the plan.
pub fn parse(text: &str, source: &str) -> (Plan, Vec<Diagnostic>) {
    let lines = LineIndex::new(text);
    let mut walker = Walker {
        text,
        lines: &lines,
        diags: Diagnostics::new(source),
        title: None,
        context: Vec::new(),
        phase: None,
        tasks: Vec::new(),
        current: None,
        seen_task_heading: false,
    };
    for_each_block(text, |block| match block.kind {
        BlockKind::Heading(level) => walker.heading(level, block),
        _ => walker.content(block),
    });
    walker.finish(source)
}

/// Where the blocks after a task heading go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Prose,
    Section(Section),
}

/// A task being read: the task so far and where its next block goes.
struct Draft {
    task: Task,
    start: usize,
    place: Place,
    first_block: bool,
    body: Vec<Range<usize>>,
    body_open: bool,
    run_heading: Option<usize>,
}

struct Walker<'t, 'l> {
    text: &'t str,
    lines: &'l LineIndex,
    diags: Diagnostics,
    title: Option<String>,
    /// Context blocks before the first task; `true` marks a level-2 heading.
    context: Vec<(Range<usize>, bool)>,
    phase: Option<String>,
    tasks: Vec<Task>,
    current: Option<Draft>,
    /// A task heading was seen, well-formed or not: the context has ended.
    seen_task_heading: bool,
}

impl Walker<'_, '_> {
    fn heading(&mut self, level: HeadingLevel, block: &Block<'_>) {
        let (at, text) = heading_text(self.text, block);
        let line = self.lines.line(block.range.start);
        let kind = heading::classify(text);
        if level != HeadingLevel::H3 && text.starts_with('[') && kind != HeadingKind::NotTask {
            self.close(block.range.start);
            self.seen_task_heading = true;
            self.diags.error(
                line,
                format!("task headings are level 3: write `### {text}`"),
            );
            return;
        }
        match (level, kind) {
            (HeadingLevel::H3, HeadingKind::Task(head)) => {
                self.close(block.range.start);
                self.open(head, at, line, block.range.start);
            }
            (HeadingLevel::H3, HeadingKind::Malformed(message)) => {
                self.close(block.range.start);
                self.seen_task_heading = true;
                self.diags.error(line, message);
            }
            (HeadingLevel::H3, HeadingKind::NotTask) if self.seen_task_heading => {
                self.close(block.range.start);
                self.diags.warning(
                    line,
                    format!("heading `{text}` is not a task, so the text under it belongs to no task; a task heading is `### [ ] ID: Title`"),
                );
            }
            (HeadingLevel::H1, _) if self.title.is_none() && !self.seen_task_heading => {
                let title = text
                    .strip_prefix("Plan:")
                    .or_else(|| text.strip_prefix("plan:"));
                self.title = Some(title.unwrap_or(text).trim().to_owned());
            }
            (HeadingLevel::H1 | HeadingLevel::H2, _) => {
                self.close(block.range.start);
                self.phase = Some(text.to_owned());
                if !self.seen_task_heading {
                    self.context.push((block.range.clone(), true));
                }
            }
            (HeadingLevel::H4, _) if self.current.is_some() => self.section(text, line, block),
            _ => self.content(block),
        }
    }

    fn section(&mut self, name: &str, line: usize, block: &Block<'_>) {
        let Some(draft) = self.current.as_mut() else {
            return;
        };
        draft.first_block = false;
        match Section::from_heading(name) {
            Some(section) => {
                draft.place = Place::Section(section);
                draft.body_open = false;
                if section == Section::Run {
                    draft.run_heading = Some(line);
                }
            }
            None => {
                let known = NAMES.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>();
                self.diags.warning(
                    line,
                    format!(
                        "section `{name}` is not one of {}; it is kept as prose",
                        known.join(", ")
                    ),
                );
                draft.place = Place::Prose;
                push_body(draft, block.range.clone());
            }
        }
    }

    fn content(&mut self, block: &Block<'_>) {
        // An HTML comment of its own is a note for people: it reaches no prompt.
        if block.kind == BlockKind::Other
            && self.text.get(block.range.clone()).is_some_and(|t| {
                t.trim_start().starts_with("<!--") && t.trim_end().ends_with("-->")
            })
        {
            return;
        }
        if matches!(block.kind, BlockKind::List | BlockKind::Other) {
            for (at, text) in nested_headings(self.text, block) {
                if heading::classify(text) != HeadingKind::NotTask {
                    self.diags.warning(
                        self.lines.line(at),
                        format!("`{text}` is inside a list or quote, so it is not read as a task"),
                    );
                }
            }
        }
        let Some(draft) = self.current.as_mut() else {
            if !self.seen_task_heading {
                self.context.push((block.range.clone(), false));
            }
            return;
        };
        let first = std::mem::replace(&mut draft.first_block, false);
        if first && block.kind == BlockKind::Paragraph {
            let right_under = self.lines.line(block.range.start) == draft.task.line + 1;
            let range = block.range.clone();
            let prose = keys::read(
                self.text,
                range,
                right_under,
                &mut draft.task,
                self.lines,
                &mut self.diags,
            );
            if let Some(start) = prose {
                push_body(draft, start..block.range.end);
            }
            return;
        }
        match draft.place {
            Place::Prose => {
                if block.kind == BlockKind::Paragraph {
                    keys::warn_stray(self.text, &block.range, self.lines, &mut self.diags);
                }
                push_body(draft, block.range.clone());
            }
            Place::Section(section) => {
                draft.body_open = false;
                section::absorb(
                    section,
                    block,
                    self.text,
                    self.lines,
                    &mut draft.task,
                    &mut self.diags,
                );
            }
        }
    }

    fn open(&mut self, head: TaskHead, at: usize, line: usize, start: usize) {
        if !self.seen_task_heading {
            // A level-2 heading right before the first task names its phase, not context.
            while self.context.last().is_some_and(|(_, is_h2)| *is_h2) {
                self.context.pop();
            }
        }
        self.seen_task_heading = true;
        let task = Task {
            id: head.id,
            title: head.title,
            done: head.done,
            line,
            phase: self.phase.clone(),
            depends: Vec::new(),
            files: Vec::new(),
            agent: None,
            timeout: None,
            body: String::new(),
            acceptance: Vec::new(),
            outputs: Vec::new(),
            must_not: Vec::new(),
            steps: Vec::new(),
            references: Vec::new(),
            run: None,
            meta: TaskMeta {
                depends_line: line,
                agent_line: 0,
                checkbox_at: at + 1,
                output_refs: Vec::new(),
            },
        };
        self.current = Some(Draft {
            task,
            start,
            place: Place::Prose,
            first_block: true,
            body: Vec::new(),
            body_open: false,
            run_heading: None,
        });
    }

    /// Ends the current task, if any, at byte `end`.
    fn close(&mut self, end: usize) {
        let Some(mut draft) = self.current.take() else {
            return;
        };
        let pieces: Vec<String> = draft
            .body
            .iter()
            .filter_map(|r| self.text.get(r.clone()))
            .map(normalize)
            .collect();
        draft.task.body = pieces.join("\n\n");
        draft.task.meta.output_refs =
            reference::scan_lines(self.text, draft.start..end, self.lines);
        if let (Some(line), None) = (draft.run_heading, &draft.task.run) {
            self.diags.error(
                line,
                format!(
                    "the `Run` section of task `{}` has no code block",
                    draft.task.id
                ),
            );
        }
        self.tasks.push(draft.task);
    }

    fn finish(mut self, source: &str) -> (Plan, Vec<Diagnostic>) {
        self.close(self.text.len());
        let context_range = match (self.context.first(), self.context.last()) {
            (Some((first, _)), Some((last, _))) => first.start..last.end,
            _ => 0..0,
        };
        for (found, line) in reference::scan_lines(self.text, context_range.clone(), self.lines) {
            let written = found.map_or_else(|raw| raw, |r| r.to_string());
            self.diags.error(
                line,
                format!("`{written}` is in the plan context; only a task can use the outputs of the tasks it depends on"),
            );
        }
        if self.tasks.is_empty() && !self.seen_task_heading {
            self.diags.error(
                1,
                "the plan has no tasks; a task is a level-3 heading `### [ ] T1: Title`",
            );
        }
        if self.title.is_none() {
            self.diags
                .warning(1, "the plan has no title; start it with `# Plan: title`");
        }
        let plan = Plan {
            title: self.title.unwrap_or_default(),
            context: self
                .text
                .get(context_range)
                .map(normalize)
                .unwrap_or_default(),
            tasks: self.tasks,
            source: source.to_owned(),
        };
        (plan, self.diags.into_sorted())
    }
}

/// Adds a block to the task's prose, joining it to the previous piece when adjacent.
fn push_body(draft: &mut Draft, range: Range<usize>) {
    match draft.body.last_mut() {
        Some(last) if draft.body_open => last.end = range.end,
        _ => draft.body.push(range),
    }
    draft.body_open = true;
}
