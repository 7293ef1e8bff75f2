//! `merge`: land a complete workstream on its base. Under the merge lock and the
//! workstream's lock: refuse what cannot land safely (not complete, uncommitted work, a
//! dirty checkout of base, conflicts), build the result in-process (merge commit, squash
//! or rebase), run the merge gate on it, then hand it to `landing`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::gate::{self, Verdict};
use super::landing::{self, Landing, Phase, short};
use super::message;
use super::preflight::{
    base_checkout, conflicts, refuse_ignored, refuse_status, refuse_uncommitted,
};
use crate::config::Config;
use crate::error::UserError;
use crate::ids::WorkstreamName;
use crate::lock;
use crate::store::{MergeResult, Replay, Snapshot, Store, WorkstreamRecord, now_rfc3339};
use crate::ui::Ui;

/// How the result is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// A merge commit with parents [base tip, workstream tip].
    Merge,
    /// One commit with the merged tree on top of base, listing the tasks.
    Squash,
    /// Each commit of the branch replayed on top of base, notes copied along.
    Rebase,
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Merge => "merge",
            Self::Squash => "squash",
            Self::Rebase => "rebase",
        })
    }
}

/// What `merge` was asked for.
#[derive(Debug, Clone)]
pub struct MergeRequest {
    /// The workstream.
    pub name: WorkstreamName,
    /// How to build the result.
    pub strategy: Strategy,
    /// Merge even when the workstream is not `complete`.
    pub force: bool,
    /// Run the merge gate.
    pub gate: bool,
}

/// What a finished merge did.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The workstream.
    pub name: WorkstreamName,
    /// The base branch it landed on.
    pub base: String,
    /// The commit base points at now.
    pub commit: String,
    /// How the result was built.
    pub strategy: Strategy,
    /// The archive id of its state.
    pub archive_id: String,
    /// How the gate went.
    pub gate: Verdict,
    /// The checkout of base that was brought up to date, if any.
    pub checkout: Option<PathBuf>,
    /// Whether its worktree had to be kept (it changed during the merge).
    pub worktree_kept: bool,
    /// Whether its branch was deleted.
    pub branch_deleted: bool,
}

/// The result commit, before it lands.
struct Built {
    commit: String,
    /// (original, replayed) commits of a rebase.
    rewritten: Vec<(String, String)>,
}

/// Merges the workstream into its base (or finishes an interrupted merge of it).
pub fn merge(
    store: &Store,
    cfg: &Config,
    repo_root: &Path,
    ui: &Ui,
    req: &MergeRequest,
) -> anyhow::Result<Merged> {
    let common = store.paths().common_dir.clone();
    let _merge_lock = lock::lock_merge(&common)?;
    let _ws_lock = lock::lock_workstream(&common, &req.name)?;
    let mut snap = store.find(&req.name)?;
    if let Some(journal) = landing::pending(store, &snap)? {
        if let Some(done) = landing::resume(store, cfg, repo_root, ui, &snap, journal)? {
            return Ok(done);
        }
        snap = store.find(&req.name)?;
    }
    let ws = &snap.ws;
    refuse_status(ws, req.force)?;
    let base_tip = store.branch_tip(&ws.base)?.ok_or_else(|| {
        UserError::with_hint(
            format!(
                "the base `{}` of `{}` is not a local branch",
                ws.base, ws.name
            ),
            "git aos merges into local branches only",
        )
    })?;
    let tip = store.branch_tip(&ws.branch)?.ok_or_else(|| {
        UserError::with_hint(
            format!("the branch `{}` is gone", ws.branch),
            format!(
                "`git aos close {} --force` archives the workstream",
                ws.name
            ),
        )
    })?;
    refuse_uncommitted(store, ws)?;
    base_checkout(repo_root, ws)?;
    let mut landing = Landing {
        phase: Phase::Landing,
        strategy: req.strategy,
        base: ws.base.clone(),
        from: base_tip.clone(),
        to: base_tip.clone(),
        branch_tip: tip.clone(),
        checkout: None,
        gate: Verdict::Skipped,
        at: now_rfc3339(),
    };
    if store.is_ancestor(&tip, &base_tip)? {
        ui.status(format_args!(
            "nothing to land: `{}` already contains `{}`",
            ws.base, ws.branch
        ));
        return landing::finish(store, cfg, repo_root, ui, &snap, landing, None);
    }
    let tree = match store.merge_commits(&base_tip, &tip)? {
        MergeResult::Clean(tree) => tree,
        MergeResult::Conflicts(files) => {
            let worktree = super::worktree_path(store, ws);
            return Err(conflicts(ws, &worktree, &files));
        }
    };
    let built = build(store, &snap, req.strategy, &base_tip, &tip, &tree)?;
    let (verdict, record) = if req.gate {
        gate::run(store, cfg, repo_root, ui, &snap, &built.commit)?
    } else {
        (Verdict::Skipped, None)
    };
    // The gate can take minutes: look again at everything landing relies on.
    if store.branch_tip(&ws.branch)?.as_deref() != Some(tip.as_str()) {
        return Err(UserError::with_hint(
            format!("`{}` moved during the merge; nothing landed", ws.branch),
            format!("run `git aos merge {}` again", ws.name),
        )
        .into());
    }
    refuse_uncommitted(store, ws)?;
    let checkout = base_checkout(repo_root, ws)?;
    if let Some(co) = &checkout {
        refuse_ignored(store, ws, co, &base_tip, &built.commit)?;
    }
    landing.checkout = checkout.map(|p| p.display().to_string());
    landing.to = built.commit.clone();
    landing.gate = verdict;
    write_notes(store, &snap, &built, &landing)?;
    landing::land(store, cfg, repo_root, ui, &snap, landing, record)
}

