//! What follows a task that failed after its retries, by error class: a `code` failure
//! gets a fix task `FIX-<n>` that carries its work on — once: a fix task that fails
//! halts; any other class (`env`, `agent`, `timeout`, `unknown`) halts the run with a
//! dated entry in `memory/issues.md`: category, error, retries, analysis, suggestion.

use crate::agent::prompt::Feedback;
use crate::ids::TaskId;
use crate::notify;
use crate::store::{Actor, Event};

use super::amend::{self, Fix};
use super::stage::TaskCtx;
use super::{Pipeline, memory};

/// What a failure led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Settled {
    /// A fix task carries the failed task's work on.
    Fix(TaskId),
    /// The run starts no other task; a person decides.
    Halt,
}

/// Decides what follows the failure of `t` (`why`, of error class `class`) and records it.
pub(super) fn settle(p: &Pipeline, t: &TaskCtx, why: &str, class: &str) -> anyhow::Result<Settled> {
    let snap = p.store.find(&t.name)?;
    let record = p.store.tasks(&snap)?;
    let is_fix = record.get(&t.task.id).is_some_and(|r| r.fix);
    if class == "code" && !is_fix {
        return add_fix(p, t, why).map(Settled::Fix);
    }
    let category = if class == "code" {
        "code (a fix task)"
    } else {
        class
    };
    let entry = issue_entry(t, category, why);
    let event = Event::new("halt", format!("{} halted the run ({class})", t.task.id))
        .by(Actor::Tool)
        .task(&t.task.id)
        .run(&t.run.id);
    p.store
        .update(&t.name, &event, |tx| memory::append_issue(tx, &entry))?;
    let cmd = format!("git aos show {} {}", t.name, t.task.id);
    p.notify(notify::Kind::Failed, &t.name, why, &cmd);
    Ok(Settled::Halt)
}

/// Appends `FIX-<n>`: the failed task's scope, acceptance and script, what went wrong,
/// depending on what the failed task depended on; it takes over the failed task's work.
fn add_fix(p: &Pipeline, t: &TaskCtx, why: &str) -> anyhow::Result<TaskId> {
    // Two tasks failing at once must not both become `FIX-1`.
    let _one = p.amending.lock().unwrap_or_else(|e| e.into_inner());
    let snap = p.store.find(&t.name)?;
    let id = &t.task.id;
    let mut body = vec![format!(
        "`{id}` ({}) failed after {} attempts: {why}.",
        t.task.title, t.run.attempt
    )];
    body.push(String::new());
    body.push(format!(
        "Its work is in the worktree: finish it so that the acceptance of `{id}` passes. \
         When this task lands, `{id}` is done with it."
    ));
    if !t.task.body.trim().is_empty() {
        body.push(String::new());
        body.push(format!("What `{id}` asks for:"));
        body.push(String::new());
        body.extend(quoted(&t.task.body));
    }
    let failures = failure_lines(t.run.feedback.last());
    if !failures.is_empty() {
        body.push(String::new());
        body.push("What went wrong last:".into());
        body.push(String::new());
        body.extend(failures.iter().map(|l| format!(">     {l}")));
    }
    let fix = Fix {
        prefix: "FIX",
        title: format!("Finish {id}: {}", t.task.title),
        body: body.join("\n"),
        criteria: t.task.criteria().map(str::to_owned).collect(),
        commands: t.task.commands().map(str::to_owned).collect(),
        files: t.task.files.clone(),
        run: t.task.run.clone(),
        depends: Some(t.task.depends.clone()),
    };
    let amendment = amend::prepare(p, &snap, fix)?;
    amendment.write_branch_file(&snap)?;
    let fix_id = amendment.task.id.clone();
    let supervised = t.profile.autonomy == crate::config::Autonomy::Supervised;
    let event = Event::new("fix", format!("{id} failed; {fix_id} carries its work on"))
        .by(Actor::Tool)
        .task(&fix_id)
        .run(&t.run.id);
    p.store.update(&t.name, &event, |tx| {
        amendment.record(tx, |r| r.fixes = Some(id.clone()))?;
        let mut tasks = tx.tasks()?;
        if let Some(failed) = tasks.get_mut(id) {
            failed.fixed_by = Some(fix_id.clone());
        }
        tx.set_tasks(&tasks)?;
        if supervised {
            amendment.open_gate(tx)?;
        }
        Ok(())
    })?;
    let msg = format!("{why}; {fix_id} was added to carry its work on");
    let cmd = format!("git aos show {} {fix_id}", t.name);
    // The notification is the line that says it; the run goes on with the fix task.
    p.notify(notify::Kind::Failed, &t.name, &msg, &cmd);
    Ok(fix_id)
}

