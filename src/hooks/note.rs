//! The text of a provenance note: `key: value` lines (DESIGN §2.4), merged key by key so
//! that a hook adds to a note without losing what another writer put there.

/// Returns `existing` with each `(key, value)` set: a line with that key is replaced in
/// place (further lines with the key dropped), a key not there is appended, every other
/// line is kept as it was.
pub fn set(existing: Option<&str>, pairs: &[(&str, String)]) -> String {
    let mut placed = vec![false; pairs.len()];
    let mut out = String::new();
    for line in existing.unwrap_or_default().lines() {
        match key_of(line).and_then(|k| pairs.iter().position(|(p, _)| *p == k)) {
            Some(i) if placed[i] => {}
            Some(i) => {
                placed[i] = true;
                push_pair(&mut out, pairs[i].0, &pairs[i].1);
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    for (i, (key, value)) in pairs.iter().enumerate() {
        if !placed[i] {
            push_pair(&mut out, key, value);
        }
    }
    trim_blank_end(out)
}

/// Returns `primary` with the lines of `secondary` it lacks: a `key: value` line whose
/// key `primary` does not have, any other line `primary` does not contain verbatim.
/// `primary` wins where both have a key.
pub fn merge(primary: &str, secondary: &str) -> String {
    let mut out = trim_blank_end(primary.to_owned());
    let keys: Vec<&str> = primary.lines().filter_map(key_of).collect();
    for line in secondary.lines() {
        let missing = match key_of(line) {
            Some(key) => !keys.contains(&key),
            None => !line.trim().is_empty() && !primary.lines().any(|l| l == line),
        };
        if missing {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Returns the note on a rewritten commit before git copied the old one onto it:
/// with `notes.rewriteRef` set, git concatenates the old note onto whatever the new
/// commit already had (`notes.rewriteMode=concatenate`), or copies it as is.
pub fn before_copy<'n>(new: &'n str, old: &str) -> Option<&'n str> {
    if new.trim_end() == old.trim_end() {
        return None;
    }
    match new.trim_end().strip_suffix(old.trim_end()) {
        Some(rest) if rest.ends_with('\n') => Some(rest),
        _ => Some(new),
    }
}

/// Returns the key of a `key: value` line.
fn key_of(line: &str) -> Option<&str> {
    let (key, _) = line.split_once(": ").or_else(|| line.split_once(':'))?;
    let ok = !key.is_empty() && !key.contains(char::is_whitespace);
    ok.then_some(key)
}

fn push_pair(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str(": ");
    out.push_str(&value.replace(['\n', '\r'], " "));
    out.push('\n');
}

/// Returns `text` without trailing blank lines, ending with one newline (or empty).
fn trim_blank_end(text: String) -> String {
    let trimmed = text.trim_end();
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_its_keys_and_keeps_the_rest() {
        let existing = "workstream: w\nrun: 01J\nverification: none\nverification: none\n";
        let pairs = [
            ("verification", "passed".to_owned()),
            ("by", "Ada <a@x>".to_owned()),
        ];
        assert_eq!(
            set(Some(existing), &pairs),
            "workstream: w\nrun: 01J\nverification: passed\nby: Ada <a@x>\n"
        );
        assert_eq!(set(None, &pairs[..1]), "verification: passed\n");
    }

    #[test]
    fn merge_adds_only_what_primary_lacks() {
        let new = "workstream: w\ntask: T1\nverification: passed\n";
        let old = "workstream: w\ntask: T1\nverification: none\nrun: 01J\nfree text\n";
        assert_eq!(
            merge(new, old),
            "workstream: w\ntask: T1\nverification: passed\nrun: 01J\nfree text\n"
        );
        assert_eq!(merge(new, new), new);
    }

    #[test]
    fn a_note_git_already_copied_or_concatenated_is_recognised() {
        let old = "workstream: w\nverification: none\n";
        assert_eq!(before_copy(old, old), None);
        let ours = "workstream: w\nverification: passed\n";
        let concatenated = format!("{ours}\n{old}");
        assert_eq!(
            before_copy(&concatenated, old),
            Some("workstream: w\nverification: passed\n\n")
        );
        assert_eq!(before_copy(ours, old), Some(ours));
    }
}
