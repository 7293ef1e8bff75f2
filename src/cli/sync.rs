//! `git aos sync`: bring this clone and a remote to the same state — every workstream,
//! archive, workstream branch and the provenance notes.

use crate::ctx::Ctx;
use crate::remote::{self, Action, Entry, Request};
use crate::ui::Ui;

/// Reconcile every workstream with a remote: fetch, copy, fast-forward or merge, then push
///
/// Fetches `refs/aos/*` and `refs/notes/aos` into `refs/aos/remotes/<remote>/`, never over
/// local refs; a workstream changed on both sides gets one merge state commit; then every
/// changed ref goes out in one atomic push, each leased to the value fetched.
///
/// Example: `git aos sync` (the current branch's remote, else `origin`), `git aos sync
/// backup --dry-run --json`
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos sync                          # the current branch's remote, else origin\n  git aos sync backup --dry-run --json"
)]
pub struct SyncArgs {
    /// The remote (default: the current branch's remote, else `origin`)
    remote: Option<String>,
    /// Show what would happen; fetch, but move no local ref and push nothing
    #[arg(long)]
    dry_run: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Syncs and prints what happened to each workstream.
pub fn run(ui: &Ui, args: SyncArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    let root = ctx.repo_root()?.to_owned();
    let remote = remote::resolve(&root, args.remote.as_deref())?;
    let req = Request {
        remote,
        dry_run: args.dry_run,
        only: None,
    };
    if !args.dry_run {
        notice_merged_requests(ui, &ctx);
    }
    let report = remote::sync(&ctx.store, &root, &req)?;
    if args.json {
        return ui.json(&report);
    }
    let would = if report.dry_run { "would be " } else { "" };
    for e in &report.workstreams {
        ui.data(format_args!("{}  {}", e.name, describe(e.action, would)));
        for note in &e.notes {
            ui.data(format_args!("    {note}"));
        }
    }
    for (what, list) in [("branch", &report.branches), ("archive", &report.archives)] {
        for e in list {
            ui.data(format_args!(
                "{what} {}  {}",
                e.name,
                describe(e.action, would)
            ));
            for note in &e.notes {
                ui.data(format_args!("    {note}"));
            }
        }
    }
    if let Some(n) = &report.notes {
        ui.data(format_args!("notes  {}", describe(n.action, would)));
    }
    let refused: Vec<&Entry> = report
        .workstreams
        .iter()
        .filter(|e| e.action == Action::Refused)
        .collect();
    let summary = if report.dry_run {
        format!("dry run: nothing was moved or pushed (`{}`)", report.remote)
    } else if report.pushed == 0 {
        format!("in step with `{}`; nothing to push", report.remote)
    } else {
        format!(
            "pushed {} refs to `{}` in one atomic push",
            report.pushed, report.remote
        )
    };
    ui.status(summary);
    if let Some(first) = refused.first() {
        let names: Vec<&str> = refused.iter().map(|e| e.name.as_str()).collect();
        let theirs = first
            .name
            .parse()
            .ok()
            .and_then(|n| crate::store::refs::tracking(&req.remote, &crate::store::refs::live(&n)))
            .unwrap_or_default();
        return Err(crate::error::UserError::with_hint(
            format!("could not reconcile {}: the plan changed differently on both sides", names.join(", ")),
            format!("make the plans agree on one side (`git show {theirs}:plan.md` shows the remote's), then sync again"),
        )
        .into());
    }
    Ok(())
}

fn describe(action: Action, would: &str) -> String {
    let what = match action {
        Action::UpToDate => return "up to date".into(),
        Action::Copied => "copied from the remote",
        Action::Pushed => "pushed",
        Action::FastForwarded => "fast-forwarded",
        Action::Merged => "merged (one merge state commit, pushed)",
        Action::Refused => {
            return "refused: both sides changed it in a way that cannot be merged".into();
        }
        Action::ClosedHere => "closed here: the close is pushed",
        Action::ClosedElsewhere => "closed on another clone: archived here too",
        Action::Behind => {
            return "behind the remote, left where it is here:".into();
        }
        Action::Diverged => return "diverged: left as it is on both sides".into(),
    };
    format!("{would}{what}")
}

/// Archives, before the push, every workstream whose pull request was merged on the
/// forge (as `git aos pr status` does). A forge that cannot be asked only warns: the
/// sync goes on.
fn notice_merged_requests(ui: &Ui, ctx: &Ctx) {
    let Ok(cfg) = ctx.config() else {
        return;
    };
    let Ok(live) = ctx.store.list_live() else {
        return;
    };
    for (name, _) in live {
        match crate::forge::reconcile(&ctx.store, &cfg, ui, &name) {
            Ok(Some(r)) if r.archived.is_some() => ui.status(format_args!(
                "{name}: its pull request was merged on the forge; archived as merged"
            )),
            Ok(_) => {}
            Err(e) => ui.warn(format_args!(
                "{name}: could not ask the forge about its pull request: {e:#}"
            )),
        }
    }
}
