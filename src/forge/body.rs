//! The title and body of a request, written from the workstream's state: each task with
//! its commit, the acceptance commands git aos ran and how they went, the review
//! verdicts, user acceptance, the questions answered on the way, and what the agents cost.
//!
//! Everything here comes from the state tree, where secrets were masked before they were
//! stored. The body is capped below what forges take (GitHub: 65,536 characters).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::gate::final_review::{self, FinalReview};
use crate::gate::{clarify, uat};
use crate::pipeline::record::{RunRecord, Stage};
use crate::store::{Snapshot, Store, TaskStatus, path};

/// Most characters of a body; the rest is cut with a note.
const MAX_BODY: usize = 60_000;

/// Returns the request's title: the plan's title, else `Workstream <name>`.
pub(super) fn title(store: &Store, snap: &Snapshot) -> anyhow::Result<String> {
    let plan = store.read_file(snap, path::PLAN)?;
    Ok(plan
        .as_deref()
        .and_then(crate::workstream::plan_title)
        .unwrap_or_else(|| format!("Workstream {}", snap.ws.name)))
}

/// Per agent: runs, seconds, tokens in and out, cost.
#[derive(Default)]
struct Totals {
    runs: u32,
    seconds: f64,
    input: u64,
    output: u64,
    cost: f64,
}

/// Returns the body of the request for the workstream as its state has it now.
pub(super) fn render(store: &Store, snap: &Snapshot) -> anyhow::Result<String> {
    let ws = &snap.ws;
    let tasks = store.tasks(snap)?;
    let (done, total) = tasks.progress();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Workstream `{}`: branch `{}` from `{}`, {done} of {total} tasks done, **{}**.\n",
        ws.name, ws.branch, ws.base, ws.status
    );
    let mut agents: BTreeMap<String, Totals> = BTreeMap::new();
    let mut details = String::new();
    if !tasks.tasks.is_empty() {
        out.push_str("## Tasks\n\n| | task | commit | attempts | agent | review | approved by |\n|---|---|---|---|---|---|---|\n");
    }
    for t in &tasks.tasks {
        let run: Option<RunRecord> = match &t.last_run {
            Some(id) => store.read_toml(snap, &RunRecord::path(id))?,
            None => None,
        };
        if let Some(run) = &run {
            for s in &run.stages {
                if let Some(agent) = &s.agent {
                    let a = agents.entry(agent.clone()).or_default();
                    a.runs += 1;
                    a.seconds += seconds(&s.started_at, &s.ended_at);
                    a.input += s.input_tokens.unwrap_or(0);
                    a.output += s.output_tokens.unwrap_or(0);
                    a.cost += s.cost_usd.unwrap_or(0.0);
                }
            }
        }
        let mark = match t.status {
            TaskStatus::Done => "✅",
            TaskStatus::Failed => "❌",
            _ => "⏳",
        };
        let commit = t
            .commit
            .as_deref()
            .map_or("-".to_owned(), |c| format!("`{}`", &c[..c.len().min(10)]));
        let verdict = run.as_ref().and_then(|r| r.verdict.clone());
        let _ = writeln!(
            out,
            "| {mark} | {}: {} | {commit} | {} | {} | {} | {} |",
            t.id,
            cell(&t.title),
            t.attempts,
            cell(t.agent.as_deref().unwrap_or("-")),
            cell(verdict.as_deref().unwrap_or("-")),
            cell(
                run.as_ref()
                    .and_then(|r| r.approved_by.as_deref())
                    .unwrap_or("-")
            ),
        );
        if let Some(run) = &run {
            task_details(&mut details, &format!("{}: {}", t.id, t.title), run);
        }
    }
    out.push_str(&details);
    if let Some(r) = store.read_toml::<FinalReview>(snap, final_review::PATH)? {
        let _ = writeln!(
            out,
            "\n## Final review\n\n{} reviewed the whole branch: **{}**",
            r.reviewer, r.verdict
        );
        quote(&mut out, &r.summary);
        if let Some(by) = &r.decided_by {
            let what = match r.fix_task.as_ref() {
                Some(task) => format!("turned into {task}"),
                None => "accepted".to_owned(),
            };
            let _ = writeln!(out, "\nIts concerns were {what} by {by}.");
        }
    }
    acceptance(&mut out, store, snap)?;
    questions(&mut out, store, snap)?;
    cost(&mut out, &agents);
    let _ = write!(
        out,
        "\n---\nWritten by git aos from the state of `{}`; `git aos report {}` shows the same.\n",
        ws.name, ws.name
    );
    Ok(cap(out))
}

