//! `git aos demo`: the whole pipeline on a scratch repository, offline — two workstreams
//! in parallel, the built-in shell agent implementing, a scripted reviewer that asks for
//! changes once, everything recorded in git.

mod project;
pub mod reviewer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;

use crate::config::Config;
use crate::error::UserError;
use crate::git;
use crate::ids::WorkstreamName;
use crate::pipeline::{self, Pipeline, RunMode, WsOutcome};
use crate::store::Store;
use crate::ui::Ui;
use crate::workstream::{self, MergeRequest, NewWorkstream, Strategy};

/// The two workstreams the demo runs, with their plans.
const WORKSTREAMS: [(&str, &str, &str); 2] = [
    ("case-tools", "plans/case.md", project::CASE_PLAN),
    ("count-tools", "plans/count.md", project::COUNT_PLAN),
];

/// Runs the demo in `dir` (default: a new directory under the system temp dir).
pub async fn run(ui: &Ui, dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let started = std::time::Instant::now();
    let repo = prepare(dir)?;
    ui.status(format_args!("demo repository: {}", repo.display()));
    let store = Store::discover(&repo)?;
    let cfg = Config::load(&repo.join(crate::config::FILE_NAME), &[]).map_err(UserError::from)?;
    let mut names = Vec::new();
    for (name, plan, _) in WORKSTREAMS {
        let name: WorkstreamName = name.parse()?;
        let plan = workstream::plan_file::load(&repo, &cfg, &name, &repo.join(plan), ui)?;
        let req = NewWorkstream {
            name: name.clone(),
            base: None,
            profile: None,
            plan: Some(plan),
        };
        workstream::create(&store, &cfg, &repo, &req)?;
        ui.status(format_args!("created workstream `{name}`"));
        names.push(name);
    }
    let p = Arc::new(Pipeline::new(store.clone(), cfg, repo.clone(), ui.clone())?);
    let summary = pipeline::run(p.clone(), names.clone(), RunMode::Loop, 2).await?;
    ui.data(format_args!(
        "\ngit aos demo ran in {:.1} s in {}\n",
        started.elapsed().as_secs_f64(),
        repo.display()
    ));
    for (name, outcome) in &summary.outcomes {
        describe(ui, &store, name, outcome)?;
    }
    ui.data("");
    // Where each workstream's state chain lives once the demo is over.
    let mut state_refs = Vec::new();
    for (name, outcome) in &summary.outcomes {
        if *outcome != WsOutcome::Complete {
            ui.data(format_args!("{name}: not merged ({outcome:?})"));
            state_refs.push(crate::store::refs::live(name));
            continue;
        }
        // Merge what merges cleanly and passes the gate; leave the rest as it is.
        let req = MergeRequest {
            name: name.clone(),
            strategy: Strategy::Merge,
            force: false,
            gate: true,
        };
        match workstream::merge(&store, &p.cfg, &repo, ui, &req) {
            Ok(m) => {
                ui.data(format_args!(
                    "{name}: merged into main as {} (merge gate passed)",
                    &m.commit[..10]
                ));
                state_refs.push(format!(
                    "{}{}",
                    crate::store::refs::ARCHIVE_PREFIX,
                    m.archive_id
                ));
            }
            Err(e) => {
                ui.data(format_args!("{name}: not merged: {e:#}"));
                state_refs.push(crate::store::refs::live(name));
            }
        }
    }
    ui.data("\nInspect it with plain git:");
    ui.data(format_args!("  cd {}", repo.display()));
    ui.data("  git log --oneline --graph main                 # the tasks' commits, merged");
    ui.data(
        "  git log --notes=aos --format='%h %s%n%N' main  # each commit with its provenance note",
    );
    ui.data("  git for-each-ref refs/aos/                     # every workstream's state ref");
    if let Some(state) = state_refs.first() {
        ui.data(format_args!(
            "  git log --format='%h %an: %s' {state}   # the audit trail"
        ));
        ui.data(format_args!("  git show {state}:tasks.toml   # task state"));
    }
    ui.data("  git aos log case-tools                         # the same history, readable");
    ui.data("  git aos report case-tools                      # the implementation report");
    Ok(repo)
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
    for (_, plan, text) in WORKSTREAMS {
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

fn describe(
    ui: &Ui,
    store: &Store,
    name: &WorkstreamName,
    outcome: &WsOutcome,
) -> anyhow::Result<()> {
    let snap = store.find(name)?;
    let tasks = store.tasks(&snap)?;
    let (done, total) = tasks.progress();
    ui.data(format_args!(
        "{name}: {} ({done}/{total} tasks, outcome {outcome:?})",
        snap.ws.status
    ));
    for t in &tasks.tasks {
        let commit = t.commit.as_deref().map(|c| &c[..10]).unwrap_or("-");
        let retry = if t.attempts > 1 {
            "  <- the reviewer asked for changes; attempt 2 fixed it"
        } else {
            ""
        };
        ui.data(format_args!(
            "  {} {:<32} {commit}  attempts {}{retry}",
            t.id, t.title, t.attempts
        ));
    }
    Ok(())
}
