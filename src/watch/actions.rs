//! What keys do to the repository, each on a thread of its own so the screen never
//! waits: the functions `approve`, `reject`, `clarify answer`, `retry`, `skip` and
//! `merge` call, and the diff `show` prints. Results come back as messages; what they
//! print goes to a captured `Ui`.

use std::path::PathBuf;
use std::sync::mpsc::Sender;

use crate::ctx::Ctx;
use crate::error::{Busy, UserError};
use crate::gate::review;
use crate::ids::{TaskId, WorkstreamName};
use crate::pipeline::Pipeline;
use crate::pipeline::record::RunRecord;
use crate::pipeline::recover;
use crate::pipeline::resolve::{self, Approved, PlanRejected, Rejected};
use crate::store::Store;
use crate::ui::Ui;
use crate::workstream::{self, MergeRequest, Strategy};

use super::app::{DiffView, Level};
use super::input::Effect;

/// Most bytes of diff read for the diff view.
const DIFF_CAP: usize = 4 * 1024 * 1024;

/// What an action sends back to the screen.
#[derive(Debug)]
pub enum Done {
    /// A line for the status line.
    Message(Level, String),
    /// The diff asked for.
    Diff(DiffView),
    /// A person's decision let this workstream go on (`watch --run` drives it again).
    Resolved(String),
}

/// Runs actions in the repository the dashboard watches.
#[derive(Clone)]
pub struct Actions {
    cwd: PathBuf,
    ui: Ui,
    runtime: tokio::runtime::Handle,
    done: Sender<Done>,
}

impl Actions {
    /// Returns an action runner whose results go to `done`.
    pub fn new(ctx: &Ctx, ui: Ui, runtime: tokio::runtime::Handle, done: Sender<Done>) -> Self {
        Self {
            cwd: ctx.cwd.clone(),
            ui,
            runtime,
            done,
        }
    }

    /// Starts the effect on a thread of its own; says at once what is under way.
    pub fn start(&self, effect: Effect) {
        let working = match &effect {
            Effect::None | Effect::Follow(_) | Effect::Diff(..) => None,
            Effect::Approve(ws, _) => Some(format!("approving `{ws}`…")),
            Effect::Reject(ws, ..) => Some(format!("rejecting `{ws}`…")),
            Effect::Answer(ws, id, _) => Some(format!("answering {id} of `{ws}`…")),
            Effect::Merge(ws) => Some(format!("merging `{ws}` (merge gate first)…")),
            Effect::Retry(ws, _) => Some(format!("retrying `{ws}`…")),
            Effect::Skip(ws, task) => Some(format!("skipping {task} of `{ws}`…")),
        };
        if matches!(effect, Effect::None | Effect::Follow(_)) {
            return;
        }
        if let Some(text) = working {
            let _ = self.done.send(Done::Message(Level::Working, text));
        }
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("watch-action".into())
            .spawn(move || {
                let done = match me.perform(effect) {
                    Ok(done) => done,
                    Err(e) => vec![Done::Message(Level::Error, describe(&e))],
                };
                for d in done {
                    let _ = me.done.send(d);
                }
                for line in me.ui.take_messages() {
                    tracing::debug!("{line}");
                }
            });
        if let Err(e) = spawned {
            let _ = self
                .done
                .send(Done::Message(Level::Error, format!("cannot start it: {e}")));
        }
    }

    fn perform(&self, effect: Effect) -> anyhow::Result<Vec<Done>> {
        let ctx = Ctx {
            store: Store::discover(&self.cwd)?,
            cwd: self.cwd.clone(),
        };
        let ok = |text: String| Done::Message(Level::Done, text);
        Ok(match effect {
            Effect::None | Effect::Follow(_) => Vec::new(),
            Effect::Approve(ws, task) => {
                let name = parse(&ws)?;
                let task = parse_task(task.as_deref())?;
                let p = Pipeline::open(&ctx, &self.ui)?;
                let approved = resolve::approve(&p, &name, task.as_ref(), false);
                let text = match self.runtime.block_on(approved)? {
                    Approved::Task { task, commit } => format!(
                        "approved {task} of `{ws}`: committed {} on `aos/{ws}`",
                        &commit[..commit.len().min(12)]
                    ),
                    Approved::Plan { tasks } => {
                        format!("approved the plan of `{ws}` ({tasks} tasks)")
                    }
                    Approved::FinalReview => format!("accepted `{ws}` despite the final review"),
                };
                vec![ok(text), Done::Resolved(ws)]
            }
            Effect::Reject(ws, task, text) => {
                let p = Pipeline::open(&ctx, &self.ui)?;
                let task = parse_task(task.as_deref())?;
                let said = match resolve::reject(&p, &parse(&ws)?, task.as_ref(), &text)? {
                    Rejected::Task(task) => {
                        format!("rejected {task} of `{ws}`: its next attempt hears your feedback")
                    }
                    Rejected::Plan(PlanRejected::Replan) => {
                        format!("rejected the plan of `{ws}`: the planner rewrites it")
                    }
                    Rejected::Plan(PlanRejected::Refined(task)) => {
                        format!("{task} of `{ws}` reworded; the plan still waits")
                    }
                    Rejected::FinalReview { task, .. } => {
                        format!("{task} added to `{ws}` from your feedback")
                    }
                };
                vec![ok(said), Done::Resolved(ws)]
            }
            Effect::Answer(ws, id, text) => {
                let p = Pipeline::open(&ctx, &self.ui)?;
                let answered = recover::answer(&p, &parse(&ws)?, Some(&id), &text)?;
                vec![
                    ok(format!("answered {answered} of `{ws}`")),
                    Done::Resolved(ws),
                ]
            }
            Effect::Merge(ws) => {
                let cfg = ctx.config()?;
                let req = MergeRequest {
                    name: parse(&ws)?,
                    strategy: Strategy::Merge,
                    force: false,
                    gate: true,
                };
                let merged = workstream::merge(&ctx.store, &cfg, ctx.repo_root()?, &self.ui, &req)?;
                vec![ok(format!(
                    "merged `{ws}` into `{}`; archived as `{}`",
                    merged.base, merged.archive_id
                ))]
            }
            Effect::Diff(ws, task) => {
                let task = parse_task(task.as_deref())?;
                vec![Done::Diff(diff(&ctx, &parse(&ws)?, task)?)]
            }
            Effect::Retry(ws, task) => {
                let p = Pipeline::open(&ctx, &self.ui)?;
                let task = parse_task(task.as_deref())?;
                let task = recover::retry(&p, &parse(&ws)?, task.as_ref(), None, None)?;
                vec![
                    ok(format!(
                        "{task} of `{ws}` will be tried again with its work as it is"
                    )),
                    Done::Resolved(ws),
                ]
            }
            Effect::Skip(ws, task) => {
                let p = Pipeline::open(&ctx, &self.ui)?;
                let task = task.parse::<TaskId>().map_err(|e| anyhow::anyhow!("{e}"))?;
                recover::skip(&p, &parse(&ws)?, &task)?;
                vec![
                    ok(format!(
                        "{task} of `{ws}` set aside: what depends on it waits"
                    )),
                    Done::Resolved(ws),
                ]
            }
        })
    }
}

