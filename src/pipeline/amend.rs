//! Fix tasks: what user acceptance, the final review or a task's failure found becomes a
//! task appended to the plan — in the state (`plan.md`, `tasks.toml`) and in the
//! branch's plan file in the workstream's worktree — so `git aos run` goes on. In
//! supervised autonomy the changed plan waits at the plan gate.

use std::path::Path;

use anyhow::Context as _;

use crate::config::Autonomy;
use crate::gate::plan::{AddedTask, PATH as PLAN_GATE, PlanGate, PlanOrigin, PlanState};
use crate::plan;
use crate::store::{Snapshot, StateTx, TaskRecord, WsStatus, path};

use super::Pipeline;

/// A fix task to append.
pub(super) struct Fix {
    /// Id prefix: `UAT` gives `UAT-1`, `UAT-2`, …
    pub prefix: &'static str,
    /// One-line title.
    pub title: String,
    /// What to fix, in prose.
    pub body: String,
    /// What the reviewer judges the fix by.
    pub criteria: Vec<String>,
    /// Commands aos runs to accept the fix.
    pub commands: Vec<String>,
    /// Its declared scope.
    pub files: Vec<String>,
    /// The script the built-in `shell` agent runs.
    pub run: Option<String>,
    /// What it depends on; `None`: the plan's last task.
    pub depends: Option<Vec<crate::ids::TaskId>>,
}

impl Fix {
    /// Returns a fix that the reviewer judges by `criteria`, after the plan's last task.
    pub fn after_last(
        prefix: &'static str,
        title: String,
        body: String,
        criteria: Vec<String>,
    ) -> Self {
        Self {
            prefix,
            title,
            body,
            criteria,
            commands: Vec::new(),
            files: Vec::new(),
            run: None,
            depends: None,
        }
    }
}

/// A fix task ready to be recorded: the plan texts before and after.
pub(super) struct Amendment {
    /// The task appended.
    pub task: AddedTask,
    before: String,
    before_in_branch: String,
    state_text: String,
    branch_text: String,
    /// The workstream's worktree on this machine.
    worktree: std::path::PathBuf,
}

/// Returns the amendment that appends `fix` after the plan's last task, on which it
/// depends. Nothing is written yet.
pub(super) fn prepare(p: &Pipeline, snap: &Snapshot, fix: Fix) -> anyhow::Result<Amendment> {
    let before = String::from_utf8(
        p.store
            .read_file(snap, path::PLAN)?
            .context("the workstream has no plan to add a task to")?,
    )
    .context("plan.md is not UTF-8")?;
    let plan = plan::check(&before, path::PLAN)
        .map_err(|d| anyhow::anyhow!("the stored plan does not validate: {}", d[0]))?
        .plan;
    let depends = fix.depends.unwrap_or_else(|| {
        plan.tasks
            .last()
            .map(|t| t.id.clone())
            .into_iter()
            .collect()
    });
    let task = AddedTask {
        id: plan.next_id(fix.prefix)?,
        title: fix.title,
        depends,
        body: fix.body,
        criteria: fix.criteria,
        commands: fix.commands,
        files: fix.files,
        run: fix.run,
    };
    let worktree = crate::workstream::worktree_path(&p.store, &snap.ws);
    let before_in_branch = read_plan_file(&worktree, snap);
    let (state_text, branch_text) = append(&before, &before_in_branch, &task)?;
    Ok(Amendment {
        task,
        before,
        before_in_branch,
        state_text,
        branch_text,
        worktree,
    })
}

/// Returns the state's plan and the branch's plan file with `task` appended. The state is
/// authoritative: a branch file that is missing or will not take the task becomes the
/// state's plan.
fn append(state: &str, branch: &str, task: &AddedTask) -> anyhow::Result<(String, String)> {
    let new = task.to_new_task();
    let state_text = plan::append_task(state, &new)?;
    let branch_text = match branch.trim().is_empty() {
        true => state_text.clone(),
        false => plan::append_task(branch, &new).unwrap_or_else(|_| state_text.clone()),
    };
    Ok((state_text, branch_text))
}

