//! The chain of custody (DESIGN §6.2): whatever an agent does, what lands is what was
//! tested and reviewed, on the branch it belongs to.
//!
//! Before a workstream runs, agents a killed run left behind are ended and a stale index
//! lock is cleared (`begin`). After every agent stage, `after_agent` brings the worktree
//! back to custody without touching its files: its `.git` link repaired, HEAD back on
//! `aos/<name>` at the run's base (in a task's own worktree: detached at the run's base),
//! the agent's own commits kept under `refs/aos/rescue/<name>/<run>`; branches it made or
//! moved are reported and left alone. The task's change is then always *base → worktree*.
//!
//! While tasks run in their own worktrees, `aos/<name>` moves legitimately: each landing
//! moves it, and records the tip it set in the state. Any other tip is undone (and kept):
//! the guard never undoes a landing, only what an agent did.

use std::collections::BTreeMap;

use crate::git::{Checkout, Head, Link};
use crate::ids::{RunId, WorkstreamName};
use crate::store::{Heads, refs};

use super::Pipeline;

/// Where an agent runs and what custody expects there once it has run.
pub(super) struct Place<'a> {
    /// The workstream.
    pub name: &'a WorkstreamName,
    /// Its branch (short name, `aos/<name>`).
    pub branch: &'a str,
    /// Its worktree, named explicitly.
    pub checkout: &'a Checkout,
    /// The run the agent works for (its rescue ref is named after it).
    pub run: &'a RunId,
    /// The branch tip the run started from.
    pub base: &'a str,
    /// Whether HEAD must be detached at `base` (a task's own worktree) rather than on the
    /// branch.
    pub detached: bool,
}

/// What the custody guard found after one agent stage.
#[derive(Debug, Default)]
pub(super) struct Report {
    /// What the agent did beyond writing files, one sentence each (empty when nothing).
    pub lines: Vec<String>,
    /// Why the run cannot go on, when the worktree could not be brought back.
    pub stop: Option<String>,
}

/// Returns the local branches before an agent runs, to tell afterwards what it moved.
pub(super) fn watch(p: &Pipeline) -> anyhow::Result<Heads> {
    p.store.heads()
}

/// Brings the worktree back to custody after an agent ran; `who` names the stage and
/// agent in what is reported ("implement (attempt 2, codex)").
pub(super) fn after_agent(
    p: &Pipeline,
    place: &Place<'_>,
    before: &Heads,
    who: &str,
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let mut say = |line: String| report.lines.push(format!("{who}: {line}"));
    match place.checkout.link() {
        Link::Intact => {}
        Link::Broken(why) => {
            place.checkout.repair_link()?;
            say(format!(
                "broke the worktree's git link ({why}); it was repaired"
            ));
        }
        Link::Directory => {
            report.stop = Some(format!(
                "{who}: made `{}/.git` a directory of its own; move it away, then run again",
                place.checkout.top().display()
            ));
            return Ok(report);
        }
    }
    let expected = refs::branch(place.branch);
    let mut tips: Vec<String> = Vec::new();
    if place.detached {
        let moved = detached_head(p, place, &mut tips, &mut say)?;
        if let Some(stop) = guard_branch(p, place, before, &mut tips, &mut say)? {
            report.stop = Some(format!("{who}: {stop}"));
            return Ok(report);
        }
        if moved {
            place.checkout.reset_index(place.base)?;
        }
        return finish(p, place, before, &expected, tips, report, who);
    }
    let mut moved_refs = false;
    match place.checkout.head()? {
        Head::Branch(b) if b == expected => {}
        Head::Branch(other) => {
            let short = other.strip_prefix(refs::HEADS_PREFIX).unwrap_or(&other);
            say(format!("switched the worktree to branch `{short}`"));
            if let Some(tip) = p.store.branch_tip(short)?
                && tip != place.base
            {
                tips.push(tip);
            }
            place.checkout.attach_head(&expected)?;
            moved_refs = true;
        }
        Head::Detached(commit) => {
            say(format!(
                "detached the worktree's HEAD at {}",
                short(&commit)
            ));
            if commit != place.base && p.store.resolve(&commit)?.is_some() {
                tips.push(commit);
            }
            place.checkout.attach_head(&expected)?;
            moved_refs = true;
        }
    }
    match p.store.branch_tip(place.branch)? {
        Some(tip) if tip == place.base => {}
        Some(tip) => {
            if p.store.is_ancestor(&tip, place.base)? {
                say(format!("moved `{}` back to {}", place.branch, short(&tip)));
            } else {
                let n = p.store.commits_between(place.base, &tip)?.len();
                say(format!(
                    "committed on `{}` itself ({n} commit{})",
                    place.branch,
                    if n == 1 { "" } else { "s" }
                ));
                tips.push(tip.clone());
            }
            if !p.store.move_branch(
                place.branch,
                place.base,
                &tip,
                "custody: back to the run's base",
            )? {
                report.stop = Some(format!(
                    "{who}: `{}` keeps moving; stop what writes to it, then run again",
                    place.branch
                ));
                return Ok(report);
            }
            moved_refs = true;
        }
        None => {
            say(format!("deleted `{}`", place.branch));
            p.store.create_branch(place.branch, place.base)?;
            moved_refs = true;
        }
    }
    if moved_refs {
        // HEAD and the branch are back at base; the index follows them, the files stay.
        place.checkout.reset_index(place.base)?;
    }
    finish(p, place, before, &expected, tips, report, who)
}

