//! Driving one workstream while holding its claim: bring it here (state, branch,
//! worktree), advance it with the claim renewed in the background and its state pushed
//! after every stage, then push once more and let the claim go — unless it was lost, in
//! which case nothing more of it is pushed.

use std::path::Path;
use std::sync::{Arc, Mutex};

use super::publisher::Publishers;
use super::{Pipeline, RunMode, WsOutcome, driver};
use crate::ids::{RemoteName, WorkstreamName};
use crate::remote::claim::{self, Held};
use crate::remote::{self, Request};
use crate::store::{Store, refs};

/// Drives one claimed workstream, then publishes it and lets the claim go.
pub(super) async fn drive(
    p: &Arc<Pipeline>,
    publishers: &Publishers,
    remote: &RemoteName,
    held: Held,
    took_over: bool,
    mode: RunMode,
) -> anyhow::Result<WsOutcome> {
    let name = held.name.clone();
    let held = Arc::new(Mutex::new(held));
    let (lost_tx, mut lost_rx) = tokio::sync::watch::channel(false);
    let renewer = tokio::spawn(renew(p.clone(), remote.clone(), held.clone(), lost_tx));
    let pusher = publishers.start(p, remote, &name);
    let outcome = tokio::select! {
        out = advance_here(p, remote, &name, took_over, mode) => out,
        _ = lost_rx.wait_for(|lost| *lost) => Err(anyhow::anyhow!(
            "`{name}`: lost its claim on `{remote}` (another runner took over after it could not be renewed); stopped"
        )),
    };
    renewer.abort();
    let lost = *lost_rx.borrow();
    if lost {
        // The workstream is another runner's now: push nothing more of it.
        pusher.abort();
    } else {
        publishers.stop(&name, pusher).await;
        let (store, root, r, n) = (
            p.store.clone(),
            p.repo_root.clone(),
            remote.clone(),
            name.clone(),
        );
        let published = tokio::task::spawn_blocking(move || publish(&store, &root, &r, &n)).await?;
        let held = held.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let (store, root, remote) = (p.store.clone(), p.repo_root.clone(), remote.clone());
        let released =
            tokio::task::spawn_blocking(move || claim::release(&store, &root, &remote, &held))
                .await?;
        if let Err(e) = released {
            p.ui.warn(format_args!(
                "{name}: could not release its claim (it lapses by itself): {e:#}"
            ));
        }
        if outcome.is_ok() {
            published?;
        }
    }
    outcome
}

/// Brings the workstream here (state, branch, worktree) and advances it.
async fn advance_here(
    p: &Arc<Pipeline>,
    remote: &RemoteName,
    name: &WorkstreamName,
    took_over: bool,
    mode: RunMode,
) -> anyhow::Result<WsOutcome> {
    // The claim is ours now: what the remote holds for this workstream is the latest.
    let req = Request {
        remote: remote.clone(),
        dry_run: false,
        only: Some(vec![name.clone()]),
    };
    remote::sync(&p.store, &p.repo_root, &req)?;
    let snap = p.store.find(name)?;
    if !super::claimed::runnable(&snap) {
        return Ok(super::claimed::standing(&snap).unwrap_or(WsOutcome::Complete));
    }
    crate::trust::require(&p.store, &snap)?;
    let remote_tip = p
        .store
        .fetched_refs(remote)?
        .remove(&refs::branch(&snap.ws.branch));
    let done = crate::workstream::checkout_here(
        &p.store,
        &p.cfg,
        &p.repo_root,
        &snap.ws,
        remote_tip.as_deref(),
    )?;
    if done.worktree_made || took_over {
        super::elsewhere::restart(p, &snap)?;
    }
    driver::advance(p, name, mode).await
}

/// Renews the claim every third of its lifetime; says so on `lost` when it cannot.
async fn renew(
    p: Arc<Pipeline>,
    remote: RemoteName,
    held: Arc<Mutex<Held>>,
    lost: tokio::sync::watch::Sender<bool>,
) {
    let expiry = p.cfg.remote.claim_expiry;
    loop {
        tokio::time::sleep(expiry / 3).await;
        let (store, root, remote, held) = (
            p.store.clone(),
            p.repo_root.clone(),
            remote.clone(),
            held.clone(),
        );
        let renewed = tokio::task::spawn_blocking(move || {
            let mut h = held.lock().unwrap_or_else(|e| e.into_inner());
            claim::renew(&store, &root, &remote, &mut h, expiry)
        })
        .await;
        match renewed {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => {
                let _ = lost.send(true);
                return;
            }
            // A network blip: the next tick tries again, well before the claim lapses.
            Ok(Err(e)) => tracing::warn!("could not renew a claim: {e:#}"),
            Err(e) => tracing::warn!("the renewal task failed: {e}"),
        }
    }
}

/// Pushes one workstream's state and branch (merging first if the remote moved).
fn publish(
    store: &Store,
    root: &Path,
    remote: &RemoteName,
    name: &WorkstreamName,
) -> anyhow::Result<()> {
    remote::publish(store, root, remote, name)
}
