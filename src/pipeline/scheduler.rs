//! Drives many workstreams at once: each in its own task, at most `max_parallel`
//! together; a workstream that stops at a gate frees its slot for the others.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::error::{AtGate, Stopped, TaskFailed};
use crate::ids::WorkstreamName;

use super::{Pipeline, WsOutcome, driver};

/// How far `run` takes each workstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// Until its next gate or the end of one task.
    Once,
    /// Until it is complete, failed or waiting on a person.
    Loop,
}

/// What happened to every workstream of a `run`.
#[derive(Debug, Default)]
pub struct Summary {
    /// Outcome per workstream, in the order they were named.
    pub outcomes: Vec<(WorkstreamName, WsOutcome)>,
}

impl Summary {
    /// Returns the error that gives `run` its exit code: a failure (4) over a gate (3)
    /// over a run that reached its `max_duration` (1) over a busy workstream (5); `None`
    /// when everything finished or progressed.
    pub fn error(&self) -> Option<anyhow::Error> {
        let pick = |f: fn(&WsOutcome) -> Option<&String>| {
            self.outcomes
                .iter()
                .filter_map(|(n, o)| f(o).map(|m| format!("{n}: {m}")))
                .collect::<Vec<_>>()
        };
        let failed = pick(|o| {
            if let WsOutcome::Failed(m) = o {
                Some(m)
            } else {
                None
            }
        });
        if !failed.is_empty() {
            return Some(TaskFailed(failed.join("\n")).into());
        }
        let gates = pick(|o| {
            if let WsOutcome::AtGate(m) = o {
                Some(m)
            } else {
                None
            }
        });
        if !gates.is_empty() {
            return Some(AtGate(format!("waiting for a person:\n{}", gates.join("\n"))).into());
        }
        let stopped = pick(|o| {
            if let WsOutcome::Stopped(m) = o {
                Some(m)
            } else {
                None
            }
        });
        if !stopped.is_empty() {
            return Some(Stopped(format!("stopped:\n{}", stopped.join("\n"))).into());
        }
        // A busy workstream is the other process's business: report the first holder.
        self.outcomes.iter().find_map(|(_, o)| match o {
            WsOutcome::Busy(busy) => Some(anyhow::Error::new(busy.clone())),
            _ => None,
        })
    }
}

/// Advances every named workstream, `max_parallel` at a time.
pub async fn run(
    p: Arc<Pipeline>,
    names: Vec<WorkstreamName>,
    mode: RunMode,
    max_parallel: usize,
) -> anyhow::Result<Summary> {
    let slots = Arc::new(Semaphore::new(max_parallel.max(1)));
    let mut set = JoinSet::new();
    for (i, name) in names.iter().cloned().enumerate() {
        let (p, slots) = (p.clone(), slots.clone());
        set.spawn(async move {
            let _slot = slots.acquire_owned().await;
            let outcome = driver::advance(&p, &name, mode).await;
            (i, name, outcome)
        });
    }
    let mut results: Vec<Option<(WorkstreamName, WsOutcome)>> = vec![None; names.len()];
    let mut first_error = None;
    while let Some(joined) = set.join_next().await {
        let (i, name, outcome) = joined?;
        match outcome {
            Ok(o) => {
                p.ui.progress_done(name.as_str(), describe(&o));
                results[i] = Some((name, o));
            }
            Err(e) => {
                p.ui.progress_done(name.as_str(), format_args!("stopped: {e:#}"));
                first_error.get_or_insert(e.context(format!("running `{name}`")));
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    Ok(Summary {
        outcomes: results.into_iter().flatten().collect(),
    })
}

/// Returns how a workstream's advance ended, for its progress line. A gate and a failure
/// are only named: the run's last lines say why and what to do (each said once there,
/// besides the notification when it happened).
pub(super) fn describe(o: &WsOutcome) -> String {
    match o {
        WsOutcome::Complete => "complete".into(),
        WsOutcome::AtGate(_) => "waiting for a person".into(),
        WsOutcome::Failed(_) => "failed".into(),
        WsOutcome::Busy(busy) => format!("skipped: {busy}"),
        WsOutcome::Progressed => "one task done".into(),
        WsOutcome::Stopped(m) => format!("stopped: {m}"),
    }
}
