//! Claims: how runners on several machines split the workstreams. A claim is a commit at
//! `refs/aos/claims/<name>` on the remote naming its holder (`host:pid`) and when it
//! lapses. It is pushed create-only (`--force-with-lease=<ref>:`), renewed with a lease
//! pinned to the last claim commit, taken over by compare-and-swap once it lapsed, and
//! deleted when its holder is done. Whoever's push lands holds the workstream.

use std::path::Path;
use std::time::Duration;

use crate::git::remote::{self, Push, Pushed};
use crate::ids::{RemoteName, WorkstreamName};
use crate::store::{Claim, Store, refs};

/// A claim this process holds.
#[derive(Debug, Clone)]
pub struct Held {
    /// The workstream.
    pub name: WorkstreamName,
    /// The claim commit the remote holds now.
    pub commit: String,
    /// What it says.
    pub claim: Claim,
}

/// How an attempt to claim a workstream went.
#[derive(Debug, Clone)]
pub enum Attempt {
    /// Ours now; `took_over` is the claim that had lapsed, if there was one.
    Claimed {
        /// The claim.
        held: Held,
        /// The lapsed claim it replaced.
        took_over: Option<Claim>,
    },
    /// Another runner holds it, and its claim is live.
    Busy(Claim),
    /// Another runner's push landed first: look again after the next fetch.
    Raced,
}

/// Returns who this process is as a claim holder: `host:pid`.
pub fn holder() -> String {
    let host = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "unknown".into());
    format!("{host}:{}", std::process::id())
}

/// Tries to claim `name`, given the claim commit last fetched for it (`None`: none).
pub fn attempt(
    store: &Store,
    repo: &Path,
    remote: &RemoteName,
    name: &WorkstreamName,
    fetched: Option<&str>,
    expiry: Duration,
) -> anyhow::Result<Attempt> {
    let now = jiff::Timestamp::now();
    let current = match fetched {
        Some(commit) => store.read_claim(commit)?,
        None => None,
    };
    if let Some(c) = &current
        && !c.is_expired(now)
    {
        return Ok(Attempt::Busy(c.clone()));
    }
    let claim = Claim {
        workstream: name.clone(),
        holder: holder(),
        since: stamp(now),
        expires_at: stamp(later(now, expiry)),
        renewals: 0,
    };
    match push(store, repo, remote, name, &claim, fetched)? {
        Some(commit) => Ok(Attempt::Claimed {
            held: Held {
                name: name.clone(),
                commit,
                claim,
            },
            took_over: current,
        }),
        None => Ok(Attempt::Raced),
    }
}

/// Renews a held claim for another `expiry`; `false` when it was lost meanwhile (another
/// runner took it over after it lapsed).
pub fn renew(
    store: &Store,
    repo: &Path,
    remote: &RemoteName,
    held: &mut Held,
    expiry: Duration,
) -> anyhow::Result<bool> {
    let mut claim = held.claim.clone();
    claim.expires_at = stamp(later(jiff::Timestamp::now(), expiry));
    claim.renewals += 1;
    match push(store, repo, remote, &held.name, &claim, Some(&held.commit))? {
        Some(commit) => {
            held.commit = commit;
            held.claim = claim;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Deletes a held claim, unless someone took it over meanwhile.
pub fn release(store: &Store, repo: &Path, remote: &RemoteName, held: &Held) -> anyhow::Result<()> {
    let _talking = talking(store)?;
    let dst = refs::claim(&held.name);
    let delete = Push {
        dst: dst.clone(),
        new: None,
        expect: Some(held.commit.clone()),
    };
    if remote::push(repo, remote, &[delete])? == Pushed::Done {
        store.set_tracking(remote, &dst, None)?;
    }
    Ok(())
}

/// Pushes a claim leased to `expect`; returns its commit when it landed.
fn push(
    store: &Store,
    repo: &Path,
    remote: &RemoteName,
    name: &WorkstreamName,
    claim: &Claim,
    expect: Option<&str>,
) -> anyhow::Result<Option<String>> {
    let _talking = talking(store)?;
    let commit = store.write_claim(claim)?;
    let dst = refs::claim(name);
    let push = Push {
        dst: dst.clone(),
        new: Some(commit.clone()),
        expect: expect.map(str::to_owned),
    };
    match remote::push(repo, remote, &[push])? {
        Pushed::Done => {
            store.set_tracking(remote, &dst, Some(&commit))?;
            Ok(Some(commit))
        }
        Pushed::Rejected(_) => Ok(None),
    }
}

/// Waits for this clone's turn to talk to remotes.
fn talking(store: &Store) -> anyhow::Result<crate::lock::LockGuard> {
    crate::lock::wait_for(&crate::lock::remote_path(&store.paths().common_dir))
}

fn later(now: jiff::Timestamp, by: Duration) -> jiff::Timestamp {
    jiff::SignedDuration::try_from(by)
        .ok()
        .and_then(|d| now.checked_add(d).ok())
        .unwrap_or(now)
}

fn stamp(t: jiff::Timestamp) -> String {
    t.round(jiff::Unit::Millisecond).unwrap_or(t).to_string()
}
