//! The merge gate: `[project] setup` then `[project] test` on the merged result, in a
//! temporary detached worktree that is removed afterwards, pass or fail. A failure is
//! recorded in the workstream's state (event `merge-gate`, `reason`, the redacted log).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::agent::Redactor;
use crate::config::Config;
use crate::error::UserError;
use crate::git;
use crate::git::worktree::ScratchWorktree;
use crate::process::{ShellOutput, run_shell};
use crate::store::{Actor, Event, Snapshot, Store, now_rfc3339};
use crate::ui::Ui;

/// The latest gate run, in the state tree.
pub const GATE_FILE: &str = "merge-gate.toml";
/// Its output (redacted, the last `[project] log_cap` bytes).
pub const GATE_LOG: &str = "merge-gate.log";

/// How the gate went for a merge that goes ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The test passed on the merged result.
    Passed,
    /// `--no-gate`.
    Skipped,
    /// No `[project] test` is configured.
    NotConfigured,
}

/// `merge-gate.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GateRecord {
    /// Whether the commands passed.
    pub passed: bool,
    /// The command that decided it (the failing setup command, or the test).
    pub command: String,
    /// Its exit code (`signal` when killed).
    pub exit: String,
    /// The merged commit it ran on.
    pub commit: String,
    /// RFC 3339.
    pub at: String,
}

/// Runs the gate on `commit`; a failure is recorded in the state and returned as an
/// error saying nothing landed. A pass is returned for the caller to record.
pub fn run(
    store: &Store,
    cfg: &Config,
    repo_root: &Path,
    ui: &Ui,
    snap: &Snapshot,
    commit: &str,
) -> anyhow::Result<(Verdict, Option<(GateRecord, String)>)> {
    let Some(test) = cfg.project.test.clone() else {
        ui.status("no `[project] test` configured: merging without a gate");
        return Ok((Verdict::NotConfigured, None));
    };
    let name = &snap.ws.name;
    let path = cfg
        .worktree_root(repo_root)
        .join(format!(".merge-gate-{name}"));
    let worktree = scratch(repo_root, &path, commit)?;
    ui.status(format_args!(
        "merge gate: `{test}` on {} in {}",
        &commit[..10],
        path.display()
    ));
    let mut failed = None;
    let mut output = String::new();
    for cmd in cfg.project.setup.iter().chain(std::iter::once(&test)) {
        let out = run_shell(cmd, &path)?;
        output.push_str(&out.output);
        if !out.success {
            failed = Some((cmd.clone(), out));
            break;
        }
    }
    let redactor = redactor(cfg, &path);
    drop(worktree);
    let log = tail(&redactor.redact(&output), cfg.project.log_cap);
    let Some((cmd, out)) = failed else {
        let record = GateRecord {
            passed: true,
            command: test,
            exit: "0".into(),
            commit: commit.to_owned(),
            at: now_rfc3339(),
        };
        return Ok((Verdict::Passed, Some((record, log))));
    };
    record_failure(store, snap, commit, &cmd, &out, &log)?;
    Err(UserError::with_hint(
        format!(
            "merge gate failed: `{cmd}` exited {} on the merged result; `{}` was not moved\n{}",
            out.code_text(),
            snap.ws.base,
            redactor.redact(&out.tail(20))
        ),
        format!(
            "fix it on `{}` and run `git aos merge {name}` again; the log is in `git show refs/aos/ws/{name}:{GATE_LOG}`",
            snap.ws.branch
        ),
    )
    .into())
}

fn record_failure(
    store: &Store,
    snap: &Snapshot,
    commit: &str,
    cmd: &str,
    out: &ShellOutput,
    log: &str,
) -> anyhow::Result<()> {
    let record = GateRecord {
        passed: false,
        command: cmd.to_owned(),
        exit: out.code_text(),
        commit: commit.to_owned(),
        at: now_rfc3339(),
    };
    let reason = format!("merge gate failed: `{cmd}` exited {}", out.code_text());
    let event = Event::new("merge-gate", reason.clone()).by(Actor::Person);
    store.update(&snap.ws.name, &event, |tx| {
        tx.put_toml(GATE_FILE, &record)?;
        tx.put(GATE_LOG, log.to_owned());
        tx.ws_mut().reason = Some(reason.clone());
        Ok(())
    })?;
    Ok(())
}

/// Returns a redactor for the configured secret variables and `.env` files of `dir`.
fn redactor(cfg: &Config, dir: &Path) -> Redactor {
    let files: Vec<PathBuf> = cfg.secrets.env_files.iter().map(|f| dir.join(f)).collect();
    Redactor::from_env(&cfg.secret_env_names(), &files).unwrap_or_default()
}

/// Returns the last `cap` bytes of `text`, cut at a character boundary.
fn tail(text: &str, cap: u64) -> String {
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    if text.len() <= cap {
        return text.to_owned();
    }
    let mut start = text.len() - cap;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[… cut to the last {cap} bytes]\n{}", &text[start..])
}

/// Creates the gate's worktree, first removing one a crashed gate left behind.
fn scratch(repo_root: &Path, path: &Path, commit: &str) -> anyhow::Result<ScratchWorktree> {
    if path.exists() {
        // Its name says it is ours, and it holds nothing but a checkout of a merge result.
        let _ = git::worktree::remove(repo_root, path, true);
        if path.exists() {
            return Err(UserError::with_hint(
                format!("`{}` is in the way of the merge gate", path.display()),
                "remove it and run `git aos merge` again",
            )
            .into());
        }
    }
    git::worktree::prune(repo_root)?;
    ScratchWorktree::create(repo_root, path, commit)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tail_keeps_the_end_on_a_char_boundary() {
        assert_eq!(super::tail("abc", 10), "abc");
        let t = super::tail("ééé", 3);
        assert!(t.ends_with('é') && !t.ends_with("éé"), "{t}");
    }
}
