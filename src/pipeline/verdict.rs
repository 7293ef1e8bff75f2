//! Asking the review role for one verdict on something other than a task's diff (a plan,
//! a whole branch): the first reviewer that answers decides; none configured means skip.

use std::path::Path;

use crate::agent::{self, Request, ReviewVerdict, Role, RunLimits};
use crate::config::Role as ConfigRole;
use crate::ids::{RunId, WorkstreamName};

use super::{Pipeline, agents};

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
    };
    if reviewers.is_empty() {
        return Ok(None);
    }
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
        let mut limits = RunLimits::for_spec(&spec);
        limits.live_log = Some(p.live_log(name));
        p.ui.progress(
            name.as_str(),
            format_args!("{} (reviewer {reviewer})", what.replace('-', " ")),
        );
        let before = super::confinement::watch(p, &spec);
        let exec = agent::invoke(&spec, &req, &limits, &p.redactor).await?;
        super::confinement::changes(p, &exec, before);
        answer.log = super::agents::exec_log(p, &exec);
        answer.reviewer = reviewer.clone();
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
