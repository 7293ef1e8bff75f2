//! QA: aos re-checks the attempt before a person sees it — acceptance passed, review
//! approved (or skipped), the change is not empty, no conflict markers, every changed
//! file is inside the task's declared `Files:` scope, and (test first) the tests written
//! before the implementation are unchanged.

use crate::agent::prompt::Feedback;
use crate::config::Autonomy;
use crate::store::Actor;

use super::Pipeline;
use super::record::Stage;
use super::stage::{Step, TaskCtx, retry_or_fail, save, stage_record};

/// Runs the checks on the change from the run's base to the tested tree; any failure
/// goes back to IMPLEMENT with the reasons.
pub(super) fn run(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    let tree = match t.run.tree.clone() {
        Some(tree) => tree,
        None => t.checkout.write_tree()?,
    };
    t.run.tree = Some(tree.clone());
    let files: Vec<String> = p
        .store
        .changed_between(t.base(), &tree)?
        .into_iter()
        .filter(|f| Some(f.as_str()) != t.ws.plan_path.as_deref())
        .collect();
    let reasons = check(p, t, &tree, &files)?;
    let started = crate::store::now_precise();
    let mut rec = stage_record(Stage::Qa, t.run.attempt, started);
    if !reasons.is_empty() {
        rec.outcome = "retry".into();
        rec.error_class = "code".into();
        rec.reasons = reasons.clone();
        t.run.stages.push(rec);
        let signature = format!("qa:{}", reasons.join("|"));
        let summary = reasons.join("; ");
        return retry_or_fail(
            p,
            t,
            Stage::Qa,
            signature,
            Feedback::Qa { reasons },
            &summary,
            None,
        );
    }
    t.run.stages.push(rec);
    let human = t.profile.autonomy != Autonomy::Autonomous
        && t.profile.stages.contains(&crate::config::Stage::Human);
    t.run.next = if human { Stage::Human } else { Stage::Commit };
    let event = t.event(Stage::Qa, "qa -> passed", Actor::Tool);
    save(p, t, &event, |_| Ok(()))?;
    Ok(Step::Continue)
}

/// Returns every reason the attempt is not ready, empty when it is.
fn check(p: &Pipeline, t: &TaskCtx, tree: &str, files: &[String]) -> anyhow::Result<Vec<String>> {
    let mut reasons = Vec::new();
    if !t.run.tests_passed {
        reasons.push("the tests and acceptance commands did not all pass".to_owned());
    }
    match t.run.verdict.as_deref() {
        Some("approve") | Some("skipped") => {}
        other => reasons.push(format!(
            "the review did not approve (verdict: {})",
            other.unwrap_or("none")
        )),
    }
    if files.is_empty() {
        reasons.push("the change is empty: no file differs from the last commit".to_owned());
    }
    for f in files {
        if marked(p, tree, f)? {
            reasons.push(format!("`{f}` contains merge conflict markers"));
        }
    }
    reasons.extend(super::tests_first::edited_tests(p, t, tree)?);
    if !t.task.files.is_empty() {
        let outside = crate::plan::scope::outside(&t.task.files, files)?;
        if !outside.is_empty() {
            reasons.push(format!(
                "changed files outside the declared scope (`Files: {}`): {}",
                t.task.files.join(", "),
                outside.join(", ")
            ));
        }
    }
    Ok(reasons)
}

/// Returns whether the file `f` of `tree` holds conflict markers.
fn marked(p: &Pipeline, tree: &str, f: &str) -> anyhow::Result<bool> {
    Ok(p.store
        .file_in(tree, f)?
        .is_some_and(|bytes| has_conflict_markers(&bytes)))
}

/// Returns the files changed from `base` to `tree` that hold conflict markers.
pub(super) fn marked_files(p: &Pipeline, base: &str, tree: &str) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for f in p.store.changed_between(base, tree)? {
        if marked(p, tree, &f)? {
            out.push(f);
        }
    }
    Ok(out)
}

/// Returns whether a text file has a line that opens or closes a conflict.
pub(super) fn has_conflict_markers(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    text.lines().any(|l| {
        l.starts_with("<<<<<<< ") || l.starts_with(">>>>>>> ") || l == "<<<<<<<" || l == ">>>>>>>"
    })
}
