//! `git aos agent try`: run one agent once through the real runner — in a scratch
//! worktree of HEAD, or on a workstream's task — and print its normalized outcome.

use std::path::{Path, PathBuf};

use clap::ArgGroup;

use crate::agent::prompt::{adhoc_prompt, load_directives};
use crate::agent::{self, Adapter, ErrorClass, Execution, Redactor, Request, Role, RunLimits};
use crate::ctx::Ctx;
use crate::error::UserError;
use crate::git::worktree::ScratchWorktree;
use crate::ids::{RunId, TaskId, WorkstreamName};
use crate::ui::Ui;
use crate::workstream::task_prompt;

/// Run a configured agent by hand
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos agent try claude --prompt 'Write hello.txt saying hi'\n  git aos agent try codex --ws auth --task T2 --json"
)]
pub struct AgentArgs {
    #[command(subcommand)]
    command: AgentCommand,
}

#[derive(clap::Subcommand, Debug)]
enum AgentCommand {
    /// Run one agent once and print its normalized outcome; exit 1 unless it ran and
    /// gave a result
    Try(TryArgs),
}

#[derive(clap::Args, Debug)]
#[command(group(ArgGroup::new("input").required(true).args(["prompt", "task"])))]
#[command(
    after_help = "Examples:\n  git aos agent try claude --prompt 'Write hello.txt saying hi'\n  git aos agent try codex --ws auth --task T2 --json"
)]
struct TryArgs {
    /// Agent from aos.toml (`[agents.<name>]`)
    agent: String,
    /// Prompt to send (the result contract is added), run in a scratch worktree of HEAD
    /// that is removed afterwards; for the `shell` agent, the script to run
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["ws", "task"])]
    prompt: Option<String>,
    /// Workstream whose worktree the agent works in (default: the current one)
    #[arg(long, value_name = "NAME", requires = "task")]
    ws: Option<WorkstreamName>,
    /// Task of the workstream whose implement prompt to send
    #[arg(long, value_name = "ID")]
    task: Option<TaskId>,
    /// Print the outcome as JSON
    #[arg(long)]
    json: bool,
}

/// Runs `git aos agent …`.
pub async fn run(ui: &Ui, args: AgentArgs) -> anyhow::Result<()> {
    match args.command {
        AgentCommand::Try(args) => try_agent(ui, args).await,
    }
}

async fn try_agent(ui: &Ui, args: TryArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let config = ctx.config()?;
    let mut spec = config.agent(&args.agent).map_err(UserError::from)?.spec();
    spec.contract_cache = Some(agent::cli_help_cache(ctx.common_dir()));
    spec.sandbox.git_common_dir = Some(ctx.common_dir().to_owned());
    let repo_root = ctx.repo_root()?.to_owned();
    let run_id = RunId::generate();
    let live_log = ctx.common_dir().join("aos").join("live").join("try.log");

    let (site, request) = match (&args.prompt, &args.task) {
        (Some(text), _) => {
            let site = Site::scratch(&repo_root, &run_id)?;
            let prompt = adhoc_prompt(text, &agent::result_file(&site.scratch));
            let mut req = Request::new(Role::Implement, prompt, &site.worktree, &site.scratch);
            req.run_script = (spec.adapter == Adapter::Shell).then(|| text.clone());
            ui.status(format_args!(
                "running `{}` in a scratch worktree of HEAD; live log: {}",
                spec.name,
                live_log.display()
            ));
            (site, req)
        }
        (None, Some(task)) => {
            let name = ctx.workstream(args.ws.clone())?;
            let snap = ctx.store.find(&name)?;
            crate::trust::require(&ctx.store, &snap)?;
            let scratch = ctx
                .common_dir()
                .join("aos")
                .join("tmp")
                .join(format!("try-{run_id}"));
            let directives = load_directives(&repo_root, &config.project.directives);
            let result_file = agent::result_file(&scratch);
            let built = task_prompt::implement(&ctx.store, &snap, task, directives, &result_file)?;
            if !built.worktree.is_dir() {
                return Err(UserError::with_hint(
                    format!(
                        "the worktree of `{name}` is missing: {}",
                        built.worktree.display()
                    ),
                    "`git aos fsck` reports it and says how to repair it",
                )
                .into());
            }
            let site = Site::workstream(built.worktree, scratch);
            let mut req =
                Request::new(Role::Implement, built.prompt, &site.worktree, &site.scratch);
            req.task = Some(task.clone());
            req.run_script = built.run_script;
            ui.status(format_args!(
                "running `{}` on task `{task}` of `{name}`; live log: {}",
                spec.name,
                live_log.display()
            ));
            (site, req)
        }
        (None, None) => {
            return Err(
                UserError::new("give `--prompt TEXT`, or `--task ID` of a workstream").into(),
            );
        }
    };

    let mut limits = RunLimits::for_spec(&spec);
    limits.live_log = Some(live_log.clone());
    limits.cap_bytes = usize::try_from(config.project.log_cap).unwrap_or(usize::MAX);
    let env_files: Vec<PathBuf> = config
        .secrets
        .env_files
        .iter()
        .flat_map(|f| [repo_root.join(f), site.worktree.join(f)])
        .collect();
    let redactor = Redactor::from_env(&config.secret_env_names(), &env_files)?;
    let exec = agent::invoke(&spec, &request, &limits, &redactor).await;
    drop(site);
    let exec = exec?;

    if args.json {
        ui.json(&exec.outcome)?;
    } else {
        render(ui, &exec, &live_log);
    }
    verdict(&exec, &live_log)
}

