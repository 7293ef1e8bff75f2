//! A size-capped copy of one output stream: the first quarter of the cap as head, the
//! rest as tail, and a marker saying how much was left out in between.

use std::collections::VecDeque;

/// Default cap per stream (DESIGN §2.2).
pub const DEFAULT_CAP_BYTES: usize = 256 * 1024;

/// Keeps the head and tail of a stream within a byte cap.
#[derive(Debug)]
pub(crate) struct Capture {
    head_cap: usize,
    tail_cap: usize,
    head: String,
    head_full: bool,
    tail: VecDeque<String>,
    tail_len: usize,
    omitted: u64,
}

impl Capture {
    /// Returns an empty capture; the tail gets the larger share because that is where
    /// results and errors are.
    pub(crate) fn new(cap_bytes: usize) -> Self {
        let head_cap = cap_bytes / 4;
        Self {
            head_cap,
            tail_cap: cap_bytes - head_cap,
            head: String::new(),
            head_full: false,
            tail: VecDeque::new(),
            tail_len: 0,
            omitted: 0,
        }
    }

    /// Adds a piece of output (a line, or a slice of a very long one).
    pub(crate) fn push(&mut self, text: &str) {
        if !self.head_full && self.head.len() + text.len() <= self.head_cap {
            self.head.push_str(text);
            return;
        }
        self.head_full = true;
        self.tail.push_back(text.to_owned());
        self.tail_len += text.len();
        while self.tail_len > self.tail_cap && self.tail.len() > 1 {
            if let Some(old) = self.tail.pop_front() {
                self.tail_len -= old.len();
                self.omitted += old.len() as u64;
            }
        }
        if self.tail_len > self.tail_cap
            && let Some(only) = self.tail.front_mut()
        {
            let mut cut = only.len() - self.tail_cap;
            while !only.is_char_boundary(cut) {
                cut += 1;
            }
            only.drain(..cut);
            self.tail_len -= cut;
            self.omitted += cut as u64;
        }
    }

    /// Returns the kept text, with a marker where output was left out.
    pub(crate) fn finish(self) -> String {
        let mut out = self.head;
        if self.omitted > 0 {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&format!("[git-aos: {} bytes omitted]\n", self.omitted));
        }
        out.extend(self.tail);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_output_is_kept_whole() {
        let mut c = Capture::new(1024);
        for line in ["a\n", "b\n", "c"] {
            c.push(line);
        }
        assert_eq!(c.finish(), "a\nb\nc");
    }

    #[test]
    fn large_output_keeps_head_and_tail_with_a_marker() {
        let mut c = Capture::new(40); // head 10, tail 30
        for i in 0..100 {
            c.push(&format!("line{i:03}\n"));
        }
        let out = c.finish();
        assert!(out.starts_with("line000\n"), "{out}");
        assert!(out.ends_with("line097\nline098\nline099\n"), "{out}");
        assert!(out.contains("bytes omitted]"), "{out}");
        assert!(out.len() <= 40 + 40, "{}", out.len());
    }

    #[test]
    fn a_single_huge_line_is_cut_on_a_char_boundary() {
        let mut c = Capture::new(16);
        c.push(&"é".repeat(100));
        let out = c.finish();
        assert!(out.ends_with("éééééé"));
        assert!(out.starts_with("[git-aos: "));
    }
}
