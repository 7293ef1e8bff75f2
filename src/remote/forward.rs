//! Bringing a checked-out workstream branch forward to what the remote has, files and
//! all: only when nothing runs that workstream here and its worktree is clean, and only
//! by fast-forward, so nothing anyone made here is overwritten.

use std::path::{Path, PathBuf};

use super::decide::{Action, Entry};
use crate::git;
use crate::ids::WorkstreamName;
use crate::store::{RefMap, Store, refs};

/// Moves each branch sync found behind (and checked out) forward in its worktree; an
/// entry it cannot move keeps `behind`, with the reason.
pub(super) fn bring_forward(
    store: &Store,
    entries: &mut [Entry],
    there: &RefMap,
    worktrees: &[(String, PathBuf)],
) -> anyhow::Result<()> {
    for e in entries.iter_mut().filter(|e| e.action == Action::Behind) {
        let full = refs::branch(&e.name);
        let (Some(tip), Some((_, wt))) =
            (there.get(&full), worktrees.iter().find(|(b, _)| *b == full))
        else {
            continue;
        };
        let name: Option<WorkstreamName> = e
            .name
            .strip_prefix(refs::DEFAULT_BRANCH_PREFIX)
            .and_then(|n| n.parse().ok());
        // Holding the workstream's lock keeps a run from starting under our feet.
        let _lock = match name
            .as_ref()
            .map(|n| crate::lock::lock_workstream(&store.paths().common_dir, n))
        {
            Some(Err(_)) => {
                e.notes
                    .push("a run here holds it; it moves when that run is done".into());
                continue;
            }
            Some(Ok(guard)) => Some(guard),
            None => None,
        };
        match forward(wt, tip) {
            Ok(()) => {
                e.action = Action::FastForwarded;
                e.notes
                    .push(format!("with its worktree `{}`", wt.display()));
            }
            Err(why) => e.notes.push(why),
        }
    }
    Ok(())
}

/// Fast-forwards the worktree's branch to `tip`; the reason when it will not.
fn forward(wt: &Path, tip: &str) -> Result<(), String> {
    let changes = git::worktree::changes(wt).map_err(|e| format!("{e:#}"))?;
    if !changes.is_empty() {
        return Err(format!(
            "`{}` has uncommitted changes; commit or discard them, then sync again",
            wt.display()
        ));
    }
    git::remote::fast_forward(wt, tip).map_err(|e| format!("{e:#}"))
}
