//! `git aos logs`: an agent's live output, printed or followed while it runs.

use std::io::IsTerminal;
use std::time::Duration;

use crate::agent::live::{self, Follower};
use crate::ctx::Ctx;
use crate::error::UserError;
use crate::ids::{TaskId, WorkstreamName};
use crate::ui::Ui;

/// How often a follower looks for new output.
const TICK: Duration = Duration::from_millis(200);

/// Print the live output of a workstream's agent; with `-f`, follow it until the agent's run ends
///
/// The output is the running (or last) agent's, redacted, as the runner writes it under
/// `<git-common-dir>/aos/live/`: a task's own `<name>/<task>.log` when it runs in a
/// worktree of its own beside others, else the workstream's `<name>.log`. With a task,
/// that task's output; without, whichever agent of the workstream wrote last. `-f` waits
/// for an agent when none runs yet but the workstream's pipeline is running, goes on to
/// the next agent of the workstream (of the task, when given) while the pipeline runs,
/// and ends when nothing runs the workstream any more, or on Ctrl-C.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos logs auth -f                  # follow its agents' output live\n  git aos logs auth                     # what its last agent printed\n  git aos logs auth T2 -f               # the output of task T2"
)]
pub struct LogsArgs {
    /// Workstream
    name: WorkstreamName,
    /// Task (default: whichever agent of the workstream wrote last)
    task: Option<TaskId>,
    /// Follow the output while the workstream's pipeline runs
    #[arg(short = 'f', long)]
    follow: bool,
}

/// Prints or follows the live log.
pub fn run(ui: &Ui, args: LogsArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let snap = ctx.store.find(&args.name)?;
    let common = ctx.common_dir().to_owned();
    let current = snap.ws.current_task.clone();
    let find = || live::find(&common, &args.name, args.task.as_ref(), current.as_ref());
    let lock = crate::lock::workstream_path(&common, &args.name);
    let running = || crate::lock::probe(&lock).ok().flatten().is_some();
    let readable = std::io::stdout().is_terminal();
    let print = |text: &str| {
        if readable {
            ui.data(live::readable(text));
        } else {
            ui.data(text);
        }
    };
    // Whether the agent of the followed file ended (its closing line was printed).
    let mut ended = false;
    let mut follower = match find() {
        Some(path) => {
            let mut follower = Follower::new(&path);
            for line in follower.poll()? {
                print(&line.text);
                ended = line.closing;
            }
            if !args.follow {
                return Ok(());
            }
            follower
        }
        None if args.follow && running() => {
            ui.status(format_args!(
                "waiting for an agent of `{}` to start…",
                args.name
            ));
            loop {
                if let Some(path) = find() {
                    break Follower::new(&path);
                }
                if !running() {
                    return Ok(());
                }
                std::thread::sleep(TICK);
            }
        }
        None => return Err(no_output(&args.name, args.task.as_ref()).into()),
    };
    loop {
        let lines = follower.poll()?;
        if lines.is_empty() {
            // Once its agent ended, the next agent of the workstream may write another
            // file (another task's); while it runs, one file is followed to its end.
            if ended
                && let Some(path) = find()
                && path != follower.path()
            {
                follower = Follower::new(&path);
                ended = false;
                continue;
            }
            if !running() {
                return Ok(());
            }
            std::thread::sleep(TICK);
            continue;
        }
        for line in lines {
            print(&line.text);
            ended = line.closing;
        }
    }
}

fn no_output(name: &WorkstreamName, task: Option<&TaskId>) -> UserError {
    let what = match task {
        Some(task) => format!("task {task} of `{name}`"),
        None => format!("`{name}`"),
    };
    UserError::with_hint(
        format!("no live output of {what} on this machine"),
        format!(
            "no agent of it has run here yet (or another task is the current one); each \
             stage's kept log is in the state: `git aos log {name}`, `git aos show {name}`"
        ),
    )
}
