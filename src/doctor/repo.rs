//! The repository's side: hook shims, lock files left by holders that died, and whether
//! every live workstream's state can be read by this git-aos.

use std::path::Path;

use nix::sys::signal::kill;
use nix::unistd::Pid;

use super::{Finding, Level};
use crate::ctx::Ctx;
use crate::hooks::{self, HookState, HookStatus};
use crate::store::{self, path};
use crate::{lock, plan};

/// Checks hooks, locks and workstream state.
pub(super) fn check(ctx: &Ctx) -> Vec<Finding> {
    let mut findings = vec![check_hooks(ctx)];
    findings.extend(check_locks(ctx.common_dir()));
    findings.extend(check_state(&ctx.store));
    findings
}

fn check_hooks(ctx: &Ctx) -> Finding {
    let report = match hooks::status(&ctx.store, &ctx.cwd) {
        Ok(report) => report,
        Err(e) => {
            return Finding::new("hooks", "", Level::Warning, format!("{e:#}"))
                .hint("check `core.hooksPath`");
        }
    };
    let (files, dir) = match &report.workstreams {
        Some(scoped) => (&scoped.hooks, scoped.scoped.dir.clone()),
        None => (&report.hooks, report.dir.path.clone()),
    };
    let shown = dir.display();
    let named = |pick: &dyn Fn(&HookStatus) -> bool| -> Vec<&str> {
        files
            .iter()
            .filter(|h| pick(h))
            .map(|h| h.hook.as_str())
            .collect()
    };
    let missing = named(&|h| !matches!(h.state, HookState::Installed | HookState::Outdated));
    let inert = named(&|h| h.state != HookState::Missing && !h.executable);
    let install = "run `git aos hooks install`";
    if missing.len() == files.len() {
        return Finding::new(
            "hooks",
            shown.to_string(),
            Level::Warning,
            format!(
                "not installed in `{shown}`: commits made by hand are not recorded, and \
                 acceptance is not checked before them"
            ),
        )
        .hint(install);
    }
    if !missing.is_empty() {
        return Finding::new(
            "hooks",
            shown.to_string(),
            Level::Warning,
            format!("`{}` missing in `{shown}`", missing.join("`, `")),
        )
        .hint(install);
    }
    if !inert.is_empty() {
        return Finding::new(
            "hooks",
            shown.to_string(),
            Level::Warning,
            format!(
                "`{}` in `{shown}` not executable, so git skips them",
                inert.join("`, `")
            ),
        )
        .hint(format!("`chmod +x` them in `{shown}`"));
    }
    if let Some(scoped) = &report.workstreams
        && !scoped.scoped.detached.is_empty()
    {
        let names: Vec<String> = scoped
            .scoped
            .detached
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        return Finding::new(
            "hooks",
            shown.to_string(),
            Level::Warning,
            format!(
                "workstream worktree `{}` does not use the hooks in `{shown}`",
                names.join("`, `")
            ),
        )
        .hint(install);
    }
    let scope = match report.scope {
        Some(hooks::Scope::Workstreams) => " (workstream worktrees only)",
        _ => "",
    };
    Finding::ok(
        "hooks",
        shown.to_string(),
        format!("installed in `{shown}`{scope}"),
    )
}

/// Reports locks held now (a run in progress) and lock files naming a holder nobody
/// holds: a holder that died without letting go, whose run was interrupted.
fn check_locks(common_dir: &Path) -> Vec<Finding> {
    let dir = lock::dir(common_dir);
    let mut findings = Vec::new();
    let files = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "lock"));
    for entry in files {
        let file = entry.path();
        let rela = file
            .strip_prefix(&dir)
            .unwrap_or(file)
            .display()
            .to_string();
        let what = match rela
            .strip_prefix("ws/")
            .and_then(|r| r.strip_suffix(".lock"))
        {
            Some(name) => format!("workstream `{name}`"),
            None => format!("`{rela}`"),
        };
        match lock::probe(file) {
            Ok(Some(h)) => findings.push(Finding::ok(
                "lock",
                rela,
                format!(
                    "{what} is held by pid {} on {} since {}: a run is in progress",
                    h.pid, h.host, h.since
                ),
            )),
            Ok(None) => match lock::recorded_holder(file) {
                Ok(Some(h)) => {
                    let fate = match alive(&h) {
                        Some(true) => format!("pid {} still runs but no longer holds it", h.pid),
                        Some(false) => format!("pid {} is gone", h.pid),
                        None => format!(
                            "pid {} ran on {}, which cannot be checked from here",
                            h.pid, h.host
                        ),
                    };
                    findings.push(
                        Finding::new(
                            "lock",
                            rela,
                            Level::Warning,
                            format!(
                                "{what}: stale lock left by pid {} on {} since {}, which ended \
                                 without releasing it ({fate})",
                                h.pid, h.host, h.since
                            ),
                        )
                        .hint(
                            "harmless: the kernel released the lock when its holder died and the next \
                             run takes it; if a run was interrupted, `git aos run <name>` resumes it",
                        ),
                    );
                }
                Ok(None) => {}
                Err(e) => {
                    findings.push(Finding::new("lock", rela, Level::Warning, format!("{e:#}")))
                }
            },
            Err(e) => findings.push(Finding::new("lock", rela, Level::Warning, format!("{e:#}"))),
        }
    }
    if findings.is_empty() {
        findings.push(Finding::ok("lock", "", "no lock is held or left behind"));
    }
    findings
}

