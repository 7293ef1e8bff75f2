//! Ids that two machines can both make: questions (`q3`), acceptance requests (`u2`) and
//! appended tasks (`FIX-1`, `UAT-1`). When both sides made the same id for different
//! things, the later one gets the next free number before the trees merge.

use std::collections::BTreeSet;

use toml::{Table, Value};

use super::Files;
use super::plan;

/// Returns both sides with colliding ids renumbered; what changed goes into `notes`.
pub(super) fn renumber(
    base: &Files,
    older: &Files,
    newer: &Files,
    notes: &mut Vec<String>,
) -> (Files, Files) {
    let mut sides = [older.clone(), newer.clone()];
    for (dir, prefix, time) in [
        ("gates/clarify", "q", "asked_at"),
        ("gates/uat", "u", "requested_at"),
    ] {
        gates(base, &mut sides, dir, prefix, time, notes);
    }
    tasks(base, &mut sides, notes);
    let [o, n] = sides;
    (o, n)
}

/// Renumbers gate files `<dir>/<prefix><n>.toml` made on both sides for different things;
/// the one made later (by its `time` field, then the newer side) moves.
fn gates(
    base: &Files,
    sides: &mut [Files; 2],
    dir: &str,
    prefix: &str,
    time: &str,
    notes: &mut Vec<String>,
) {
    let ids = |f: &Files| -> BTreeSet<u32> {
        f.keys()
            .filter_map(|p| {
                p.strip_prefix(dir)?
                    .strip_prefix('/')?
                    .strip_suffix(".toml")?
                    .strip_prefix(prefix)?
                    .parse()
                    .ok()
            })
            .collect()
    };
    let path = |n: u32| format!("{dir}/{prefix}{n}.toml");
    let (ib, io, inn) = (ids(base), ids(&sides[0]), ids(&sides[1]));
    let mut next = io.union(&inn).max().copied().unwrap_or(0);
    for n in io
        .intersection(&inn)
        .filter(|n| !ib.contains(n))
        .copied()
        .collect::<Vec<_>>()
    {
        let p = path(n);
        let (a, b) = (parse(&sides[0][&p]), parse(&sides[1][&p]));
        let same = match (&a, &b) {
            (Some(a), Some(b)) => {
                a.get("question") == b.get("question")
                    && a.get(time) == b.get(time)
                    && a.get("head") == b.get("head")
            }
            _ => sides[0][&p] == sides[1][&p],
        };
        if same {
            continue;
        }
        let stamp = |t: &Option<Table>| {
            t.as_ref()
                .and_then(|t| t.get(time)?.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        let later = usize::from(stamp(&a) <= stamp(&b));
        next += 1;
        let bytes = sides[later].remove(&p).unwrap_or_default();
        let new_id = format!("{prefix}{next}");
        let moved = match parse(&bytes) {
            Some(mut t) => {
                t.insert("id".into(), Value::String(new_id.clone()));
                toml::to_string(&t).map(String::into_bytes).unwrap_or(bytes)
            }
            None => bytes,
        };
        sides[later].insert(path(next), moved);
        notes.push(format!(
            "{prefix}{n} was made on both sides: the later one is now {new_id}"
        ));
    }
}

/// Renumbers tasks both sides added under one id for different work; the newer side's
/// moves to the next number of its prefix, everywhere that side names it.
fn tasks(base: &Files, sides: &mut [Files; 2], notes: &mut Vec<String>) {
    let read = |f: &Files| {
        plan::split(&String::from_utf8_lossy(
            f.get(crate::store::path::PLAN)
                .map(Vec::as_slice)
                .unwrap_or_default(),
        ))
    };
    let (pb, po, pn) = (read(base), read(&sides[0]), read(&sides[1]));
    let in_base: BTreeSet<&str> = pb.tasks.iter().map(|t| t.id.as_str()).collect();
    let mut taken: BTreeSet<String> = po
        .tasks
        .iter()
        .chain(&pn.tasks)
        .map(|t| t.id.clone())
        .collect();
    for theirs in &pn.tasks {
        let Some(ours) = po.tasks.iter().find(|t| t.id == theirs.id) else {
            continue;
        };
        if in_base.contains(theirs.id.as_str()) || ours.text.trim_end() == theirs.text.trim_end() {
            continue;
        }
        let new_id = next_task_id(&theirs.id, &taken);
        taken.insert(new_id.clone());
        rename_task(&mut sides[1], &theirs.id, &new_id, &in_base);
        notes.push(format!(
            "task {} was added on both sides: the later one is now {new_id}",
            theirs.id
        ));
    }
}

/// Returns `<prefix><n+1>` for an id `<prefix><n>`, past every id already taken.
fn next_task_id(id: &str, taken: &BTreeSet<String>) -> String {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (prefix, n) = id.split_at(id.len() - digits);
    let (prefix, mut n) = match n.parse::<u64>() {
        Ok(n) => (prefix.to_owned(), n),
        Err(_) => (format!("{id}-"), 1),
    };
    loop {
        n += 1;
        let candidate = format!("{prefix}{n}");
        if !taken.contains(&candidate) {
            return candidate;
        }
    }
}

/// Renames a task in one side's files: its plan section (and references from the other
/// appended sections), and every TOML string value that is exactly its id.
fn rename_task(files: &mut Files, old: &str, new: &str, in_base: &BTreeSet<&str>) {
    let plan_path = crate::store::path::PLAN;
    if let Some(text) = files.get(plan_path) {
        let sections = plan::split(&String::from_utf8_lossy(text));
        let mut out = sections.preamble.clone();
        for s in &sections.tasks {
            let text = if in_base.contains(s.id.as_str()) {
                s.text.clone()
            } else {
                replace_word(&s.text, old, new)
            };
            let text = if s.ticked {
                text.replacen("[ ]", "[x]", 1)
            } else {
                text
            };
            out.push_str(&text);
        }
        files.insert(plan_path.to_owned(), out.into_bytes());
    }
    for (path, bytes) in files.iter_mut() {
        if !path.ends_with(".toml") {
            continue;
        }
        if let Some(mut t) = parse(bytes)
            && replace_values(&mut t, old, new)
            && let Ok(text) = toml::to_string(&t)
        {
            *bytes = text.into_bytes();
        }
    }
}

/// Replaces every string value equal to `old`; returns whether one was.
fn replace_values(t: &mut Table, old: &str, new: &str) -> bool {
    fn walk(v: &mut Value, old: &str, new: &str) -> bool {
        match v {
            Value::String(s) if s == old => {
                *s = new.to_owned();
                true
            }
            Value::Array(a) => a.iter_mut().fold(false, |acc, v| walk(v, old, new) | acc),
            Value::Table(t) => t
                .iter_mut()
                .fold(false, |acc, (_, v)| walk(v, old, new) | acc),
            _ => false,
        }
    }
    t.iter_mut()
        .fold(false, |acc, (_, v)| walk(v, old, new) | acc)
}

/// Replaces `old` where it stands as a whole id (not inside a longer id).
fn replace_word(text: &str, old: &str, new: &str) -> String {
    let is_id = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + old.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(is_id) || after.is_some_and(is_id) {
            out.push_str(old);
        } else {
            out.push_str(new);
        }
        rest = &rest[at + old.len()..];
    }
    out.push_str(rest);
    out
}

fn parse(bytes: &[u8]) -> Option<Table> {
    toml::from_str(std::str::from_utf8(bytes).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_take_the_next_free_number_of_their_prefix() {
        let taken: BTreeSet<String> = ["FIX-1", "FIX-2"].map(String::from).into();
        assert_eq!(next_task_id("FIX-1", &taken), "FIX-3");
        assert_eq!(next_task_id("T9", &BTreeSet::new()), "T10");
        assert_eq!(next_task_id("extra", &BTreeSet::new()), "extra-2");
    }

    #[test]
    fn whole_ids_only_are_replaced() {
        assert_eq!(
            replace_word("FIX-1 FIX-10 ${FIX-1.outputs.a} (FIX-1)", "FIX-1", "FIX-3"),
            "FIX-3 FIX-10 ${FIX-3.outputs.a} (FIX-3)"
        );
    }
}