impl Amendment {
    /// Writes the branch's plan file in the worktree. Called before the state commit, so
    /// a crash in between leaves a file the next amendment replaces, never a task in the
    /// state that the branch's file lacks (the commit ticks it there).
    pub fn write_branch_file(&self, snap: &Snapshot) -> anyhow::Result<()> {
        write_plan_file(&self.worktree, snap, &self.branch_text)
    }

    /// Records the task in the state being changed and moves the workstream on: back to
    /// `active`, or in supervised autonomy to the plan gate. Returns the new status.
    pub fn apply(&self, tx: &mut StateTx<'_>, autonomy: Autonomy) -> anyhow::Result<WsStatus> {
        let id = &self.task.id;
        self.record(tx, |_| {})?;
        let ws = tx.ws_mut();
        ws.current_task = None;
        if autonomy != Autonomy::Supervised {
            ws.status = WsStatus::Active;
            ws.reason = Some(format!("{id} added: {}", self.task.title));
            return Ok(WsStatus::Active);
        }
        ws.status = WsStatus::AwaitingReview;
        ws.reason = Some(format!("the plan changed ({id} added) and awaits approval"));
        self.open_gate(tx)?;
        Ok(WsStatus::AwaitingReview)
    }

    /// Records the task in the plan and `tasks.toml` (`more` sets its record's other
    /// fields), without changing where the workstream stands.
    pub fn record(
        &self,
        tx: &mut StateTx<'_>,
        more: impl FnOnce(&mut TaskRecord),
    ) -> anyhow::Result<()> {
        let id = &self.task.id;
        tx.put(path::PLAN, self.state_text.clone());
        let mut tasks = tx.tasks()?;
        tasks.tasks.retain(|t| &t.id != id);
        let mut record = TaskRecord::pending(
            id.clone(),
            self.task.title.clone(),
            self.task.depends.clone(),
        );
        record.fix = true;
        more(&mut record);
        tasks.tasks.push(record);
        tx.set_tasks(&tasks)
    }

    /// Opens the plan gate on the amendment (supervised autonomy).
    pub fn open_gate(&self, tx: &mut StateTx<'_>) -> anyhow::Result<()> {
        let mut gate = PlanGate::draft();
        gate.state = PlanState::Waiting;
        gate.requested_at = Some(crate::store::now_rfc3339());
        gate.origin = PlanOrigin::Amendment {
            task: Box::new(self.task.clone()),
            before: self.before.clone(),
            before_in_branch: self.before_in_branch.clone(),
        };
        tx.put_toml(PLAN_GATE, &gate)
    }
}

/// Rewrites the added task of an amendment with a person's words added to its body: in
/// the branch's plan file now, and in the state being changed by `tx`. Returns the
/// amendment as it now stands.
pub(super) fn refine(
    worktree: &Path,
    snap: &Snapshot,
    tx: &mut StateTx<'_>,
    origin: &PlanOrigin,
    by: &str,
    text: &str,
) -> anyhow::Result<PlanOrigin> {
    let PlanOrigin::Amendment {
        task,
        before,
        before_in_branch,
    } = origin
    else {
        anyhow::bail!("only an added task can be refined");
    };
    let mut task = task.clone();
    task.body = format!("{}\n\n{by} adds: {}", task.body.trim_end(), text.trim());
    let (state_text, branch_text) = append(before, before_in_branch, &task)?;
    write_plan_file(worktree, snap, &branch_text)?;
    tx.put(path::PLAN, state_text);
    Ok(PlanOrigin::Amendment {
        task,
        before: before.clone(),
        before_in_branch: before_in_branch.clone(),
    })
}

/// Returns the branch's plan file as the worktree holds it (empty when there is none).
fn read_plan_file(worktree: &Path, snap: &Snapshot) -> String {
    snap.ws
        .plan_path
        .as_ref()
        .and_then(|rel| std::fs::read_to_string(worktree.join(rel)).ok())
        .unwrap_or_default()
}

fn write_plan_file(worktree: &Path, snap: &Snapshot, text: &str) -> anyhow::Result<()> {
    let Some(rel) = &snap.ws.plan_path else {
        return Ok(());
    };
    let file = worktree.join(rel);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::atomic_file::replace(&file, text, None)
}
