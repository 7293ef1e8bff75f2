//! What one sync round does with each carried ref, given what is here and what was just
//! fetched: copy, fast-forward, merge, push, or leave alone — as local ref moves (each a
//! compare-and-swap) and pushes (each leased to the value fetched).

use serde::Serialize;

use crate::git::remote::Push;
use crate::ids::{RemoteName, WorkstreamName};
use crate::store::{RefMap, Store, refs};

/// What sync did (or would do) with one ref.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Both sides hold the same.
    UpToDate,
    /// Only the remote had it: copied here.
    Copied,
    /// Only here, or here ahead: pushed.
    Pushed,
    /// The remote was ahead: moved forward here.
    FastForwarded,
    /// Both changed: one merge state commit, here and pushed.
    Merged,
    /// Both changed in a way the rules refuse: nothing moved.
    Refused,
    /// Closed on this clone: the close was pushed.
    ClosedHere,
    /// Closed on another clone: archived here too.
    ClosedElsewhere,
    /// The remote is ahead but the branch is checked out here in a worktree with changes,
    /// or one a run here holds: left where it is.
    Behind,
    /// Both moved the branch: left alone, nothing pushed.
    Diverged,
}

/// What happened to one workstream, one branch or the notes.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The workstream, branch or `notes`.
    pub name: String,
    /// What was done.
    pub action: Action,
    /// Details worth telling: renumbered ids, why a merge was refused.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A ref to move here.
#[derive(Debug, Clone)]
pub(super) struct LocalMove {
    pub full: String,
    pub expected: Option<String>,
    pub new: Option<String>,
    pub why: String,
}

/// One round's decisions.
#[derive(Debug, Default)]
pub(super) struct Round {
    pub moves: Vec<LocalMove>,
    pub pushes: Vec<Push>,
    pub workstreams: Vec<Entry>,
    pub branches: Vec<Entry>,
    pub archives: Vec<Entry>,
    pub notes: Option<Entry>,
}

impl Round {
    fn push(&mut self, full: &str, new: Option<&str>, remote_value: Option<&str>) {
        self.pushes.push(Push {
            dst: full.to_owned(),
            new: new.map(str::to_owned),
            expect: remote_value.map(str::to_owned),
        });
    }

    fn local(&mut self, full: &str, expected: Option<&str>, new: Option<&str>, why: String) {
        self.moves.push(LocalMove {
            full: full.to_owned(),
            expected: expected.map(str::to_owned),
            new: new.map(str::to_owned),
            why,
        });
    }
}

/// Decides what to do with every carried ref. `checked_out` says whether a branch
/// (full name) is checked out in a worktree here.
pub(super) fn round(
    store: &Store,
    remote: &RemoteName,
    here: &RefMap,
    there: &RefMap,
    only: Option<&[WorkstreamName]>,
    checked_out: &dyn Fn(&str) -> bool,
) -> anyhow::Result<Round> {
    let mut r = Round::default();
    let wanted = |name: &str| only.is_none_or(|o| o.iter().any(|n| n.as_str() == name));
    archives(&mut r, here, there, &wanted, remote);
    let names: std::collections::BTreeSet<&str> = here
        .keys()
        .chain(there.keys())
        .filter_map(|k| k.strip_prefix(refs::LIVE_PREFIX))
        .filter(|n| wanted(n))
        .collect();
    for name in names {
        let Ok(ws) = name.parse::<WorkstreamName>() else {
            continue;
        };
        workstream(store, remote, &mut r, &ws, here, there)?;
    }
    let branches: std::collections::BTreeSet<&str> = here
        .keys()
        .chain(there.keys())
        .filter(|k| k.strip_prefix(refs::BRANCHES_PREFIX).is_some_and(&wanted))
        .map(String::as_str)
        .collect();
    for full in branches {
        branch(store, &mut r, full, here, there, checked_out)?;
    }
    if only.is_none() {
        notes(store, &mut r, here, there)?;
    }
    Ok(r)
}

/// Archives are written once and never change: each side gets the ones it lacks.
fn archives(
    r: &mut Round,
    here: &RefMap,
    there: &RefMap,
    wanted: &dyn Fn(&str) -> bool,
    remote: &RemoteName,
) {
    let keys: std::collections::BTreeSet<&String> = here
        .keys()
        .chain(there.keys())
        .filter(|k| k.starts_with(refs::ARCHIVE_PREFIX))
        .collect();
    for full in keys {
        let id = &full[refs::ARCHIVE_PREFIX.len()..];
        if !refs::split_archive_id(id).is_some_and(|(n, _)| wanted(n)) {
            continue;
        }
        let entry = |action| Entry {
            name: id.to_owned(),
            action,
            notes: Vec::new(),
        };
        match (here.get(full), there.get(full)) {
            (Some(h), None) => {
                r.push(full, Some(h), None);
                r.archives.push(entry(Action::Pushed));
            }
            (None, Some(t)) => {
                r.local(full, None, Some(t), format!("archive copied from {remote}"));
                r.archives.push(entry(Action::Copied));
            }
            (Some(h), Some(t)) if h != t => {
                let mut e = entry(Action::Diverged);
                e.notes.push(format!(
                    "archived as {h} here and {t} on the remote; both kept as they are"
                ));
                r.archives.push(e);
            }
            _ => {}
        }
    }
}