/// Reports the other branches an agent touched and keeps its own commits; prints it all.
fn finish(
    p: &Pipeline,
    place: &Place<'_>,
    before: &Heads,
    expected: &str,
    mut tips: Vec<String>,
    mut report: Report,
    who: &str,
) -> anyhow::Result<Report> {
    let mut say = |line: String| report.lines.push(format!("{who}: {line}"));
    let after = p.store.heads()?;
    let before = without_aos_moves(p, before, &after);
    for line in other_branches(&before, &after, expected) {
        say(line);
    }
    tips.dedup();
    if !tips.is_empty() {
        let why = format!("{who}: commits the agent made itself");
        let full = p.store.rescue(place.name, place.run, &tips, &why)?;
        say(format!(
            "its own commits are kept at `{full}`; none of them lands as it is, their files \
             stay in the worktree as the task's change"
        ));
    }
    for line in &report.lines {
        p.ui.warn(line);
    }
    Ok(report)
}

/// Puts HEAD of a task's own worktree back, detached at the run's base; commits the
/// agent made there go to `tips`. Returns whether HEAD had moved.
fn detached_head(
    p: &Pipeline,
    place: &Place<'_>,
    tips: &mut Vec<String>,
    say: &mut impl FnMut(String),
) -> anyhow::Result<bool> {
    match place.checkout.head()? {
        Head::Detached(commit) if commit == place.base => return Ok(false),
        Head::Detached(commit) => {
            say(format!(
                "moved the worktree's HEAD to {} (its own commits, or a checkout)",
                short(&commit)
            ));
            if p.store.resolve(&commit)?.is_some() && !p.store.is_ancestor(&commit, place.base)? {
                tips.push(commit);
            }
        }
        Head::Branch(other) => {
            let short_name = other.strip_prefix(refs::HEADS_PREFIX).unwrap_or(&other);
            say(format!("switched the worktree to branch `{short_name}`"));
            if let Some(tip) = p.store.branch_tip(short_name)?
                && !p.store.is_ancestor(&tip, place.base)?
            {
                tips.push(tip);
            }
        }
    }
    place.checkout.detach_head(place.base)?;
    Ok(true)
}

