//! What a run keeps about confinement (DESIGN §6.3): whether its agents ran confined,
//! and — when one ran unconfined — which files of the main checkout appeared or changed
//! meanwhile. The runner confines; this records and reports.

use crate::agent::sandbox;
use crate::agent::{AgentSpec, Confinement, Execution};
use crate::git::drift::Snapshot;

use super::Pipeline;
use super::record::{RunRecord, StageRecord};

/// Returns a snapshot of the main checkout when `spec`'s agent will run unconfined
/// (`sandbox = "off"`, or no Landlock here); a confined agent needs none.
pub(super) fn watch(p: &Pipeline, spec: &AgentSpec) -> Option<Snapshot> {
    if sandbox::will_confine(&spec.sandbox) {
        return None;
    }
    Snapshot::take(&p.repo_root, &p.store.paths().common_dir)
        .inspect_err(|e| tracing::warn!("cannot watch the main checkout: {e:#}"))
        .ok()
}

/// Records how the invocation ran on the run (an unconfined agent once, never undone by
/// a later confined one) and the stage, and what changed in the main checkout since
/// `before`. Tells the person the first time a run goes unconfined.
pub(super) fn record(
    p: &Pipeline,
    run: &mut RunRecord,
    stage: &mut StageRecord,
    exec: &Execution,
    before: Option<Snapshot>,
) {
    let Some(report) = exec.output.as_ref().map(|o| &o.sandbox) else {
        return;
    };
    if !report.restored.is_empty() {
        stage.reasons.push(format!(
            "the agent changed `{}` in its worktree's git admin dir; put back",
            report.restored.join("`, `")
        ));
    }
    let mode = report.confinement.as_str();
    match (&report.confinement, run.sandbox.as_deref()) {
        (Confinement::Worktree, None) => run.sandbox = Some(mode.to_owned()),
        (Confinement::Worktree, _) => {}
        (other, previous) => {
            if previous.is_none_or(|m| m == "worktree") {
                if let Confinement::Unconfined { reason } = other {
                    p.ui.warn(format_args!(
                        "run {}: agent `{}` runs unconfined: {reason}",
                        run.id, exec.invocation.agent
                    ));
                }
                run.sandbox = Some(mode.to_owned());
            }
        }
    }
    let changed = changes(p, exec, before);
    if changed.is_empty() {
        return;
    }
    stage.reasons.push(format!(
        "unconfined: the main checkout changed meanwhile: {}",
        changed.join(", ")
    ));
    for path in changed {
        if !run.unconfined_changes.contains(&path) {
            run.unconfined_changes.push(path);
        }
    }
}

/// Returns the main-checkout files that appeared or changed since `before` (none when
/// there is no snapshot: the agent ran confined), and tells the person about them.
pub(super) fn changes(p: &Pipeline, exec: &Execution, before: Option<Snapshot>) -> Vec<String> {
    let Some(before) = before else {
        return Vec::new();
    };
    let after = match Snapshot::take(&p.repo_root, &p.store.paths().common_dir) {
        Ok(after) => after,
        Err(e) => {
            tracing::warn!("cannot watch the main checkout: {e:#}");
            return Vec::new();
        }
    };
    let changed = after.changed_since(&before);
    if !changed.is_empty() {
        p.ui.warn(format_args!(
            "while agent `{}` ran unconfined, the main checkout changed: {}",
            exec.invocation.agent,
            changed.join(", ")
        ));
    }
    changed
}

/// Returns the provenance note's lines about confinement.
pub(super) fn note_lines(run: &RunRecord) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(mode) = &run.sandbox {
        lines.push(format!("sandbox: {mode}"));
    }
    if !run.unconfined_changes.is_empty() {
        lines.push(format!(
            "unconfined-changes: {}",
            run.unconfined_changes.join(", ")
        ));
    }
    lines
}
