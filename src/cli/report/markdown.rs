//! The report as Markdown: tasks, what was deferred, each task's timeline, agents.

use crate::ui::Ui;

use super::Report;

/// Prints the report.
pub(super) fn print(ui: &Ui, r: &Report) {
    ui.data(format_args!("# Implementation report: {}\n", r.workstream));
    ui.data(format_args!(
        "Branch `{}` from `{}`; status **{}**.\n",
        r.branch, r.base, r.status
    ));
    ui.data(
        "| task | wave | status | commit | attempts | agent | review | approved by | time | cost |",
    );
    ui.data("|---|---|---|---|---|---|---|---|---|---|");
    for t in &r.tasks {
        let commit = t
            .commit
            .as_deref()
            .map(|c| &c[..c.len().min(10)])
            .unwrap_or("-");
        let attempts = match t.runs {
            0 | 1 => t.attempts.to_string(),
            n => format!("{} ({n} runs)", t.attempts),
        };
        ui.data(format_args!(
            "| {}: {} | {} | {} | `{commit}` | {attempts} | {} | {} | {} | {:.1} s | {} |",
            t.id,
            t.title,
            t.wave.map_or("-".into(), |w| w.to_string()),
            t.status,
            t.agent.as_deref().unwrap_or("-"),
            t.review.as_deref().unwrap_or("-"),
            t.approved_by.as_deref().unwrap_or("-"),
            t.seconds,
            t.spend.cost_text()
        ));
    }
    if !r.deferred.is_empty() {
        ui.data("\n## Deferred\n");
        for d in &r.deferred {
            ui.data(format_args!("- {} ({}): {}", d.task, d.status, d.why));
        }
    }
    for t in r
        .tasks
        .iter()
        .filter(|t| !t.tests.is_empty() || !t.review_summary.is_empty() || !t.overrides.is_empty())
    {
        ui.data(format_args!("\n## {}: {}\n", t.id, t.title));
        if t.agents.len() > 1 {
            ui.data(format_args!("Attempts by {}.", t.agents.join(", ")));
        }
        for line in &t.tests {
            ui.data(format_args!("- `{line}`"));
        }
        if !t.review_summary.is_empty() {
            ui.data(format_args!("\nReviewer: {}", t.review_summary));
        }
        for o in &t.overrides {
            ui.data(format_args!("\nOverride: {o}"));
        }
    }
    timeline(ui, r);
    ui.data("\n## Agents\n");
    let total: u32 = r.invocations.values().sum();
    let by_role: Vec<String> = r
        .invocations
        .iter()
        .map(|(role, n)| format!("{n} {role}"))
        .collect();
    ui.data(format_args!(
        "{total} agent invocations ({}).\n",
        if by_role.is_empty() {
            "none".into()
        } else {
            by_role.join(", ")
        }
    ));
    ui.data("| agent | runs | time | tokens in (cached) | tokens out | cost |");
    ui.data("|---|---|---|---|---|---|");
    for (name, a) in &r.agents {
        let s = &a.spend;
        ui.data(format_args!(
            "| {name} | {} | {:.1} s | {} ({}) | {} | {} |",
            a.runs,
            a.seconds,
            s.input_tokens,
            s.cached_input_tokens,
            s.output_tokens,
            s.cost_text()
        ));
    }
    ui.data(format_args!(
        "\nTotal: {}; cost {}. Each call is counted once (a resumed session's running \
         totals are split into calls); input tokens include cached ones; a cost an agent \
         did not report (codex never does) is unknown.",
        r.total.tokens_text(),
        r.total.cost_text()
    ));
}

/// Prints each task's stages, seconds from the first stage of the workstream.
fn timeline(ui: &Ui, r: &Report) {
    if r.tasks.iter().all(|t| t.timeline.is_empty()) {
        return;
    }
    ui.data("\n## Timeline\n");
    ui.data("Seconds from the first stage; tasks of one wave run side by side.\n");
    for t in r.tasks.iter().filter(|t| !t.timeline.is_empty()) {
        let spans: Vec<String> = t
            .timeline
            .iter()
            .map(|s| {
                let who = s
                    .agent
                    .as_deref()
                    .map(|a| format!(" {a}"))
                    .unwrap_or_default();
                format!("{} {:.1}–{:.1}{who}", s.stage, s.start, s.end)
            })
            .collect();
        ui.data(format_args!(
            "- {} (wave {}): {}",
            t.id,
            t.wave.map_or("-".into(), |w| w.to_string()),
            spans.join(", ")
        ));
    }
}
