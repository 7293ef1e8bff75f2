//! The Markdown every prompt is written in: sections, lists and code fences that stay
//! well-formed whatever text the plan, a reviewer or a test run put inside them.

use std::fmt::Write as _;

/// A prompt under construction: blocks separated by one blank line.
#[derive(Debug, Default)]
pub(super) struct Doc {
    out: String,
}

impl Doc {
    /// Returns an empty document.
    pub(super) fn new() -> Self {
        Self::default()
    }

    /// Adds a level-2 heading.
    pub(super) fn section(&mut self, title: &str) {
        self.block(&format!("## {title}"));
    }

    /// Adds a level-3 heading.
    pub(super) fn sub(&mut self, title: &str) {
        self.block(&format!("### {title}"));
    }

    /// Adds a paragraph (or any Markdown block) as written, trimmed; blank text adds nothing.
    pub(super) fn block(&mut self, text: &str) {
        let text = text.trim_matches('\n').trim_end();
        if text.trim().is_empty() {
            return;
        }
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Adds Markdown written elsewhere (a brief, `AGENTS.md`, memory) with its headings
    /// moved down so the shallowest one is at `level`, keeping it inside the current section.
    pub(super) fn nested(&mut self, text: &str, level: usize) {
        self.block(&nest(text, level));
    }

    /// Adds a bulleted list; a multi-line item is indented under its bullet.
    pub(super) fn bullets<I, S>(&mut self, items: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.list(items, |_| "- ".to_owned());
    }

    /// Adds a numbered list.
    pub(super) fn numbered<I, S>(&mut self, items: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.list(items, |i| format!("{}. ", i + 1));
    }

    /// Adds a fenced code block whose fence is longer than any backtick run inside.
    pub(super) fn fenced(&mut self, info: &str, body: &str) {
        self.block(&fenced(info, body));
    }

    /// Returns the text, ending in exactly one newline.
    pub(super) fn finish(self) -> String {
        let mut out = self.out;
        let len = out.trim_end().len();
        out.truncate(len);
        out.push('\n');
        out
    }

    fn list<I, S>(&mut self, items: I, marker: impl Fn(usize) -> String)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut text = String::new();
        let items = items.into_iter().filter(|i| !i.as_ref().trim().is_empty());
        for (i, item) in items.enumerate() {
            let item = item.as_ref().trim();
            let marker = marker(i);
            let indent = " ".repeat(marker.len());
            for (n, line) in item.lines().enumerate() {
                match (n, line.trim().is_empty()) {
                    (0, _) => {
                        let _ = writeln!(text, "{marker}{line}");
                    }
                    (_, true) => text.push('\n'),
                    (_, false) => {
                        let _ = writeln!(text, "{indent}{line}");
                    }
                }
            }
        }
        self.block(&text);
    }
}

/// Returns `body` in a fenced code block with the info string `info`, fenced with more
/// backticks than the longest run inside it, so no content can close it early.
pub(super) fn fenced(info: &str, body: &str) -> String {
    let ticks = "`".repeat((longest_backtick_run(body) + 1).max(3));
    let body = body.trim_matches('\n');
    format!("{ticks}{info}\n{body}\n{ticks}")
}

/// Returns `text` with every ATX heading outside code fences moved down so the
/// shallowest one is at `level` (never up, never below level 6).
pub(super) fn nest(text: &str, level: usize) -> String {
    let levels: Vec<Option<usize>> = heading_levels(text);
    let Some(min) = levels.iter().flatten().min().copied() else {
        return text.to_owned();
    };
    let shift = level.saturating_sub(min);
    if shift == 0 {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (line, heading) in text.split_inclusive('\n').zip(&levels) {
        match heading {
            Some(n) => {
                let body = line.trim_start().trim_start_matches('#');
                out.push_str(&"#".repeat((n + shift).min(6)));
                out.push_str(body);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Returns, for each line, its heading level when it is an ATX heading outside a fence.
fn heading_levels(text: &str) -> Vec<Option<usize>> {
    let mut fence: Option<char> = None;
    text.split_inclusive('\n')
        .map(|line| {
            let indent = line.len() - line.trim_start_matches(' ').len();
            let rest = line.trim_start_matches(' ');
            if indent > 3 {
                return None;
            }
            for marker in ['`', '~'] {
                if rest.starts_with(&marker.to_string().repeat(3)) {
                    match fence {
                        None => fence = Some(marker),
                        Some(open) if open == marker => fence = None,
                        Some(_) => {}
                    }
                    return None;
                }
            }
            if fence.is_some() {
                return None;
            }
            let hashes = rest.len() - rest.trim_start_matches('#').len();
            let after = rest[hashes..].chars().next();
            ((1..=6).contains(&hashes) && after.is_none_or(char::is_whitespace)).then_some(hashes)
        })
        .collect()
}

/// Returns `text` as an inline code span, with enough backticks around it.
pub(super) fn code(text: &str) -> String {
    let run = longest_backtick_run(text);
    if run == 0 {
        return format!("`{text}`");
    }
    let ticks = "`".repeat(run + 1);
    format!("{ticks} {text} {ticks}")
}

/// Returns `text` cut to at most `max` bytes at a line boundary when it can be, with a
/// note saying how much was left out.
pub(super) fn cap(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if let Some(nl) = text[..end].rfind('\n') {
        end = nl + 1;
    }
    let left = text[end..].lines().count();
    format!(
        "{}… ({left} more lines, {} bytes, left out)\n",
        &text[..end],
        text.len() - end
    )
}

fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_the_backticks_inside() {
        assert_eq!(fenced("text", "a\n"), "```text\na\n```");
        assert_eq!(fenced("", "```rust\nx\n```"), "````\n```rust\nx\n```\n````");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("cargo test"), "`cargo test`");
    }

    #[test]
    fn lists_indent_continuation_lines_and_skip_blank_items() {
        let mut doc = Doc::new();
        doc.numbered(["one\ntwo", "", "three"]);
        assert_eq!(doc.finish(), "1. one\n   two\n2. three\n");
    }

    #[test]
    fn nested_text_moves_its_headings_down_but_not_in_fences() {
        let text = "# Title\n\n## Part\n```md\n# not a heading\n```\n#hashtag\n";
        assert_eq!(
            nest(text, 3),
            "### Title\n\n#### Part\n```md\n# not a heading\n```\n#hashtag\n"
        );
        assert_eq!(nest("#### deep\n", 3), "#### deep\n");
        assert_eq!(nest("# a\n###### b\n", 4), "#### a\n###### b\n");
    }

    #[test]
    fn caps_cut_at_a_line_and_say_how_much_is_missing() {
        let text = "aaaa\nbbbb\ncccc\n";
        assert_eq!(cap(text, 100), text);
        assert_eq!(cap(text, 7), "aaaa\n… (2 more lines, 10 bytes, left out)\n");
    }
}
