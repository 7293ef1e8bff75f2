//! The pipeline (DESIGN §6): planning from a brief; for each task, [tests -> red ->]
//! implement -> test -> review -> qa -> human -> commit, with retries, fallbacks, gates
//! and resumption; after the last task the final review and UAT; and the scheduler that
//! drives many workstreams at once.
//!
//! Every stage boundary is a state commit: the run record's cursor (`next`) names the
//! stage to run, so a killed `run` continues where it stopped.

mod agents;
mod amend;
mod answers;
mod by_hand;
mod claimed;
mod clock;
mod closing;
mod commit;
mod confinement;
mod custody;
pub mod decide;
mod driver;
mod elsewhere;
mod ending;
mod failure;
mod final_review;
mod holding;
mod implement;
mod integrate;
mod load;
mod memory;
pub mod outside_fix;
mod plan_approval;
mod plan_gate;
pub mod planning;
mod publisher;
mod quality;
mod readying;
pub mod record;
pub mod recover;
mod red;
pub mod resolve;
mod resolvers;
mod review;
mod schedule;
mod scheduler;
mod stage;
mod starting;
mod task;
mod test;
mod tests_first;
pub mod uat;
mod verdict;
mod worktrees;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::agent::Redactor;
use crate::config::Config;
use crate::store::Store;
use crate::ui::Ui;

pub use claimed::{Claiming, run_claimed};
pub use elsewhere::restart as restart_elsewhere;
pub use scheduler::{RunMode, Summary, run};

/// How one workstream's advance ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsOutcome {
    /// Every task is done.
    Complete,
    /// Waiting for a person; the text says for what and how to resolve it.
    AtGate(String),
    /// A task failed (or the run halted); the text says why.
    Failed(String),
    /// Another process runs it.
    Busy(crate::error::Busy),
    /// `--once`: one task finished, more remain.
    Progressed,
    /// The run reached the profile's `max_duration`; the text says where it stopped.
    Stopped(String),
}

/// A plan's text and the plan parsed from it.
type ParsedPlan = (Vec<u8>, Arc<crate::plan::Plan>);

/// What every stage of every workstream shares.
pub struct Pipeline {
    /// The database.
    pub store: Store,
    /// The checked configuration.
    pub cfg: Config,
    /// Top of the main worktree.
    pub repo_root: PathBuf,
    /// Output.
    pub ui: Ui,
    /// Secret values to mask in everything stored.
    pub redactor: Redactor,
    /// Per-agent concurrency caps (`[agents.X] max_parallel`).
    pub agent_slots: BTreeMap<String, Arc<Semaphore>>,
    /// Agents running at once across every workstream (`[project] max_agents`).
    pub agent_budget: Arc<Semaphore>,
    /// Held while a fix task is appended, so two failing at once get two ids.
    amending: Mutex<()>,
    /// Each workstream's plan as last parsed, with the text it was parsed from.
    plans: Mutex<HashMap<crate::ids::WorkstreamName, ParsedPlan>>,
    /// Called after every state change that ends a stage (`run --remote` pushes the
    /// workstream's state and branch from it); `None` for a run on this clone alone.
    pub publish: Option<Publish>,
}

/// What `Pipeline::publish` calls with a workstream's name.
pub type Publish = Arc<dyn Fn(&crate::ids::WorkstreamName) -> anyhow::Result<()> + Send + Sync>;

impl Pipeline {
    /// Returns a pipeline over the repository, with secrets and agent caps from `cfg`.
    pub fn new(store: Store, cfg: Config, repo_root: PathBuf, ui: Ui) -> anyhow::Result<Self> {
        let names: Vec<&str> = cfg.secret_env_names();
        let files: Vec<PathBuf> = cfg
            .secrets
            .env_files
            .iter()
            .map(|f| repo_root.join(f))
            .collect();
        let redactor = Redactor::from_env(&names, &files)?;
        let agent_slots = cfg
            .agents
            .iter()
            .filter_map(|(name, a)| {
                a.max_parallel
                    .map(|n| (name.clone(), Arc::new(Semaphore::new(n as usize))))
            })
            .collect();
        let agent_budget = Arc::new(Semaphore::new(cfg.project.max_agents.max(1) as usize));
        Ok(Self {
            store,
            cfg,
            repo_root,
            ui,
            redactor,
            agent_slots,
            agent_budget,
            amending: Mutex::new(()),
            plans: Mutex::new(HashMap::new()),
            publish: None,
        })
    }

