//! One task's own loop: run the stage its run's cursor names, again and again, until the
//! task lands, waits for a person, fails (and what follows is settled) or the run must
//! stop. Every running task of a workstream has one; the driver starts them.

use std::sync::Arc;

use crate::lock::LockGuard;

use super::clock::Clock;
use super::failure::{self, Settled};
use super::record::Stage;
use super::stage::{Step, TaskCtx, TaskStop};
use super::{Pipeline, by_hand, commit, implement, integrate, quality, review, test};

/// How a task's loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TaskEnd {
    /// It landed.
    Done,
    /// It waits for a person; the text says for what.
    Gate(String),
    /// It failed after its retries, and this is what follows.
    Failed {
        /// Why it failed.
        why: String,
        /// A fix task, or a halt.
        settled: Settled,
    },
    /// The environment stopped it; the next `run` tries again.
    Halted(String),
    /// The run stopped it at a stage boundary (its time ran out, another task halted it);
    /// its cursor is saved.
    Stopped(String),
}

/// Drives `t` until it ends; `_lock` is the task's lock, held all along.
pub(super) async fn drive(
    p: Arc<Pipeline>,
    mut t: TaskCtx,
    clock: Arc<Clock>,
    _lock: LockGuard,
) -> anyhow::Result<TaskEnd> {
    loop {
        if crate::agent::interrupt::requested().is_some() {
            return Err(crate::agent::Error::Interrupted.into());
        }
        if let Some(why) = clock.check() {
            return Ok(TaskEnd::Stopped(why));
        }
        super::stage::skip_absent(&mut t);
        let step = match by_hand::adopt(&p, &mut t).await? {
            Some(step) => step,
            None => stage(&p, &mut t).await?,
        };
        p.stage_ended(&t.name);
        match step {
            Step::Continue => {}
            Step::TaskDone => return Ok(TaskEnd::Done),
            Step::Stop(TaskStop::Gate(why)) => return Ok(TaskEnd::Gate(why)),
            Step::Stop(TaskStop::Halted(why)) => return Ok(TaskEnd::Halted(why)),
            Step::Stop(TaskStop::Failed { why, class }) => {
                let settled = failure::settle(&p, &t, &why, &class)?;
                return Ok(TaskEnd::Failed { why, settled });
            }
        }
    }
}

/// Runs the stage the cursor names.
async fn stage(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    match t.run.next {
        Stage::Tests => super::tests_first::run(p, t).await,
        Stage::Red => super::red::run(p, t).await,
        Stage::Implement => implement::run(p, t).await,
        Stage::Test => test::run(p, t).await,
        Stage::Review => review::run(p, t).await,
        Stage::Qa => quality::run(p, t),
        Stage::Human => super::decide::open_gate(p, t),
        Stage::Commit if t.in_own_worktree() => integrate::land(p, t).await,
        Stage::Commit => commit::run(p, t),
    }
}
