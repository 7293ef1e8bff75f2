//! `max_duration`: how long one `run` may drive a workstream. The clock starts when the
//! run starts driving it; time during which a task of the workstream waits at a gate
//! while the run goes on counts too, unless `count_gate_time = false`. The clock is read
//! at stage boundaries only: a run that runs out stops cleanly, every task's cursor
//! saved, and the next `run` goes on from there.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::ResolvedProfile;

/// The run's clock for one workstream, shared by its running tasks.
#[derive(Debug)]
pub(super) struct Clock {
    limit: Option<Duration>,
    count_gates: bool,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    started: Instant,
    /// Since when a task has been waiting at a gate, if one is.
    gate_since: Option<Instant>,
    /// Gate time of earlier waits.
    gate_total: Duration,
    /// Why the run must stop, once it must.
    stopped: Option<String>,
}

impl Clock {
    /// Returns a clock started now for a run under `profile`.
    pub fn start(profile: &ResolvedProfile) -> Self {
        Self {
            limit: profile.max_duration,
            count_gates: profile.count_gate_time,
            inner: Mutex::new(Inner {
                started: Instant::now(),
                gate_since: None,
                gate_total: Duration::ZERO,
                stopped: None,
            }),
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells the clock whether some task of the workstream waits at a gate now.
    pub fn gates(&self, waiting: bool) {
        let mut i = self.inner();
        match (waiting, i.gate_since) {
            (true, None) => i.gate_since = Some(Instant::now()),
            (false, Some(since)) => {
                i.gate_total += since.elapsed();
                i.gate_since = None;
            }
            _ => {}
        }
    }

    /// Returns the time that counts against the limit.
    fn counted(i: &Inner, count_gates: bool) -> Duration {
        let wall = i.started.elapsed();
        if count_gates {
            return wall;
        }
        let gates = i.gate_total + i.gate_since.map_or(Duration::ZERO, |s| s.elapsed());
        wall.saturating_sub(gates)
    }

    /// Returns why the run must stop now, if it must: the limit was reached (or the run
    /// was stopped for another reason with [`Clock::stop`]).
    pub fn check(&self) -> Option<String> {
        let mut i = self.inner();
        if i.stopped.is_none()
            && let Some(limit) = self.limit
        {
            let counted = Self::counted(&i, self.count_gates);
            if counted >= limit {
                let gates = if self.count_gates {
                    ""
                } else {
                    ", gate time not counted"
                };
                i.stopped = Some(format!(
                    "the run reached `max_duration` ({}{gates})",
                    jiff::SignedDuration::try_from(limit)
                        .map(|d| format!("{d:#}"))
                        .unwrap_or_else(|_| format!("{} s", limit.as_secs()))
                ));
            }
        }
        i.stopped.clone()
    }

    /// Stops the run at the next stage boundary for `why`.
    pub fn stop(&self, why: impl Into<String>) {
        let mut i = self.inner();
        i.stopped.get_or_insert_with(|| why.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(limit: Option<Duration>, count: bool) -> ResolvedProfile {
        let mut p = ResolvedProfile::builtin("default");
        p.max_duration = limit;
        p.count_gate_time = count;
        p
    }

    #[test]
    fn no_limit_never_stops_until_told() {
        let clock = Clock::start(&profile(None, true));
        assert_eq!(clock.check(), None);
        clock.stop("interrupted");
        clock.stop("twice");
        assert_eq!(clock.check().as_deref(), Some("interrupted"));
    }

    #[test]
    fn a_zero_budget_is_spent_at_once_and_says_so() {
        let clock = Clock::start(&profile(Some(Duration::ZERO), true));
        let why = clock.check().unwrap();
        assert!(why.contains("max_duration"), "{why}");
    }

    #[test]
    fn gate_time_is_left_out_when_asked() {
        let clock = Clock::start(&profile(Some(Duration::from_secs(3600)), false));
        clock.gates(true);
        {
            // Pretend the run started long ago and has waited at a gate since.
            let mut i = clock.inner();
            i.started -= Duration::from_secs(7200);
            i.gate_since = Some(i.started);
        }
        assert_eq!(clock.check(), None, "all of it was gate time");
        let counting = Clock::start(&profile(Some(Duration::from_secs(3600)), true));
        counting.inner().started -= Duration::from_secs(7200);
        assert!(counting.check().is_some());
    }
}
