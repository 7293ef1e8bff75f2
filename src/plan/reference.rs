//! Output references, `${ID.outputs.name}`: finding them in text and replacing them
//! with the outputs tasks recorded. Other `${…}` (shell variables) are left alone.

use std::collections::BTreeMap;
use std::ops::Range;

use super::Error;
use super::source::LineIndex;
use crate::ids::TaskId;

/// A well-formed reference to output `name` of task `task`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    pub task: TaskId,
    pub name: String,
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "${{{}.outputs.{}}}", self.task, self.name)
    }
}

/// A `${…}` that mentions `.outputs.`: a reference, or the raw text of a malformed one.
pub(crate) type Found = Result<Reference, String>;

const MARKER: &str = ".outputs.";

/// Returns every `${…}` in `text` that mentions `.outputs.`, with its byte range.
pub(crate) fn scan(text: &str) -> Vec<(Found, Range<usize>)> {
    let mut found = Vec::new();
    let mut from = 0;
    // `find(char)` is a memchr; a `${` search would be a slower substring search.
    while let Some(open) = text[from..].find('$').map(|i| from + i) {
        if text.as_bytes().get(open + 1) != Some(&b'{') {
            from = open + 1;
            continue;
        }
        let inner_start = open + 2;
        let Some(close) = text[inner_start..].find('}').map(|i| inner_start + i) else {
            break;
        };
        let inner = &text[inner_start..close];
        if inner.contains(MARKER) && !inner.contains("${") {
            found.push((
                parse(inner).ok_or_else(|| text[open..=close].to_owned()),
                open..close + 1,
            ));
            from = close + 1;
        } else {
            // `${HOME}` or `${a${b}}`: not ours; look again just past the `${`.
            from = inner_start;
        }
    }
    found
}

fn parse(inner: &str) -> Option<Reference> {
    let (task, name) = inner.split_once(MARKER)?;
    let task = task.parse::<TaskId>().ok()?;
    is_output_name(name).then(|| Reference {
        task,
        name: name.to_owned(),
    })
}

/// Returns whether `name` can name an output: `[A-Za-z_][A-Za-z0-9_-]*`.
pub(crate) fn is_output_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Returns `text` with every `${ID.outputs.name}` replaced by the output task `ID`
/// recorded under `name`.
///
/// A reference with no recorded value, or a malformed one, is an error naming it:
/// a prompt never silently gets an empty string. `${VAR}` without `.outputs.` is kept.
pub fn substitute(
    text: &str,
    outputs: &BTreeMap<TaskId, BTreeMap<String, String>>,
) -> Result<String, Error> {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (found, range) in scan(text) {
        let reference = found.map_err(|reference| Error::MalformedReference { reference })?;
        let value = outputs
            .get(&reference.task)
            .and_then(|o| o.get(&reference.name))
            .ok_or_else(|| Error::UnresolvedOutput {
                task: reference.task.clone(),
                name: reference.name.clone(),
            })?;
        out.push_str(&text[last..range.start]);
        out.push_str(value);
        last = range.end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// Returns every output reference in `text[range]` with its line.
pub(crate) fn scan_lines(
    text: &str,
    range: Range<usize>,
    lines: &LineIndex,
) -> Vec<(Found, usize)> {
    let base = range.start;
    text.get(range)
        .map(scan)
        .unwrap_or_default()
        .into_iter()
        .map(|(found, r)| (found, lines.line(base + r.start)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> TaskId {
        s.parse().unwrap()
    }

    fn outputs() -> BTreeMap<TaskId, BTreeMap<String, String>> {
        let mut t1 = BTreeMap::new();
        t1.insert("path".to_owned(), "src/limiter.rs".to_owned());
        t1.insert("empty".to_owned(), String::new());
        BTreeMap::from([(id("T1"), t1)])
    }

    #[test]
    fn replaces_references_and_keeps_shell_variables() {
        let text =
            "use ${T1.outputs.path} from ${HOME}/${T1.outputs.path}; ${x${T1.outputs.empty}}";
        assert_eq!(
            substitute(text, &outputs()).unwrap(),
            "use src/limiter.rs from ${HOME}/src/limiter.rs; ${x}"
        );
    }

    #[test]
    fn an_unresolved_reference_is_an_error_naming_it() {
        let err = substitute("a ${T1.outputs.nope} b", &outputs()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`${T1.outputs.nope}` is not resolved: task `T1` recorded no output `nope`"
        );
        let err = substitute("${T2.outputs.path}", &outputs()).unwrap_err();
        assert!(matches!(err, Error::UnresolvedOutput { .. }));
    }

    #[test]
    fn a_malformed_reference_is_an_error() {
        for text in ["${1T.outputs.x}", "${T1.outputs.}", "${T1.outputs.a b}"] {
            let err = substitute(text, &outputs()).unwrap_err();
            assert!(matches!(err, Error::MalformedReference { .. }), "{text}");
        }
    }

    #[test]
    fn scan_gives_ranges_and_survives_unclosed_braces() {
        let found = scan("x ${T1.outputs.a} ${T2.outputs.b");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, 2..17);
        assert!(scan("${").is_empty());
        assert!(
            scan("é${é.outputs.é}")
                .first()
                .is_some_and(|(f, _)| f.is_err())
        );
    }
}
