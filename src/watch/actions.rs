//! What keys do to the repository, each on a thread of its own so the screen never
//! waits: the functions `approve`, `reject`, `clarify answer` and `merge` call, the diff
//! `show` prints, and `retry`/`skip` through the CLI itself. Results come back as
//! messages; what they print goes to a captured `Ui`.

use std::path::PathBuf;
use std::sync::mpsc::Sender;

use crate::ctx::Ctx;
use crate::error::{Busy, UserError};
use crate::gate::review;
use crate::ids::WorkstreamName;
use crate::pipeline::Pipeline;
use crate::pipeline::resolve::{self, Approved};
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
            Effect::None | Effect::Follow(_) | Effect::Diff(_) => None,
            Effect::Approve(ws) => Some(format!("approving `{ws}`…")),
            Effect::Reject(ws, _) => Some(format!("rejecting `{ws}`…")),
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
            Effect::Approve(ws) => {
                let name = parse(&ws)?;
                let p = Pipeline::open(&ctx, &self.ui)?;
                let text = match self.runtime.block_on(resolve::approve(&p, &name))? {
                    Approved::Task { commit } => format!(
                        "approved `{ws}`: committed {} on `aos/{ws}`",
                        &commit[..commit.len().min(12)]
                    ),
                    Approved::Plan { tasks } => {
                        format!("approved the plan of `{ws}` ({tasks} tasks)")
                    }
                    Approved::FinalReview => format!("accepted `{ws}` despite the final review"),
                };
                vec![ok(text), Done::Resolved(ws)]
            }
            Effect::Reject(ws, text) => {
                let p = Pipeline::open(&ctx, &self.ui)?;
                resolve::reject(&p, &parse(&ws)?, &text)?;
                vec![
                    ok(format!("rejected `{ws}`: the next run hears your feedback")),
                    Done::Resolved(ws),
                ]
            }
            Effect::Answer(ws, id, text) => {
                let p = Pipeline::open(&ctx, &self.ui)?;
                let answered = crate::pipeline::decide::answer(&p, &parse(&ws)?, Some(&id), &text)?;
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
            Effect::Diff(ws) => vec![Done::Diff(diff(&ctx, &parse(&ws)?)?)],
            Effect::Retry(ws, task) => {
                let mut args = vec!["retry".to_owned(), ws.clone()];
                args.extend(task);
                vec![cli(&ctx, &args)?, Done::Resolved(ws)]
            }
            Effect::Skip(ws, task) => vec![cli(&ctx, &["skip".into(), ws.clone(), task])?],
        })
    }
}

fn parse(ws: &str) -> anyhow::Result<WorkstreamName> {
    ws.parse::<WorkstreamName>()
        .map_err(|e| anyhow::anyhow!("`{ws}`: {e}"))
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

/// Returns the diff `show` shows — the tested tree at the gate against the run's base,
/// else the worktree against HEAD — split by file.
fn diff(ctx: &Ctx, name: &WorkstreamName) -> anyhow::Result<DiffView> {
    let snap = ctx.store.find(name)?;
    let gate: Option<review::ReviewGate> = ctx.store.read_toml(&snap, review::PATH)?;
    let wt = workstream::worktree_path(&ctx.store, &snap.ws);
    let co = crate::git::Checkout::locate(ctx.common_dir(), &wt).map_err(|_| {
        UserError::new(format!(
            "`{name}` has no worktree on this machine at `{}`",
            wt.display()
        ))
    })?;
    let (what, text) = match &gate {
        Some(review::ReviewGate {
            base: Some(base),
            tree: Some(tree),
            task,
            ..
        }) => (
            format!("{task} at the gate: the tested tree against the run's base"),
            crate::git::change::diff(&co, base, tree, DIFF_CAP)?,
        ),
        _ => (
            "the worktree against HEAD".to_owned(),
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

/// Runs a command of this very program (`retry`, `skip`) in the repository, as a person
/// would type it, and returns how it went.
fn cli(ctx: &Ctx, args: &[String]) -> anyhow::Result<Done> {
    let exe = std::env::current_exe()?;
    // Names and task ids are plain words (checked when parsed), so they quote as they are.
    let cmd = format!("\"$AOS_WATCH_EXE\" {}", args.join(" "));
    let out = crate::process::run_shell_env(
        &cmd,
        &ctx.cwd,
        &[("AOS_WATCH_EXE", &exe.display().to_string())],
    )?;
    Ok(outcome(args, out.success, &out.code_text(), &out.output))
}

/// Returns the status line of a command this program ran: its last line when it went
/// well; else its `error:` line with the hint, and for a command this build of git aos
/// does not have, what comes nearest.
fn outcome(args: &[String], success: bool, code: &str, output: &str) -> Done {
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let command = format!("git aos {}", args.join(" "));
    if success {
        let last = lines.last().copied().unwrap_or("");
        return Done::Message(Level::Done, format!("{command}: {last}"));
    }
    let sub = args.first().map_or("", String::as_str);
    if lines
        .iter()
        .any(|l| l.starts_with("error: unrecognized subcommand"))
    {
        let nearest = match args {
            [retry, ws, ..] if retry == "retry" => {
                format!("; `git aos reset {ws}` starts the task over (its changes are discarded)")
            }
            _ => String::new(),
        };
        return Done::Message(
            Level::Error,
            format!("this git aos has no `{sub}` command{nearest}"),
        );
    }
    let said: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("error:") || l.starts_with("hint:"))
        .collect();
    let said = if said.is_empty() {
        lines.last().copied().unwrap_or("").to_owned()
    } else {
        said.join(" ")
    };
    Done::Message(Level::Error, format!("{command} exited {code}: {said}"))
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

    fn text(done: Done) -> (Level, String) {
        match done {
            Done::Message(level, text) => (level, text),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_command_run_for_a_key_reports_its_last_line_or_its_error() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (level, line) = text(outcome(
            &args(&["skip", "api", "T2"]),
            true,
            "0",
            "T2 set aside: the rest goes on\n\n",
        ));
        assert_eq!(level, Level::Done);
        assert_eq!(line, "git aos skip api T2: T2 set aside: the rest goes on");
        let (level, line) = text(outcome(
            &args(&["retry", "api"]),
            false,
            "1",
            "warning: something\nerror: `api` has no failed task\nhint: `git aos show api`\n",
        ));
        assert_eq!(level, Level::Error);
        assert_eq!(
            line,
            "git aos retry api exited 1: error: `api` has no failed task hint: `git aos show api`"
        );
    }

    #[test]
    fn a_key_whose_command_this_build_lacks_says_so_and_what_comes_nearest() {
        let clap = "error: unrecognized subcommand 'retry'\n\nUsage: git aos [OPTIONS] <COMMAND>\n\nFor more information, try '--help'.\n";
        let (_, line) = text(outcome(&["retry".into(), "api".into()], false, "2", clap));
        assert_eq!(
            line,
            "this git aos has no `retry` command; `git aos reset api` starts the task over (its changes are discarded)"
        );
        let clap = clap.replace("retry", "skip");
        let (_, line) = text(outcome(
            &["skip".into(), "api".into(), "T1".into()],
            false,
            "2",
            &clap,
        ));
        assert_eq!(line, "this git aos has no `skip` command");
    }
}
