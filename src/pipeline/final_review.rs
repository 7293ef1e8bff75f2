//! The final review (`final_review = true`): after the last task, the reviewer reads the
//! whole branch once. Approval lets the workstream go on to UAT or completion; concerns
//! wait for a person — `approve` accepts them, `reject -f` turns them into a fix task.

use crate::agent::prompt::{self, BranchReviewInput};
use crate::error::UserError;
use crate::gate::final_review::{FinalReview, FinalState, PATH};
use crate::git;
use crate::ids::{RunId, TaskId, WorkstreamName};
use crate::lock;
use crate::notify;
use crate::store::{Actor, Event, Snapshot, WsStatus, path};

use super::amend::{self, Fix};
use super::{Pipeline, WsOutcome, verdict};

/// Reviews the branch unless its tip was settled already; `None` lets the workstream go
/// on, an outcome stops it at the final review gate.
pub(super) async fn run(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<Option<WsOutcome>> {
    let name = &snap.ws.name;
    let wt = &crate::workstream::worktree_path(&p.store, &snap.ws);
    let head = p
        .store
        .branch_tip(&snap.ws.branch)?
        .ok_or_else(|| UserError::new(format!("the branch `{}` is gone", snap.ws.branch)))?;
    let checkout = git::Checkout::locate(&p.store.paths().common_dir, wt)?;
    let prior: Option<FinalReview> = p.store.read_toml(snap, PATH)?;
    if prior.is_some_and(|r| r.settles(&head)) {
        return Ok(None);
    }
    let plan = String::from_utf8_lossy(&p.store.read_file(snap, path::PLAN)?.unwrap_or_default())
        .into_owned();
    let stat = git::change::stat(&checkout, &snap.ws.base_commit, &head)?;
    let diff = git::change::diff(&checkout, &snap.ws.base_commit, &head, prompt::DIFF_MAX)?;
    let directives = prompt::load_directives(&p.repo_root, &p.cfg.project.directives);
    let range = format!("`{}` since `{}`", snap.ws.branch, snap.ws.base);
    let run = RunId::generate();
    let answer = verdict::ask(p, name, wt, &run, "final-review", |result| {
        prompt::final_review_prompt(&BranchReviewInput {
            directives: &directives,
            plan: &plan,
            range: &range,
            diff_stat: &stat,
            diff: &diff,
            result_file: result,
        })
    })
    .await?;
    let approved = answer
        .as_ref()
        .is_none_or(|a| a.verdict_name() == "approve");
    let review = FinalReview {
        state: if approved {
            FinalState::Approved
        } else {
            FinalState::Concerns
        },
        head,
        reviewer: answer
            .as_ref()
            .map_or("none".into(), |a| a.reviewer.clone()),
        verdict: answer
            .as_ref()
            .map_or("skipped", |a| a.verdict_name())
            .to_owned(),
        summary: answer.as_ref().map(|a| a.summary()).unwrap_or_default(),
        comments: answer.as_ref().map(|a| a.comments()).unwrap_or_default(),
        reviewed_at: crate::store::now_rfc3339(),
        decided_by: None,
        fix_task: None,
    };
    let reason = format!("the final review raised concerns: {}", review.summary);
    let actor = Actor::Agent(review.reviewer.clone());
    let event = Event::new(
        "final-review",
        format!("final review -> {}", review.verdict),
    )
    .by(actor)
    .run(&run);
    let (log, invocations) = answer.map(|a| (a.log, a.invocations)).unwrap_or_default();
    p.store.update(name, &event, |tx| {
        tx.put_toml(PATH, &review)?;
        tx.put(&format!("runs/{run}/final-review.log"), log.clone());
        for (what, record) in &invocations {
            tx.put_toml(&super::record::Invocation::path(&run, what), record)?;
        }
        if !approved {
            let ws = tx.ws_mut();
            ws.status = WsStatus::AwaitingReview;
            ws.reason = Some(reason.clone());
        }
        Ok(())
    })?;
    if approved {
        p.ui.progress(
            name.as_str(),
            format_args!("final review: {}", review.verdict),
        );
        return Ok(None);
    }
    let cmd = format!("git aos show {name}");
    p.notify(notify::Kind::AwaitingReview, name, &reason, &cmd);
    Ok(Some(WsOutcome::AtGate(format!(
        "{reason}; `git aos approve {name}` accepts the branch, `git aos reject {name} -f TEXT` turns the concerns into a fix task"
    ))))
}

/// Returns the final review whose concerns wait for a person, if that is what the
/// workstream waits for.
pub fn pending(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<Option<FinalReview>> {
    if snap.ws.status != WsStatus::AwaitingReview {
        return Ok(None);
    }
    let review: Option<FinalReview> = p.store.read_toml(snap, PATH)?;
    Ok(review.filter(|r| r.state == FinalState::Concerns))
}

fn at_gate(p: &Pipeline, name: &WorkstreamName) -> anyhow::Result<(Snapshot, FinalReview)> {
    let snap = p.store.find(name)?;
    let review = pending(p, &snap)?.ok_or_else(|| {
        UserError::new(format!("no final review of `{name}` waits for a decision"))
    })?;
    Ok((snap, review))
}

/// Accepts the branch despite the concerns; the next `run` goes on to UAT or completion.
pub fn accept(p: &Pipeline, name: &WorkstreamName) -> anyhow::Result<()> {
    let _lock = lock::lock_workstream(&p.store.paths().common_dir, name)?;
    let (_, mut review) = at_gate(p, name)?;
    let by = p.store.person();
    review.state = FinalState::Accepted;
    review.decided_by = Some(by.clone());
    let event =
        Event::new("final-review", format!("final review accepted by {by}")).by(Actor::Person);
    p.store.update(name, &event, |tx| {
        tx.put_toml(PATH, &review)?;
        let ws = tx.ws_mut();
        ws.status = WsStatus::Active;
        ws.reason = None;
        Ok(())
    })?;
    Ok(())
}

/// Turns the concerns and `text` into a fix task appended to the plan; the workstream
/// goes back to `active` (or, supervised, to the plan gate). Returns the task and status.
pub fn reject(
    p: &Pipeline,
    name: &WorkstreamName,
    text: &str,
) -> anyhow::Result<(TaskId, WsStatus)> {
    let _lock = lock::lock_workstream(&p.store.paths().common_dir, name)?;
    let (snap, mut review) = at_gate(p, name)?;
    let by = p.store.person();
    // Quoted, so nothing the reviewer wrote can read as a heading of the plan.
    let mut said: Vec<String> = review.summary.lines().map(|l| format!("> {l}")).collect();
    said.extend(review.comments.iter().map(|c| format!("> - {c}")));
    let body = format!(
        "The final review of the whole branch ({}, {}) raised concerns:\n\n{}\n\n{by} adds: {}",
        review.reviewer,
        review.verdict,
        said.join("\n"),
        text.trim()
    );
    let fix = Fix::after_last(
        "FIX",
        "Address the final review".into(),
        body,
        vec!["the concerns of the final review are addressed".into()],
    );
    let amendment = amend::prepare(p, &snap, fix)?;
    amendment.write_branch_file(&snap)?;
    review.state = FinalState::Fixing;
    review.decided_by = Some(by.clone());
    review.fix_task = Some(amendment.task.id.clone());
    let autonomy = p
        .cfg
        .profile(&snap.ws.profile)
        .map_err(UserError::from)?
        .autonomy;
    let event = Event::new(
        "final-review",
        format!("final review rejected by {by}; {} added", amendment.task.id),
    )
    .by(Actor::Person)
    .task(&amendment.task.id);
    let mut status = WsStatus::Active;
    p.store.update(name, &event, |tx| {
        tx.put_toml(PATH, &review)?;
        status = amendment.apply(tx, autonomy)?;
        Ok(())
    })?;
    Ok((amendment.task.id, status))
}
