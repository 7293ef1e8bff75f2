//! User acceptance (`[uat]`): after the last task the workstream waits for a person to
//! try it. `pass` completes it; `fail` turns the issues into a fix task and the loop
//! goes on.

use anyhow::Context as _;

use crate::error::UserError;
use crate::gate::uat::{self, Outcome, Requirement, UatGate};
use crate::ids::{TaskId, WorkstreamName};
use crate::lock;
use crate::notify;
use crate::plan;
use crate::store::{Actor, Event, Snapshot, WsStatus, path};

use super::amend::{self, Fix};
use super::{Pipeline, WsOutcome};

/// Opens a UAT request for the branch as it is, and stops.
pub(super) fn open(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<WsOutcome> {
    let name = &snap.ws.name;
    let text = p
        .store
        .read_file(snap, path::PLAN)?
        .context("the workstream has no plan")?;
    let plan = plan::check(&String::from_utf8_lossy(&text), path::PLAN)
        .map_err(|d| anyhow::anyhow!("the stored plan does not validate: {}", d[0]))?
        .plan;
    let requirements: Vec<Requirement> = plan
        .tasks
        .iter()
        .map(|t| Requirement {
            task: t.id.clone(),
            title: t.title.clone(),
            criteria: t.criteria().map(str::to_owned).collect(),
        })
        .collect();
    let head = p
        .store
        .branch_tip(&snap.ws.branch)?
        .unwrap_or_else(|| snap.ws.base_commit.clone());
    let mut id = String::new();
    let event = Event::new("uat", "user acceptance requested");
    p.store.update(name, &event, |tx| {
        id = uat::next_id(&uat::all(tx)?);
        let gate = UatGate {
            id: id.clone(),
            requested_at: crate::store::now_rfc3339(),
            head: head.clone(),
            requirements: requirements.clone(),
            scenarios: p.cfg.uat.scenarios.clone(),
            outcome: None,
            issues: None,
            decided_by: None,
            decided_at: None,
            fix_task: None,
        };
        tx.put_toml(&uat::path(&id), &gate)?;
        let ws = tx.ws_mut();
        ws.status = WsStatus::AwaitingUat;
        ws.current_task = None;
        ws.reason = Some(format!("user acceptance requested ({id})"));
        Ok(())
    })?;
    let cmd = format!("git aos uat show {name}");
    let msg = format!("all tasks done; user acceptance requested ({id})");
    p.notify(notify::Kind::AwaitingUat, name, &msg, &cmd);
    Ok(WsOutcome::AtGate(format!(
        "{msg}; try it, then `git aos uat pass {name}` or `git aos uat fail {name} --issues TEXT`"
    )))
}

/// Returns the open UAT request, or why there is none.
fn open_request(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<UatGate> {
    let name = &snap.ws.name;
    let mut open: Vec<UatGate> = Vec::new();
    for file in p.store.list_dir(snap, uat::DIR)? {
        if let Some(g) = p
            .store
            .read_toml::<UatGate>(snap, &format!("{}/{file}", uat::DIR))?
            && g.is_open()
        {
            open.push(g);
        }
    }
    uat::sort(&mut open);
    match (snap.ws.status, open.pop()) {
        (WsStatus::AwaitingUat, Some(g)) => Ok(g),
        (status, _) => Err(UserError::with_hint(
            format!("`{name}` is not waiting for user acceptance (it is {status})"),
            format!("`git aos status {name}` shows where it stands"),
        )
        .into()),
    }
}

/// Accepts the workstream: the UAT request passes and the workstream is complete.
/// Returns the request's id.
pub fn pass(p: &Pipeline, name: &WorkstreamName) -> anyhow::Result<String> {
    let _lock = lock::lock_workstream(&p.store.paths().common_dir, name)?;
    let snap = p.store.find(name)?;
    let mut gate = open_request(p, &snap)?;
    let by = p.store.person();
    gate.outcome = Some(Outcome::Passed);
    gate.decided_by = Some(by.clone());
    gate.decided_at = Some(crate::store::now_rfc3339());
    let event = Event::new("uat", format!("{} passed by {by}", gate.id)).by(Actor::Person);
    p.store.update(name, &event, |tx| {
        tx.put_toml(&uat::path(&gate.id), &gate)?;
        let ws = tx.ws_mut();
        ws.status = WsStatus::Complete;
        ws.reason = None;
        Ok(())
    })?;
    let cmd = format!("git aos merge {name}");
    p.notify(
        notify::Kind::Complete,
        name,
        &format!("user acceptance passed ({})", gate.id),
        &cmd,
    );
    Ok(gate.id)
}

/// Refuses the workstream: the issues become a fix task appended to the plan, and the
/// workstream goes back to `active` (or, supervised, to the plan gate). Returns the
/// request's id, the fix task and the new status.
pub fn fail(
    p: &Pipeline,
    name: &WorkstreamName,
    issues: &str,
) -> anyhow::Result<(String, TaskId, WsStatus)> {
    let _lock = lock::lock_workstream(&p.store.paths().common_dir, name)?;
    let snap = p.store.find(name)?;
    let mut gate = open_request(p, &snap)?;
    let by = p.store.person();
    let quoted: Vec<String> = issues.trim().lines().map(|l| format!("> {l}")).collect();
    let fix = Fix::after_last(
        "UAT",
        "Fix what user acceptance found".into(),
        format!(
            "User acceptance ({}) failed. {by} reported:\n\n{}",
            gate.id,
            quoted.join("\n")
        ),
        vec!["every issue reported at user acceptance is fixed".into()],
    );
    let amendment = amend::prepare(p, &snap, fix)?;
    amendment.write_branch_file(&snap)?;
    gate.outcome = Some(Outcome::Failed);
    gate.issues = Some(issues.to_owned());
    gate.decided_by = Some(by.clone());
    gate.decided_at = Some(crate::store::now_rfc3339());
    gate.fix_task = Some(amendment.task.id.clone());
    let autonomy = p
        .cfg
        .profile(&snap.ws.profile)
        .map_err(UserError::from)?
        .autonomy;
    let event = Event::new(
        "uat",
        format!("{} failed by {by}; {} added", gate.id, amendment.task.id),
    )
    .by(Actor::Person)
    .task(&amendment.task.id);
    let mut status = WsStatus::Active;
    p.store.update(name, &event, |tx| {
        tx.put_toml(&uat::path(&gate.id), &gate)?;
        status = amendment.apply(tx, autonomy)?;
        Ok(())
    })?;
    Ok((gate.id, amendment.task.id, status))
}
