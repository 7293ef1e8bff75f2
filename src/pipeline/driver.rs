//! Drives one workstream: take its lock, clear what a killed run left, finish a landing
//! a crash interrupted, then start tasks — as many at once as `parallel_tasks` allows,
//! each in its own worktree (or one at a time in the workstream's) — and wait for them,
//! until nothing more can start and nothing runs. A task at a gate waits while the others
//! go on; a person's decision taken meanwhile is picked up. What is left decides the
//! outcome: complete (after the final review and UAT), waiting for a person, or failed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;

use crate::config::{OnFailure, ResolvedProfile};
use crate::error::{Busy, UserError};
use crate::ids::{TaskId, WorkstreamName};
use crate::lock;
use crate::store::{Actor, Event, Snapshot, TaskStatus, WsStatus};

use super::clock::Clock;
use super::failure::Settled;
use super::scheduler::RunMode;
use super::task::{self, TaskEnd};
use super::{Pipeline, WsOutcome, ending, integrate, starting};

/// How often a run whose tasks run in their own worktrees looks at the state for a
/// person's decision (an approval lands a task; its dependents can start).
const POLL: Duration = Duration::from_millis(500);

/// Advances one workstream until it stops (or, with `Once`, until one task landed).
pub(super) async fn advance(
    p: &Arc<Pipeline>,
    name: &WorkstreamName,
    mode: RunMode,
) -> anyhow::Result<WsOutcome> {
    let _lock = match lock::lock_workstream(&p.store.paths().common_dir, name) {
        Ok(guard) => guard,
        Err(e) => match e.downcast_ref::<Busy>() {
            Some(busy) => return Ok(WsOutcome::Busy(busy.clone())),
            None => return Err(e),
        },
    };
    let first = p.store.find(name)?;
    // Nothing of this workstream runs now: what a killed run left goes first.
    let worktree = &crate::workstream::worktree_path(&p.store, &first.ws);
    for line in crate::workstream::leftovers::clear(&p.store.paths().common_dir, name, worktree) {
        p.ui.warn(format_args!("{name}: {line}"));
    }
    let profile = p.cfg.profile(&first.ws.profile).map_err(UserError::from)?;
    if first.ws.integrating.is_some() {
        integrate::recover(p, name).await?;
    }
    if profile.parallel_tasks > 1 {
        adopt_tip(p, name)?;
    }
    let mut d = Driver {
        p: p.clone(),
        name: name.clone(),
        clock: Arc::new(Clock::start(&profile)),
        profile,
        running: BTreeMap::new(),
        set: JoinSet::new(),
        halt: None,
        once: mode == RunMode::Once,
        landed: false,
        error: None,
        busy: None,
    };
    d.run().await
}

/// Records the branch tip as the one git aos knows (a person may have committed since
/// the last run): while tasks run in their own worktrees, the custody guard undoes any
/// other tip that no landing set.
fn adopt_tip(p: &Pipeline, name: &WorkstreamName) -> anyhow::Result<()> {
    let snap = p.store.find(name)?;
    let tip = p.store.branch_tip(&snap.ws.branch)?;
    if tip.is_none() || snap.ws.tip == tip {
        return Ok(());
    }
    let event = Event::new("tip", "branch tip adopted").by(Actor::Tool);
    p.store.update(name, &event, |tx| {
        tx.ws_mut().tip = tip.clone();
        Ok(())
    })?;
    Ok(())
}

/// One workstream's run: the tasks running now and what their ends decided.
pub(super) struct Driver {
    pub p: Arc<Pipeline>,
    pub name: WorkstreamName,
    pub profile: ResolvedProfile,
    pub clock: Arc<Clock>,
    /// Tasks running now, with their declared files.
    pub running: BTreeMap<TaskId, Vec<String>>,
    set: JoinSet<(TaskId, anyhow::Result<TaskEnd>)>,
    /// Why no task may start any more (a failure under `halt`, or a halt).
    halt: Option<String>,
    once: bool,
    landed: bool,
    error: Option<anyhow::Error>,
    /// A task a person is deciding right now (its lock was held).
    pub busy: Option<Busy>,
}

impl Driver {
    /// Returns whether tasks run in their own worktrees.
    pub fn parallel(&self) -> bool {
        self.profile.parallel_tasks > 1
    }

    async fn run(&mut self) -> anyhow::Result<WsOutcome> {
        loop {
            let snap = self.p.store.find(&self.name)?;
            if self.running.is_empty() {
                if crate::agent::interrupt::requested().is_some() {
                    return Err(crate::agent::Error::Interrupted.into());
                }
                if let Some(e) = self.error.take() {
                    return Err(e);
                }
                if let Some(stop) = self.workstream_gate(&snap).await? {
                    return Ok(stop);
                }
            }
            let may_start = self.halt.is_none()
                && self.error.is_none()
                && !(self.once && self.landed)
                && self.clock.check().is_none();
            if may_start {
                let started = starting::start(self, &snap).await?;
                for s in started {
                    let id = s.run.task.clone();
                    self.running.insert(id.clone(), s.files());
                    let (p, clock) = (self.p.clone(), self.clock.clone());
                    // Each task readies its own worktree (git commands: on a blocking
                    // thread), beside the others.
                    self.set.spawn(async move {
                        let pp = p.clone();
                        let ready = tokio::task::spawn_blocking(move || s.ready(&pp)).await;
                        let end = match ready.map_err(anyhow::Error::from).and_then(|r| r) {
                            Ok((t, lock)) => task::drive(p, t, clock, lock).await,
                            Err(e) => Err(e),
                        };
                        (id, end)
                    });
                }
            }
            if self.running.is_empty() {
                return self.finish().await;
            }
            let joined = if self.parallel() {
                tokio::select! {
                    j = self.set.join_next() => j,
                    () = tokio::time::sleep(POLL) => None,
                }
            } else {
                self.set.join_next().await
            };
            if let Some(joined) = joined {
                self.settle(joined?);
            }
        }
    }

