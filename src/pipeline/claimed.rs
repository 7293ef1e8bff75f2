//! `run --remote`: drive only the workstreams this runner claims on a shared remote, so
//! runners on several machines split the work with no server of their own. Each round
//! syncs, claims what is free (or whose claim lapsed) up to `max_parallel`, and drives
//! each claimed workstream with the claim renewed in the background; its state and
//! branch are published after every stage, and once more before the claim is released.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;

use super::publisher::Publishers;
use super::{Pipeline, RunMode, Summary, WsOutcome};
use crate::error::Busy;
use crate::ids::{RemoteName, WorkstreamName};
use crate::remote::claim::{self, Attempt};
use crate::remote::{self, Request};
use crate::store::{Claim, Snapshot, WsStatus, refs};

/// What a claiming run was asked for.
#[derive(Debug, Clone)]
pub struct Claiming {
    /// The shared remote.
    pub remote: RemoteName,
    /// Only these workstreams; `None`: every live one.
    pub names: Option<Vec<WorkstreamName>>,
    /// How far each claimed workstream is driven.
    pub mode: RunMode,
    /// Keep going while workstreams other runners hold may still need a runner (`--loop`).
    pub wait: bool,
    /// Most workstreams this runner drives at once.
    pub max_parallel: usize,
}

type Joined = (WorkstreamName, anyhow::Result<WsOutcome>);

/// Runs the claimed workstreams; what each ended as, like a local run, and the
/// workstreams it would not run because their plans are not trusted here.
pub async fn run_claimed(
    mut p: Pipeline,
    opts: Claiming,
) -> anyhow::Result<(Summary, Vec<WorkstreamName>)> {
    let publishers = Arc::new(Publishers::default());
    let marks = publishers.clone();
    p.publish = Some(Arc::new(move |name: &WorkstreamName| {
        marks.mark(name);
        Ok(())
    }));
    let p = Arc::new(p);
    let expiry = p.cfg.remote.claim_expiry;
    let poll = (expiry / 4).clamp(Duration::from_millis(100), Duration::from_secs(2));
    let mut set: JoinSet<Joined> = JoinSet::new();
    let mut active: BTreeSet<WorkstreamName> = BTreeSet::new();
    let mut refused: BTreeSet<WorkstreamName> = BTreeSet::new();
    let mut outcomes: BTreeMap<WorkstreamName, WsOutcome> = BTreeMap::new();
    let mut first_error: Option<anyhow::Error> = None;
    let mut first = true;
    loop {
        let waiting = if first_error.is_none() {
            let mut sets = Sets {
                publishers: &publishers,
                set: &mut set,
                active: &mut active,
                refused: &mut refused,
                outcomes: &mut outcomes,
            };
            match claim_round(&p, &opts, &mut sets, first).await {
                Ok(w) => w,
                Err(e) if first => return Err(e),
                Err(e) => {
                    p.ui.warn(format_args!("{e:#}; trying again"));
                    BTreeMap::new()
                }
            }
        } else {
            BTreeMap::new()
        };
        first = false;
        if set.is_empty() {
            if waiting.is_empty() || !opts.wait || first_error.is_some() {
                for (name, c) in waiting {
                    outcomes
                        .entry(name.clone())
                        .or_insert_with(|| busy(&name, &c));
                }
                break;
            }
            tokio::time::sleep(poll).await;
            continue;
        }
        tokio::select! {
            joined = set.join_next() => {
                if let Some(joined) = joined {
                    let (name, outcome) = joined?;
                    active.remove(&name);
                    settle(&p, name, outcome, &mut outcomes, &mut first_error);
                }
            }
            () = tokio::time::sleep(poll), if !waiting.is_empty() => {}
        }
    }
    while let Some(joined) = set.join_next().await {
        let (name, outcome) = joined?;
        settle(&p, name, outcome, &mut outcomes, &mut first_error);
    }
    // Whatever this clone did (notes, other workstreams' state) goes out once more.
    if let Err(e) = blocking_sync(&p, &opts.remote, None).await {
        p.ui.warn(format_args!(
            "the last sync with `{}` failed: {e:#}",
            opts.remote
        ));
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let summary = Summary {
        outcomes: outcomes.into_iter().collect(),
    };
    Ok((summary, refused.into_iter().collect()))
}

/// What a run keeps track of between rounds.
struct Sets<'a> {
    publishers: &'a Arc<Publishers>,
    set: &'a mut JoinSet<Joined>,
    active: &'a mut BTreeSet<WorkstreamName>,
    refused: &'a mut BTreeSet<WorkstreamName>,
    outcomes: &'a mut BTreeMap<WorkstreamName, WsOutcome>,
}

