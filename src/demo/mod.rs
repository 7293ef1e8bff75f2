//! `git aos demo`: the whole pipeline on a scratch repository, offline — three workstreams
//! in parallel, the built-in shell agent implementing (independent tasks side by side), a
//! scripted reviewer that asks for changes once, one task that waits at the human gate
//! for a person, everything recorded in git; then what to run on one's own repository.

mod project;
pub mod reviewer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;

use crate::config::Config;
use crate::ctx::Ctx;
use crate::error::UserError;
use crate::git;
use crate::ids::WorkstreamName;
use crate::pipeline::{self, Pipeline, RunMode, WsOutcome};
use crate::store::Store;
use crate::ui::Ui;
use crate::workstream::{self, MergeRequest, NewWorkstream, Strategy};

/// The workstreams the demo runs: name, plan file, plan, profile (`None`: the default,
/// autonomous; `gated`: a person decides at the gate).
const WORKSTREAMS: [(&str, &str, &str, Option<&str>); 3] = [
    ("case-tools", "plans/case.md", project::CASE_PLAN, None),
    ("count-tools", "plans/count.md", project::COUNT_PLAN, None),
    (
        "greeting",
        "plans/greeting.md",
        project::GREETING_PLAN,
        Some("gated"),
    ),
];

/// The workstream whose task waits for a person.
const GATED: &str = "greeting";

/// Runs the demo in `dir` (default: a new directory under the system temp dir).
pub async fn run(ui: &Ui, dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let started = std::time::Instant::now();
    let repo = prepare(dir)?;
    ui.status(format_args!("demo repository: {}", repo.display()));
    let store = Store::discover(&repo)?;
    let cfg = Config::load(&repo.join(crate::config::FILE_NAME), &[]).map_err(UserError::from)?;
    let mut names = Vec::new();
    for (name, plan, _, profile) in WORKSTREAMS {
        let name: WorkstreamName = name.parse()?;
        let plan = workstream::plan_file::load(&repo, &cfg, &name, &repo.join(plan), ui)?;
        let req = NewWorkstream {
            name: name.clone(),
            base: None,
            profile: profile.map(str::to_owned),
            plan: Some(plan),
        };
        workstream::create(&store, &cfg, &repo, &req)?;
        let how = match profile {
            Some(_) => "a person approves each task",
            None => "autonomous",
        };
        ui.status(format_args!("created workstream `{name}` ({how})"));
        names.push(name);
    }
    let p = Arc::new(Pipeline::new(store.clone(), cfg, repo.clone(), ui.clone())?);
    let mut outcomes = pipeline::run(p.clone(), names.clone(), RunMode::Loop, 2)
        .await?
        .outcomes;
    let gated: WorkstreamName = GATED.parse()?;
    if outcomes
        .iter()
        .any(|(n, o)| *n == gated && matches!(o, WsOutcome::AtGate(_)))
    {
        gate(ui, &p, &repo, &gated).await?;
        let again = pipeline::run(p.clone(), vec![gated.clone()], RunMode::Loop, 1).await?;
        outcomes.retain(|(n, _)| *n != gated);
        outcomes.extend(again.outcomes);
    }
    // Merged quietly: the summary below says what happened.
    let quiet = Ui::new(true);
    let mut merged = Vec::new();
    for (name, outcome) in &outcomes {
        let result = match outcome {
            WsOutcome::Complete => {
                let req = MergeRequest {
                    name: name.clone(),
                    strategy: Strategy::Merge,
                    force: false,
                    gate: true,
                };
                workstream::merge(&store, &p.cfg, &repo, &quiet, &req).map_err(|e| format!("{e:#}"))
            }
            other => Err(format!("stopped: {}", describe_outcome(other))),
        };
        merged.push((name.clone(), result));
    }
    summary(ui, &store, &repo, started.elapsed(), &merged)?;
    Ok(repo)
}

/// The person's turn: what waits, the three commands, what `show` shows; then the demo
/// approves it as a person would.
async fn gate(ui: &Ui, p: &Pipeline, repo: &Path, name: &WorkstreamName) -> anyhow::Result<()> {
    ui.data(format_args!(
        "\n== A person's turn ==\n\n`{name}` waits at the human gate: its task was implemented, \
         tested and reviewed, and nothing lands on `aos/{name}` until a person decides. \
         In your own repository you would run:\n"
    ));
    ui.data(format_args!(
        "  git aos show {name}                  # the diff, the tests, the reviewer's verdict"
    ));
    ui.data(format_args!(
        "  git aos approve {name}               # land it: one commit, with its provenance note"
    ));
    ui.data(format_args!(
        "  git aos reject {name} -f \"…\"        # back to the agent, your feedback in its prompt"
    ));
    ui.data(format_args!(
        "\nThis is what `git aos show {name}` prints:\n"
    ));
    let ctx = Ctx::at(repo)?;
    crate::cli::show::print(ui, &ctx, crate::cli::show::ShowArgs::of(name.clone()))?;
    ui.data(format_args!(
        "\nThe demo approves it for you (`git aos approve {name}`), and the run goes on.\n"
    ));
    crate::pipeline::resolve::approve(p, name, None, false).await?;
    Ok(())
}

