//! `git aos plan`: check a plan or a brief, reporting every problem with its line (needs
//! no repository: it reads one file); `plan new` turns a brief into a workstream's plan.

mod new;

use std::path::PathBuf;

use serde::Serialize;

use crate::ctx::Ctx;
use crate::error::UserError;
use crate::ids::TaskId;
use crate::plan::{self, Brief, Diagnostic, Task};
use crate::ui::Ui;

/// Check plans and briefs, or turn a brief into a planned workstream
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos plan check plan.md\n  git aos plan new --template plan.md"
)]
pub struct PlanArgs {
    #[command(subcommand)]
    command: PlanCommand,
}

#[derive(clap::Subcommand, Debug)]
enum PlanCommand {
    /// Check a plan, or with `--brief` a brief, and report every problem with its line
    Check(CheckArgs),
    /// Create a workstream from a brief: the planner agent writes its plan, which waits for your approval
    New(new::NewArgs),
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos plan check plan.md\n  git aos plan check --json plan.md | jq .waves"
)]
struct CheckArgs {
    /// The Markdown file to check
    file: PathBuf,
    /// Check FILE as a brief (the input of `plan new`) instead of a plan
    #[arg(long)]
    brief: bool,
    /// Print the result as JSON on stdout
    #[arg(long)]
    json: bool,
}

/// Runs `git aos plan …`.
pub async fn run(ui: &Ui, args: PlanArgs) -> anyhow::Result<()> {
    match args.command {
        PlanCommand::Check(args) => check(ui, args).await,
        PlanCommand::New(args) => new::run(ui, args).await,
    }
}

async fn check(ui: &Ui, args: CheckArgs) -> anyhow::Result<()> {
    let file = args.file.display().to_string();
    let text = tokio::fs::read_to_string(&args.file)
        .await
        .map_err(|e| UserError::new(format!("cannot read `{file}`: {e}")))?;
    if args.brief {
        check_brief(ui, &file, &text, args.json)
    } else {
        check_plan(ui, &file, &text, args.json)
    }
}

/// The `--json` answer for a valid plan.
#[derive(Serialize)]
struct ValidPlan<'a> {
    valid: bool,
    file: &'a str,
    title: &'a str,
    context: &'a str,
    tasks: &'a [Task],
    order: Vec<TaskId>,
    groups: Vec<Vec<TaskId>>,
    /// Tasks that can run at once: wave 1 depends on nothing, wave n+1 on waves up to n.
    waves: Vec<Vec<TaskId>>,
    warnings: &'a [Diagnostic],
}

/// The `--json` answer for an invalid plan or brief.
#[derive(Serialize)]
struct Invalid<'a> {
    valid: bool,
    file: &'a str,
    errors: Vec<&'a Diagnostic>,
    warnings: Vec<&'a Diagnostic>,
}

/// The `--json` answer for a valid brief.
#[derive(Serialize)]
struct ValidBrief<'a> {
    valid: bool,
    file: &'a str,
    #[serde(flatten)]
    brief: &'a Brief,
}

fn check_plan(ui: &Ui, file: &str, text: &str, json: bool) -> anyhow::Result<()> {
    // In a repository with an aos.toml, `Agent:` lines must name agents it defines
    // (`new` always checks them: without aos.toml only the built-in agents exist).
    let known: Option<Vec<String>> = Ctx::discover()
        .ok()
        .filter(|ctx| {
            ctx.repo_root()
                .is_ok_and(|root| root.join(crate::config::FILE_NAME).is_file())
        })
        .and_then(|ctx| ctx.config().ok())
        .map(|cfg| cfg.agents.keys().cloned().collect());
    let checked = match plan::check_with(text, file, known.as_deref()) {
        Ok(checked) => checked,
        Err(diagnostics) => {
            report_invalid(ui, file, &diagnostics, json)?;
            return Err(UserError::with_hint(
                format!(
                    "`{file}` is not a valid plan: {}",
                    count_errors(&diagnostics)
                ),
                format!("fix the lines above, then run `git aos plan check {file}` again"),
            )
            .into());
        }
    };
    let plan = &checked.plan;
    for warning in &checked.warnings {
        ui.diagnostic(warning);
    }
    let order = plan.topo_order();
    let groups = plan.independent_groups();
    let waves = plan.waves();
    if json {
        return ui.json(&ValidPlan {
            valid: true,
            file,
            title: &plan.title,
            context: &plan.context,
            tasks: &plan.tasks,
            order,
            groups,
            waves,
            warnings: &checked.warnings,
        });
    }
    let done = plan.tasks.iter().filter(|t| t.done).count();
    let title = if plan.title.is_empty() {
        "untitled plan".to_owned()
    } else {
        format!("plan \"{}\"", plan.title)
    };
    ui.data(format_args!(
        "`{file}`: {title}, {} ({done} done), {}",
        plural(plan.tasks.len(), "task"),
        plural(groups.len(), "independent group"),
    ));
    ui.data(format_args!("order: {}", join(&order, ", ")));
    if groups.len() > 1 {
        let shown: Vec<String> = groups.iter().map(|g| join(g, " ")).collect();
        ui.data(format_args!("groups: {}", shown.join(" | ")));
    }
    let shown: Vec<String> = waves.iter().map(|w| join(w, " ")).collect();
    ui.data(format_args!(
        "waves: {} (tasks of a wave can run at once)",
        shown.join(" | ")
    ));
    Ok(())
}

fn check_brief(ui: &Ui, file: &str, text: &str, json: bool) -> anyhow::Result<()> {
    let brief = match plan::check_brief(text, file) {
        Ok(brief) => brief,
        Err(diagnostics) => {
            report_invalid(ui, file, &diagnostics, json)?;
            return Err(UserError::with_hint(
                format!("`{file}` is not a valid brief: {}", count_errors(&diagnostics)),
                "a brief needs four level-2 sections: `## Feature / Change`, `## Context`, `## Constraints`, `## Success Criteria`",
            )
            .into());
        }
    };
    if json {
        return ui.json(&ValidBrief {
            valid: true,
            file,
            brief: &brief,
        });
    }
    ui.data(format_args!(
        "`{file}`: brief \"{}\"",
        brief.title.as_deref().unwrap_or("")
    ));
    for (name, section) in [
        ("Feature / Change", &brief.feature),
        ("Context", &brief.context),
        ("Constraints", &brief.constraints),
        ("Success Criteria", &brief.success_criteria),
    ] {
        ui.data(format_args!("{name}: line {}", section.line));
    }
    Ok(())
}

/// Prints the diagnostics of an invalid file on stderr, and with `--json` the answer
/// on stdout.
fn report_invalid(
    ui: &Ui,
    file: &str,
    diagnostics: &[Diagnostic],
    json: bool,
) -> anyhow::Result<()> {
    for d in diagnostics {
        ui.diagnostic(d);
    }
    if json {
        let (errors, warnings) = diagnostics.iter().partition(|d| d.is_error());
        ui.json(&Invalid {
            valid: false,
            file,
            errors,
            warnings,
        })?;
    }
    Ok(())
}

fn count_errors(diagnostics: &[Diagnostic]) -> String {
    plural(diagnostics.iter().filter(|d| d.is_error()).count(), "error")
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn join(ids: &[TaskId], sep: &str) -> String {
    ids.iter().map(TaskId::as_str).collect::<Vec<_>>().join(sep)
}