/// The acceptance results and review of one task's latest run.
fn task_details(out: &mut String, heading: &str, run: &RunRecord) {
    if run.tests.is_empty() && run.verdict.is_none() {
        return;
    }
    let _ = writeln!(out, "\n### {heading}\n");
    if !run.tests.is_empty() {
        out.push_str("Checks git aos ran itself:\n\n");
        for line in &run.tests {
            let (mark, cmd) = match line.split_once(char::is_whitespace) {
                Some(("ok", cmd)) => ("✅", cmd.trim()),
                Some(("FAIL", cmd)) => ("❌", cmd.trim()),
                _ => ("•", line.as_str()),
            };
            let _ = writeln!(out, "- {mark} `{}`", cmd.replace('`', "'"));
        }
    }
    if let Some(verdict) = &run.verdict {
        let reviewer = run
            .stages
            .iter()
            .rev()
            .find(|s| s.stage == Stage::Review)
            .and_then(|s| s.agent.clone())
            .unwrap_or_else(|| "reviewer".into());
        let own = if run.self_review { ", self-review" } else { "" };
        let _ = writeln!(out, "\nReview by {reviewer}{own}: **{verdict}**");
        quote(out, &run.review_summary);
        for c in &run.review_comments {
            let _ = writeln!(out, "- {c}");
        }
    }
}

/// Every user acceptance request and its outcome.
fn acceptance(out: &mut String, store: &Store, snap: &Snapshot) -> anyhow::Result<()> {
    let mut gates = Vec::new();
    for file in store.list_dir(snap, uat::DIR)? {
        if let Some(g) = store.read_toml::<uat::UatGate>(snap, &format!("{}/{file}", uat::DIR))? {
            gates.push(g);
        }
    }
    if gates.is_empty() {
        return Ok(());
    }
    uat::sort(&mut gates);
    out.push_str("\n## User acceptance\n\n");
    for g in gates {
        let by = g.decided_by.as_deref().unwrap_or("someone");
        let _ = match g.outcome {
            Some(uat::Outcome::Passed) => writeln!(out, "- {}: ✅ passed ({by})", g.id),
            Some(uat::Outcome::Failed) => writeln!(
                out,
                "- {}: ❌ failed ({by}){}",
                g.id,
                g.fix_task
                    .as_ref()
                    .map(|t| format!("; fixed in {t}"))
                    .unwrap_or_default()
            ),
            None => writeln!(out, "- {}: waiting for a verdict", g.id),
        };
    }
    Ok(())
}

/// The questions agents asked and the answers they got.
fn questions(out: &mut String, store: &Store, snap: &Snapshot) -> anyhow::Result<()> {
    let mut answered = Vec::new();
    for file in store.list_dir(snap, clarify::DIR)? {
        let path = format!("{}/{file}", clarify::DIR);
        if let Some(c) = store.read_toml::<clarify::Clarification>(snap, &path)?
            && !c.is_open()
        {
            answered.push(c);
        }
    }
    if answered.is_empty() {
        return Ok(());
    }
    out.push_str("\n## Questions answered\n");
    for c in answered {
        let task = c.task.map(|t| format!("{t}, ")).unwrap_or_default();
        let _ = writeln!(out, "\n**{}** ({task}asked by {}):", c.id, c.asked_by);
        quote(out, &c.question);
        let by = c.answered_by.as_deref().unwrap_or("someone");
        let _ = writeln!(out, "\nAnswer ({by}):");
        quote(out, c.answer.as_deref().unwrap_or_default());
    }
    Ok(())
}

