//! Asking the review role for one verdict on something other than a task's diff (a plan,
//! a whole branch): the first reviewer that answers decides; none configured means skip.

use std::path::Path;

use crate::agent::{self, Request, ReviewVerdict, Role};
use crate::config::Role as ConfigRole;
use crate::ids::{RunId, WorkstreamName};

use super::{Pipeline, agents, custody};

/// What the review role said.
pub(super) struct Answer {
    /// The reviewer that gave the verdict, or the last one asked.
    pub reviewer: String,
    /// The verdict; `None` when no reviewer gave one.
    pub verdict: Option<ReviewVerdict>,
    /// Why no reviewer gave a verdict, one reason per reviewer.
    pub reasons: Vec<String>,
    /// The last reviewer's output, capped, for the state log.
    pub log: String,
    /// A record of every reviewer invocation: (`<what>-<reviewer>`, record).
    pub invocations: Vec<(String, super::record::Invocation)>,
}

impl Answer {
    /// Returns the verdict's name: `approve`, `request_changes`, `block`, or `none`.
    pub fn verdict_name(&self) -> &'static str {
        self.verdict.as_ref().map_or("none", |v| v.verdict.as_str())
    }

    /// Returns the reviewer's summary, or why there is no verdict.
    pub fn summary(&self) -> String {
        match &self.verdict {
            Some(v) => v.summary.clone(),
            None => format!("no reviewer gave a verdict: {}", self.reasons.join("; ")),
        }
    }

    /// Returns the comments, one line each: `severity path:line message`.
    pub fn comments(&self) -> Vec<String> {
        self.verdict.as_ref().map(comment_lines).unwrap_or_default()
    }
}

/// Returns a verdict's comments, one line each: `severity path:line message`.
pub(super) fn comment_lines(v: &ReviewVerdict) -> Vec<String> {
    v.comments
        .iter()
        .map(|c| {
            let place = match (&c.path, c.line) {
                (Some(p), Some(l)) => format!(" {p}:{l}"),
                (Some(p), None) => format!(" {p}"),
                _ => String::new(),
            };
            format!("{}{place} {}", c.severity.as_str(), c.message)
        })
        .collect()
}

/// Asks each reviewer of the review role in turn (the built-in shell agent cannot
/// review) until one gives a verdict; `what` names the scratch directory. Returns `None`
/// when no reviewer is configured.
pub(super) async fn ask(
    p: &Pipeline,
    name: &WorkstreamName,
    worktree: &Path,
    run: &RunId,
    what: &str,
    prompt: impl Fn(&Path) -> String,
) -> anyhow::Result<Option<Answer>> {
    let reviewers: Vec<String> = p
        .cfg
        .role_agents(ConfigRole::Review)
        .into_iter()
        .filter(|a| agents::can_review(p, a))
        .map(str::to_owned)
        .collect();
    let mut answer = Answer {
        reviewer: String::new(),
        verdict: None,
        reasons: Vec::new(),
        log: String::new(),
        invocations: Vec::new(),
    };
    if reviewers.is_empty() {
        return Ok(None);
    }
    let snap = p.store.find(name)?;
    let checkout = crate::git::Checkout::locate(&p.store.paths().common_dir, worktree)?;
    let base = p
        .store
        .branch_tip(&snap.ws.branch)?
        .unwrap_or_else(|| snap.ws.base_commit.clone());
    // What the reviewer reads must be what it leaves: its edits are thrown away.
    let before = checkout.write_tree()?;
    for reviewer in reviewers {
        let spec = agents::spec(p, &reviewer, None)?;
        let scratch = p.scratch(name, run, &format!("{what}-{reviewer}"));
        let result_file = agent::result_file(&scratch);
        let mut req = Request::new(
            Role::Review,
            prompt(&result_file),
            worktree.to_path_buf(),
            scratch,
        );
        req.review_schema = true;
        let limits = p.limits(&spec, name, None, &req.scratch_dir);
        p.ui.progress(
            name.as_str(),
            format_args!("{} (reviewer {reviewer})", what.replace('-', " ")),
        );
        let heads = custody::watch(p)?;
        let started = crate::store::now_precise();
        let exec = {
            let _slots = p.agent_slot(&reviewer).await?;
            let unconfined = super::confinement::watch(p, &spec);
            let exec = agent::invoke(&spec, &req, &limits, &p.redactor).await?;
            super::confinement::changes(p, &exec, unconfined);
            exec
        };
        answer.invocations.push((
            format!("{what}-{reviewer}"),
            super::record::Invocation::new("review", &reviewer, started, &exec.outcome),
        ));
        answer.log = super::agents::exec_log(p, &exec);
        answer.reviewer = reviewer.clone();
        let place = custody::Place {
            name,
            branch: &snap.ws.branch,
            checkout: &checkout,
            run,
            base: &base,
            detached: false,
        };
        let who = format!("{} ({reviewer})", what.replace('-', " "));
        let report = custody::after_agent(p, &place, &heads, &who)?;
        if let Some(why) = report.stop {
            return Err(crate::error::UserError::new(why).into());
        }
        let after = checkout.write_tree()?;
        if after != before {
            let files = p.store.changed_between(&before, &after)?;
            checkout.restore_tree(&before)?;
            let why = format!(
                "`{reviewer}` changed files while reviewing ({}); the changes were thrown away \
                 and its verdict is void",
                files.join(", ")
            );
            p.ui.warn(format_args!("{name}: {why}"));
            answer.reasons.push(why);
            continue;
        }
        match exec.outcome.verdict {
            Some(v) => {
                answer.verdict = Some(v);
                return Ok(Some(answer));
            }
            None => answer.reasons.push(format!(
                "`{reviewer}` gave no verdict: {}",
                exec.outcome.reasons.join("; ")
            )),
        }
    }
    Ok(Some(answer))
}
