//! Loading a plan for `new --plan`: validate it (refusing before anything is created),
//! decide where it lives in the branch, and turn its tasks into pending records.

use std::path::Path;

use anyhow::Context as _;

use super::create::PlanSnapshot;
use crate::error::UserError;
use crate::ids::WorkstreamName;
use crate::plan;
use crate::store::{TaskRecord, TaskStatus, TasksFile};
use crate::ui::Ui;

/// Reads and validates `file` (its `Agent:` lines against the agents `cfg` defines);
/// errors and warnings are printed, an invalid plan is an error.
pub fn load(
    repo_root: &Path,
    cfg: &crate::config::Config,
    name: &WorkstreamName,
    file: &Path,
    ui: &Ui,
) -> anyhow::Result<PlanSnapshot> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| UserError::new(format!("could not read plan `{}`: {e}", file.display())))?;
    let shown = file.display().to_string();
    let known: Vec<String> = cfg.agents.keys().cloned().collect();
    let checked = match plan::check_with(&text, &shown, Some(&known)) {
        Ok(checked) => checked,
        Err(diagnostics) => {
            for d in &diagnostics {
                ui.diagnostic(d);
            }
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            return Err(UserError::with_hint(
                format!("`{shown}` is not a valid plan ({errors} error(s)); nothing was created"),
                format!("fix the lines above; `git aos plan check {shown}` checks it again"),
            )
            .into());
        }
    };
    for w in &checked.warnings {
        ui.diagnostic(w);
    }
    Ok(PlanSnapshot {
        text,
        path_in_branch: path_in_branch(repo_root, name, file)?,
        tasks: task_records(&checked.plan),
    })
}

/// Returns one record per task of `plan`, in plan order: pending, or done when its
/// checkbox is ticked.
pub fn task_records(plan: &plan::Plan) -> TasksFile {
    let tasks = plan
        .tasks
        .iter()
        .map(|t| {
            let mut record = TaskRecord::pending(t.id.clone(), t.title.clone(), t.depends.clone());
            if t.done {
                record.status = TaskStatus::Done;
            }
            record
        })
        .collect();
    TasksFile { tasks }
}

/// Returns where the plan lives in the branch: its own path when it is inside the
/// repository, else `plans/<name>.md`.
fn path_in_branch(repo_root: &Path, name: &WorkstreamName, file: &Path) -> anyhow::Result<String> {
    let abs = std::fs::canonicalize(file)
        .with_context(|| format!("could not resolve `{}`", file.display()))?;
    match abs.strip_prefix(repo_root) {
        Ok(rel) if !rel.starts_with(".git") => Ok(rel.to_string_lossy().replace('\\', "/")),
        _ => Ok(format!("plans/{name}.md")),
    }
}
