//! The Markdown source as the plan and brief parsers see it: top-level blocks with
//! their byte ranges (from pulldown-cmark), raw slices of those ranges, and line numbers.

use std::cell::Cell;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// What a top-level block is, as far as plans and briefs care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Heading(HeadingLevel),
    Paragraph,
    List,
    CodeBlock,
    Other,
}

/// One top-level block: its kind, its byte range and every event inside it.
#[derive(Debug, Clone)]
pub(crate) struct Block<'a> {
    pub kind: BlockKind,
    pub range: Range<usize>,
    pub events: Vec<(Event<'a>, Range<usize>)>,
}

/// Calls `visit` with each top-level block of `text`, in order.
///
/// Blocks are handed over one at a time, in one reused buffer: a plan of thousands of
/// tasks never holds all its events at once.
pub(crate) fn for_each_block<'t>(text: &'t str, mut visit: impl FnMut(&Block<'t>)) {
    // A byte-order mark would hide the first heading; ranges still index `text` itself.
    let skip = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let body = text.get(skip..).unwrap_or_default();
    let mut block = Block {
        kind: BlockKind::Other,
        range: 0..0,
        events: Vec::new(),
    };
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(body, Options::empty()).into_offset_iter() {
        let range = range.start + skip..range.end + skip;
        match &event {
            Event::Start(tag) => {
                if depth == 0 {
                    block.kind = kind_of(tag);
                    block.range = range.clone();
                    block.events.clear();
                }
                depth += 1;
                block.events.push((event, range));
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                block.events.push((event, range));
                if depth == 0 {
                    visit(&block);
                }
            }
            // A leaf at the top level (a thematic break, say) is a block of its own.
            _ if depth == 0 => {
                let leaf = Block {
                    kind: BlockKind::Other,
                    range: range.clone(),
                    events: vec![(event, range)],
                };
                visit(&leaf);
            }
            _ => block.events.push((event, range)),
        }
    }
}

/// Returns the top-level blocks of `text`, in order.
#[cfg(test)]
pub(crate) fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut all = Vec::new();
    for_each_block(text, |b| all.push(b.clone()));
    all
}

fn kind_of(tag: &Tag<'_>) -> BlockKind {
    match tag {
        Tag::Heading { level, .. } => BlockKind::Heading(*level),
        Tag::Paragraph => BlockKind::Paragraph,
        Tag::List(_) => BlockKind::List,
        Tag::CodeBlock(_) => BlockKind::CodeBlock,
        _ => BlockKind::Other,
    }
}

/// Returns whether an event is inline content (text, code, emphasis, links…).
pub(crate) fn is_inline(event: &Event<'_>) -> bool {
    match event {
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineHtml(_)
        | Event::InlineMath(_)
        | Event::FootnoteReference(_)
        | Event::SoftBreak
        | Event::HardBreak => true,
        Event::Start(tag) => matches!(
            tag,
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
        ),
        Event::End(tag) => matches!(
            tag,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
        ),
        _ => false,
    }
}

/// Returns the byte range covering the inline content of a heading or paragraph block.
pub(crate) fn inline_extent(block: &Block<'_>) -> Option<Range<usize>> {
    block
        .events
        .iter()
        .filter(|(e, _)| is_inline(e))
        .map(|(_, r)| r.clone())
        .reduce(cover)
}

/// Returns the smallest range covering both ranges.
pub(crate) fn cover(a: Range<usize>, b: Range<usize>) -> Range<usize> {
    a.start.min(b.start)..a.end.max(b.end)
}

/// Returns the source of a heading's text (raw, so markup and brackets survive,
/// trimmed) and the byte offset where that text starts.
pub(crate) fn heading_text<'t>(text: &'t str, block: &Block<'_>) -> (usize, &'t str) {
    let Some(range) = inline_extent(block) else {
        return (block.range.start, "");
    };
    let raw = text.get(range.clone()).unwrap_or("");
    let trimmed = raw.trim_start();
    (range.start + raw.len() - trimmed.len(), trimmed.trim_end())
}

