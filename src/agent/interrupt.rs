//! Ctrl-C, SIGTERM and SIGHUP while agents run: one listener for the whole process
//! (started by the first run) records the signal and wakes every runner, which then
//! ends its agent's process group like a timeout does. Between agents, the pipeline
//! asks `requested` at each stage boundary and stops there.
//!
//! Once a handler is installed these signals no longer end the process by default, so
//! callers stop on `Error::Interrupted` or `requested()` instead.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, OnceLock};

use tokio::sync::watch;

/// The signal that asked the process to stop (0 when none).
static SIGNAL: AtomicI32 = AtomicI32::new(0);
/// Process groups of agents running now.
static GROUPS: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());
/// Wakes runners when a signal arrives.
static WAKE: OnceLock<watch::Sender<i32>> = OnceLock::new();

/// Starts the listener once for the process (on a thread of its own, so it outlives
/// any one async runtime). Returns a receiver that changes when a signal arrives.
pub fn listen() -> watch::Receiver<i32> {
    WAKE.get_or_init(|| {
        let (tx, _) = watch::channel(0);
        let sender = tx.clone();
        let (ready_tx, ready) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("aos-signals".into())
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    let _ = ready_tx.send(());
                    return;
                };
                rt.block_on(wait_for_signals(sender, ready_tx));
            });
        match spawned {
            // The handlers must be in place before any agent starts: a signal that came
            // earlier would end git aos the default way, leaving the agent running.
            Ok(_) => {
                let _ = ready.recv_timeout(std::time::Duration::from_secs(5));
            }
            Err(e) => tracing::warn!("cannot listen for signals: {e}"),
        }
        tx
    })
    .subscribe()
}

async fn wait_for_signals(tx: watch::Sender<i32>, ready: std::sync::mpsc::Sender<()>) {
    use tokio::signal::unix::{SignalKind, signal};
    let handlers = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    );
    let _ = ready.send(());
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) = handlers else {
        tracing::warn!("cannot listen for SIGINT, SIGTERM and SIGHUP");
        return;
    };
    loop {
        let sig = tokio::select! {
            _ = int.recv() => libc_signal::INT,
            _ = term.recv() => libc_signal::TERM,
            _ = hup.recv() => libc_signal::HUP,
        };
        SIGNAL.store(sig, Ordering::SeqCst);
        tx.send_replace(sig);
    }
}

/// Signal numbers, named.
mod libc_signal {
    pub const INT: i32 = nix::sys::signal::Signal::SIGINT as i32;
    pub const TERM: i32 = nix::sys::signal::Signal::SIGTERM as i32;
    pub const HUP: i32 = nix::sys::signal::Signal::SIGHUP as i32;
}

/// Returns the signal that asked the process to stop, if one did.
pub fn requested() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// Records a running agent's process group.
pub(crate) fn register(pgid: i32) {
    GROUPS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(pgid);
}

/// Forgets a process group that has ended.
pub(crate) fn unregister(pgid: i32) {
    GROUPS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&pgid);
}

/// Returns the process groups of the agents running now.
pub fn running_groups() -> Vec<i32> {
    GROUPS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .copied()
        .collect()
}
