//! `fsck`: check every aos ref, state tree, ref lock and worktree, and repair what an
//! interrupted git aos left behind. Each repair is a compare-and-swap or a clean
//! worktree removal: nothing a person made is deleted.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::git;
use crate::store::{Store, refs};

/// A ref lock older than this cannot belong to a live writer (they last milliseconds).
const STALE_REF_LOCK: Duration = Duration::from_secs(30);

/// One finding of `fsck`.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// Stable kind: `unreadable_ref`, `stale_ref_lock`, `interrupted_archive`,
    /// `interrupted_open`, `interrupted_run`, `interrupted_merge`, `missing_worktree`,
    /// `orphan_worktree`, `leftover_agent`, `stale_index_lock`.
    pub kind: &'static str,
    /// What it concerns (a ref, a path, a workstream).
    pub subject: String,
    /// What is wrong, for people.
    pub message: String,
    /// Whether `--fix` repaired it.
    pub fixed: bool,
    /// What to do when it is not repaired automatically.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Problem {
    fn new(kind: &'static str, subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind,
            subject: subject.into(),
            message: message.into(),
            fixed: false,
            hint: None,
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Checks the repository; with `fix`, repairs what can be repaired safely.
pub fn check(store: &Store, repo_root: &Path, fix: bool) -> anyhow::Result<Vec<Problem>> {
    let mut problems = Vec::new();
    let mut live: BTreeMap<String, (String, Option<crate::store::Snapshot>)> = BTreeMap::new();
    let mut archives: Vec<(String, String, String)> = Vec::new(); // (name, full ref, target)
    for (full, target) in store.aos_refs()? {
        let parsed = store.check_state_commit(&full, &target);
        if let Err(e) = &parsed {
            problems.push(
                Problem::new("unreadable_ref", &full, format!("{e:#}")).hint(format!(
                    "inspect it with `git show {full}`; remove it with `git update-ref -d {full}`"
                )),
            );
        }
        if let Some(name) = full.strip_prefix(refs::LIVE_PREFIX) {
            live.insert(name.to_owned(), (target, parsed.ok()));
        } else if let Some(id) = full.strip_prefix(refs::ARCHIVE_PREFIX) {
            match refs::split_archive_id(id) {
                Some((name, _)) => archives.push((name.to_owned(), full.clone(), target)),
                None => problems.push(Problem::new(
                    "unreadable_ref",
                    &full,
                    "archive ref name is not `<name>.<yyyymmddThhmmss>`",
                )),
            }
        }
    }
    for lock in store.ref_lock_files() {
        if lock.age < STALE_REF_LOCK {
            continue;
        }
        let mut p = Problem::new(
            "stale_ref_lock",
            lock.path.display().to_string(),
            format!(
                "ref lock left behind {} s ago by a writer that died",
                lock.age.as_secs()
            ),
        );
        if fix {
            p.fixed = std::fs::remove_file(&lock.path).is_ok();
        }
        problems.push(p);
    }
    let mut finished = Vec::new();
    for (name, full, target) in &archives {
        let Some((live_target, _)) = live.get(name) else {
            continue;
        };
        if live_target == target {
            let mut p = Problem::new(
                "interrupted_archive",
                name,
                format!(
                    "`{name}` is both live and archived as `{full}`: a close or merge stopped half-way"
                ),
            );
            if fix {
                p.fixed = store.delete_aos_ref(&format!("{}{name}", refs::LIVE_PREFIX), target)?;
            }
            if p.fixed {
                // Closing is finished now: its worktree is judged as an orphan below.
                finished.push(name.clone());
            }
            problems.push(p);
        } else if store.parent_of(live_target)?.as_deref() == Some(target.as_str()) {
            let mut p = Problem::new(
                "interrupted_open",
                name,
                format!("`{name}` was reopened but `{full}` was not removed"),
            );
            if fix {
                p.fixed = store.delete_aos_ref(full, target)?;
            }
            problems.push(p);
        }
    }
    for name in finished {
        live.remove(&name);
    }
    for (name, (_, snap)) in &live {
        let Some(snap) = snap else { continue };
        if snap.ws.status != crate::store::WsStatus::Running {
            continue;
        }
        let ws_name = &snap.ws.name;
        if crate::lock::probe(&crate::lock::workstream_path(
            &store.paths().common_dir,
            ws_name,
        ))?
        .is_some()
        {
            continue;
        }
        let task = snap
            .ws
            .current_task
            .as_ref()
            .map_or("a task".to_owned(), |t| format!("task {t}"));
        // Nothing to repair: the run's cursor is in the state, and the next run resumes it.
        problems.push(
            Problem::new(
                "interrupted_run",
                name,
                format!("the run of {task} in `{name}` was interrupted mid-stage"),
            )
            .hint(format!(
                "`git aos run {name}` resumes it from its last finished stage"
            )),
        );
    }
    check_leftovers(store, &live, fix, &mut problems)?;
    check_worktrees(store, repo_root, &live, fix, &mut problems)?;
    for (name, (_, snap)) in &live {
        if let Some(snap) = snap
            && super::landing::pending(store, snap)?.is_some()
        {
            problems.push(
                Problem::new(
                    "interrupted_merge",
                    name,
                    format!("a merge of `{name}` stopped half-way"),
                )
                .hint(format!(
                    "`git aos merge {name}` finishes it, or starts over if it did not land"
                )),
            );
        }
    }
    Ok(problems)
}

/// Agents and index locks a killed run left, in workstreams nothing runs now.
fn check_leftovers(
    store: &Store,
    live: &BTreeMap<String, (String, Option<crate::store::Snapshot>)>,
    fix: bool,
    problems: &mut Vec<Problem>,
) -> anyhow::Result<()> {
    let common = &store.paths().common_dir;
    for (name, (_, snap)) in live {
        let Some(snap) = snap else { continue };
        let ws = &snap.ws.name;
        let Ok(_held) = crate::lock::lock_workstream(common, ws) else {
            continue;
        };
        let worktree = &super::worktree_path(store, &snap.ws);
        let found = super::leftovers::find(common, ws, worktree);
        if found.is_empty() {
            continue;
        }
        let fixed = fix && !super::leftovers::clear(common, ws, worktree).is_empty();
        for leftover in found {
            let mut p = match leftover {
                super::leftovers::Leftover::Agent(pgid) => Problem::new(
                    "leftover_agent",
                    name,
                    format!(
                        "agent process group {pgid} of `{name}` still runs, left by a run that was killed"
                    ),
                )
                .hint(format!("`git aos fsck --fix` or `git aos run {name}` ends it")),
                super::leftovers::Leftover::IndexLock(lock) => Problem::new(
                    "stale_index_lock",
                    lock.display().to_string(),
                    format!(
                        "`{}` in the worktree of `{name}` is held by no live process (a killed git command left it)",
                        lock.display()
                    ),
                )
                .hint(format!("`git aos fsck --fix` or `git aos run {name}` removes it")),
            };
            p.fixed = fixed;
            problems.push(p);
        }
    }
    Ok(())
}

fn check_worktrees(
    store: &Store,
    repo_root: &Path,
    live: &BTreeMap<String, (String, Option<crate::store::Snapshot>)>,
    fix: bool,
    problems: &mut Vec<Problem>,
) -> anyhow::Result<()> {
    let worktrees = git::worktree::list(repo_root)?;
    for (name, (_, snap)) in live {
        let Some(snap) = snap else { continue };
        let path = super::worktree_path(store, &snap.ws);
        let registered = worktrees.iter().any(|w| w.path == path && path.is_dir());
        // A workstream that arrived from another clone has its worktree there, not here.
        let expected_here = super::is_ours(store, &path) || store.created_here(&snap.ws.name);
        if registered || !expected_here {
            continue;
        }
        let mut p = Problem::new(
            "missing_worktree",
            name,
            format!("the worktree of `{name}` at `{}` is gone", path.display()),
        );
        if fix {
            if store.branch_tip(&snap.ws.branch)?.is_some() {
                git::worktree::prune(repo_root)?;
                p.fixed = git::worktree::add_existing(repo_root, &path, &snap.ws.branch)
                    .and_then(|()| crate::hooks::attach_worktree(&store.paths().common_dir, &path))
                    .is_ok();
            } else {
                p = p.hint(format!(
                    "its branch `{}` is gone too; `git aos close {name} --force` archives it",
                    snap.ws.branch
                ));
            }
        }
        problems.push(p);
    }
    for wt in &worktrees {
        let Some(branch) = wt.branch.as_deref() else {
            continue;
        };
        let Some(name) = branch.strip_prefix(refs::DEFAULT_BRANCH_PREFIX) else {
            continue;
        };
        if live.contains_key(name) {
            continue;
        }
        let mut p = Problem::new(
            "orphan_worktree",
            wt.path.display().to_string(),
            format!("worktree on `{branch}` belongs to no live workstream (an interrupted `new` or `close`)"),
        )
        .hint(format!("`--fix` removes it when clean; the branch `{branch}` is kept (`git branch -D {branch}` deletes it)"));
        if fix && wt.path.is_dir() && git::worktree::changes(&wt.path)?.is_empty() {
            p.fixed = git::worktree::remove(repo_root, &wt.path, false).is_ok();
        }
        problems.push(p);
    }
    Ok(())
}
