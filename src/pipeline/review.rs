//! REVIEW: a second agent reads the change from the run's base to the tested tree, and
//! the test results, and answers approve, request_changes or block. Skipped (and
//! recorded so) when no agent that can review is configured.
//!
//! The reviewer only reads: its CLI runs in its most read-only mode, and afterwards the
//! worktree is hashed again — a reviewer that changed files has its changes thrown away
//! (the worktree goes back to the tested tree) and its verdict voided.

use std::time::Duration;

use crate::agent::prompt::{self, Feedback, ReviewInput};
use crate::agent::{ErrorClass, Outcome, Request, Role, Verdict};
use crate::config::Role as ConfigRole;
use crate::git;
use crate::store::Actor;

use super::implement::MAX_ENV_RETRIES;
use super::record::Stage;
use super::stage::{Step, TaskCtx, fail, fail_with, halt, retry_or_fail, save, stage_record};
use super::{Pipeline, agents};

/// Returns the reviewers for an attempt, and whether the attempt's own agent reviews it:
/// the review role's agents that can review, without the implementing agent unless the
/// role names no other.
pub(super) fn reviewers_for(p: &Pipeline, implementer: Option<&str>) -> (Vec<String>, bool) {
    let all: Vec<String> = p
        .cfg
        .role_agents(ConfigRole::Review)
        .into_iter()
        .filter(|a| agents::can_review(p, a))
        .map(str::to_owned)
        .collect();
    let others: Vec<String> = all
        .iter()
        .filter(|a| Some(a.as_str()) != implementer)
        .cloned()
        .collect();
    match others.is_empty() {
        true => {
            let own = !all.is_empty();
            (all, own)
        }
        false => (others, false),
    }
}

/// Asks the reviewer; a missing (or voided) verdict falls back to the next reviewer.
pub(super) async fn run(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    let (reviewers, self_review) = reviewers_for(p, t.run.agent.as_deref());
    if reviewers.is_empty() {
        return Ok(skip(t));
    }
    let tree = match t.run.tree.clone() {
        Some(tree) => tree,
        None => t.checkout.write_tree()?,
    };
    t.run.tree = Some(tree.clone());
    let base = t.base().to_owned();
    let stat = git::change::stat(&t.checkout, &base, &tree)?;
    let diff = git::change::diff(&t.checkout, &base, &tree, prompt::DIFF_MAX)?;
    let criteria: Vec<String> = t.task.criteria().map(str::to_owned).collect();
    let directives = prompt::load_directives(&p.repo_root, &p.cfg.project.directives);
    let outputs = t.outputs();
    let tests = t.run.tests.join("\n");
    let mut reasons = Vec::new();
    for reviewer in &reviewers {
        let spec = agents::spec(p, reviewer, None)?;
        let scratch = p.scratch(
            &t.name,
            &t.run.id,
            &format!("review-{}-{reviewer}", t.run.attempt),
        );
        let result_file = crate::agent::result_file(&scratch);
        let text = prompt::review_prompt(&ReviewInput {
            directives: &directives,
            plan_title: &t.plan.title,
            task: &t.task,
            outputs: &outputs,
            diff_stat: &stat,
            diff: &diff,
            test_summary: &tests,
            criteria: &criteria,
            result_file: &result_file,
        });
        let mut req = Request::new(Role::Review, text, t.worktree.clone(), scratch);
        req.task = Some(t.task.id.clone());
        req.review_schema = true;
        let run = agents::invoke(p, t, Stage::Review, reviewer, &spec, &req).await?;
        let exec = run.exec;
        let (log_path, log_text) = run.log;
        t.run.stages.push(run.record);
        if let Some(why) = run.stop {
            return fail(p, t, Stage::Review, &why, Some((log_path, log_text)));
        }
        if let Some(voided) = settle(p, t, &tree, reviewer)? {
            reasons.push(voided);
            continue;
        }
        let Some(verdict) = exec.outcome.verdict.clone() else {
            let why = format!(
                "`{reviewer}` gave no verdict: {}",
                exec.outcome.reasons.join("; ")
            );
            match after_no_verdict(&exec.outcome, t.run.env_retries) {
                NoVerdict::NextReviewer => {
                    reasons.push(why);
                    continue;
                }
                NoVerdict::Backoff(wait) => {
                    return backoff(p, t, reviewer, wait, &why, (log_path, log_text)).await;
                }
                NoVerdict::Halt => return halt(p, t, Stage::Review, &why),
            }
        };
        t.run.env_retries = 0;
        let log = Some((log_path, log_text));
        t.run.self_review = self_review;
        t.run.verdict = Some(verdict.verdict.as_str().to_owned());
        t.run.review_summary = verdict.summary.clone();
        t.run.review_comments = super::verdict::comment_lines(&verdict);
        return match verdict.verdict {
            Verdict::Approve => {
                t.run.next = Stage::Qa;
                let event = t.event(
                    Stage::Review,
                    "review -> approve",
                    Actor::Agent(reviewer.clone()),
                );
                save(p, t, &event, |tx| {
                    if let Some((path, text)) = &log {
                        tx.put(path, text.clone());
                    }
                    Ok(())
                })?;
                Ok(Step::Continue)
            }
            Verdict::RequestChanges => {
                let signature = format!("review:{}", t.run.review_comments.join("|"));
                let reason = format!("`{reviewer}` requested changes: {}", verdict.summary);
                retry_or_fail(
                    p,
                    t,
                    Stage::Review,
                    signature,
                    Feedback::Review(verdict),
                    &reason,
                    log,
                )
            }
            Verdict::Block => {
                t.run.feedback.push(Feedback::Review(verdict.clone()));
                fail_with(
                    p,
                    t,
                    Stage::Review,
                    &format!("`{reviewer}` blocked it: {}", verdict.summary),
                    log,
                    "code",
                )
            }
        };
    }
    // The change itself is intact: stop for a person to fix the reviewers, keep it.
    halt(
        p,
        t,
        Stage::Review,
        &format!("no reviewer gave a verdict: {}", reasons.join("; ")),
    )
}

