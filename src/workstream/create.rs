//! `new`: branch, worktree, setup, first state commit — all or nothing.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::UserError;
use crate::git;
use crate::ids::WorkstreamName;
use crate::store::{
    Actor, Event, Snapshot, Store, TasksFile, WorkstreamRecord, WsStatus, now_rfc3339, path, refs,
};

/// What `new` was asked for.
#[derive(Debug, Clone)]
pub struct NewWorkstream {
    /// The name.
    pub name: WorkstreamName,
    /// Commit or branch to start from (default: `[project] base`, else the current branch).
    pub base: Option<String>,
    /// Pipeline profile (default: `default`).
    pub profile: Option<String>,
    /// The plan, already validated: its text, its path inside the branch, its tasks.
    pub plan: Option<PlanSnapshot>,
}

/// A validated plan ready to be recorded in the first state commit.
#[derive(Debug, Clone)]
pub struct PlanSnapshot {
    /// The plan text as loaded.
    pub text: String,
    /// Where the plan lives in the branch (relative to the repository root).
    pub path_in_branch: String,
    /// One pending record per task, in plan order.
    pub tasks: TasksFile,
}

/// Creates the workstream; on any failure, removes what it made.
pub fn create(
    store: &Store,
    cfg: &Config,
    repo_root: &Path,
    req: &NewWorkstream,
) -> anyhow::Result<Snapshot> {
    let name = &req.name;
    let branch = refs::workstream_branch(name);
    refuse_clashes(store, name, &branch)?;
    let profile = req
        .profile
        .clone()
        .unwrap_or_else(|| crate::config::DEFAULT_PROFILE.to_owned());
    cfg.profile(&profile).map_err(UserError::from)?;
    let base = match req.base.clone().or_else(|| cfg.project.base.clone()) {
        Some(b) => b,
        None => store.current_branch()?.ok_or_else(|| {
            UserError::with_hint(
                "no base given and HEAD is detached",
                "pass `--base <branch>` or set `[project] base`",
            )
        })?,
    };
    let base_commit = store.resolve(&base)?.ok_or_else(|| {
        UserError::with_hint(
            format!("base `{base}` does not name a commit"),
            "pass an existing branch with `--base`, or make a first commit",
        )
    })?;
    let worktree = cfg.worktree_root(repo_root).join(name.as_str());
    if worktree.exists() {
        return Err(UserError::with_hint(
            format!("`{}` already exists", worktree.display()),
            "move it away, or set `[project] worktrees` to another directory",
        )
        .into());
    }
    git::worktree::add_with_new_branch(repo_root, &worktree, &branch, &base_commit)?;
    let made = Made {
        store,
        repo_root,
        worktree: worktree.clone(),
        branch: branch.clone(),
        start: base_commit.clone(),
    };
    if let Err(e) = crate::hooks::attach_worktree(&store.paths().common_dir, &worktree) {
        made.undo();
        return Err(e);
    }
    if let Some(plan) = &req.plan
        && let Err(e) = place_plan(&worktree, plan)
    {
        made.undo();
        return Err(e);
    }
    if let Err(e) = super::setup::run(&cfg.project.setup, &worktree) {
        made.undo();
        return Err(e);
    }
    let now = now_rfc3339();
    let record = WorkstreamRecord {
        name: name.clone(),
        branch,
        base,
        base_commit,
        worktree: worktree.display().to_string(),
        profile,
        status: WsStatus::Active,
        created_at: now.clone(),
        updated_at: now,
        plan_path: req.plan.as_ref().map(|p| p.path_in_branch.clone()),
        current_task: None,
        reason: None,
        head: None,
        merge_commit: None,
        tasks_done: 0,
        tasks_total: 0,
        tip: None,
        integrating: None,
    };
    let event = Event::new("create", format!("created from {}", record.base)).by(Actor::Person);
    let created = store.create(record, &event, |tx| {
        if let Some(plan) = &req.plan {
            tx.put(path::PLAN, plan.text.clone());
            tx.set_tasks(&plan.tasks)?;
        } else {
            tx.set_tasks(&TasksFile::default())?;
        }
        Ok(())
    });
    match created {
        Ok(snap) => {
            git::maintenance_auto(repo_root);
            Ok(snap)
        }
        Err(e) => {
            made.undo();
            Err(e)
        }
    }
}

/// Refuses a name whose refs exist or cannot exist, before anything is written.
fn refuse_clashes(store: &Store, name: &WorkstreamName, branch: &str) -> anyhow::Result<()> {
    if store.try_find(name)?.is_some() {
        return Err(UserError::with_hint(
            format!("workstream `{name}` already exists"),
            format!("pick another name, or look at it with `git aos status {name}`"),
        )
        .into());
    }
    if store.branch_tip(branch)?.is_some() {
        return Err(UserError::with_hint(
            format!("branch `{branch}` already exists"),
            format!(
                "pick another name; if it is left from an interrupted `new`, `git aos fsck --fix` then `git branch -D {branch}`"
            ),
        )
        .into());
    }
    for full in [refs::branch(branch), refs::live(name)] {
        if let Some(clash) = store.ref_clash(&full)? {
            return Err(UserError::with_hint(
                format!("cannot create `{full}`: `{clash}` is in the way"),
                "pick another name",
            )
            .into());
        }
    }
    Ok(())
}

/// What `create` made so far, so a failure can take it back.
struct Made<'a> {
    store: &'a Store,
    repo_root: &'a Path,
    worktree: PathBuf,
    branch: String,
    start: String,
}

impl Made<'_> {
    fn undo(&self) {
        if let Err(e) = git::worktree::remove(self.repo_root, &self.worktree, true) {
            tracing::warn!("could not remove `{}`: {e:#}", self.worktree.display());
        }
        if let Err(e) = self.store.delete_branch(&self.branch, &self.start) {
            tracing::warn!("could not delete `{}`: {e:#}", self.branch);
        }
    }
}

/// Writes the plan into the new worktree at its path in the branch, so the first task
/// commit carries it (with its checkbox ticked) when the branch does not have it yet.
fn place_plan(worktree: &Path, plan: &PlanSnapshot) -> anyhow::Result<()> {
    let dest = worktree.join(&plan.path_in_branch);
    if std::fs::read_to_string(&dest).ok().as_deref() == Some(plan.text.as_str()) {
        return Ok(());
    }
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&dest, &plan.text)?;
    Ok(())
}