/// One round: sync, then claim and start what is free, up to `max_parallel` at once.
/// Returns the workstreams other runners hold now, with their claims.
async fn claim_round(
    p: &Arc<Pipeline>,
    opts: &Claiming,
    sets: &mut Sets<'_>,
    first: bool,
) -> anyhow::Result<BTreeMap<WorkstreamName, Claim>> {
    blocking_sync(p, &opts.remote, None).await?;
    if first && let Some(names) = &opts.names {
        for n in names {
            p.store.find(n)?;
        }
    }
    let fetched = p.store.fetched_refs(&opts.remote)?;
    let mut waiting = BTreeMap::new();
    for snap in p.store.load_live()? {
        let name = snap.ws.name.clone();
        let named = opts.names.as_ref().is_none_or(|n| n.contains(&name));
        if !named
            || sets.outcomes.contains_key(&name)
            || sets.active.contains(&name)
            || sets.refused.contains(&name)
        {
            continue;
        }
        if !runnable(&snap) {
            if let Some(o) = standing(&snap) {
                sets.outcomes.insert(name, o);
            }
            continue;
        }
        if let Err(e) = crate::trust::require(&p.store, &snap) {
            p.ui.error(&e);
            sets.refused.insert(name);
            continue;
        }
        if sets.active.len() >= opts.max_parallel.max(1) {
            break;
        }
        let claim_ref = refs::claim(&name);
        let current = fetched.get(&claim_ref).cloned();
        let (store, root, remote, expiry) = (
            p.store.clone(),
            p.repo_root.clone(),
            opts.remote.clone(),
            p.cfg.remote.claim_expiry,
        );
        let n = name.clone();
        let attempt = tokio::task::spawn_blocking(move || {
            claim::attempt(&store, &root, &remote, &n, current.as_deref(), expiry)
        })
        .await??;
        match attempt {
            Attempt::Claimed { held, took_over } => {
                match &took_over {
                    Some(old) => p.ui.progress(
                        name.as_str(),
                        format_args!(
                            "took over from {} (its claim lapsed at {})",
                            old.holder, old.expires_at
                        ),
                    ),
                    None => {
                        p.ui.progress(name.as_str(), format_args!("claimed on `{}`", opts.remote))
                    }
                }
                sets.active.insert(name.clone());
                let (p, remote, mode) = (p.clone(), opts.remote.clone(), opts.mode);
                let publishers = sets.publishers.clone();
                sets.set.spawn(async move {
                    let took_over = took_over.is_some();
                    let outcome =
                        super::holding::drive(&p, &publishers, &remote, held, took_over, mode)
                            .await;
                    (name, outcome)
                });
            }
            Attempt::Busy(c) => {
                waiting.insert(name, c);
            }
            Attempt::Raced => {
                waiting.insert(
                    name.clone(),
                    Claim {
                        workstream: name,
                        holder: "another runner".into(),
                        since: String::new(),
                        expires_at: String::new(),
                        renewals: 0,
                    },
                );
            }
        }
    }
    Ok(waiting)
}

/// Records how a driven workstream ended.
fn settle(
    p: &Pipeline,
    name: WorkstreamName,
    outcome: anyhow::Result<WsOutcome>,
    outcomes: &mut BTreeMap<WorkstreamName, WsOutcome>,
    first_error: &mut Option<anyhow::Error>,
) {
    match outcome {
        Ok(o) => {
            p.ui.progress_done(name.as_str(), super::scheduler::describe(&o));
            outcomes.insert(name, o);
        }
        Err(e) => {
            p.ui.progress_done(name.as_str(), format_args!("stopped: {e:#}"));
            first_error.get_or_insert(e.context(format!("running `{name}`")));
        }
    }
}

/// Syncs with the remote on a blocking thread (all of it, or one workstream).
async fn blocking_sync(
    p: &Pipeline,
    remote: &RemoteName,
    only: Option<WorkstreamName>,
) -> anyhow::Result<()> {
    let (store, root, req) = (
        p.store.clone(),
        p.repo_root.clone(),
        Request {
            remote: remote.clone(),
            dry_run: false,
            only: only.map(|n| vec![n]),
        },
    );
    tokio::task::spawn_blocking(move || remote::sync(&store, &root, &req).map(drop)).await?
}

/// Returns whether a workstream can run now (not at a gate, not finished).
pub(super) fn runnable(snap: &Snapshot) -> bool {
    matches!(snap.ws.status, WsStatus::Active | WsStatus::Running)
}

/// What a workstream that cannot run now stands at, as a run reports it.
pub(super) fn standing(snap: &Snapshot) -> Option<WsOutcome> {
    let ws = &snap.ws;
    let reason = ws.reason.clone().unwrap_or_else(|| ws.status.to_string());
    match ws.status {
        WsStatus::Complete | WsStatus::Closed | WsStatus::Merged => Some(WsOutcome::Complete),
        WsStatus::Blocked | WsStatus::AwaitingReview | WsStatus::AwaitingUat => {
            Some(WsOutcome::AtGate(format!(
                "{reason}; `git aos show {}` says what it waits for",
                ws.name
            )))
        }
        WsStatus::Failed => Some(WsOutcome::Failed(reason)),
        WsStatus::Active | WsStatus::Running => None,
    }
}

fn busy(name: &WorkstreamName, c: &Claim) -> WsOutcome {
    let (pid, host) = match c.holder.rsplit_once(':') {
        Some((host, pid)) => (pid.to_owned(), host.to_owned()),
        None => ("?".into(), c.holder.clone()),
    };
    let what = match c.expires_at.as_str() {
        "" => format!("workstream `{name}` (claimed by another runner a moment ago)"),
        until => format!("workstream `{name}` (claimed until {until})"),
    };
    let since = match c.since.as_str() {
        "" => "just now".to_owned(),
        s => s.to_owned(),
    };
    WsOutcome::Busy(Busy {
        what,
        pid,
        host,
        since,
    })
}