/// Time, tokens and cost per agent, and the total.
fn cost(out: &mut String, agents: &BTreeMap<String, Totals>) {
    if agents.is_empty() {
        return;
    }
    out.push_str("\n## Cost\n\n| agent | runs | time | tokens in | tokens out | cost |\n|---|---|---|---|---|---|\n");
    let mut total = 0.0;
    for (name, a) in agents {
        total += a.cost;
        let _ = writeln!(
            out,
            "| {} | {} | {:.1} s | {} | {} | ${:.4} |",
            cell(name),
            a.runs,
            a.seconds,
            a.input,
            a.output,
            a.cost
        );
    }
    let _ = writeln!(out, "\nTotal: **${total:.4}**");
}

/// Writes `text` as a Markdown quote, so nothing in it reads as a heading of the body.
fn quote(out: &mut String, text: &str) {
    for line in text.trim().lines() {
        let _ = writeln!(out, "> {line}");
    }
}

/// Returns `text` fit for one table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Returns the seconds between two RFC 3339 times (0 when either does not parse).
fn seconds(start: &str, end: &str) -> f64 {
    match (
        start.parse::<jiff::Timestamp>(),
        end.parse::<jiff::Timestamp>(),
    ) {
        (Ok(a), Ok(b)) => b.duration_since(a).as_secs_f64(),
        _ => 0.0,
    }
}

/// What ends a body that was cut.
const CUT_NOTE: &str = "\n… (cut to fit the forge; `git aos report` has everything)\n";

/// Returns `body` cut to [`MAX_BODY`] characters (at a line end) with a note.
fn cap(body: String) -> String {
    if body.chars().count() <= MAX_BODY {
        return body;
    }
    end_cut(body.chars().take(MAX_BODY).collect())
}

/// Returns `body` cut to at most `max` bytes, note included (at a line end), for a body
/// that travels as one command-line argument, which the kernel caps in bytes.
pub(super) fn cap_bytes(body: &str, max: usize) -> String {
    if body.len() <= max {
        return body.to_owned();
    }
    let mut end = max.saturating_sub(CUT_NOTE.len());
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    end_cut(body[..end].to_owned())
}

/// Returns `cut` back to its last line end, with the note.
fn end_cut(mut cut: String) -> String {
    if let Some(end) = cut.rfind('\n') {
        cut.truncate(end + 1);
    }
    cut.push_str(CUT_NOTE);
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_on_one_line_and_keep_their_pipes() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }

    #[test]
    fn long_bodies_are_cut_at_a_line_end_with_a_note() {
        let body = "line of text\n".repeat(10_000);
        let cut = cap(body);
        assert!(cut.chars().count() < MAX_BODY + 100);
        assert!(cut.ends_with("has everything)\n"));
        assert!(cut.contains("line of text\n\n…"));
        assert_eq!(cap("short\n".into()), "short\n");
    }

    #[test]
    fn bodies_cut_to_bytes_fit_whole_characters_and_the_note() {
        // 9 characters and 15 bytes a line: 90,000 characters, 150,000 bytes.
        let body = "✅✅✅ done\n".repeat(10_000);
        let cut = cap_bytes(&body, 100_000);
        assert!(cut.len() <= 100_000, "{}", cut.len());
        assert!(cut.ends_with("has everything)\n"));
        assert!(cut.contains("✅✅✅ done\n\n…"));
        assert_eq!(cap_bytes("short\n", 10), "short\n");
        // No line end to cut at: cut inside the line, never inside a character.
        let cut = cap_bytes(&"é".repeat(1_000), 200);
        assert!(cut.len() <= 200 && cut.starts_with("éé"), "{cut}");
    }
}