/// Hashes the worktree after a reviewer ran: when it differs from the tested `tree`, the
/// reviewer's changes are thrown away and its verdict is void. Returns why, then.
fn settle(
    p: &Pipeline,
    t: &mut TaskCtx,
    tree: &str,
    reviewer: &str,
) -> anyhow::Result<Option<String>> {
    let after = t.checkout.write_tree()?;
    if after == tree {
        return Ok(None);
    }
    let files = p.store.changed_between(tree, &after)?;
    t.checkout.restore_tree(tree)?;
    let line = format!(
        "{} review (attempt {}, {reviewer}): changed files while reviewing ({}); the changes \
         were thrown away and its verdict is void",
        t.task.id,
        t.run.attempt,
        files.join(", ")
    );
    p.ui.warn(&line);
    t.run.custody.push(line);
    Ok(Some(format!(
        "`{reviewer}` changed files while reviewing ({}); its verdict is void",
        files.join(", ")
    )))
}

/// What a review that gave no verdict leads to.
#[derive(Debug, PartialEq)]
enum NoVerdict {
    /// Wait, then ask again (rate limit, busy service, network).
    Backoff(Duration),
    /// Stop the workstream with the reason; the next `run` asks again.
    Halt,
    /// Ask the next reviewer of the role (crash, timeout, unreadable answer).
    NextReviewer,
}

/// Maps a reviewer's failed outcome to the next step by its error class, as implement
/// does: an `env` failure worth a retry is backed off (up to implement's limit), one
/// that is not halts, and anything else goes to the next reviewer — a missing verdict
/// never fails the task.
fn after_no_verdict(o: &Outcome, env_retries: u32) -> NoVerdict {
    match o.error_class {
        ErrorClass::Env if o.retryable && env_retries < MAX_ENV_RETRIES => {
            NoVerdict::Backoff(Duration::from_secs(1u64 << (env_retries + 1).min(6)))
        }
        ErrorClass::Env => NoVerdict::Halt,
        _ => NoVerdict::NextReviewer,
    }
}

async fn backoff(
    p: &Pipeline,
    t: &mut TaskCtx,
    reviewer: &str,
    wait: Duration,
    why: &str,
    log: (String, String),
) -> anyhow::Result<Step> {
    t.run.env_retries += 1;
    let event = t.event(
        Stage::Review,
        "review -> backoff",
        Actor::Agent(reviewer.to_owned()),
    );
    save(p, t, &event, |tx| {
        tx.put(&log.0, log.1.clone());
        Ok(())
    })?;
    p.ui.progress(
        t.name.as_str(),
        format_args!("{reviewer} waiting {} s: {why}", wait.as_secs()),
    );
    tokio::time::sleep(wait).await;
    Ok(Step::Continue)
}

fn skip(t: &mut TaskCtx) -> Step {
    let mut rec = stage_record(Stage::Review, t.run.attempt, crate::store::now_rfc3339());
    rec.outcome = "skipped".into();
    rec.reasons =
        vec!["no reviewer configured (`[roles] review` names no agent that can review)".into()];
    t.run.stages.push(rec);
    t.run.verdict = Some("skipped".into());
    t.run.next = Stage::Qa;
    // No state commit of its own: QA's records it. A crash before that skips it again.
    Step::Continue
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_verdict_is_handled_by_its_error_class() {
        let env = |retryable| Outcome::failure(ErrorClass::Env, retryable, "x");
        assert_eq!(
            after_no_verdict(&env(true), 0),
            NoVerdict::Backoff(Duration::from_secs(2))
        );
        assert_eq!(
            after_no_verdict(&env(true), 3),
            NoVerdict::Backoff(Duration::from_secs(16))
        );
        assert_eq!(
            after_no_verdict(&env(true), MAX_ENV_RETRIES),
            NoVerdict::Halt
        );
        assert_eq!(after_no_verdict(&env(false), 0), NoVerdict::Halt);
        for class in [ErrorClass::Timeout, ErrorClass::Agent] {
            let o = Outcome::failure(class, true, "x");
            assert_eq!(after_no_verdict(&o, 0), NoVerdict::NextReviewer);
        }
    }
}
