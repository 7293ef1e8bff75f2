//! `post-rewrite`: after `git commit --amend` or `git rebase`, carry the `refs/notes/aos`
//! notes of the old commits over to the new ones (in one notes commit), and point task
//! commit ids in `tasks.toml` at the rewritten commits.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Read;

use anyhow::Context as _;

use super::note;
use super::probe::Site;
use crate::store::{Actor, Event, Store};
use crate::ui::Ui;

/// Carries notes and task ids over; `args` is git's: `amend` or `rebase`.
///
/// git hands the `<old> <new>` pairs on stdin, which the hook's other content may want
/// too: they are copied to a file under the worktree's git dir whose path goes to
/// stdout, and the shim reopens stdin from it.
pub fn run(site: &Site, args: &[OsString], ui: &Ui) -> anyhow::Result<()> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("could not read the rewritten commits from stdin")?;
    let copy = site.git_dir.join("aos").join("post-rewrite.stdin");
    std::fs::create_dir_all(copy.parent().unwrap_or(&site.git_dir))?;
    std::fs::write(&copy, &input)?;
    ui.data(copy.display());

    let kind = args.first().and_then(|a| a.to_str()).unwrap_or("rewrite");
    let pairs = parse_pairs(&input);
    if pairs.is_empty() {
        return Ok(());
    }
    let store = Store::discover(&site.top)?;
    carry_notes(&store, &pairs)?;
    fix_task_commits(&store, site, kind, &pairs)
}

/// Returns the `(old, new)` pairs of git's input (extra fields ignored).
fn parse_pairs(input: &str) -> Vec<(String, String)> {
    input
        .lines()
        .filter_map(|l| {
            let mut fields = l.split_whitespace();
            Some((fields.next()?.to_owned(), fields.next()?.to_owned()))
        })
        .collect()
}

/// Gives each new commit the notes of the commits it replaces, unless git copied them
/// already (`notes.rewriteRef`), merging key by key with a note it has of its own.
fn carry_notes(store: &Store, pairs: &[(String, String)]) -> anyhow::Result<()> {
    let mut by_new: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (old, new) in pairs {
        by_new.entry(new).or_default().push(old);
    }
    let olds: Vec<String> = pairs.iter().map(|(o, _)| o.clone()).collect();
    let news: Vec<String> = by_new.keys().map(|n| (*n).to_owned()).collect();
    let old_notes: BTreeMap<&str, String> = olds
        .iter()
        .map(String::as_str)
        .zip(store.notes_get(&olds)?)
        .filter_map(|(c, n)| n.map(|n| (c, n)))
        .collect();
    let new_notes = store.notes_get(&news)?;
    let mut updates = Vec::new();
    for ((new, olds), current) in by_new.iter().zip(new_notes) {
        let carried: Vec<&String> = olds.iter().filter_map(|o| old_notes.get(o)).collect();
        let merged = match (carried.as_slice(), current.as_deref()) {
            ([], _) => continue,
            ([only], None) => (*only).clone(),
            ([only], Some(current)) => match note::before_copy(current, only) {
                None => continue,
                Some(own) => note::merge(own, only),
            },
            // Squashed commits: keep every line of every note once.
            (many, current) => many
                .iter()
                .fold(current.unwrap_or_default().to_owned(), |acc, n| {
                    union(&acc, n)
                }),
        };
        if current.as_deref() != Some(merged.as_str()) {
            updates.push(((*new).to_owned(), merged));
        }
    }
    if updates.is_empty() {
        return Ok(());
    }
    store.notes_set(&updates)
}

/// Returns `a` followed by the lines of `b` that `a` does not have.
fn union(a: &str, b: &str) -> String {
    let mut out = a.to_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for line in b.lines().filter(|l| !l.trim().is_empty()) {
        if !a.lines().any(|l| l == line) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Points `commit` and `manual_commit` of every task at the rewritten commit, in one
/// state commit, and only when one of them moved.
fn fix_task_commits(
    store: &Store,
    site: &Site,
    kind: &str,
    pairs: &[(String, String)],
) -> anyhow::Result<()> {
    let map: BTreeMap<&str, &str> = pairs
        .iter()
        .map(|(o, n)| (o.as_str(), n.as_str()))
        .collect();
    let moved = |id: &Option<String>| {
        id.as_deref()
            .and_then(|c| map.get(c))
            .map(|n| (*n).to_owned())
    };
    let snap = store.find(&site.workstream)?;
    let tasks = store.tasks(&snap)?;
    let count = tasks
        .tasks
        .iter()
        .filter(|t| moved(&t.commit).is_some() || moved(&t.manual_commit).is_some())
        .count();
    if count == 0 {
        return Ok(());
    }
    let event = Event::new(
        "rewrite",
        format!("{kind}: {count} task commit(s) rewritten"),
    )
    .by(Actor::Person);
    store.update(&site.workstream, &event, |tx| {
        let mut all = tx.tasks()?;
        for t in &mut all.tasks {
            if let Some(new) = moved(&t.commit) {
                t.commit = Some(new);
            }
            if let Some(new) = moved(&t.manual_commit) {
                t.manual_commit = Some(new);
            }
        }
        tx.set_tasks(&all)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn pairs_parse_and_extra_fields_are_ignored() {
        let pairs = super::parse_pairs("a b\nc d extra\n\n");
        assert_eq!(pairs, [("a".into(), "b".into()), ("c".into(), "d".into())]);
    }

    #[test]
    fn union_keeps_every_line_once() {
        assert_eq!(super::union("x: 1\n", "x: 1\ny: 2\n"), "x: 1\ny: 2\n");
        assert_eq!(super::union("", "x: 1\n"), "x: 1\n");
    }
}
