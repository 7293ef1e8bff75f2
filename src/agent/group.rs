//! The process group of a running agent: signals go to the whole group, so helpers and
//! grandchildren die with the agent; dropping the guard kills whatever is left.

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// A process group the runner owns until it disarms it.
#[derive(Debug)]
pub(crate) struct ProcessGroup {
    pgid: Option<Pid>,
}

impl ProcessGroup {
    /// Returns the guard for the group led by `pid` (spawned with `process_group(0)`,
    /// so the group id is the leader's pid).
    pub(crate) fn new(pid: Option<u32>) -> Self {
        let pgid = pid.and_then(|p| i32::try_from(p).ok()).map(Pid::from_raw);
        Self { pgid }
    }

    /// Sends a signal to every process of the group; returns whether any was there.
    pub(crate) fn signal(&self, signal: Signal) -> bool {
        match self.pgid {
            Some(pgid) => match killpg(pgid, signal) {
                Ok(()) => true,
                Err(Errno::ESRCH) => false,
                Err(e) => {
                    tracing::warn!("could not send {signal} to process group {pgid}: {e}");
                    true
                }
            },
            None => false,
        }
    }

    /// Stops the guard from signalling on drop, once the group has been dealt with.
    pub(crate) fn disarm(&mut self) {
        self.pgid = None;
    }
}

impl Drop for ProcessGroup {
    /// Kills the group at once: a dropped run has no time left for a grace period, and
    /// the process may exit right after, so SIGTERM-then-SIGKILL could leave orphans.
    fn drop(&mut self) {
        if self.pgid.is_some() {
            self.signal(Signal::SIGKILL);
        }
    }
}