/// Returns the headings nested in a block (in a list item or a quote), each with the
/// byte offset where it starts and its trimmed source text.
pub(crate) fn nested_headings<'t>(text: &'t str, block: &Block<'_>) -> Vec<(usize, &'t str)> {
    let mut found = Vec::new();
    let mut open: Option<(usize, Option<Range<usize>>)> = None;
    for (event, range) in block.events.iter().skip(1) {
        match event {
            Event::Start(Tag::Heading { .. }) => open = Some((range.start, None)),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, Some(extent))) = open.take() {
                    found.push((start, text.get(extent).map_or("", str::trim)));
                }
            }
            e if is_inline(e) => {
                if let Some((_, extent)) = open.as_mut() {
                    *extent = Some(
                        extent
                            .take()
                            .map_or(range.clone(), |r| cover(r, range.clone())),
                    );
                }
            }
            _ => {}
        }
    }
    found
}

/// Returns `raw` with CRLF turned into LF and surrounding blank space removed.
pub(crate) fn normalize(raw: &str) -> String {
    if raw.contains('\r') {
        raw.replace("\r\n", "\n").trim().to_owned()
    } else {
        raw.trim().to_owned()
    }
}

/// Returns `raw` as one line: each line trimmed, blank lines dropped, joined by spaces.
pub(crate) fn one_line(raw: &str) -> String {
    if !raw.contains('\n') {
        return raw.trim().to_owned();
    }
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Maps byte offsets to 1-based line numbers.
#[derive(Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    hint: Cell<usize>,
}

impl LineIndex {
    /// Returns the index of `text`'s lines.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        // A final newline ends the last line; it does not start another one.
        starts.extend(
            text.match_indices('\n')
                .map(|(i, _)| i + 1)
                .filter(|&start| start < text.len()),
        );
        Self {
            starts,
            hint: Cell::new(0),
        }
    }

    /// Returns the 1-based line holding byte `offset` (the last line for offsets past the end).
    pub fn line(&self, offset: usize) -> usize {
        // Callers ask in source order, mostly: try the line of the last answer and the
        // next one before searching.
        let hint = self.hint.get();
        let within = |i: usize| {
            self.starts.get(i).is_some_and(|&s| s <= offset)
                && self.starts.get(i + 1).is_none_or(|&next| offset < next)
        };
        let index = if within(hint) {
            hint
        } else if within(hint + 1) {
            hint + 1
        } else {
            self.starts
                .partition_point(|&s| s <= offset)
                .saturating_sub(1)
        };
        self.hint.set(index);
        index + 1
    }

    /// Returns the number of lines (at least 1, even for an empty text).
    #[cfg(test)]
    pub fn count(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based_and_clamped_to_the_last_line() {
        let idx = LineIndex::new("a\r\nb\nc\n");
        assert_eq!(idx.count(), 3);
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(3), 2);
        assert_eq!(idx.line(5), 3);
        assert_eq!(idx.line(100), 3);
        assert_eq!(idx.line(1), 1, "backwards after a hint");
        assert_eq!(idx.line(4), 2);
        assert_eq!(LineIndex::new("").line(0), 1);
    }

    #[test]
    fn blocks_are_top_level_only() {
        let text = "# T\n\npara\n\n- a\n  - b\n\n---\n```\nx\n```\n";
        let kinds: Vec<_> = blocks(text).iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Heading(HeadingLevel::H1),
                BlockKind::Paragraph,
                BlockKind::List,
                BlockKind::Other,
                BlockKind::CodeBlock
            ]
        );
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_the_title() {
        let text = "\u{feff}# Plan: p\n";
        let b = blocks(text);
        assert_eq!(b[0].kind, BlockKind::Heading(HeadingLevel::H1));
        assert_eq!(heading_text(text, &b[0]), (5, "Plan: p"));
    }

    #[test]
    fn finds_headings_nested_in_lists_and_quotes() {
        let text = "- ### [ ] T4: in list\n\n> ### T5\n";
        let b = blocks(text);
        assert_eq!(nested_headings(text, &b[0]), [(2, "[ ] T4: in list")]);
        assert_eq!(nested_headings(text, &b[1]), [(25, "T5")]);
    }

    #[test]
    fn heading_text_keeps_brackets_and_code_and_drops_trailing_space() {
        let text = "### [ ] T1: Add `lim` module   \r\n";
        let b = blocks(text);
        assert_eq!(heading_text(text, &b[0]), (4, "[ ] T1: Add `lim` module"));
    }
}