/// Returns `text` as a Markdown quote, so nothing in it reads as a heading of the plan.
fn quoted(text: &str) -> Vec<String> {
    text.trim()
        .lines()
        .map(|l| match l.trim_start().starts_with('#') {
            true => format!(">     {l}"),
            false => format!("> {l}"),
        })
        .collect()
}

/// Returns the lines that say what a failure was: the command and the end of its output,
/// the reviewer's comments, or QA's reasons.
fn failure_lines(feedback: Option<&Feedback>) -> Vec<String> {
    match feedback {
        Some(Feedback::TestFailure {
            command,
            exit_code,
            output,
        }) => {
            let code = exit_code.map_or("a signal".to_owned(), |c| format!("exit {c}"));
            let mut lines = vec![format!("$ {command}   ({code})")];
            let tail: Vec<&str> = output.lines().rev().take(20).collect();
            lines.extend(tail.into_iter().rev().map(str::to_owned));
            lines
        }
        Some(Feedback::Review(v)) => {
            let mut lines = vec![format!("review: {} {}", v.verdict.as_str(), v.summary)];
            lines.extend(super::verdict::comment_lines(v));
            lines
        }
        Some(Feedback::Qa { reasons }) | Some(Feedback::Refused { reasons, .. }) => reasons.clone(),
        Some(Feedback::Rejection { by, text }) => vec![format!("{by}: {text}")],
        Some(Feedback::Clarification { .. }) | None => Vec::new(),
    }
}

/// Returns the dated `memory/issues.md` entry of a halt: category, error, retries,
/// analysis and a suggestion with the commands that apply.
pub(super) fn issue_entry(t: &TaskCtx, category: &str, error: &str) -> String {
    let now = crate::store::now_rfc3339();
    let agents: Vec<&str> = t
        .run
        .stages
        .iter()
        .filter(|s| matches!(s.stage, crate::config::Stage::Implement))
        .filter_map(|s| s.agent.as_deref())
        .collect();
    let mut used: Vec<&str> = Vec::new();
    for a in &agents {
        if !used.contains(a) {
            used.push(a);
        }
    }
    let retries = format!(
        "{} attempt{} ({}), {} backoff{} from rate limits",
        t.run.attempt,
        if t.run.attempt == 1 { "" } else { "s" },
        if used.is_empty() {
            "no agent ran".to_owned()
        } else {
            format!("agents: {}", used.join(", "))
        },
        t.run.env_retries,
        if t.run.env_retries == 1 { "" } else { "s" },
    );
    let (analysis, suggestion) = advice(t, category, error);
    format!(
        "## {now} {} halted ({category})\n- category: {category}\n- error: {}\n- retries: {retries}\n- analysis: {analysis}\n- suggestion: {suggestion}\n",
        t.task.id,
        error.replace('\n', " ")
    )
}

/// Returns what the failure says about its cause, and what a person can do.
fn advice(t: &TaskCtx, category: &str, error: &str) -> (String, String) {
    let (ws, id) = (&t.name, &t.task.id);
    let lower = error.to_lowercase();
    let retry = format!("`git aos retry {ws} {id}`");
    let retry_other = format!("`git aos retry {ws} {id} --agent OTHER`");
    match category {
        "env"
            if lower.contains("not found")
                || lower.contains("not on path")
                || lower.contains("no such file") =>
        {
            (
                "the agent's program could not be started: it is not installed or not on PATH"
                    .into(),
                format!("install it (or fix `[agents]` in aos.toml), then {retry}"),
            )
        }
        "env" if lower.contains("auth") || lower.contains("401") || lower.contains("login") => (
            "the agent could not authenticate; the task's code was never judged".into(),
            format!("log the agent in, then {retry}"),
        ),
        "env" if lower.contains("rate") || lower.contains("429") => (
            "the agent's provider kept refusing with a rate limit after every backoff".into(),
            format!("wait for the limit to reset, or {retry_other}"),
        ),
        "env" => (
            "the environment, not the task's code, stopped the agent".into(),
            format!("fix the environment, then `git aos run {ws}` (or {retry})"),
        ),
        "agent" | "timeout" => (
            "every attempt ended without a usable result (a crash, a time limit or garbage); \
             the code was not judged"
                .into(),
            format!(
                "read the agent's log (`git aos show {ws} {id}`), then {retry_other}, or \
                 `git aos skip {ws} {id}`"
            ),
        ),
        _ if category.starts_with("code") => (
            "the fix task could not make the checks pass either".into(),
            format!(
                "fix the worktree by hand and `git aos approve --force {ws} {id}`, or \
                 `git aos retry {ws} {id} -f TEXT`, or `git aos skip {ws} {id}`"
            ),
        ),
        _ => (
            format!("the run could not go on: {error}"),
            format!("`git aos show {ws} {id}` lists what applies"),
        ),
    }
}