/// Prints what each workstream did, how to look at it with plain git, and what to run on
/// one's own repository.
fn summary(
    ui: &Ui,
    store: &Store,
    repo: &Path,
    took: std::time::Duration,
    merged: &[(WorkstreamName, Result<workstream::Merged, String>)],
) -> anyhow::Result<()> {
    ui.data(format_args!(
        "\n== What happened ({:.1} s) ==\n",
        took.as_secs_f64()
    ));
    let mut state_ref = None;
    for (name, result) in merged {
        let tasks = match store.find_any(name) {
            Ok(snap) => store.tasks(&snap)?,
            Err(_) => continue,
        };
        match result {
            Ok(m) => {
                ui.data(format_args!(
                    "{name}: {} tasks, merged into main as {} (the merge gate ran the tests)",
                    tasks.tasks.len(),
                    &m.commit[..10]
                ));
                state_ref.get_or_insert(format!(
                    "{}{}",
                    crate::store::refs::ARCHIVE_PREFIX,
                    m.archive_id
                ));
            }
            Err(why) => ui.data(format_args!("{name}: not merged: {why}")),
        }
        for t in &tasks.tasks {
            let commit = t.commit.as_deref().map(|c| &c[..10]).unwrap_or("-");
            let note = match (t.attempts, name.as_str() == GATED) {
                (n, _) if n > 1 => "  the reviewer asked for a usage line; attempt 2 added it",
                (_, true) => "  approved by a person at the gate",
                _ => "",
            };
            ui.data(format_args!("  {} {:<28} {commit}{note}", t.id, t.title));
        }
    }
    ui.data(
        "\nIndependent tasks (T1 and T2, C1 and C2) ran side by side, each in its own worktree,",
    );
    ui.data("and landed one at a time: every branch stays linear, one commit per task.");
    ui.data("\nLook at it with plain git:");
    ui.data(format_args!("  cd {}", repo.display()));
    ui.data("  git log --oneline --graph main                 # the tasks' commits, merged");
    ui.data(
        "  git log --notes=aos --format='%h %s%n%N' main  # each commit with its provenance note",
    );
    ui.data("  git for-each-ref refs/aos/                     # every workstream's state ref");
    if let Some(state) = &state_ref {
        ui.data(format_args!(
            "  git log --format='%h %an: %s' {state}   # the audit trail"
        ));
    }
    ui.data("  git aos report case-tools                      # the implementation report");
    ui.data("\nNext, on your own repository:");
    ui.data("  cd your-project");
    ui.data("  git aos init --agent claude                    # or codex: writes aos.toml");
    ui.data("  git aos plan new --template plan.md            # a commented example plan to edit");
    ui.data("  git aos new my-change --plan plan.md           # a branch and worktree of its own");
    ui.data("  git aos run my-change                          # stops at the gate for you");
    Ok(())
}

/// Returns what a workstream's stop means, in words.
fn describe_outcome(outcome: &WsOutcome) -> String {
    match outcome {
        WsOutcome::Complete => "complete".into(),
        WsOutcome::AtGate(why) => format!("waiting for a person: {why}"),
        WsOutcome::Failed(why) => format!("failed: {why}"),
        WsOutcome::Stopped(why) => why.clone(),
        WsOutcome::Progressed => "went part of the way".into(),
        WsOutcome::Busy(busy) => busy.to_string(),
    }
}

/// Creates the scratch repository with the demo project and its aos.toml.
fn prepare(dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let base = match dir {
        Some(d) => d,
        None => {
            let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S").to_string();
            std::env::temp_dir().join(format!("git-aos-demo-{stamp}-{}", std::process::id()))
        }
    };
    if base.exists()
        && base
            .read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(UserError::with_hint(
            format!("`{}` exists and is not empty", base.display()),
            "pass an empty or new directory with `--dir`",
        )
        .into());
    }
    let repo = base.join("textkit");
    std::fs::create_dir_all(&repo)
        .with_context(|| format!("could not create `{}`", repo.display()))?;
    let repo = std::fs::canonicalize(&repo)?;
    git::run(&repo, ["init", "--quiet", "--initial-branch=main"])?;
    let exe = std::env::current_exe().context("could not find the git-aos binary")?;
    write(&repo, "README.md", project::README)?;
    write(&repo, "tests/run.sh", project::TEST_RUNNER)?;
    for (_, plan, text, _) in WORKSTREAMS {
        write(&repo, plan, text)?;
    }
    write(&repo, crate::config::FILE_NAME, &aos_toml(&exe))?;
    write(&repo, ".gitignore", "")?;
    let who = git::change::Identity {
        author_name: "git aos demo",
        author_email: "demo@localhost",
    };
    let checkout = git::Checkout::locate(&repo.join(".git"), &repo)?;
    git::change::commit_all(&checkout, "Start textkit\n", &who)?;
    git::config_add_unique(&repo, "notes.rewriteRef", crate::store::refs::NOTES)?;
    Ok(repo)
}

fn aos_toml(exe: &Path) -> String {
    let exe = exe
        .display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    format!(
        r#"# The demo's project profile: the built-in shell agent implements (it runs each
# task's `Run` block); a scripted reviewer asks for a usage line once.
[project]
base = "main"
test = "sh tests/run.sh"

[agents.shell]
adapter = "shell"
timeout = "1m"

[agents.reviewer]
adapter = "command"
command = ["{exe}", "demo-reviewer"]
timeout = "1m"

[roles]
implement = ["shell"]
review = "reviewer"

[profiles.default]
autonomy = "autonomous"
max_parallel = 2
# Independent tasks of a plan (T1 and T2, C1 and C2) run side by side, each in its own
# worktree, and land one at a time.
parallel_tasks = 3

# `greeting` uses this one: a person decides at the human gate.
[profiles.gated]
extends = "default"
autonomy = "gatekeeper"

[notify]
desktop = false
"#
    )
}

fn write(repo: &Path, rel: &str, text: &str) -> anyhow::Result<()> {
    let path = repo.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, text).with_context(|| format!("could not write `{}`", path.display()))
}