fn build(
    store: &Store,
    snap: &Snapshot,
    strategy: Strategy,
    base_tip: &str,
    tip: &str,
    tree: &str,
) -> anyhow::Result<Built> {
    let ws = &snap.ws;
    let tasks = store.tasks(snap)?;
    let commit = match strategy {
        Strategy::Merge => store.write_commit(
            tree,
            &[base_tip.to_owned(), tip.to_owned()],
            &message::merge(ws, &tasks),
        )?,
        Strategy::Squash => {
            let commits = store.commits_between(base_tip, tip)?;
            let plan = store.read_file(snap, crate::store::path::PLAN)?;
            let text = message::squash(ws, &tasks, &commits, plan.as_deref(), tip);
            store.write_commit(tree, &[base_tip.to_owned()], &text)?
        }
        Strategy::Rebase => return rebase(store, ws, base_tip, tip),
    };
    Ok(Built {
        commit,
        rewritten: Vec::new(),
    })
}

fn rebase(
    store: &Store,
    ws: &WorkstreamRecord,
    base_tip: &str,
    tip: &str,
) -> anyhow::Result<Built> {
    let commits = store.commits_between(base_tip, tip)?;
    if let Some(m) = commits.iter().find(|c| c.parents > 1) {
        return Err(UserError::with_hint(
            format!(
                "`{}` has a merge commit ({} \"{}\"): rebase replays linear history only",
                ws.branch,
                short(&m.id),
                m.summary
            ),
            format!(
                "land it with `git aos merge {} --strategy merge` (or `squash`)",
                ws.name
            ),
        )
        .into());
    }
    let ids: Vec<String> = commits.iter().map(|c| c.id.clone()).collect();
    match store.replay(base_tip, &ids)? {
        Replay::Conflict { commit, files } => {
            let summary = commits
                .iter()
                .find(|c| c.id == commit)
                .map_or("", |c| c.summary.as_str());
            Err(UserError::with_hint(
                format!(
                    "replaying {} \"{summary}\" onto `{}` would conflict in:\n  {}\nnothing was written",
                    short(&commit),
                    ws.base,
                    files.join("\n  ")
                ),
                format!(
                    "the branch as a whole merges cleanly: `git aos merge {} --strategy merge` (or `squash`)",
                    ws.name
                ),
            )
            .into())
        }
        Replay::Done {
            tip: new,
            rewritten,
            dropped,
        } => {
            if !dropped.is_empty() {
                tracing::info!("{} commits already in base were dropped", dropped.len());
            }
            Ok(Built {
                commit: new,
                rewritten,
            })
        }
    }
}

/// Copies each replayed commit's note to its replay; notes the result of a merge or squash.
fn write_notes(
    store: &Store,
    snap: &Snapshot,
    built: &Built,
    landing: &Landing,
) -> anyhow::Result<()> {
    let mut notes = Vec::new();
    for (old, new) in &built.rewritten {
        if let Some(text) = store.note_get(old)? {
            notes.push((new.clone(), text));
        }
    }
    if landing.strategy != Strategy::Rebase {
        let tasks = store.tasks(snap)?;
        notes.push((
            built.commit.clone(),
            message::note(
                &snap.ws,
                &tasks,
                landing.strategy,
                &landing.branch_tip,
                landing.gate,
            ),
        ));
    }
    if !notes.is_empty() {
        store.notes_set(&notes)?;
    }
    Ok(())
}