    /// Takes in how one task's loop ended.
    fn settle(&mut self, (id, end): (TaskId, anyhow::Result<TaskEnd>)) {
        self.running.remove(&id);
        match end {
            Ok(TaskEnd::Done) => self.landed = true,
            Ok(TaskEnd::Gate(_)) | Ok(TaskEnd::Stopped(_)) => {}
            Ok(TaskEnd::Failed { why, settled }) => {
                if settled == Settled::Halt || self.profile.on_failure == OnFailure::Halt {
                    self.stop_all(why);
                }
            }
            Ok(TaskEnd::Halted(why)) => self.stop_all(why),
            Err(e) => {
                self.clock.stop(format!("{id} stopped the run: {e:#}"));
                self.error.get_or_insert(e.context(format!("running {id}")));
            }
        }
    }

    /// Starts no task any more; the running ones go on to their own end (their work is
    /// independent of the failure, and stopping them would only leave more to resume).
    fn stop_all(&mut self, why: String) {
        self.halt.get_or_insert(why);
    }

    /// Returns why the workstream as a whole cannot move, when nothing of it runs: a plan
    /// to draft or approve, the final review's concerns, user acceptance, a question a
    /// person asked of the whole workstream, or the end of its life.
    async fn workstream_gate(&self, snap: &Snapshot) -> anyhow::Result<Option<WsOutcome>> {
        let (p, name) = (&self.p, &self.name);
        let reason = || snap.ws.reason.clone().unwrap_or_default();
        match snap.ws.status {
            WsStatus::Complete | WsStatus::Closed | WsStatus::Merged => {
                return Ok(Some(WsOutcome::Complete));
            }
            WsStatus::AwaitingUat => {
                return Ok(Some(WsOutcome::AtGate(format!(
                    "{}; `git aos uat pass|fail {name}`",
                    reason()
                ))));
            }
            _ => {}
        }
        if let Some(stop) = super::planning::resume(p, snap).await? {
            return Ok(Some(stop));
        }
        if super::final_review::pending(p, snap)?.is_some() {
            return Ok(Some(WsOutcome::AtGate(format!(
                "{}; see it with `git aos show {name}`, then `git aos approve {name}` or `git aos reject {name} -f TEXT`",
                reason()
            ))));
        }
        if snap.ws.status == WsStatus::Blocked
            && let Some(q) = starting::workstream_question(p, snap)?
        {
            return Ok(Some(WsOutcome::AtGate(format!(
                "{}; answer with `git aos clarify answer {name} {q} TEXT`",
                reason()
            ))));
        }
        Ok(None)
    }

    /// Nothing runs and nothing more starts: records where the workstream stands and
    /// returns the outcome.
    async fn finish(&mut self) -> anyhow::Result<WsOutcome> {
        let (p, name) = (self.p.clone(), self.name.clone());
        let snap = p.store.find(&name)?;
        let tasks = p.store.tasks(&snap)?;
        if tasks.tasks.is_empty() {
            // Nothing failed: the workstream was made without a plan.
            return Err(UserError::with_hint(
                format!("`{name}` has no plan, so it has nothing to run"),
                format!(
                    "write one (`git aos plan new --template plan.md` gives an example), then \
                     `git aos close {name}` and `git aos new {name} --plan plan.md`"
                ),
            )
            .into());
        }
        let (mut status, mut reason) = ending::resting(&tasks);
        if let Some(why) = &self.halt
            && status == WsStatus::Active
        {
            // Halted with tasks that could go on: they wait for the next `run`.
            status = WsStatus::Failed;
            reason = Some(format!("the run halted: {why}"));
        }
        if tasks.tasks.iter().all(|t| t.status == TaskStatus::Done) {
            if let Some(stop) = super::closing::run(&p, &snap).await? {
                return Ok(stop);
            }
            return starting::complete(&p, &snap, &tasks);
        }
        let stopped = self.halt.is_none().then(|| self.clock.check()).flatten();
        let reason = match &stopped {
            Some(why) => Some(format!("stopped: {why}")),
            None => reason,
        };
        if snap.ws.status != status || snap.ws.reason != reason {
            let event = Event::new("status", format!("-> {status}")).by(Actor::Tool);
            p.store.update(&name, &event, |tx| {
                let ws = tx.ws_mut();
                ws.status = status;
                ws.reason = reason.clone();
                Ok(())
            })?;
        }
        let said = reason.clone().unwrap_or_default();
        if let Some(why) = stopped {
            return Ok(WsOutcome::Stopped(format!(
                "{why}; every task stopped at a stage boundary, and `git aos run {name}` goes on from there"
            )));
        }
        Ok(match status {
            WsStatus::Failed => WsOutcome::Failed(format!(
                "{said}; `git aos show {name} <task>` lists what you can do"
            )),
            WsStatus::AwaitingReview | WsStatus::Blocked => {
                WsOutcome::AtGate(format!("{said}; see it with `git aos show {name}`"))
            }
            _ if self.once && self.landed => WsOutcome::Progressed,
            _ => match self.busy.take() {
                Some(busy) => WsOutcome::Busy(busy),
                None => WsOutcome::Progressed,
            },
        })
    }
}
