//! `git aos pr`: push a workstream's branch and open or update its pull request (GitHub,
//! `gh`) or merge request (GitLab, `glab`); `pr status` reads what the forge says of
//! each request; `pr feedback` turns review comments into a fix task.

use serde::Serialize;

use crate::ctx::Ctx;
use crate::forge::{self, Check, PrRecord, Publish, RECORD_FILE, Reconciled};
use crate::ids::{RemoteName, WorkstreamName};
use crate::pipeline::Pipeline;
use crate::ui::Ui;

/// Push a workstream's branch and open or update its pull request (GitHub) or merge request (GitLab)
///
/// The branch `aos/<name>` is pushed with a lease: the first push only creates it, later
/// pushes only replace the commit git aos pushed last. The request's body is the
/// workstream's report: tasks and their acceptance results, review verdicts, user
/// acceptance, questions answered, cost. A workstream that is not complete (a gate is
/// open, a question unanswered, tasks remain) is refused unless `--draft`, and its
/// request stays a draft. Running it again pushes new commits and updates the same
/// request. `gh` serves GitHub remotes and `glab` GitLab ones (`[pr] tool` decides for
/// other hosts); it must be installed and logged in.
#[derive(clap::Args, Debug)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:\n  git aos pr limits --draft      push aos/limits, open a draft request\n  git aos pr limits              push again, update it, mark it ready once complete\n  git aos pr status              every request: state, review decision, checks\n  git aos pr feedback limits     review comments -> fix task PR-1; then `git aos run limits`"
)]
pub struct PrArgs {
    #[command(subcommand)]
    command: Option<PrCommand>,
    /// Workstream (default: the current one)
    name: Option<WorkstreamName>,
    /// Open the request as a draft (or make it one again); needed while the workstream is not complete
    #[arg(long)]
    draft: bool,
    /// Remote to push to (default: `[pr] remote`, else `origin`, else the only remote)
    #[arg(long, value_name = "REMOTE")]
    remote: Option<RemoteName>,
    /// Branch the request merges into (default: the one recorded, else the workstream's base)
    #[arg(long, value_name = "BRANCH", value_parser = branch_name)]
    base: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
enum PrCommand {
    /// Show each request's state, review decision and checks; a request merged on the forge archives its workstream as `merged`
    #[command(after_help = "Examples:\n  git aos pr status\n  git aos pr status limits --json")]
    Status {
        /// Workstream, live or archived (default: every live workstream with a request)
        name: Option<WorkstreamName>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Turn the request's new review comments into a fix task that `git aos run` implements
    #[command(
        after_help = "Examples:\n  git aos pr feedback limits              # review comments -> a fix task\n  git aos pr feedback limits --json"
    )]
    Feedback {
        /// Workstream (default: the current one)
        name: Option<WorkstreamName>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Runs `git aos pr …`.
pub fn run(ui: &Ui, args: PrArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    match args.command {
        Some(PrCommand::Status { name, json }) => status(&ctx, ui, name, json),
        Some(PrCommand::Feedback { name, json }) => feedback(&ctx, ui, name, json),
        None => publish(&ctx, ui, args),
    }
}

fn publish(ctx: &Ctx, ui: &Ui, args: PrArgs) -> anyhow::Result<()> {
    let cfg = ctx.config()?;
    let req = Publish {
        name: ctx.workstream(args.name)?,
        draft: args.draft,
        remote: args.remote,
        base: args.base,
    };
    let done = forge::publish(&ctx.store, &cfg, ctx.repo_root()?, ui, &req)?;
    let r = &done.record;
    let what = format!("{} {}", r.tool.noun(), r.reference());
    let draft = if r.draft { " (draft)" } else { "" };
    if done.opened {
        ui.status(format_args!(
            "opened {what}{draft} for `{}` into `{}`",
            r.branch, r.base
        ));
    } else {
        let pushed = if done.moved { "pushed and " } else { "" };
        ui.status(format_args!("{pushed}updated {what}{draft}"));
    }
    if !done.open_gates.is_empty() {
        ui.status(format_args!(
            "  not ready yet: {}",
            done.open_gates.join("; ")
        ));
    }
    ui.data(&r.url);
    Ok(())
}

/// One row of `pr status`.
#[derive(Serialize)]
struct Row {
    workstream: String,
    tool: forge::Tool,
    number: u64,
    reference: String,
    url: String,
    state: String,
    draft: bool,
    review: String,
    checks: Vec<Check>,
    checks_summary: String,
    /// The head the forge has.
    head: Option<String>,
    /// The commit git aos pushed last.
    pushed: String,
    merge_commit: Option<String>,
    /// The archive id, when the workstream was archived (now or before).
    archived: Option<String>,
    /// Why a merged request left the workstream live.
    kept: Option<String>,
    /// Why the forge could not be asked.
    error: Option<String>,
}

fn status(ctx: &Ctx, ui: &Ui, name: Option<WorkstreamName>, json: bool) -> anyhow::Result<()> {
    let cfg = ctx.config()?;
    let names: Vec<WorkstreamName> = match name {
        Some(name) => vec![name],
        None => ctx.store.list_live()?.into_iter().map(|(n, _)| n).collect(),
    };
    let named = names.len() == 1;
    let mut rows = Vec::new();
    let mut failures = 0;
    for name in names {
        if ctx.store.try_find(&name)?.is_none() {
            // An archived workstream: what was recorded when it was archived.
            let snap = ctx.store.find_any(&name)?;
            match ctx.store.read_toml::<PrRecord>(&snap, RECORD_FILE)? {
                Some(r) => {
                    let id = ctx.store.newest_archive(&name)?;
                    rows.push(recorded_row(&name, r, id));
                }
                None => ui.status(format_args!("archived `{name}` had no pull request")),
            }
            continue;
        }
        match forge::reconcile(&ctx.store, &cfg, ui, &name) {
            Ok(Some(done)) => rows.push(live_row(done)),
            Ok(None) if named => ui.status(format_args!(
                "`{name}` has no pull request; `git aos pr {name}` opens one"
            )),
            Ok(None) => {}
            Err(e) if named => return Err(e),
            Err(e) => {
                failures += 1;
                ui.warn(format_args!("`{name}`: {e:#}"));
                let snap = ctx.store.find(&name)?;
                if let Some(r) = ctx.store.read_toml::<PrRecord>(&snap, RECORD_FILE)? {
                    let mut row = recorded_row(&name, r, None);
                    row.error = Some(format!("{e:#}"));
                    rows.push(row);
                }
            }
        }
    }
    if json {
        ui.json(&rows)?;
    } else {
        if rows.is_empty() && !named {
            ui.status("no live workstream has a pull request; `git aos pr <name>` opens one");
        }
        for row in &rows {
            print_row(ui, row);
        }
    }
    if failures > 0 {
        anyhow::bail!("could not ask the forge about {failures} workstream(s)");
    }
    Ok(())
}

fn live_row(done: Reconciled) -> Row {
    let v = &done.view;
    Row {
        workstream: done.workstream,
        tool: done.record.tool,
        number: done.record.number,
        reference: done.record.reference(),
        url: v.url.clone(),
        state: v.state.as_str().to_owned(),
        draft: v.draft,
        review: v.review.as_str().to_owned(),
        checks: v.checks.clone(),
        checks_summary: v.checks_summary(),
        head: v.head.clone(),
        pushed: done.record.head.clone(),
        merge_commit: v.merge_commit.clone(),
        archived: done.archived,
        kept: done.kept,
        error: None,
    }
}

fn recorded_row(name: &WorkstreamName, r: PrRecord, archived: Option<String>) -> Row {
    Row {
        workstream: name.to_string(),
        tool: r.tool,
        number: r.number,
        reference: r.reference(),
        url: r.url.clone(),
        state: r.state.as_str().to_owned(),
        draft: r.draft,
        review: "unknown".into(),
        checks: Vec::new(),
        checks_summary: "unknown".into(),
        head: None,
        pushed: r.head.clone(),
        merge_commit: r.merge_commit.clone(),
        archived,
        kept: None,
        error: None,
    }
}

fn print_row(ui: &Ui, row: &Row) {
    let draft = if row.draft && row.state == "open" {
        " (draft)"
    } else {
        ""
    };
    ui.data(format_args!(
        "{}  {}  {}{draft}  review: {}  checks: {}  {}",
        row.workstream, row.reference, row.state, row.review, row.checks_summary, row.url
    ));
    if let (Some(id), Some(commit)) = (&row.archived, &row.merge_commit) {
        ui.status(format_args!(
            "  merged on the forge as {}; `{}` is archived as `{id}`",
            &commit[..commit.len().min(10)],
            row.workstream
        ));
    } else if let Some(id) = &row.archived {
        ui.status(format_args!("  `{}` is archived as `{id}`", row.workstream));
    }
    if let Some(why) = &row.kept {
        ui.warn(format_args!("`{}`: {why}", row.workstream));
    }
}

fn feedback(ctx: &Ctx, ui: &Ui, name: Option<WorkstreamName>, json: bool) -> anyhow::Result<()> {
    let name = ctx.workstream(name)?;
    let p = Pipeline::open(ctx, ui)?;
    let done = forge::feedback(&p, &name)?;
    for w in &done.warnings {
        ui.warn(w);
    }
    if json {
        return ui.json(&done);
    }
    match &done.task {
        None => ui.status(format_args!(
            "no new review comments on {} of `{name}`",
            done.reference
        )),
        Some(task) => {
            let n = done.comments.len();
            ui.status(format_args!(
                "{task} added to `{name}` from {n} review comment{} on {}; `git aos run {name}` implements it",
                if n == 1 { "" } else { "s" },
                done.reference
            ));
            for c in &done.comments {
                let place = c
                    .path
                    .as_ref()
                    .map(|p| match c.line {
                        Some(l) => format!(" {p}:{l}"),
                        None => format!(" {p}"),
                    })
                    .unwrap_or_default();
                let first = c.body.lines().next().unwrap_or_default();
                ui.data(format_args!("{}{place}: {first}", c.author));
            }
        }
    }
    Ok(())
}

/// Parses a branch name for `--base`: something git can name a branch with.
fn branch_name(s: &str) -> Result<String, String> {
    let bad = s.is_empty()
        || s.starts_with('-')
        || s.starts_with('/')
        || s.ends_with('/')
        || s.ends_with(".lock")
        || s.contains("..")
        || s.contains("//")
        || s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c));
    if bad {
        return Err(format!("`{s}` is not a branch name"));
    }
    Ok(s.to_owned())
}
