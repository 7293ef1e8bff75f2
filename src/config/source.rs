//! Where each span of the merged document came from (a line of the file or a git config
//! key), and turning toml's errors into `config::Error`s that name the key and its line.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::error::{Error, Origin, code_list};
use super::file;

/// The text of the file and the overrides applied on top of it.
pub(super) struct Source<'a> {
    file: String,
    text: &'a str,
    keys: Vec<&'a str>,
    /// Override index of each synthetic span, by offset past the end of the file.
    owners: Vec<usize>,
}

impl<'a> Source<'a> {
    /// Returns a source for `text`, named `file` in messages.
    pub fn new(file: &str, text: &'a str) -> Self {
        Self {
            file: file.to_owned(),
            text,
            keys: Vec::new(),
            owners: Vec::new(),
        }
    }

    /// Records a git config key and returns its override index.
    pub fn add_override(&mut self, key: &'a str) -> usize {
        self.keys.push(key);
        self.keys.len() - 1
    }

    /// Returns a fresh span that belongs to override `index`.
    ///
    /// Synthetic spans lie past the end of the file, one per node, so a span alone tells
    /// which override an error belongs to and which key it sits under.
    pub fn synthetic_span(&mut self, index: usize) -> Range<usize> {
        let start = self.text.len() + 1 + self.owners.len();
        self.owners.push(index);
        start..start + 1
    }

    /// Returns where a span was written.
    pub fn origin(&self, span: &Range<usize>) -> Origin {
        let past_end = span.start.checked_sub(self.text.len() + 1);
        match past_end.and_then(|i| self.owners.get(i)) {
            Some(&index) => self.override_origin(index),
            None => {
                let end = span.start.min(self.text.len());
                let line = 1 + self.text.as_bytes()[..end]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                Origin::File {
                    file: self.file.clone(),
                    line,
                }
            }
        }
    }

    /// Returns the origin naming override `index`.
    pub fn override_origin(&self, index: usize) -> Origin {
        Origin::GitConfig {
            key: self.keys.get(index).copied().unwrap_or_default().to_owned(),
        }
    }

    /// Returns an `Invalid` error at `span`.
    pub fn invalid(&self, span: &Range<usize>, message: String, hint: Option<String>) -> Error {
        Error::Invalid {
            origin: self.origin(span),
            message,
            hint,
        }
    }

    /// Converts a TOML syntax error from parsing the file.
    pub fn syntax_error(&self, err: &toml::de::Error) -> Error {
        let span = err.span().unwrap_or(0..0);
        self.invalid(&span, format!("invalid TOML: {}", err.message()), None)
    }

    /// Converts a deserialisation error, naming the key it happened under.
    pub fn type_error(&self, root: &DeTable<'_>, err: &toml::de::Error) -> Error {
        let span = err.span().unwrap_or(0..0);
        let mut path = Vec::new();
        let found = find(root, &span, &mut path);
        let (message, hint) = match found {
            Some(Node::Key) if err.message().starts_with("unknown field") => unknown_key(&path),
            Some(_) => (
                format!("`{}`: {}", dotted(&path), plain(err.message())),
                None,
            ),
            None => (plain(err.message()), None),
        };
        self.invalid(&span, message, hint)
    }
}

/// What a span matched in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Key,
    Value,
}

/// Finds the key or value written exactly at `span`, leaving its key path in `path`.
fn find(table: &DeTable<'_>, span: &Range<usize>, path: &mut Vec<String>) -> Option<Node> {
    for (key, value) in table.iter() {
        path.push(key.get_ref().to_string());
        if key.span() == *span {
            return Some(Node::Key);
        }
        if value.span() == *span {
            return Some(Node::Value);
        }
        if let Some(node) = find_in_value(value.get_ref(), span, path) {
            return Some(node);
        }
        path.pop();
    }
    None
}

/// Searches inside a value; array elements report the array's key.
fn find_in_value(value: &DeValue<'_>, span: &Range<usize>, path: &mut Vec<String>) -> Option<Node> {
    match value {
        DeValue::Table(table) => find(table, span, path),
        DeValue::Array(items) => items.iter().find_map(|item| {
            if item.span() == *span {
                return Some(Node::Value);
            }
            find_in_value(item.get_ref(), span, path)
        }),
        _ => None,
    }
}

/// Returns the message and hint for an unknown key at `path`.
fn unknown_key(path: &[String]) -> (String, Option<String>) {
    let Some((key, table)) = path.split_last() else {
        return ("unknown key".to_owned(), None);
    };
    if table.is_empty() {
        let sections: Vec<String> = file::SECTIONS.iter().map(|s| format!("[{s}]")).collect();
        return (
            format!("unknown section `[{key}]`"),
            Some(format!("sections: {}", code_list(&sections))),
        );
    }
    let table_name = dotted(table);
    let names: Vec<&str> = table.iter().map(String::as_str).collect();
    let hint =
        file::fields(&names).map(|f| format!("valid keys in `[{table_name}]`: {}", code_list(f)));
    (format!("unknown key `{key}` in `[{table_name}]`"), hint)
}

/// Returns a key path as TOML writes it: `agents.claude.timeout`, quoting where needed.
pub(super) fn dotted<S: AsRef<str>>(path: &[S]) -> String {
    let quote = |s: &str| {
        if !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            s.to_owned()
        } else {
            toml::Value::String(s.to_owned()).to_string()
        }
    };
    path.iter()
        .map(|s| quote(s.as_ref()))
        .collect::<Vec<_>>()
        .join(".")
}

/// Rewrites serde's Rust-flavoured expectations in the words of TOML.
fn plain(message: &str) -> String {
    let rust_words = [
        ("expected u32", "expected a whole number"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected a table"),
    ];
    let mut out = rust_words
        .iter()
        .fold(message.to_owned(), |m, (from, to)| m.replace(from, to));
    if let Some(at) = out.find("expected struct ") {
        out.truncate(at);
        out.push_str("expected a table");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one_and_overrides_are_named() {
        let mut source = Source::new("aos.toml", "a = 1\nb = 2\n");
        assert_eq!(source.origin(&(0..1)).to_string(), "aos.toml:1");
        assert_eq!(source.origin(&(6..7)).to_string(), "aos.toml:2");
        let index = source.add_override("aos.project.test");
        let span = source.synthetic_span(index);
        assert_eq!(
            source.origin(&span).to_string(),
            "git config `aos.project.test`"
        );
    }

    #[test]
    fn key_paths_quote_what_is_not_a_bare_key() {
        assert_eq!(
            dotted(&["agents", "claude", "timeout"]),
            "agents.claude.timeout"
        );
        assert_eq!(dotted(&["agents", "my agent"]), "agents.\"my agent\"");
    }

    #[test]
    fn serde_words_become_toml_words() {
        assert_eq!(
            plain("invalid type: string \"x\", expected u32"),
            "invalid type: string \"x\", expected a whole number"
        );
        assert_eq!(
            plain("invalid type: integer `1`, expected struct RawUat"),
            "invalid type: integer `1`, expected a table"
        );
    }
}
