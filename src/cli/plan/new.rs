//! `git aos plan new --brief FILE`: check the brief, create the workstream, have the
//! planner write its plan, and stop at the plan gate.

use std::path::PathBuf;
use std::sync::Arc;

use crate::ctx::Ctx;
use crate::error::UserError;
use crate::ids::WorkstreamName;
use crate::pipeline::{self, Pipeline, RunMode, planning};
use crate::plan;
use crate::ui::Ui;
use crate::workstream::{self, NewWorkstream};

/// Create a workstream from a brief (the planner agent writes its plan, which waits for your approval), or write an example plan to start from
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  git aos plan new --template plan.md        # a commented example plan to edit
  git aos plan new --brief brief.md --ws rate-limits")]
pub struct NewArgs {
    /// The brief (Markdown with `## Feature / Change`, `## Context`, `## Constraints`, `## Success Criteria`)
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "template",
        conflicts_with = "template"
    )]
    brief: Option<PathBuf>,
    /// Write a commented example plan to FILE (nothing else happens) and exit
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// Name of the workstream (default: the brief's title, as a slug)
    #[arg(long = "ws", value_name = "NAME")]
    name: Option<WorkstreamName>,
    /// Commit or branch to start from (default: `[project] base`, else the current branch)
    #[arg(long, value_name = "REF")]
    base: Option<String>,
    /// Pipeline profile from aos.toml (`tdd` writes each task's tests first)
    #[arg(long, value_name = "PROFILE")]
    profile: Option<String>,
}

/// Checks the brief, creates the workstream and runs the planner; exit 3 when the plan
/// waits for approval.
pub async fn run(ui: &Ui, args: NewArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.template {
        return write_template(ui, path);
    }
    let Some(brief_path) = &args.brief else {
        return Err(UserError::new("give `--brief FILE` or `--template FILE`").into());
    };
    let ctx = Ctx::discover()?;
    let cfg = ctx.config()?;
    let file = brief_path.display().to_string();
    let text = std::fs::read_to_string(brief_path)
        .map_err(|e| UserError::new(format!("cannot read `{file}`: {e}")))?;
    let brief = match plan::check_brief(&text, &file) {
        Ok(brief) => brief,
        Err(diagnostics) => {
            for d in &diagnostics {
                ui.diagnostic(d);
            }
            let errors: Vec<&str> = diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.message.as_str())
                .collect();
            return Err(UserError::with_hint(
                format!(
                    "`{file}` is not a valid brief: {}; nothing was created",
                    errors.join("; ")
                ),
                "a brief needs four level-2 sections: `## Feature / Change`, `## Context`, `## Constraints`, `## Success Criteria`",
            )
            .into());
        }
    };
    let name = match args.name {
        Some(name) => name,
        None => slug(brief.title.as_deref().unwrap_or_default()).ok_or_else(|| {
            UserError::with_hint(
                "the brief's title gives no workstream name",
                "name it with `--ws NAME`",
            )
        })?,
    };
    let planners = planning::planners(&cfg);
    let Some(planner) = planners.first().cloned() else {
        return Err(planning::no_planner());
    };
    let root = ctx.repo_root()?.to_owned();
    let req = NewWorkstream {
        name: name.clone(),
        base: args.base,
        profile: args.profile,
        plan: None,
    };
    let snap = workstream::create(&ctx.store, &cfg, &root, &req)?;
    let p = Pipeline::new(ctx.store.clone(), cfg, root.clone(), ui.clone())?;
    let rel = planning::start(&p, &name, &text)?;
    ui.status(format_args!(
        "created workstream `{name}` on branch `{}`; `{planner}` plans it into `{rel}`",
        snap.ws.branch
    ));
    let summary = pipeline::run(Arc::new(p), vec![name.clone()], RunMode::Once, 1).await?;
    let snap = ctx.store.find(&name)?;
    let tasks = ctx.store.tasks(&snap)?;
    if !tasks.tasks.is_empty() {
        ui.status(format_args!("plan `{rel}`:"));
        for t in &tasks.tasks {
            ui.status(format_args!("  {}: {}", t.id, t.title));
        }
    }
    ui.data(
        crate::workstream::worktree_path(&ctx.store, &snap.ws)
            .join(&rel)
            .display(),
    );
    match summary.error() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Returns a workstream name made from a title: lower case, runs of anything but ASCII
/// letters and digits turned into one `-`, at most 63 characters.
fn slug(title: &str) -> Option<WorkstreamName> {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(63);
    out.trim_end_matches('-').parse().ok()
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn titles_become_names() {
        let name = |t: &str| slug(t).map(|n| n.to_string());
        assert_eq!(name("Rate limiting"), Some("rate-limiting".into()));
        assert_eq!(
            name("  Add: OAuth 2 / SSO!  "),
            Some("add-oauth-2-sso".into())
        );
        assert_eq!(name("Ünïcode only"), Some("n-code-only".into()));
        assert_eq!(name("!!!"), None);
        assert_eq!(name(&"x".repeat(80)).map(|n| n.len()), Some(63));
    }
}

/// The example plan `--template` writes: every part of the format, commented.
pub const TEMPLATE: &str = include_str!("../../plan/template.md");

/// Writes the example plan to `path`, never over an existing file.
fn write_template(ui: &Ui, path: &std::path::Path) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            UserError::with_hint(
                format!("cannot write `{}`: {e}", path.display()),
                "name a file that does not exist yet",
            )
        })?;
    file.write_all(TEMPLATE.as_bytes())?;
    let shown = path.display();
    ui.status(format_args!("wrote an example plan to `{shown}`"));
    ui.status(format_args!(
        "edit it, check it with `git aos plan check {shown}`, then `git aos new <name> --plan {shown}`"
    ));
    Ok(())
}

#[cfg(test)]
mod template_tests {
    #[test]
    fn the_template_is_a_valid_plan_without_warnings() {
        let checked = crate::plan::check(super::TEMPLATE, "template.md").unwrap();
        assert!(checked.warnings.is_empty(), "{:?}", checked.warnings);
        assert_eq!(checked.plan.tasks.len(), 2);
        assert!(!checked.plan.context.contains("<!--"));
    }
}