/// Undoes a move of the workstream branch that no landing made: the tip the state last
/// recorded (or the one before the agent ran) comes back, the agent's commits go to
/// `tips`. Returns why the run must stop, when the branch keeps moving.
fn guard_branch(
    p: &Pipeline,
    place: &Place<'_>,
    before: &Heads,
    tips: &mut Vec<String>,
    say: &mut impl FnMut(String),
) -> anyhow::Result<Option<String>> {
    let full = refs::branch(place.branch);
    let legit = |p: &Pipeline| -> anyhow::Result<(Option<String>, Vec<String>)> {
        let ws = p.store.find(place.name)?.ws;
        let mut ok: Vec<String> = before.get(&full).cloned().into_iter().collect();
        ok.extend(ws.tip.clone());
        ok.extend(ws.integrating.map(|i| i.to));
        Ok((ws.tip.or_else(|| before.get(&full).cloned()), ok))
    };
    let now = p.store.branch_tip(place.branch)?;
    let (_, ok) = legit(p)?;
    if now.as_ref().is_some_and(|t| ok.contains(t)) {
        return Ok(None);
    }
    // A landing may be under way: decide under the integration lock.
    let _lock = crate::lock::lock_integration(&p.store.paths().common_dir, place.name)?;
    let now = p.store.branch_tip(place.branch)?;
    let (restore, ok) = legit(p)?;
    if now.as_ref().is_some_and(|t| ok.contains(t)) {
        return Ok(None);
    }
    let Some(restore) = restore else {
        return Ok(None);
    };
    match now {
        Some(tip) => {
            say(format!(
                "moved `{}` to {} (no landing did); it was moved back to {}",
                place.branch,
                short(&tip),
                short(&restore)
            ));
            if !p.store.is_ancestor(&tip, &restore)? {
                tips.push(tip.clone());
            }
            if !p.store.move_branch(
                place.branch,
                &restore,
                &tip,
                "custody: back to the last landing",
            )? {
                return Ok(Some(format!(
                    "`{}` keeps moving; stop what writes to it, then run again",
                    place.branch
                )));
            }
        }
        None => {
            say(format!("deleted `{}`; it was made again", place.branch));
            p.store.create_branch(place.branch, &restore)?;
        }
    }
    Ok(None)
}

/// Returns `before` with the branches of other workstreams that git aos itself moved
/// meanwhile (a landing, recorded in their state as the tip it set or the landing in
/// progress, or a workstream made) counted as already where they are now, so that
/// parallel workstreams' landings are not taken for an agent's doing.
fn without_aos_moves(p: &Pipeline, before: &Heads, after: &Heads) -> Heads {
    let mut seen = before.clone();
    for (full, now) in after {
        if before.get(full) == Some(now) {
            continue;
        }
        let Some(name) = full
            .strip_prefix(refs::HEADS_PREFIX)
            .and_then(|b| b.strip_prefix("aos/"))
            .and_then(|n| n.parse::<crate::ids::WorkstreamName>().ok())
        else {
            continue;
        };
        let Ok(snap) = p.store.find(&name) else {
            continue;
        };
        let ws = &snap.ws;
        let by_aos = ws.tip.as_ref() == Some(now)
            || ws.integrating.as_ref().is_some_and(|l| &l.to == now)
            || (!before.contains_key(full) && &ws.base_commit == now);
        if by_aos {
            seen.insert(full.clone(), now.clone());
        }
    }
    seen
}

/// Returns one line per branch other than `skip` that appeared, moved or disappeared.
fn other_branches(before: &Heads, after: &Heads, skip: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let all: BTreeMap<&String, ()> = before.keys().chain(after.keys()).map(|k| (k, ())).collect();
    for name in all.keys() {
        if name.as_str() == skip {
            continue;
        }
        let short = name.strip_prefix(refs::HEADS_PREFIX).unwrap_or(name);
        match (before.get(*name), after.get(*name)) {
            (None, Some(tip)) => lines.push(format!(
                "created branch `{short}` at {} (left alone)",
                self::short(tip)
            )),
            (Some(a), Some(b)) if a != b => lines.push(format!(
                "moved branch `{short}` from {} to {} (left alone)",
                self::short(a),
                self::short(b)
            )),
            (Some(a), None) => lines.push(format!(
                "deleted branch `{short}` (was {}; `git branch {short} {a}` brings it back)",
                self::short(a)
            )),
            _ => {}
        }
    }
    lines
}

/// Returns the first ten hex digits of an id.
pub(super) fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_branches_reports_created_moved_and_deleted_ones() {
        let before: Heads = [
            ("refs/heads/main".to_owned(), "a".repeat(40)),
            ("refs/heads/gone".to_owned(), "b".repeat(40)),
            ("refs/heads/aos/w".to_owned(), "c".repeat(40)),
        ]
        .into();
        let after: Heads = [
            ("refs/heads/main".to_owned(), "d".repeat(40)),
            ("refs/heads/new".to_owned(), "e".repeat(40)),
            ("refs/heads/aos/w".to_owned(), "f".repeat(40)),
        ]
        .into();
        let lines = other_branches(&before, &after, "refs/heads/aos/w");
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("deleted branch `gone`"), "{lines:?}");
        assert!(lines[1].starts_with("moved branch `main`"), "{lines:?}");
        assert!(lines[2].starts_with("created branch `new`"), "{lines:?}");
    }
}
