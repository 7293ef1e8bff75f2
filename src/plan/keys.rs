//! The `Key: value` lines right under a task heading: `Depends`, `Files`, `Agent`,
//! `Timeout`.

use std::ops::Range;

use super::Task;
use super::diagnostic::Diagnostics;
use super::source::LineIndex;
use crate::ids::TaskId;

/// The keys a task heading may carry, as the user should write them.
pub(crate) const KNOWN: [&str; 4] = ["Depends", "Files", "Agent", "Timeout"];

/// Reads the key lines at the start of the paragraph at `range` into `task`.
///
/// `right_under` says the paragraph starts on the line after the heading: there any
/// `Word: value` line is meant as a key, so an unknown one is an error. After a blank
/// line only known keys are read, so prose such as `Goal: fast` stays prose. Returns
/// the offset where prose starts, if the paragraph has any.
pub(crate) fn read(
    text: &str,
    range: Range<usize>,
    right_under: bool,
    task: &mut Task,
    lines: &LineIndex,
    diags: &mut Diagnostics,
) -> Option<usize> {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    let mut offset = range.start;
    for raw in text
        .get(range.clone())
        .unwrap_or_default()
        .split_inclusive('\n')
    {
        let start = offset;
        offset += raw.len();
        let line = lines.line(start);
        let Some((key, value)) = split_key(raw.trim()) else {
            return Some(start);
        };
        let known = KNOWN.iter().find(|k| k.eq_ignore_ascii_case(key));
        let Some(&known) = known else {
            if !right_under {
                return Some(start);
            }
            let lower = key.to_ascii_lowercase();
            let guess = KNOWN
                .iter()
                .find(|k| lower.get(..3) == k.to_ascii_lowercase().get(..3));
            let advice = match guess {
                Some(k) => format!("did you mean `{k}:`?"),
                None => format!("keys are {}", list()),
            };
            diags.error(
                line,
                format!("unknown key `{key}:` under task `{}`; {advice}", task.id),
            );
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == known) {
            diags.error(
                line,
                format!("duplicate `{known}:` line (first on line {first})"),
            );
            continue;
        }
        seen.push((known, line));
        apply(known, value, line, task, diags);
    }
    None
}

/// Returns `(key, value)` when `line` looks like `Word: value` (a key of one or two words).
pub(crate) fn split_key(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    // `https://…` and `a:b` are not keys: a key's colon is followed by a space or nothing.
    if !(value.is_empty() || value.starts_with([' ', '\t'])) {
        return None;
    }
    let wordlike = |w: &str| {
        let mut c = w.chars();
        c.next().is_some_and(|c| c.is_ascii_alphabetic())
            && c.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let (one, two) = key.split_once(' ').unwrap_or((key, "a"));
    (wordlike(one) && wordlike(two)).then(|| (key, value.trim()))
}

fn list() -> String {
    KNOWN
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn apply(key: &str, value: &str, line: usize, task: &mut Task, diags: &mut Diagnostics) {
    match key {
        "Depends" => {
            task.meta.depends_line = line;
            if value.is_empty() || value.eq_ignore_ascii_case("none") {
                return;
            }
            for item in value.split(',').map(unquote) {
                if item.is_empty() {
                    diags.error(
                        line,
                        "`Depends:` has an empty entry: separate task ids with single commas",
                    );
                    continue;
                }
                match item.parse::<TaskId>() {
                    Ok(id) if !task.depends.contains(&id) => task.depends.push(id),
                    Ok(id) => diags.error(line, format!("`Depends:` names `{id}` twice")),
                    Err(e) => diags.error(line, format!("in `Depends:`: {e}")),
                }
            }
        }
        "Files" => {
            for item in value.split(',').map(unquote) {
                match scope_entry(item) {
                    Ok(()) => task.files.push(item.to_owned()),
                    Err(why) => diags.error(line, format!("in `Files:`: {why}")),
                }
            }
        }
        "Agent" | "Timeout" => {
            let value = unquote(value);
            if value.is_empty() {
                diags.error(line, format!("`{key}:` has no value"));
            } else if key == "Agent" {
                task.agent = Some(value.to_owned());
                task.meta.agent_line = line;
            } else if !is_duration(value) {
                diags.error(
                    line,
                    format!("invalid timeout `{value}`: write a duration such as `90s`, `20m` or `1h30m`"),
                );
            } else {
                task.timeout = Some(value.to_owned());
            }
        }
        _ => {}
    }
}

/// Checks one entry of `Files:`: a path, a directory or a glob inside the repository.
fn scope_entry(entry: &str) -> Result<(), String> {
    if entry.is_empty() {
        return Err("an empty entry: separate paths with single commas".into());
    }
    if entry.starts_with('/') || entry.split('/').any(|part| part == "..") {
        return Err(format!(
            "`{entry}` leaves the repository: write a path relative to its top"
        ));
    }
    super::scope::matcher(&[entry.to_owned()])
        .map(drop)
        .map_err(|e| format!("`{entry}` is not a valid path or glob: {e}"))
}

fn unquote(s: &str) -> &str {
    s.trim().trim_matches('`').trim()
}

/// Returns whether `s` is a duration such as `90s`, `20m`, `1h30m` or `2d`.
fn is_duration(s: &str) -> bool {
    let mut digits = 0;
    let mut parts = 0;
    for c in s.chars() {
        match c {
            '0'..='9' => digits += 1,
            's' | 'm' | 'h' | 'd' if digits > 0 => {
                digits = 0;
                parts += 1;
            }
            _ => return false,
        }
    }
    digits == 0 && parts > 0
}

/// Warns about `Depends:`-style lines that sit in prose, where they do nothing.
pub(crate) fn warn_stray(
    text: &str,
    range: &Range<usize>,
    lines: &LineIndex,
    diags: &mut Diagnostics,
) {
    let mut offset = range.start;
    for raw in text
        .get(range.clone())
        .unwrap_or_default()
        .split_inclusive('\n')
    {
        let key = split_key(raw.trim()).map(|(k, _)| k);
        if let Some(known) = KNOWN
            .iter()
            .find(|k| key.is_some_and(|key| k.eq_ignore_ascii_case(key)))
        {
            diags.warning(
                lines.line(offset),
                format!("this `{known}:` line is read as prose; key lines go right under the task heading"),
            );
        }
        offset += raw.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_key_lines_and_rejects_prose_and_urls() {
        assert_eq!(split_key("Depends: T1, T2"), Some(("Depends", "T1, T2")));
        assert_eq!(split_key("Depends on:"), Some(("Depends on", "")));
        assert_eq!(split_key("https://example.com"), None);
        assert_eq!(split_key("Import it from x: y"), None);
        assert_eq!(split_key("plain prose"), None);
    }

    #[test]
    fn durations_need_units() {
        for ok in ["90s", "20m", "1h30m", "2d"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["", "20", "m", "20 m", "1.5h", "20min"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }
}
