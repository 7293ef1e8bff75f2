//! Pushing claimed workstreams in the background: a stage that ends only marks its
//! workstream to publish, and one pusher per workstream pushes its newest state and
//! branch, so the pipeline never waits on the network and stages that end close together
//! go out in one push (each push carries the whole state, so none is lost).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::Pipeline;
use crate::ids::{RemoteName, WorkstreamName};

/// The pushers of the workstreams a runner drives now.
#[derive(Default)]
pub(super) struct Publishers {
    marks: Mutex<BTreeMap<WorkstreamName, watch::Sender<u64>>>,
}

impl Publishers {
    /// Marks a workstream to publish; nothing when it has no pusher.
    pub fn mark(&self, name: &WorkstreamName) {
        let marks = self.marks.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = marks.get(name) {
            tx.send_modify(|n| *n += 1);
        }
    }

    /// Starts the pusher of a workstream.
    pub fn start(
        &self,
        p: &Arc<Pipeline>,
        remote: &RemoteName,
        name: &WorkstreamName,
    ) -> JoinHandle<()> {
        let (tx, mut rx) = watch::channel(0u64);
        self.marks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.clone(), tx);
        let (p, remote, name) = (p.clone(), remote.clone(), name.clone());
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                rx.borrow_and_update();
                let (store, root, r, n) = (
                    p.store.clone(),
                    p.repo_root.clone(),
                    remote.clone(),
                    name.clone(),
                );
                let pushed = tokio::task::spawn_blocking(move || {
                    crate::remote::publish(&store, &root, &r, &n)
                })
                .await;
                match pushed {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        p.ui.warn(format_args!("{name}: could not publish the state: {e:#}"))
                    }
                    Err(e) => p.ui.warn(format_args!("{name}: the pusher failed: {e}")),
                }
            }
        })
    }

    /// Stops the pusher of a workstream once it pushed what it was marked for.
    pub async fn stop(&self, name: &WorkstreamName, pusher: JoinHandle<()>) {
        // Dropping the sender ends the pusher's loop after its last push.
        self.marks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
        let _ = pusher.await;
    }
}
