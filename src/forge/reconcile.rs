//! Noticing what happened to a request on the forge. A request merged there archives its
//! workstream as `merged`, recording the merge commit the forge reports — as `git aos
//! merge` does for a local merge — once the branch holds nothing the request did not.
//! `git aos pr status` calls this for every workstream with a request; so can `sync`.

use std::path::PathBuf;

use serde::Serialize;

use super::client::Forge;
use super::model::{RequestState, View};
use super::record::{PrRecord, RECORD_FILE};
use crate::config::Config;
use crate::error::UserError;
use crate::git;
use crate::ids::WorkstreamName;
use crate::lock;
use crate::notify;
use crate::store::{Actor, Event, Store, WsStatus};
use crate::ui::Ui;

/// A workstream's request as the forge reports it, and what git aos did about it.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciled {
    /// The workstream.
    pub workstream: String,
    /// The request as recorded (updated when it was merged).
    pub record: PrRecord,
    /// What the forge reports now.
    pub view: View,
    /// The archive id, when the merge archived the workstream now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<String>,
    /// Why a merged request left the workstream live.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
}

/// Asks the forge about the request of live workstream `name` and archives the
/// workstream as `merged` when the request was merged there. Returns `None` when the
/// workstream has no request.
pub fn reconcile(
    store: &Store,
    cfg: &Config,
    ui: &Ui,
    name: &WorkstreamName,
) -> anyhow::Result<Option<Reconciled>> {
    let snap = store.find(name)?;
    let Some(record) = store.read_toml::<PrRecord>(&snap, RECORD_FILE)? else {
        return Ok(None);
    };
    let repo_root = repo_root(store)?;
    let target = record.target();
    let view = Forge::new(&target, &repo_root, cfg.pr.timeout).view(record.number)?;
    let mut out = Reconciled {
        workstream: name.to_string(),
        record,
        view,
        archived: None,
        kept: None,
    };
    if out.view.state != RequestState::Merged {
        return Ok(Some(out));
    }
    let _lock = lock::lock_workstream(&store.paths().common_dir, name)?;
    let snap = store.find(name)?;
    let ws = &snap.ws;
    let tip = store.branch_tip(&ws.branch)?;
    if let Some(tip) = &tip
        && !merged_contains(store, &out.view, &out.record, tip)?
    {
        out.kept = Some(format!(
            "merged on the forge, but `{}` has commits the request did not have (at {}); push them in a new workstream, or `git aos close {name}`",
            ws.branch,
            short(tip)
        ));
        return Ok(Some(out));
    }
    let worktree = &crate::workstream::worktree_path(store, ws);
    let mut worktree_kept = false;
    if worktree.is_dir() {
        let clean = git::worktree::changes(worktree).is_ok_and(|c| c.is_empty());
        if !(clean && git::worktree::remove(&repo_root, worktree, false).is_ok()) {
            worktree_kept = true;
            ui.warn(format_args!(
                "kept the worktree `{}` of `{name}`: it has changes",
                worktree.display()
            ));
        }
    }
    git::worktree::prune(&repo_root)?;
    if let Some(tip) = &tip
        && cfg.project.delete_branch_on_merge
        && !worktree_kept
    {
        store.delete_branch(&ws.branch, tip)?;
    }
    out.record.state = RequestState::Merged;
    out.record.merge_commit = out.view.merge_commit.clone();
    out.record.updated_at = crate::store::now_rfc3339();
    let merge_commit = out.view.merge_commit.clone();
    let what = format!("{} {}", target.tool.noun(), out.record.reference());
    let summary = match &merge_commit {
        Some(c) => format!("merged on the forge as {} ({what})", short(c)),
        None => format!("merged on the forge ({what})"),
    };
    let mut event = Event::new("merge", summary.clone())
        .by(Actor::Person)
        .trailer("Aos-Pr", out.record.reference());
    if let Some(c) = &merge_commit {
        event = event.trailer("Aos-Merge-Commit", c);
    }
    let record = out.record.clone();
    let id = store.archive(name, &event, |tx| {
        tx.put_toml(RECORD_FILE, &record)?;
        let w = tx.ws_mut();
        w.status = WsStatus::Merged;
        w.merge_commit = merge_commit.clone();
        w.head = tip.clone();
        w.reason = None;
        Ok(())
    })?;
    notify::send(
        ui,
        &cfg.notify,
        &repo_root,
        notify::Kind::Merged,
        name,
        &summary,
        Some(&out.view.url),
    );
    out.archived = Some(id);
    Ok(Some(out))
}

/// Returns whether the merged request holds the branch's `tip`: the forge's head contains
/// it, or it is the tip git aos last pushed.
fn merged_contains(
    store: &Store,
    view: &View,
    record: &PrRecord,
    tip: &str,
) -> anyhow::Result<bool> {
    if tip == record.head || view.head.as_deref() == Some(tip) {
        return Ok(true);
    }
    match view.head.as_deref() {
        Some(head) if store.try_find_commit(head)?.is_some() => store.is_ancestor(tip, head),
        _ => Ok(false),
    }
}

/// Returns the top of the main worktree.
fn repo_root(store: &Store) -> anyhow::Result<PathBuf> {
    let paths = store.paths();
    paths
        .main_workdir
        .clone()
        .or_else(|| paths.workdir.clone())
        .ok_or_else(|| UserError::new("this repository has no working tree").into())
}

/// Returns the first ten hex digits of an object id.
fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}
