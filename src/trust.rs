//! Trust in plans: commands come from plans (acceptance commands, `Run` blocks, and the
//! prose agents act on), and state arrives from other machines. A plan runs here when
//! a command of this clone wrote it, or a person ran `git aos trust <name>` after seeing
//! it — kept locally by the digest of the plan with its checkboxes cleared, like direnv's
//! `allow`. The whole plan counts, not only its commands: an agent with the run of the
//! worktree does what the prose says.

use serde::Serialize;

use crate::error::UserError;
use crate::ids::WorkstreamName;
use crate::plan::{self, Acceptance};
use crate::store::{Snapshot, Store, Trusted, path};

/// One command a plan has aos run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Command {
    /// The task.
    pub task: String,
    /// `acceptance` (a code span aos runs) or `run` (a block the `shell` agent runs).
    pub kind: &'static str,
    /// The command or script.
    pub command: String,
}

/// What a person needs to decide whether to trust a workstream's plan.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// The workstream.
    pub workstream: WorkstreamName,
    /// The plan's digest (checkboxes cleared).
    pub digest: String,
    /// Why it is trusted (`made here`, `trusted by …`), or `None`.
    pub trusted: Option<String>,
    /// What aos itself runs for it.
    pub commands: Vec<Command>,
}

/// Returns the trust review of a workstream's plan; `None` when it has no plan yet.
pub fn review(store: &Store, snap: &Snapshot) -> anyhow::Result<Option<Review>> {
    let Some(bytes) = store.read_file(snap, path::PLAN)? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes);
    let digest = store.plan_digest(&text)?;
    let trusted = match store.plan_trust(&digest) {
        Some(Trusted::MadeHere) => Some("made here".to_owned()),
        Some(Trusted::ByPerson(record)) => {
            Some(record.lines().next().unwrap_or("trusted").to_owned())
        }
        None if store.only_written_here(&snap.ws.name) => Some("made here".to_owned()),
        None => None,
    };
    Ok(Some(Review {
        workstream: snap.ws.name.clone(),
        digest,
        trusted,
        commands: commands(&text),
    }))
}

/// Refuses a workstream whose plan this clone does not trust, listing its commands.
pub fn require(store: &Store, snap: &Snapshot) -> anyhow::Result<()> {
    match review(store, snap)? {
        Some(r) if r.trusted.is_none() => Err(refusal(&r)),
        _ => Ok(()),
    }
}

/// Returns the error that refuses an untrusted plan: its commands, and the hint.
pub fn refusal(r: &Review) -> anyhow::Error {
    let name = &r.workstream;
    let mut message =
        format!("the plan of `{name}` came from another machine and is not trusted here");
    if r.commands.is_empty() {
        message.push_str("; it has no commands, but its tasks go to agents as prompts");
    } else {
        message.push_str("; it runs:");
        for c in &r.commands {
            message.push_str(&format!(
                "\n  {} {}: {}",
                c.task,
                c.kind,
                one_line(&c.command)
            ));
        }
    }
    UserError::with_hint(
        message,
        format!("read it with `git aos trust {name} --show`; `git aos trust {name}` lets it run on this machine"),
    )
    .into()
}

/// Returns every command the plan has aos run, in plan order.
pub fn commands(text: &str) -> Vec<Command> {
    let (parsed, _) = plan::parse(text, path::PLAN);
    let mut out = Vec::new();
    for t in &parsed.tasks {
        for a in &t.acceptance {
            if let Acceptance::Command { cmd, .. } = a {
                out.push(Command {
                    task: t.id.to_string(),
                    kind: "acceptance",
                    command: cmd.clone(),
                });
            }
        }
        if let Some(run) = &t.run {
            out.push(Command {
                task: t.id.to_string(),
                kind: "run",
                command: run.trim_end().to_owned(),
            });
        }
    }
    out
}

/// Records that a person trusts the plan the workstream has now.
pub fn trust(store: &Store, r: &Review) -> anyhow::Result<()> {
    let how = format!(
        "trusted by {} at {}\nworkstream {}",
        store.person(),
        crate::store::now_rfc3339(),
        r.workstream
    );
    store.trust_plan(&r.digest, &how)
}

fn one_line(text: &str) -> String {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default().to_owned();
    match lines.count() {
        0 => first,
        n => format!("{first}  (and {n} more lines)"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn commands_are_acceptance_spans_and_run_blocks() {
        let plan = "# Plan: p\n\n### [x] T1: a\n\n#### Acceptance\n- `cargo test`\n- judged\n\n#### Run\n```sh\necho hi\n```\n";
        let got = super::commands(plan);
        let kinds: Vec<(&str, &str)> = got.iter().map(|c| (c.kind, c.command.as_str())).collect();
        assert_eq!(kinds, [("acceptance", "cargo test"), ("run", "echo hi")]);
    }
}
