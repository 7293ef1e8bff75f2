//! Landing a merge result on the base branch, ordered so that a crash at any point loses
//! nothing and running `git aos merge` again finishes the job:
//!
//! 1. a state commit records the journal `merge.toml` (phase `landing`: base, from, to,
//!    the worktree where base is checked out);
//! 2. a compare-and-swap moves base from `from` (the tip the merge was computed from) to
//!    `to`; if base moved meanwhile nothing lands and the journal is dropped;
//! 3. base's checkout, found clean just before, goes from `from` to `to` with
//!    `git read-tree -m -u`, which refuses rather than overwrite a changed file;
//! 4. the workstream's worktree is removed if clean (else kept, and so is its branch),
//!    its branch deleted if configured, and its state archived as `merged`.
//!
//! Rerunning after a crash reads the journal: base still at `from` means it did not land
//! (the journal is dropped and the merge starts over); base at or past `to` means it did,
//! and steps 3–4 run. Between 2 and 3 the checkout holds the old files under the new
//! HEAD — `git status` shows the merge reversed as staged changes — and nothing is lost.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::gate::{GATE_FILE, GATE_LOG, GateRecord, Verdict};
use super::merge::{Merged, Strategy};
use crate::config::Config;
use crate::error::UserError;
use crate::git;
use crate::notify;
use crate::store::{Actor, Event, Snapshot, Store, WsStatus};
use crate::ui::Ui;

/// The journal and, once merged, the record of the merge, in the state tree.
pub const MERGE_FILE: &str = "merge.toml";

/// Test hook: `AOS_CRASH_AT=after-cas` ends the process (exit 99, no cleanup) right after
/// base moved, so tests can check that a crash there loses nothing and a rerun finishes.
const CRASH_ENV: &str = "AOS_CRASH_AT";

/// Where a merge stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Base may or may not have moved yet.
    Landing,
    /// Done; the state is archived.
    Merged,
}

/// `merge.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Landing {
    /// Where the merge stands.
    pub phase: Phase,
    /// How the result was built.
    pub strategy: Strategy,
    /// The base branch.
    pub base: String,
    /// The base tip the result was computed from (the compare-and-swap's expectation).
    pub from: String,
    /// The result commit base moves to.
    pub to: String,
    /// The workstream branch's tip that was merged.
    pub branch_tip: String,
    /// The worktree where base is checked out, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout: Option<String>,
    /// How the merge gate went.
    pub gate: Verdict,
    /// RFC 3339 time the landing started.
    pub at: String,
}

/// Steps 1–4 for a result that is built and has passed its gate.
pub fn land(
    store: &Store,
    cfg: &Config,
    repo_root: &Path,
    ui: &Ui,
    snap: &Snapshot,
    landing: Landing,
    gate: Option<(GateRecord, String)>,
) -> anyhow::Result<Merged> {
    let name = &snap.ws.name;
    let base = landing.base.clone();
    let journal = Event::new(
        "merge",
        format!(
            "landing on {base}: {} -> {}",
            short(&landing.from),
            short(&landing.to)
        ),
    )
    .by(Actor::Person);
    store.update(name, &journal, |tx| {
        if let Some((record, log)) = &gate {
            tx.put_toml(GATE_FILE, record)?;
            tx.put(GATE_LOG, log.clone());
        }
        tx.put_toml(MERGE_FILE, &landing)
    })?;
    let why = format!("merge aos/{name} ({})", landing.strategy);
    if !store.move_branch(&base, &landing.to, &landing.from, &why)? {
        let event =
            Event::new("merge", format!("not landed: `{base}` moved meanwhile")).by(Actor::Person);
        store.update(name, &event, |tx| {
            tx.remove(MERGE_FILE);
            Ok(())
        })?;
        return Err(UserError::with_hint(
            format!("`{base}` moved while `{name}` was being merged; nothing landed"),
            format!("run `git aos merge {name}` again"),
        )
        .into());
    }
    if std::env::var(CRASH_ENV).is_ok_and(|v| v == "after-cas") {
        std::process::exit(99);
    }
    let updated = match &landing.checkout {
        Some(co) => Some(update_checkout(name, &landing, Path::new(co))?),
        None => None,
    };
    finish(store, cfg, repo_root, ui, snap, landing, updated)
}

/// Returns the journal of a merge that was interrupted, if any.
pub fn pending(store: &Store, snap: &Snapshot) -> anyhow::Result<Option<Landing>> {
    let landing: Option<Landing> = store.read_toml(snap, MERGE_FILE)?;
    Ok(landing.filter(|l| l.phase == Phase::Landing))
}

