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
/// The output is the running (or last) agent's, redacted, as the runner writes it to
/// `<git-common-dir>/aos/live/<name>.log`. With a task, that task's own output (when
/// several tasks of the workstream run at once), else the workstream's while the task is
/// its current one. `-f` waits for an agent when none runs yet but the workstream's
/// pipeline is running, and ends when that agent's run ends, when nothing runs the
/// workstream any more, or on Ctrl-C.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos logs auth -f                  # follow its agent's output live\n  git aos logs auth                     # what its agent printed so far\n  git aos logs auth T2 -f               # the output of task T2"
)]
pub struct LogsArgs {
    /// Workstream
    name: WorkstreamName,
    /// Task (default: whichever agent of the workstream ran last)
    task: Option<TaskId>,
    /// Follow the output until the agent's run ends
    #[arg(short = 'f', long)]
    follow: bool,
}

/// Prints or follows the live log.
pub fn run(ui: &Ui, args: LogsArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let snap = ctx.store.find(&args.name)?;
    let common = ctx.common_dir().to_owned();
    let current = snap.ws.current_task.clone();
    let found = live::find(&common, &args.name, args.task.as_ref(), current.as_ref());
    let lock = crate::lock::workstream_path(&common, &args.name);
    let running = || crate::lock::probe(&lock).ok().flatten().is_some();
    let path = match found {
        Some(path) => path,
        None if args.follow && running() => {
            let path = live::path(&common, &args.name, None);
            ui.status(format_args!(
                "waiting for an agent of `{}` to start…",
                args.name
            ));
            path
        }
        None => return Err(no_output(&args.name, args.task.as_ref()).into()),
    };
    let readable = std::io::stdout().is_terminal();
    let print = |text: &str| {
        if readable {
            ui.data(live::readable(text));
        } else {
            ui.data(text);
        }
    };
    let mut follower = Follower::new(&path);
    let mut ended = false;
    for line in follower.poll()? {
        print(&line.text);
        ended = line.closing;
    }
    if !args.follow {
        return Ok(());
    }
    // An agent that already ended: wait for the next one while the pipeline runs.
    let mut waiting_for_next = ended;
    loop {
        let lines = follower.poll()?;
        if lines.is_empty() {
            if !running() {
                if !waiting_for_next {
                    ui.status("the run that wrote this output is gone (interrupted or killed)");
                }
                return Ok(());
            }
            std::thread::sleep(TICK);
            continue;
        }
        for line in lines {
            if line.header {
                waiting_for_next = false;
            }
            if waiting_for_next {
                continue;
            }
            print(&line.text);
            if line.closing {
                return Ok(());
            }
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
