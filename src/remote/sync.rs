//! `sync`: fetch what the remote holds into `refs/aos/remotes/<remote>/…`, reconcile
//! every workstream with it, and push every changed ref in one atomic push leased to
//! what was fetched. When a lease no longer holds (someone pushed meanwhile) or a local
//! ref moved meanwhile, the round starts over from the fetch, a bounded number of times.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::decide::{self, Entry};
use crate::error::UserError;
use crate::git::{self, remote::Pushed};
use crate::ids::{RemoteName, WorkstreamName};
use crate::store::{Store, refs};

/// Most rounds before sync gives up on a remote that keeps moving.
const MAX_ROUNDS: u32 = 8;

/// What to sync.
#[derive(Debug, Clone)]
pub struct Request {
    /// The remote.
    pub remote: RemoteName,
    /// Decide and report, but move no local ref and push nothing.
    pub dry_run: bool,
    /// Only these workstreams (and their branches); notes are left for a full sync.
    pub only: Option<Vec<WorkstreamName>>,
}

/// What a sync did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The remote.
    pub remote: String,
    /// Whether nothing was moved or pushed.
    pub dry_run: bool,
    /// Rounds it took (more than one when the remote or a local ref moved meanwhile).
    pub rounds: u32,
    /// One entry per workstream that is live on either side.
    pub workstreams: Vec<Entry>,
    /// Workstream branches that needed something.
    pub branches: Vec<Entry>,
    /// Archived workstreams copied one way or the other.
    pub archives: Vec<Entry>,
    /// What happened to `refs/notes/aos`, if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Entry>,
    /// How many refs were pushed.
    pub pushed: usize,
}

/// Runs a sync with `remote` from the repository at `repo`.
pub fn sync(store: &Store, repo: &Path, req: &Request) -> anyhow::Result<Report> {
    let _talking = crate::lock::wait_for(&crate::lock::remote_path(&store.paths().common_dir))?;
    let fetch = refs::fetch_refspecs(&req.remote);
    for round in 1..=MAX_ROUNDS {
        git::remote::fetch(repo, &req.remote, &fetch)?;
        let here = store.carried_refs()?;
        let there = store.fetched_refs(&req.remote)?;
        let checked_out = checked_out_branches(repo)?;
        let mut plan = decide::round(
            store,
            &req.remote,
            &here,
            &there,
            req.only.as_deref(),
            &|full| checked_out.iter().any(|(b, _)| b == full),
        )?;
        let report = |plan: &decide::Round, pushed| Report {
            remote: req.remote.to_string(),
            dry_run: req.dry_run,
            rounds: round,
            workstreams: plan.workstreams.clone(),
            branches: plan.branches.clone(),
            archives: plan.archives.clone(),
            notes: plan.notes.clone(),
            pushed,
        };
        if req.dry_run {
            return Ok(report(&plan, 0));
        }
        let mut moved_meanwhile = false;
        for m in &plan.moves {
            if !store.sync_ref(&m.full, m.expected.as_deref(), m.new.as_deref(), &m.why)? {
                moved_meanwhile = true;
                break;
            }
        }
        if moved_meanwhile {
            tracing::debug!("a local ref moved during sync round {round}; starting over");
            backoff(round);
            continue;
        }
        super::forward::bring_forward(store, &mut plan.branches, &there, &checked_out)?;
        match git::remote::push(repo, &req.remote, &plan.pushes)? {
            Pushed::Done => {
                for p in &plan.pushes {
                    store.set_tracking(&req.remote, &p.dst, p.new.as_deref())?;
                }
                return Ok(report(&plan, plan.pushes.len()));
            }
            Pushed::Rejected(refs) => {
                tracing::debug!("push rejected in round {round}: {refs:?}; starting over");
                backoff(round);
            }
        }
    }
    Err(UserError::with_hint(
        format!(
            "`{}` kept moving: sync gave up after {MAX_ROUNDS} rounds",
            req.remote
        ),
        "whatever was merged here is kept; run `git aos sync` again",
    )
    .into())
}

/// Returns (full name, worktree) of the branches checked out in a worktree here.
fn checked_out_branches(repo: &Path) -> anyhow::Result<Vec<(String, std::path::PathBuf)>> {
    Ok(git::worktree::list(repo)?
        .into_iter()
        .filter_map(|w| w.branch.map(|b| (refs::branch(&b), w.path)))
        .collect())
}

/// Waits a little, more each round, with jitter, so runners that collide spread out.
fn backoff(round: u32) {
    let base = 50u64 << round.min(5);
    std::thread::sleep(Duration::from_millis(base / 2 + fastrand::u64(0..=base)));
}