/// Returns an error (exit 1) unless the agent ran and gave a readable result.
fn verdict(exec: &Execution, live_log: &Path) -> anyhow::Result<()> {
    let o = &exec.outcome;
    if o.error_class == ErrorClass::None {
        return Ok(());
    }
    let why = o.reasons.first().map_or("no reason given", String::as_str);
    let agent = &exec.invocation.agent;
    let hint = match o.error_class {
        ErrorClass::Env => {
            "check that the CLI is installed and logged in: `git aos doctor`".to_owned()
        }
        ErrorClass::Timeout => {
            format!("raise `timeout` or `idle_timeout` in `[agents.{agent}]`")
        }
        _ => format!("read what it printed in `{}`", live_log.display()),
    };
    Err(UserError::with_hint(
        format!("agent `{agent}` gave no usable result: {why}"),
        hint,
    )
    .into())
}

fn render(ui: &Ui, exec: &Execution, live_log: &Path) {
    let o = &exec.outcome;
    let inv = &exec.invocation;
    let field = |key: &str, value: &dyn std::fmt::Display| {
        ui.data(format_args!("{key:<9} {value}"));
    };
    field(
        "agent",
        &format_args!("{} ({} adapter)", inv.agent, inv.adapter),
    );
    field(
        "outcome",
        &format_args!(
            "{} (error class: {})",
            o.next_action.as_str(),
            o.error_class.as_str()
        ),
    );
    if let Some(out) = &exec.output {
        let how = match (out.exit_code, out.signal) {
            (Some(code), _) => format!("exit code {code}"),
            (None, Some(sig)) => format!("killed by signal {sig}"),
            (None, None) => "no exit status".to_owned(),
        };
        field(
            "process",
            &format_args!("{how} after {:.1}s", out.duration.as_secs_f64()),
        );
        match &out.sandbox.confinement {
            crate::agent::Confinement::Unconfined { reason } => {
                field("sandbox", &format_args!("unconfined: {reason}"));
            }
            other => field("sandbox", &other.as_str()),
        }
    }
    if let Some(r) = &o.result {
        field("result", &r.status.as_str());
    }
    if let Some(v) = &o.verdict {
        field("verdict", &v.verdict.as_str());
    }
    if let Some(summary) = &o.summary {
        field("summary", &summary.trim());
    }
    if let Some(q) = o.question() {
        field("question", &q);
    }
    if let Some(s) = &o.session_id {
        field("session", s);
    }
    if o.usage.is_some() || o.cost_usd.is_some() {
        let mut spend = agent::Spend::default();
        spend.add(o.usage, o.cost_usd);
        field(
            "usage",
            &format_args!("{}; cost {}", spend.tokens_text(), spend.cost_text()),
        );
    }
    for reason in &o.reasons {
        field("reason", reason);
    }
    field("live log", &live_log.display());
}

/// Where a try runs: a scratch worktree of HEAD or a workstream's worktree, and a
/// scratch directory. Dropping it removes the scratch worktree and directory.
struct Site {
    worktree: PathBuf,
    scratch: PathBuf,
    /// Removed whole on drop, after the scratch worktree.
    base: PathBuf,
    scratch_worktree: Option<ScratchWorktree>,
}

impl Site {
    /// Returns a detached worktree of HEAD under a fresh temp directory.
    fn scratch(repo: &Path, run_id: &RunId) -> anyhow::Result<Self> {
        let base = std::env::temp_dir().join(format!("git-aos-try-{run_id}"));
        let worktree = ScratchWorktree::create(repo, &base.join("worktree"), "HEAD")?;
        Ok(Self {
            worktree: worktree.path().to_owned(),
            scratch: base.join("scratch"),
            base,
            scratch_worktree: Some(worktree),
        })
    }

    /// Returns a workstream's worktree, which stays, with a scratch directory that goes.
    fn workstream(worktree: PathBuf, scratch: PathBuf) -> Self {
        Self {
            worktree,
            base: scratch.clone(),
            scratch,
            scratch_worktree: None,
        }
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        drop(self.scratch_worktree.take());
        if let Err(e) = std::fs::remove_dir_all(&self.base)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("could not remove `{}`: {e}", self.base.display());
        }
    }
}
