//! `git aos hooks`: install, remove or show the git hook shims.

use crate::ctx::Ctx;
use crate::hooks::{self, HookState, Report};
use crate::ui::Ui;

/// Install, remove or show the git hook shims of git aos (pre-commit, prepare-commit-msg,
/// post-commit, post-rewrite)
#[derive(clap::Args, Debug)]
pub struct HooksArgs {
    #[command(subcommand)]
    command: HooksCommand,
}

#[derive(clap::Subcommand, Debug)]
enum HooksCommand {
    /// Put the shims into the hooks directory, keeping what each hook already runs
    Install,
    /// Take the shims out again, leaving each hook file as it was before
    Uninstall,
    /// Show where the hooks directory is, which hooks have the shim and what else they run
    Status {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Runs the hooks command.
pub fn run(ui: &Ui, args: HooksArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    match args.command {
        HooksCommand::Install => install(ui, &ctx),
        HooksCommand::Uninstall => {
            let report = hooks::uninstall(&ctx.store, &ctx.cwd)?;
            for h in &report.hooks {
                if let Some(what) = h.changed {
                    ui.status(format_args!("{}: {what} `{}`", h.hook, h.path.display()));
                }
            }
            if report.hooks.iter().all(|h| h.changed.is_none()) {
                ui.status(format_args!(
                    "no git aos shims in `{}`",
                    report.dir.path.display()
                ));
            }
            warn_unusual(ui, &report);
            Ok(())
        }
        HooksCommand::Status { json } => {
            let report = hooks::status(&ctx.store, &ctx.cwd)?;
            if json {
                return ui.json(&report);
            }
            render(ui, &report);
            warn_unusual(ui, &report);
            Ok(())
        }
    }
}

/// Installs the shims and says what changed; `git aos init` calls this too.
pub fn install(ui: &Ui, ctx: &Ctx) -> anyhow::Result<()> {
    let report = hooks::install(&ctx.store, &ctx.cwd)?;
    let changed: Vec<String> = report
        .hooks
        .iter()
        .filter(|h| h.changed.is_some())
        .map(|h| h.hook.to_string())
        .collect();
    if changed.is_empty() {
        ui.status(format_args!(
            "git aos hooks already installed in `{}`",
            report.dir.path.display()
        ));
    } else {
        ui.status(format_args!(
            "installed git aos hooks ({}) in `{}`",
            changed.join(", "),
            report.dir.path.display()
        ));
    }
    warn_unusual(ui, &report);
    Ok(())
}

fn render(ui: &Ui, report: &Report) {
    let dir = &report.dir;
    let source = match (&dir.hooks_path, &dir.scope) {
        (Some(value), Some(scope)) => format!("  (core.hooksPath = `{value}`, {scope} config)"),
        _ => String::new(),
    };
    ui.data(format_args!(
        "hooks directory {}{source}",
        dir.path.display()
    ));
    for h in &report.hooks {
        let mut notes = Vec::new();
        if h.chained {
            notes.push("runs other hook content too");
        }
        if h.created {
            notes.push("file created by git aos");
        }
        if h.state != HookState::Missing && !h.executable {
            notes.push("not executable: git skips it");
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("  ({})", notes.join("; "))
        };
        ui.data(format_args!(
            "  {:<20}{:<10}{}{notes}",
            h.hook.as_str(),
            h.state.as_str(),
            h.path.display()
        ));
    }
}

/// Warns about a hooks directory outside the repository, a per-worktree one, and hooks
/// the shim cannot go into.
fn warn_unusual(ui: &Ui, report: &Report) {
    let dir = &report.dir;
    if dir.outside {
        ui.warn(format_args!(
            "the hooks directory `{}` is outside this repository{}: every repository using it runs the shims (they do nothing outside git aos workstreams)",
            dir.path.display(),
            dir.scope.as_deref().map(|s| format!(" (core.hooksPath from {s} config)")).unwrap_or_default()
        ));
    }
    if dir.per_worktree {
        ui.warn("`core.hooksPath` is relative: each worktree resolves it against its own top, so run `git aos hooks install` in each worktree that needs the hooks");
    }
    for h in &report.hooks {
        match h.state {
            HookState::Foreign => ui.warn(format_args!(
                "`{}` is not a shell script, so it has no shim; call `git-aos hook {} \"$@\"` from it yourself",
                h.path.display(),
                h.hook
            )),
            HookState::Broken => ui.warn(format_args!(
                "`{}` has a `# >>> git-aos >>>` line without its `# <<< git-aos <<<` line; fix or remove it by hand",
                h.path.display()
            )),
            HookState::Outdated => ui.warn(format_args!(
                "`{}` has an older shim; `git aos hooks install` refreshes it",
                h.path.display()
            )),
            _ => {}
        }
    }
}