    /// Publishes a workstream after a stage ended, when the run publishes; a failure is
    /// only a warning (the next stage publishes again, and the run ends with one more).
    pub fn stage_ended(&self, name: &crate::ids::WorkstreamName) {
        if let Some(publish) = &self.publish
            && let Err(e) = publish(name)
        {
            self.ui
                .warn(format_args!("{name}: could not publish the state: {e:#}"));
        }
    }

    /// Returns a pipeline over the repository a command runs in.
    pub fn open(ctx: &crate::ctx::Ctx, ui: &Ui) -> anyhow::Result<Self> {
        Self::new(
            ctx.store.clone(),
            ctx.config()?,
            ctx.repo_root()?.to_owned(),
            ui.clone(),
        )
    }

    /// Tells people about a workstream: `message` says why, `command` what to run next.
    pub fn notify(
        &self,
        kind: crate::notify::Kind,
        name: &crate::ids::WorkstreamName,
        message: &str,
        command: &str,
    ) {
        crate::notify::send(
            &self.ui,
            &self.cfg.notify,
            &self.repo_root,
            kind,
            name,
            message,
            Some(command),
        );
    }

    /// Waits for the right to start `agent`: a slot under `[project] max_agents` (agents
    /// at once across every workstream) and under the agent's own `max_parallel`. The
    /// permits go when dropped.
    pub async fn agent_slot(
        &self,
        agent: &str,
    ) -> anyhow::Result<(
        tokio::sync::OwnedSemaphorePermit,
        Option<tokio::sync::OwnedSemaphorePermit>,
    )> {
        let own = match self.agent_slots.get(agent) {
            Some(sem) => Some(sem.clone().acquire_owned().await?),
            None => None,
        };
        let any = self.agent_budget.clone().acquire_owned().await?;
        Ok((any, own))
    }

    /// Returns the live log of a workstream under the common dir, or with `task` that
    /// task's own (a task running in its own worktree, beside others).
    pub fn live_log(
        &self,
        name: &crate::ids::WorkstreamName,
        task: Option<&crate::ids::TaskId>,
    ) -> PathBuf {
        crate::agent::live::path(&self.store.paths().common_dir, name, task)
    }

    /// Returns where the interface-drift guard caches each agent CLI's help
    /// (`<git-common-dir>/aos/cache/cli-help/`; derived, safe to delete).
    pub fn cli_help_cache(&self) -> PathBuf {
        crate::agent::cli_help_cache(&self.store.paths().common_dir)
    }

    /// Returns the directory holding every scratch directory of one run; it goes when
    /// the run's task is committed.
    pub fn scratch_of_run(
        &self,
        name: &crate::ids::WorkstreamName,
        run: &crate::ids::RunId,
    ) -> PathBuf {
        crate::workstream::leftovers::scratch_root(&self.store.paths().common_dir, name)
            .join(run.as_str())
    }

    /// Returns the run limits of an agent invocation: the agent's timeouts, the live log
    /// (`task`'s own when given), and the record of its process group in the
    /// invocation's scratch directory.
    pub fn limits(
        &self,
        spec: &crate::agent::AgentSpec,
        name: &crate::ids::WorkstreamName,
        task: Option<&crate::ids::TaskId>,
        scratch: &std::path::Path,
    ) -> crate::agent::RunLimits {
        let mut limits = crate::agent::RunLimits::for_spec(spec);
        let log = self.live_log(name, task);
        // The progress line of a terminal shows what the agent prints while it runs.
        let follow = match task {
            Some(t) => format!("git aos logs {name} {t} -f"),
            None => format!("git aos logs {name} -f"),
        };
        self.ui.follow_log(name.as_str(), &log, &follow);
        limits.live_log = Some(log);
        limits.group_file = Some(scratch.join(crate::agent::group::RECORD_FILE));
        limits
    }

    /// Returns the scratch directory of an agent invocation (prompt, result file).
    pub fn scratch(
        &self,
        name: &crate::ids::WorkstreamName,
        run: &crate::ids::RunId,
        what: &str,
    ) -> PathBuf {
        self.scratch_of_run(name, run).join(what)
    }
}
