//! `watch --run`: the pipeline driven in the dashboard's process — every runnable
//! workstream at start, and again each one a person's decision lets go on — through the
//! same scheduler as `git aos run --loop`, at most `max_parallel` at once.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::ids::WorkstreamName;
use crate::pipeline::{self, Pipeline, RunMode};
use crate::store::WsStatus;

use super::actions::Done;
use super::app::Level;

/// Drives workstreams in this process.
pub struct Driver {
    p: Arc<Pipeline>,
    slots: Arc<Semaphore>,
    driving: Arc<Mutex<BTreeSet<String>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    runtime: tokio::runtime::Handle,
    done: std::sync::mpsc::Sender<Done>,
}

impl Driver {
    /// Returns a driver of the pipeline `p`.
    pub fn new(
        p: Pipeline,
        max_parallel: usize,
        runtime: tokio::runtime::Handle,
        done: std::sync::mpsc::Sender<Done>,
    ) -> Self {
        Self {
            p: Arc::new(p),
            slots: Arc::new(Semaphore::new(max_parallel.max(1))),
            driving: Arc::default(),
            tasks: Mutex::new(Vec::new()),
            runtime,
            done,
        }
    }

    /// Drives every live workstream that has work left, as `run --loop` does.
    pub fn drive_all(&self) -> anyhow::Result<()> {
        for snap in self.p.store.load_live()? {
            if !matches!(
                snap.ws.status,
                WsStatus::Complete | WsStatus::Closed | WsStatus::Merged
            ) {
                self.drive(&snap.ws.name);
            }
        }
        Ok(())
    }

    /// Drives one workstream until it is complete, failed or waits for a person,
    /// unless this process drives it already. Plans from other machines that are not
    /// trusted here, and workstreams with no worktree here, are left to `git aos run`.
    pub fn drive(&self, name: &WorkstreamName) {
        let say = |level, text: String| {
            let _ = self.done.send(Done::Message(level, text));
        };
        match self.p.store.find(name) {
            Ok(snap) => {
                if let Err(e) = crate::trust::require(&self.p.store, &snap) {
                    say(Level::Error, format!("not driving `{name}`: {e}"));
                    return;
                }
                if !crate::workstream::worktree_path(&self.p.store, &snap.ws).is_dir() {
                    say(
                        Level::Error,
                        format!(
                            "not driving `{name}`: no worktree here; `git aos run {name}` makes it"
                        ),
                    );
                    return;
                }
            }
            Err(e) => {
                say(Level::Error, format!("{e:#}"));
                return;
            }
        }
        let key = name.to_string();
        {
            let mut driving = self.driving.lock().unwrap_or_else(|p| p.into_inner());
            if !driving.insert(key.clone()) {
                return;
            }
        }
        let (p, slots, driving, done) = (
            self.p.clone(),
            self.slots.clone(),
            self.driving.clone(),
            self.done.clone(),
        );
        let name = name.clone();
        let task = self.runtime.spawn(async move {
            let _slot = slots.acquire_owned().await;
            let result = pipeline::run(p, vec![name.clone()], RunMode::Loop, 1).await;
            driving
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&key);
            let message = match result.map(|s| s.outcomes) {
                Ok(outcomes) => outcomes
                    .into_iter()
                    .map(|(n, o)| (Level::Done, format!("{n}: {}", describe(&o))))
                    .next_back(),
                Err(e) => Some((Level::Error, format!("{name}: {e:#}"))),
            };
            if let Some((level, text)) = message {
                let _ = done.send(Done::Message(level, text));
            }
        });
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }

    /// Returns how many workstreams this process drives now.
    pub fn busy(&self) -> usize {
        self.driving.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Stops everything it drives: the agents' process groups are ended when their runs
    /// are dropped, and the next `run` resumes each stage where it stopped.
    pub async fn stop(&self) {
        let tasks: Vec<JoinHandle<()>> =
            std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|p| p.into_inner()));
        for t in &tasks {
            t.abort();
        }
        for t in tasks {
            let _ = t.await;
        }
    }
}

fn describe(o: &pipeline::WsOutcome) -> String {
    use pipeline::WsOutcome;
    match o {
        WsOutcome::Complete => "complete".into(),
        WsOutcome::AtGate(m) => format!("waiting: {m}"),
        WsOutcome::Failed(m) => format!("failed: {m}"),
        WsOutcome::Busy(busy) => format!("busy: {busy}"),
        WsOutcome::Progressed => "one task done".into(),
        WsOutcome::Stopped(m) => format!("stopped: {m}"),
    }
}