/// Finishes an interrupted merge that landed; drops the journal of one that did not and
/// returns `None` so the merge starts over.
pub fn resume(
    store: &Store,
    cfg: &Config,
    repo_root: &Path,
    ui: &Ui,
    snap: &Snapshot,
    landing: Landing,
) -> anyhow::Result<Option<Merged>> {
    let name = &snap.ws.name;
    let now = store.branch_tip(&landing.base)?;
    let landed = match &now {
        Some(tip) => store.is_ancestor(&landing.to, tip)?,
        None => false,
    };
    if !landed {
        let event = Event::new("merge", "an interrupted merge did not land; starting over")
            .by(Actor::Person);
        store.update(name, &event, |tx| {
            tx.remove(MERGE_FILE);
            Ok(())
        })?;
        return Ok(None);
    }
    ui.status(format_args!(
        "finishing an interrupted merge: `{}` already has {}",
        landing.base,
        short(&landing.to)
    ));
    let mut updated = None;
    if let Some(co) = &landing.checkout {
        let co = Path::new(co);
        // Only a checkout still exactly where the crash left it: HEAD at the result, the
        // index at the old tip. Anything else was dealt with by someone since.
        if now.as_deref() == Some(landing.to.as_str())
            && co.is_dir()
            && !git::merge::index_matches(co, &landing.to)?
            && git::merge::index_matches(co, &landing.from)?
        {
            updated = Some(update_checkout(name, &landing, co)?);
        }
    }
    finish(store, cfg, repo_root, ui, snap, landing, updated).map(Some)
}

/// Step 4, also for a workstream its base already contains (`from == to`).
pub fn finish(
    store: &Store,
    cfg: &Config,
    repo_root: &Path,
    ui: &Ui,
    snap: &Snapshot,
    mut landing: Landing,
    checkout: Option<PathBuf>,
) -> anyhow::Result<Merged> {
    let ws = &snap.ws;
    let name = &ws.name;
    let worktree = &super::worktree_path(store, ws);
    let mut worktree_kept = false;
    if worktree.is_dir() {
        let clean = git::worktree::changes(worktree).is_ok_and(|c| c.is_empty());
        if !(clean && git::worktree::remove(repo_root, worktree, false).is_ok()) {
            worktree_kept = true;
            ui.warn(format_args!(
                "kept the worktree `{}`: it has changes made during the merge (its branch is kept too)",
                worktree.display()
            ));
        }
    }
    git::worktree::prune(repo_root)?;
    let branch_deleted = cfg.project.delete_branch_on_merge
        && !worktree_kept
        && store.delete_branch(&ws.branch, &landing.branch_tip)?;
    landing.phase = Phase::Merged;
    let to = landing.to.clone();
    let event = Event::new(
        "merge",
        format!(
            "merged into {} as {} ({})",
            landing.base,
            short(&to),
            landing.strategy
        ),
    )
    .by(Actor::Person)
    .trailer("Aos-Merge-Commit", &to);
    let archive_id = store.archive(name, &event, |tx| {
        tx.put_toml(MERGE_FILE, &landing)?;
        let w = tx.ws_mut();
        w.status = WsStatus::Merged;
        w.merge_commit = Some(to.clone());
        w.head = Some(landing.branch_tip.clone());
        w.reason = None;
        Ok(())
    })?;
    notify::send(
        ui,
        &cfg.notify,
        repo_root,
        notify::Kind::Merged,
        name,
        &format!(
            "merged into `{}` as {} ({})",
            landing.base,
            short(&to),
            landing.strategy
        ),
        Some(&format!("git show --stat {}", short(&to))),
    );
    Ok(Merged {
        name: name.clone(),
        base: landing.base,
        commit: to,
        strategy: landing.strategy,
        archive_id,
        gate: landing.gate,
        checkout,
        worktree_kept,
        branch_deleted,
    })
}

/// Step 3: brings base's checkout from `from` to `to`; an error says how to finish.
fn update_checkout(
    name: &crate::ids::WorkstreamName,
    landing: &Landing,
    co: &Path,
) -> anyhow::Result<PathBuf> {
    git::merge::update_checkout(co, &landing.from, &landing.to).map_err(|e| {
        anyhow::Error::new(UserError::with_hint(
            format!(
                "`{}` now points at {}, but its checkout `{}` could not be brought up to date; nothing in it was changed: {e:#}",
                landing.base,
                short(&landing.to),
                co.display()
            ),
            format!(
                "move the files git names out of the way, then run `git aos merge {name}` again to finish"
            ),
        ))
    })?;
    Ok(co.to_owned())
}

/// Returns the first ten hex digits of an object id.
pub fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}