/// Returns the archived tips of `name` on one side.
fn archived<'m>(side: &'m RefMap, name: &WorkstreamName) -> impl Iterator<Item = &'m String> + 'm {
    let name = name.as_str().to_owned();
    side.iter()
        .filter(move |(k, _)| {
            k.strip_prefix(refs::ARCHIVE_PREFIX)
                .and_then(refs::split_archive_id)
                .is_some_and(|(n, _)| n == name)
        })
        .map(|(_, v)| v)
}

fn workstream(
    store: &Store,
    remote: &RemoteName,
    r: &mut Round,
    name: &WorkstreamName,
    here: &RefMap,
    there: &RefMap,
) -> anyhow::Result<()> {
    let full = refs::live(name);
    let (h, t) = (here.get(&full), there.get(&full));
    let mut entry = Entry {
        name: name.to_string(),
        action: Action::UpToDate,
        notes: Vec::new(),
    };
    // A chain archived on one side whose tip contains the other side's live tip was closed there.
    let closed_in = |side: &RefMap, live: &str| -> anyhow::Result<bool> {
        for tip in archived(side, name) {
            if store.is_ancestor(live, tip)? {
                return Ok(true);
            }
        }
        Ok(false)
    };
    match (h, t) {
        (None, None) => return Ok(()),
        (Some(h), Some(t)) if h == t => {}
        (None, Some(t)) if closed_in(here, t)? => {
            r.push(&full, None, Some(t));
            entry.action = Action::ClosedHere;
        }
        (None, Some(t)) => {
            r.local(&full, None, Some(t), format!("copied from {remote}"));
            entry.action = Action::Copied;
        }
        (Some(h), None) if closed_in(there, h)? => {
            r.local(&full, Some(h), None, format!("closed on {remote}"));
            entry.action = Action::ClosedElsewhere;
        }
        (Some(h), None) => {
            r.push(&full, Some(h), None);
            entry.action = Action::Pushed;
        }
        (Some(h), Some(t)) if store.is_ancestor(h, t)? => {
            r.local(
                &full,
                Some(h),
                Some(t),
                format!("fast-forwarded to {remote}"),
            );
            entry.action = Action::FastForwarded;
        }
        (Some(h), Some(t)) if store.is_ancestor(t, h)? => {
            r.push(&full, Some(h), Some(t));
            entry.action = Action::Pushed;
        }
        (Some(h), Some(t)) => match store.merge_state(name, h, t, remote)? {
            Ok(merged) => {
                r.local(
                    &full,
                    Some(h),
                    Some(&merged.commit),
                    format!("merged with {remote}"),
                );
                r.push(&full, Some(&merged.commit), Some(t));
                entry.action = Action::Merged;
                entry.notes = merged.notes;
            }
            Err(refused) => {
                entry.action = Action::Refused;
                entry.notes.push(format!(
                    "{refused}; nothing was changed here or on `{remote}`"
                ));
            }
        },
    }
    r.workstreams.push(entry);
    Ok(())
}

/// Branches only move forward: pushed when ahead here, brought forward here when not
/// checked out anywhere (a checked-out one is `run`'s to bring forward, with its files).
/// A branch that exists only on the remote stays there until a run needs it.
fn branch(
    store: &Store,
    r: &mut Round,
    full: &str,
    here: &RefMap,
    there: &RefMap,
    checked_out: &dyn Fn(&str) -> bool,
) -> anyhow::Result<()> {
    let short = refs::branch_short(full);
    let mut entry = Entry {
        name: short.to_owned(),
        action: Action::UpToDate,
        notes: Vec::new(),
    };
    match (here.get(full), there.get(full)) {
        (None, _) => return Ok(()),
        (Some(h), Some(t)) if h == t => return Ok(()),
        (Some(h), None) => {
            r.push(full, Some(h), None);
            entry.action = Action::Pushed;
        }
        (Some(h), Some(t)) if store.is_ancestor(t, h)? => {
            r.push(full, Some(h), Some(t));
            entry.action = Action::Pushed;
        }
        (Some(h), Some(t)) if store.is_ancestor(h, t)? => {
            if checked_out(full) {
                entry.action = Action::Behind;
            } else {
                r.local(full, Some(h), Some(t), "branch fast-forwarded".into());
                entry.action = Action::FastForwarded;
            }
        }
        (Some(_), Some(_)) => {
            entry.action = Action::Diverged;
            entry
                .notes
                .push("commits on both sides; merge or rebase it by hand".into());
        }
    }
    r.branches.push(entry);
    Ok(())
}

fn notes(store: &Store, r: &mut Round, here: &RefMap, there: &RefMap) -> anyhow::Result<()> {
    let full = refs::NOTES;
    let action = match (here.get(full), there.get(full)) {
        (None, None) => return Ok(()),
        (Some(h), Some(t)) if h == t => return Ok(()),
        (None, Some(t)) => {
            r.local(full, None, Some(t), "notes copied".into());
            Action::Copied
        }
        (Some(h), None) => {
            r.push(full, Some(h), None);
            Action::Pushed
        }
        (Some(h), Some(t)) if store.is_ancestor(h, t)? => {
            r.local(full, Some(h), Some(t), "notes fast-forwarded".into());
            Action::FastForwarded
        }
        (Some(h), Some(t)) if store.is_ancestor(t, h)? => {
            r.push(full, Some(h), Some(t));
            Action::Pushed
        }
        (Some(h), Some(t)) => {
            let merged = store.merge_notes(h, t)?;
            r.local(full, Some(h), Some(&merged), "notes merged".into());
            r.push(full, Some(&merged), Some(t));
            Action::Merged
        }
    };
    r.notes = Some(Entry {
        name: "notes".into(),
        action,
        notes: Vec::new(),
    });
    Ok(())
}
