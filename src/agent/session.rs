//! A spawned agent from its first line of output to the death of its process group:
//! recording output, the wall-clock limit, the no-output watchdog, Ctrl-C (and SIGTERM,
//! SIGHUP), and the
//! SIGTERM-grace-SIGKILL end that every run goes through.

use std::process::ExitStatus;
use std::time::Duration;

use nix::sys::signal::Signal;
use tokio::process::Child;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use super::Error;
use super::group::ProcessGroup;
use super::runner::RunLimits;
use super::stream::Piece;
use super::transcript::Transcript;

/// How long the leader may take to die after SIGKILL before the runner stops waiting.
const KILL_WAIT: Duration = Duration::from_secs(5);
/// How long output is still read after SIGKILL (pipes held outside the group).
const DRAIN_AFTER_KILL: Duration = Duration::from_millis(500);

/// Why watching stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// The leader exited.
    Exited,
    /// The wall-clock limit fired.
    TimedOut,
    /// The no-output watchdog fired.
    Idle,
    /// Ctrl-C, SIGTERM or SIGHUP arrived.
    Interrupted,
}

/// A spawned child and what it has said so far.
pub(crate) struct Session<'a> {
    /// The group leader.
    pub child: Child,
    /// Output from the stream readers.
    pub rx: mpsc::Receiver<Piece>,
    /// Whether a stream reader is still running.
    pub open: bool,
    /// The leader's exit status, once reaped.
    pub status: Option<ExitStatus>,
    /// Where output goes.
    pub transcript: Transcript<'a>,
}

impl Session<'_> {
    /// Records output until the leader exits or a limit or Ctrl-C stops the run.
    pub(crate) async fn watch(&mut self, limits: &RunLimits) -> Result<End, Error> {
        let never = Instant::now() + Duration::from_secs(365 * 24 * 3600);
        let after = |d: Duration| {
            if d.is_zero() {
                never
            } else {
                Instant::now() + d
            }
        };
        let wall = sleep_until(after(limits.timeout));
        let idle = sleep_until(after(limits.idle_timeout));
        let mut interrupt = super::interrupt::listen();
        if super::interrupt::requested().is_some() {
            return Ok(End::Interrupted);
        }
        tokio::pin!(wall, idle);
        let mut interrupt_live = true;
        loop {
            tokio::select! {
                status = self.child.wait() => {
                    self.status = Some(status.map_err(Error::Wait)?);
                    return Ok(End::Exited);
                }
                piece = self.rx.recv(), if self.open => match piece {
                    Some(piece) => {
                        self.transcript.push(&piece);
                        if !limits.idle_timeout.is_zero() {
                            idle.as_mut().reset(Instant::now() + limits.idle_timeout);
                        }
                    }
                    None => self.open = false,
                },
                () = &mut wall, if !limits.timeout.is_zero() => return Ok(End::TimedOut),
                () = &mut idle, if !limits.idle_timeout.is_zero() => return Ok(End::Idle),
                res = interrupt.changed(), if interrupt_live => match res {
                    Ok(()) => return Ok(End::Interrupted),
                    Err(_) => interrupt_live = false,
                },
            }
        }
    }

    /// Ends the whole group, whatever ended the watch: SIGTERM, output read until the
    /// streams close or `grace` passes, SIGKILL, then a short last read.
    pub(crate) async fn stop(
        &mut self,
        group: &ProcessGroup,
        grace: Duration,
    ) -> Result<(), Error> {
        group.signal(Signal::SIGTERM);
        self.drain_until(Instant::now() + grace).await?;
        group.signal(Signal::SIGKILL);
        if self.status.is_none()
            && let Ok(status) = tokio::time::timeout(KILL_WAIT, self.child.wait()).await
        {
            self.status = Some(status.map_err(Error::Wait)?);
        }
        self.drain_until(Instant::now() + DRAIN_AFTER_KILL).await
    }

    /// Records output and waits for the leader until both are done or the deadline.
    async fn drain_until(&mut self, deadline: Instant) -> Result<(), Error> {
        let stop = sleep_until(deadline);
        tokio::pin!(stop);
        while self.status.is_none() || self.open {
            tokio::select! {
                status = self.child.wait(), if self.status.is_none() => {
                    self.status = Some(status.map_err(Error::Wait)?);
                }
                piece = self.rx.recv(), if self.open => match piece {
                    Some(piece) => self.transcript.push(&piece),
                    None => self.open = false,
                },
                () = &mut stop => break,
            }
        }
        Ok(())
    }
}

/// Returns the closing line of the live log.
pub(crate) fn describe_end(
    end: End,
    status: Option<ExitStatus>,
    took: Duration,
    limits: &RunLimits,
) -> String {
    let took = format!("{:.1}s", took.as_secs_f64());
    match end {
        End::TimedOut => format!(
            "killed after {took}: timed out ({}s limit)",
            limits.timeout.as_secs()
        ),
        End::Idle => format!(
            "killed after {took}: no output for {}s",
            limits.idle_timeout.as_secs()
        ),
        End::Interrupted => format!("killed after {took}: interrupted"),
        End::Exited => match status.and_then(|s| s.code()) {
            Some(code) => format!("exited with code {code} after {took}"),
            None => format!("ended by a signal after {took}"),
        },
    }
}
