//! `git aos hooks`: install, remove or show the git hook shims.

use crate::ctx::Ctx;
use crate::hooks::{self, HookState, HookStatus, Report, Scope};
use crate::ui::Ui;

/// Install, remove or show the git hook shims of git aos (pre-commit, prepare-commit-msg,
/// post-commit, post-rewrite)
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  git aos hooks install\n  git aos hooks status --json")]
pub struct HooksArgs {
    #[command(subcommand)]
    command: HooksCommand,
}

#[derive(clap::Subcommand, Debug)]
enum HooksCommand {
    /// Put the shims into the hooks directory, keeping what each hook already runs
    #[command(
        after_help = "Examples:\n  git aos hooks install\n  git aos hooks install --scope workstreams   # hooks only in workstream worktrees"
    )]
    Install {
        /// Which worktrees run the shims: `shared` puts them into the shared hooks
        /// directory (every worktree runs them, returning at once off `aos/*` branches);
        /// `workstreams` keeps them in a directory only workstream worktrees point at, so
        /// other worktrees start no hook at all. Default: the scope installed now, else
        /// shared.
        #[arg(long, value_enum)]
        scope: Option<Scope>,
    },
    /// Take the shims out again, leaving each hook file as it was before
    #[command(after_help = "Examples:\n  git aos hooks uninstall")]
    Uninstall,
    /// Show where the hooks directory is, which hooks have the shim and what else they run
    #[command(after_help = "Examples:\n  git aos hooks status\n  git aos hooks status --json")]
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
        HooksCommand::Install { scope } => install(ui, &ctx, scope),
        HooksCommand::Uninstall => {
            let report = hooks::uninstall(&ctx.store, &ctx.cwd)?;
            for h in &report.hooks {
                if let Some(what) = h.changed {
                    ui.status(format_args!("{}: {what} `{}`", h.hook, h.path.display()));
                }
            }
            say_detached(ui, &report);
            if report.hooks.iter().all(|h| h.changed.is_none()) && report.detached.is_empty() {
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
pub fn install(ui: &Ui, ctx: &Ctx, scope: Option<Scope>) -> anyhow::Result<()> {
    let report = hooks::install(&ctx.store, &ctx.cwd, scope)?;
    if let Some(scoped) = &report.workstreams {
        for h in report.hooks.iter().filter(|h| h.changed.is_some()) {
            ui.status(format_args!(
                "{}: took the shared shim out of `{}`",
                h.hook,
                h.path.display()
            ));
        }
        let s = &scoped.scoped;
        ui.status(format_args!(
            "installed git aos hooks for workstream worktrees in `{}` ({} worktree{} pointed at it); other worktrees run no git aos hook",
            s.dir.display(),
            s.attached.len(),
            if s.attached.len() == 1 { "" } else { "s" }
        ));
        ui.status(format_args!(
            "  each runs on to the hooks in `{}`{}",
            s.chained_to,
            forwarded_text(&s.forwarded)
        ));
        return Ok(());
    }
    say_detached(ui, &report);
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

/// Says which worktrees were taken off the workstream-scoped shims.
fn say_detached(ui: &Ui, report: &Report) {
    if !report.detached.is_empty() {
        ui.status(format_args!(
            "removed the workstream-scoped hooks ({} worktree{} no longer pointed at them)",
            report.detached.len(),
            if report.detached.len() == 1 { "" } else { "s" }
        ));
    }
}

fn forwarded_text(forwarded: &[String]) -> String {
    if forwarded.is_empty() {
        String::new()
    } else {
        format!(", and forwards {}", forwarded.join(", "))
    }
}

fn render(ui: &Ui, report: &Report) {
    let dir = &report.dir;
    let source = match (&dir.hooks_path, &dir.scope) {
        (Some(value), Some(scope)) => format!("  (core.hooksPath = `{value}`, {scope} config)"),
        _ => String::new(),
    };
    let scope = match report.scope {
        Some(Scope::Shared) => "shared (every worktree runs the shims)",
        Some(Scope::Workstreams) => "workstreams (only workstream worktrees run the shims)",
        None => "none (no git aos hook installed)",
    };
    ui.data(format_args!("scope {scope}"));
    ui.data(format_args!(
        "hooks directory {}{source}",
        dir.path.display()
    ));
    render_files(ui, &report.hooks);
    if let Some(scoped) = &report.workstreams {
        let s = &scoped.scoped;
        ui.data(format_args!(
            "workstream hooks directory {}  (runs on to `{}`{})",
            s.dir.display(),
            s.chained_to,
            forwarded_text(&s.forwarded)
        ));
        render_files(ui, &scoped.hooks);
        for wt in &s.attached {
            ui.data(format_args!("  worktree {}  uses them", wt.display()));
        }
        for wt in &s.detached {
            ui.data(format_args!(
                "  worktree {}  does not use them (`git aos hooks install` points it at them)",
                wt.display()
            ));
        }
    }
}

fn render_files(ui: &Ui, hooks: &[HookStatus]) {
    for h in hooks {
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
    if report.scope == Some(Scope::Workstreams) {
        return;
    }
    if dir.outside {
        ui.warn(format_args!(
            "the hooks directory `{}` is outside this repository{}: every repository using it runs the shims (they do nothing outside git aos workstreams)",
            dir.path.display(),
            dir.scope.as_deref().map(|s| format!(" (core.hooksPath from {s} config)")).unwrap_or_default()
        ));
    }
    if dir.per_worktree {
        ui.warn("`core.hooksPath` is relative: each worktree resolves it against its own top, so run `git aos hooks install` in each worktree that needs the hooks, or install with `--scope workstreams`, which reaches every workstream worktree");
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
