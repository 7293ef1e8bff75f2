//! Fix tasks brought in from outside the pipeline (review comments on a pull request):
//! appended to the plan like the fix tasks of user acceptance, in the same state commit
//! as whatever the caller records with them.

use crate::error::UserError;
use crate::ids::{TaskId, WorkstreamName};
use crate::lock;
use crate::store::{Actor, Event, StateTx, WsStatus};

use super::Pipeline;
use super::amend::{self, Fix};

/// A fix task to append.
pub struct OutsideFix {
    /// Id prefix: `PR` gives `PR-1`, `PR-2`, …
    pub prefix: &'static str,
    /// One-line title.
    pub title: String,
    /// What to fix, in prose (quote anything people or tools wrote).
    pub body: String,
    /// What the reviewer judges the fix by.
    pub criteria: Vec<String>,
}

/// Appends `fix` to the plan of `name` (a workstream that is `active` or `complete`, so
/// no gate or run is in the way) and records `also` in the same state commit. Returns
/// the task and the workstream's new status.
pub fn add(
    p: &Pipeline,
    name: &WorkstreamName,
    fix: OutsideFix,
    summary: &str,
    mut also: impl FnMut(&mut StateTx<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<(TaskId, WsStatus)> {
    let _lock = lock::lock_workstream(&p.store.paths().common_dir, name)?;
    let snap = p.store.find(name)?;
    if !matches!(snap.ws.status, WsStatus::Active | WsStatus::Complete) {
        return Err(UserError::with_hint(
            format!(
                "`{name}` is {}: a fix task waits until nothing else does",
                snap.ws.status
            ),
            format!("resolve what it waits for first (`git aos show {name}`), then try again"),
        )
        .into());
    }
    let amendment = amend::prepare(
        p,
        &snap,
        Fix::after_last(fix.prefix, fix.title, fix.body, fix.criteria),
    )
    .map_err(|e| {
        UserError::with_hint(
            format!("cannot add a task to `{name}`: {e:#}"),
            "fix tasks need a workstream made with a plan (`git aos new --plan`)",
        )
    })?;
    amendment.write_branch_file(&snap)?;
    let autonomy = p
        .cfg
        .profile(&snap.ws.profile)
        .map_err(UserError::from)?
        .autonomy;
    let id = amendment.task.id.clone();
    let event = Event::new("fix-task", format!("{summary}; {id} added"))
        .by(Actor::Person)
        .task(&id);
    let mut status = WsStatus::Active;
    p.store.update(name, &event, |tx| {
        status = amendment.apply(tx, autonomy)?;
        also(tx)
    })?;
    Ok((id, status))
}
