//! Publishing one claimed workstream after a stage: its state and branch pushed in one
//! atomic push, each leased to what the remote held when this clone last fetched or
//! pushed it. While a runner holds the claim the remote rarely moves, so this skips the
//! fetch; when a lease does not hold (a person answered a question elsewhere, say), it
//! falls back to a sync of that workstream, which fetches and merges first.

use std::path::Path;

use crate::git::remote::{self, Push, Pushed};
use crate::ids::{RemoteName, WorkstreamName};
use crate::store::{Store, refs};

use super::sync::{Request, sync};

/// Pushes the workstream's state and branch to `remote`.
pub fn publish(
    store: &Store,
    repo: &Path,
    remote: &RemoteName,
    name: &WorkstreamName,
) -> anyhow::Result<()> {
    if fast(store, repo, remote, name)? {
        return Ok(());
    }
    let req = Request {
        remote: remote.clone(),
        dry_run: false,
        only: Some(vec![name.clone()]),
    };
    sync(store, repo, &req).map(drop)
}

/// Pushes without fetching; `false` when that cannot be done safely (a lease did not
/// hold, or the branch is not simply ahead), and a sync has to.
fn fast(
    store: &Store,
    repo: &Path,
    remote: &RemoteName,
    name: &WorkstreamName,
) -> anyhow::Result<bool> {
    // Shared: pushes of different workstreams go out side by side; a fetch (exclusive)
    // waits for them, as it would race on the refs they record.
    let _talking =
        crate::lock::wait_for_shared(&crate::lock::remote_path(&store.paths().common_dir))?;
    let here = store.carried_refs()?;
    let there = store.fetched_refs(remote)?;
    let Some(snap) = store.try_find(name)? else {
        return Ok(false);
    };
    let mut pushes = Vec::new();
    for full in [refs::live(name), refs::branch(&snap.ws.branch)] {
        let (h, t) = (here.get(&full), there.get(&full));
        match (h, t) {
            (Some(h), Some(t)) if h == t => {}
            (Some(h), Some(t)) if store.is_ancestor(t, h)? => pushes.push(Push {
                dst: full,
                new: Some(h.clone()),
                expect: Some(t.clone()),
            }),
            _ => return Ok(false),
        }
    }
    if remote::push(repo, remote, &pushes)? != Pushed::Done {
        return Ok(false);
    }
    for p in &pushes {
        store.set_tracking(remote, &p.dst, p.new.as_deref())?;
    }
    Ok(true)
}
