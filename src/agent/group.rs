//! The process group of a running agent: signals go to the whole group, so helpers and
//! grandchildren die with the agent; dropping the guard kills whatever is left. A group
//! is also recorded in a file while it runs, so that after `kill -9` of git aos the next
//! run (or `reset`, or `fsck --fix`) can end a group that outlived its runner.

use std::path::Path;
use std::time::{Duration, Instant};

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
        if let Some(pgid) = pgid {
            super::interrupt::register(pgid.as_raw());
        }
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
        if let Some(pgid) = self.pgid.take() {
            super::interrupt::unregister(pgid.as_raw());
        }
    }
}

impl Drop for ProcessGroup {
    /// Kills the group at once: a dropped run has no time left for a grace period, and
    /// the process may exit right after, so SIGTERM-then-SIGKILL could leave orphans.
    fn drop(&mut self) {
        if self.pgid.is_some() {
            self.signal(Signal::SIGKILL);
            self.disarm();
        }
    }
}

/// Writes the record of a running group: its id and its leader's start time.
pub(crate) fn record(path: &Path, pid: Option<u32>) {
    let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) else {
        return;
    };
    let start = start_time(pid).map_or_else(|| "-".to_owned(), |t| t.to_string());
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = std::fs::write(path, format!("{pid} {start}\n")) {
        tracing::warn!("could not record the agent's process group: {e}");
    }
}

/// Ends the group a record names if it still runs (SIGTERM, then SIGKILL after `grace`)
/// and removes the record. Returns the group id when a group was ended.
///
/// A group is only signalled while it is provably the one recorded: its leader alive
/// with the recorded start time, or, the leader gone, members that started no earlier.
pub fn end_recorded(path: &Path, grace: Duration) -> Option<i32> {
    let text = std::fs::read_to_string(path).ok()?;
    let _ = std::fs::remove_file(path);
    let mut parts = text.split_whitespace();
    let pgid: i32 = parts.next()?.parse().ok()?;
    let start: Option<u64> = parts.next().and_then(|s| s.parse().ok());
    if pgid <= 1 || !is_recorded_group(pgid, start) {
        return None;
    }
    let group = Pid::from_raw(pgid);
    let _ = killpg(group, Signal::SIGTERM);
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline && killpg(group, None).is_ok() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = killpg(group, Signal::SIGKILL);
    Some(pgid)
}

/// File name of a group record inside an invocation's scratch directory.
pub const RECORD_FILE: &str = "agent.pgroup";

/// Returns the groups recorded under `dir` that still run, without touching them.
pub fn live_leftovers(dir: &Path) -> Vec<i32> {
    records(dir)
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            let mut parts = text.split_whitespace();
            let pgid: i32 = parts.next()?.parse().ok()?;
            let start = parts.next().and_then(|s| s.parse().ok());
            (pgid > 1 && is_recorded_group(pgid, start)).then_some(pgid)
        })
        .collect()
}

/// Returns the group records under `dir`.
fn records(dir: &Path) -> impl Iterator<Item = std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .max_depth(3)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.file_name() == RECORD_FILE)
        .map(|e| e.into_path())
}

/// Ends every recorded group under `dir` (the scratch directories of a workstream):
/// groups whose runner was killed before it could end them. Returns the groups ended.
pub fn end_leftovers(dir: &Path, grace: Duration) -> Vec<i32> {
    records(dir)
        .filter_map(|path| end_recorded(&path, grace))
        .collect()
}

/// Returns whether group `pgid` still holds the processes recorded with `start`.
fn is_recorded_group(pgid: i32, start: Option<u64>) -> bool {
    if killpg(Pid::from_raw(pgid), None).is_err() {
        return false;
    }
    let Some(start) = start else {
        // No start time could be read when it was recorded (not Linux): trust the id.
        return true;
    };
    match start_time(pgid) {
        Some(t) => t == start,
        // The leader is gone; its group lives on in processes it started after it.
        None => members_since(pgid, start),
    }
}

/// Returns the start time of a process (clock ticks after boot), on Linux.
fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat_field(&stat, 22)
}

/// Returns field `n` (1-based, as `proc(5)` counts) of a `/proc/<pid>/stat` line.
fn stat_field(stat: &str, n: usize) -> Option<u64> {
    // The command name (field 2) may hold spaces and parentheses: count after its end.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(n - 3)?.parse().ok()
}

/// Returns whether some process of group `pgid` started at or after `start`.
fn members_since(pgid: i32, start: u64) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    dir.flatten().any(|e| {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        stat_field(&stat, 5) == Some(pgid as u64)
            && stat_field(&stat, 22).is_some_and(|t| t >= start)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        let stat =
            "4242 (my (odd) agent) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 98765 0";
        assert_eq!(stat_field(stat, 4), Some(1));
        assert_eq!(stat_field(stat, 5), Some(4242));
        assert_eq!(stat_field(stat, 22), Some(98765));
    }

    #[test]
    fn a_record_of_a_dead_group_ends_nothing_and_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("agent.pgroup");
        // A pid far above any pid_max: no such group.
        std::fs::write(&file, "2147483000 5\n").unwrap();
        assert_eq!(end_recorded(&file, Duration::from_millis(10)), None);
        assert!(!file.exists());
    }
}