/// Returns whether the holder's process runs, when it ran on this host.
fn alive(h: &lock::Holder) -> Option<bool> {
    let here = nix::unistd::gethostname().ok()?;
    if here.to_string_lossy() != h.host {
        return None;
    }
    let pid: i32 = h.pid.parse().ok()?;
    Some(!matches!(
        kill(Pid::from_raw(pid), None),
        Err(nix::errno::Errno::ESRCH)
    ))
}

/// Reads every live workstream as a run would: state, tasks and plan.
fn check_state(store: &store::Store) -> Vec<Finding> {
    let live = match store.list_live() {
        Ok(live) => live,
        Err(e) => {
            return vec![
                Finding::new("workstream", "", Level::Error, format!("{e:#}"))
                    .hint("`git aos fsck` checks every aos ref"),
            ];
        }
    };
    let mut findings = Vec::new();
    for (name, _) in &live {
        findings.extend(check_leftovers(store, name));
        if let Err(e) = read_all(store, name) {
            let hint = crate::error::hint(&e).unwrap_or_else(|| {
                format!("inspect it with `git aos log {name}`; `git aos fsck` checks every aos ref")
            });
            findings.push(
                Finding::new("workstream", name.as_str(), Level::Error, format!("{e:#}"))
                    .hint(hint),
            );
        }
    }
    if findings.is_empty() {
        findings.push(Finding::ok(
            "workstream",
            "",
            format!(
                "{} live workstream(s), state format {} readable",
                live.len(),
                store::FORMAT
            ),
        ));
    }
    findings
}

/// Warns of agents and index locks a killed run left in a workstream nothing runs now.
fn check_leftovers(store: &store::Store, name: &crate::ids::WorkstreamName) -> Vec<Finding> {
    let common = &store.paths().common_dir;
    let Ok(snap) = store.find(name) else {
        return Vec::new();
    };
    if lock::probe(&lock::workstream_path(common, name))
        .ok()
        .flatten()
        .is_some()
    {
        return Vec::new();
    }
    let worktree = &crate::workstream::worktree_path(store, &snap.ws);
    crate::workstream::leftovers::find(common, name, worktree)
        .into_iter()
        .map(|leftover| {
            let message = match leftover {
                crate::workstream::leftovers::Leftover::Agent(pgid) => {
                    format!("agent process group {pgid} still runs, left by a run that was killed")
                }
                crate::workstream::leftovers::Leftover::IndexLock(lock) => format!(
                    "`{}` is held by no live process: a killed git command left it, and git \
                     refuses to work in that worktree until it goes",
                    lock.display()
                ),
            };
            Finding::new("workstream", name.as_str(), Level::Warning, message).hint(format!(
                "`git aos run {name}` or `git aos fsck --fix` clears it"
            ))
        })
        .collect()
}

fn read_all(store: &store::Store, name: &crate::ids::WorkstreamName) -> anyhow::Result<()> {
    let snap = store.find(name)?;
    store.tasks(&snap)?;
    if let Some(bytes) = store.read_file(&snap, path::PLAN)? {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(diags) = plan::check(&text, path::PLAN) {
            let first = diags.iter().find(|d| d.is_error()).map(ToString::to_string);
            anyhow::bail!(
                "workstream `{name}`: its `plan.md` no longer parses: {}",
                first.unwrap_or_default()
            );
        }
    }
    Ok(())
}
