//! The workstream's memory (`memory/*.md` in the state tree): what each task learnt,
//! decided and left open, carried into every later prompt.

use crate::agent::AgentResult;
use crate::agent::prompt::Memory;
use crate::ids::TaskId;
use crate::store::{Snapshot, StateTx, Store};

const LEARNINGS: &str = "memory/learnings.md";
const DECISIONS: &str = "memory/decisions.md";
const ISSUES: &str = "memory/issues.md";

/// Returns the memory of a workstream as of `snap`.
pub(super) fn load(store: &Store, snap: &Snapshot) -> anyhow::Result<Memory> {
    let read = |p: &str| -> anyhow::Result<String> {
        Ok(store
            .read_file(snap, p)?
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default())
    };
    Ok(Memory {
        learnings: read(LEARNINGS)?,
        decisions: read(DECISIONS)?,
        issues: read(ISSUES)?,
    })
}

/// Appends a dated entry (a halt's analysis) to `memory/issues.md`.
pub(super) fn append_issue(tx: &mut StateTx<'_>, entry: &str) -> anyhow::Result<()> {
    let mut text = tx
        .read(ISSUES)?
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    if !text.is_empty() && !text.ends_with("\n\n") {
        text.push_str(if text.ends_with('\n') { "\n" } else { "\n\n" });
    }
    text.push_str(entry.trim_end());
    text.push('\n');
    tx.put(ISSUES, text);
    Ok(())
}

/// Appends what a task's result reports to the memory files, one bullet each.
pub(super) fn record(
    tx: &mut StateTx<'_>,
    task: &TaskId,
    result: &AgentResult,
) -> anyhow::Result<()> {
    for (path, items) in [
        (LEARNINGS, &result.learnings),
        (DECISIONS, &result.decisions),
        (ISSUES, &result.issues),
    ] {
        if items.is_empty() {
            continue;
        }
        let mut text = tx
            .read(path)?
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        for item in items {
            text.push_str(&format!("- [{task}] {}\n", item.trim().replace('\n', " ")));
        }
        tx.put(path, text);
    }
    Ok(())
}