fn parse(ws: &str) -> anyhow::Result<WorkstreamName> {
    ws.parse::<WorkstreamName>()
        .map_err(|e| anyhow::anyhow!("`{ws}`: {e}"))
}

fn parse_task(task: Option<&str>) -> anyhow::Result<Option<TaskId>> {
    task.map(|t| {
        t.parse::<TaskId>()
            .map_err(|e| anyhow::anyhow!("`{t}`: {e}"))
    })
    .transpose()
}

/// Returns the status line for a failed action: a busy workstream says who holds it.
fn describe(e: &anyhow::Error) -> String {
    if let Some(busy) = e.downcast_ref::<Busy>() {
        return format!("busy (exit 5): {busy}; try again when it stops");
    }
    let mut text = format!("{e:#}");
    if let Some(user) = e.downcast_ref::<UserError>()
        && let Some(hint) = &user.hint
    {
        text.push_str(&format!(" — {hint}"));
    }
    text.replace('\n', " ")
}

/// Returns the diff `show` shows for a task — the one named, else the only one at the
/// gate, else the current one: the tested tree at its gate against the run's base, else
/// its worktree (the task's own, or the workstream's) against HEAD — split by file.
fn diff(ctx: &Ctx, name: &WorkstreamName, task: Option<TaskId>) -> anyhow::Result<DiffView> {
    let snap = ctx.store.find(name)?;
    let gates = review::all(&ctx.store, &snap)?;
    let task = match (task, gates.as_slice()) {
        (Some(t), _) => Some(t),
        (None, [one]) => Some(one.task.clone()),
        (None, _) => snap.ws.current_task.clone(),
    };
    let gate = task
        .as_ref()
        .and_then(|t| gates.iter().find(|g| &g.task == t));
    let tasks = ctx.store.tasks(&snap)?;
    let run = match task.as_ref().and_then(|t| tasks.get(t)?.last_run.clone()) {
        Some(run) => ctx
            .store
            .read_toml::<RunRecord>(&snap, &RunRecord::path(&run))?,
        None => None,
    };
    let wt = run
        .and_then(|r| r.worktree)
        .map(PathBuf::from)
        .unwrap_or_else(|| workstream::worktree_path(&ctx.store, &snap.ws));
    let co = crate::git::Checkout::locate(ctx.common_dir(), &wt).map_err(|_| {
        UserError::new(format!(
            "`{name}` has no worktree on this machine at `{}`",
            wt.display()
        ))
    })?;
    let whose = task.as_ref().map(|t| format!("{t}: ")).unwrap_or_default();
    let (what, text) = match gate {
        Some(review::ReviewGate {
            base: Some(base),
            tree: Some(tree),
            ..
        }) => (
            format!("{whose}at the gate: the tested tree against the run's base"),
            crate::git::change::diff(&co, base, tree, DIFF_CAP)?,
        ),
        _ => (
            format!("{whose}the worktree against HEAD"),
            co.read(["diff", "HEAD"])?,
        ),
    };
    Ok(DiffView {
        ws: name.to_string(),
        what,
        files: split_files(&text),
        file: 0,
        scroll: 0,
    })
}

/// Splits a unified diff at its `diff --git a/… b/…` lines.
pub fn split_files(text: &str) -> Vec<(String, Vec<String>)> {
    let mut files: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("diff --git ") {
            let path = rest.rsplit_once(" b/").map_or(rest, |(_, b)| b).to_owned();
            files.push((path, Vec::new()));
        }
        if let Some((_, lines)) = files.last_mut() {
            lines.push(crate::agent::live::readable(line));
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_splits_by_file() {
        let text = "diff --git a/x.rs b/x.rs\n--- a/x.rs\n+++ b/x.rs\n@@ -1 +1 @@\n-a\n+b\ndiff --git a/y b/y\nnew file mode 100644\n";
        let files = split_files(text);
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].0, "x.rs");
        assert_eq!(files[0].1.len(), 6);
        assert_eq!(files[1].0, "y");
    }
}
