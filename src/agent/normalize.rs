//! Turns what a run left behind into an `Outcome`, following AGENT-FORMATS.md's table:
//! timeout, environment, agent failures, then the result contract.

use super::Error;
use super::classify::{EnvSignal, env_signal, is_usage_error};
use super::contract::{AgentResult, ResultStatus, ReviewVerdict, fenced_block};
use super::invocation::{Invocation, OutputKind};
use super::native::{self, Report};
use super::outcome::{ErrorClass, NextAction, Outcome};
use super::runner::RunOutput;
use super::spec::{Adapter, Role};
use super::usage::per_call;

/// Longest final message kept as a summary when the agent gave none.
const SUMMARY_MAX: usize = 2000;
/// Bytes of plain stdout scanned for environment errors after a failure.
const PLAIN_TAIL: usize = 2048;

/// Returns the normalized outcome of a finished run. Never fails: anything missing or
/// unreadable is an `agent` error.
pub fn normalize(inv: &Invocation, out: &RunOutput) -> Outcome {
    let report = native::parse(inv.output_kind, &out.stdout);
    let mut o = Outcome::proceed();
    let (usage, cost, totals) = per_call(&report, inv.previous_totals.as_ref());
    o.usage = usage;
    // The built-in shell agent calls no model: it costs nothing, which is known.
    o.cost_usd = if inv.adapter == Adapter::Shell {
        Some(0.0)
    } else {
        cost
    };
    o.session_id = report.session_id.clone();
    o.session_totals = report.session_id.is_some().then_some(totals);

    if out.timed_out || out.idle_killed {
        let why = if out.timed_out {
            format!(
                "timed out after {}s; the process group was killed",
                out.duration.as_secs()
            )
        } else {
            "no output for the watchdog period; the process group was killed".to_owned()
        };
        // A CLI that was still retrying a failed model request when it was killed
        // (claude's `api_retry` lines) failed because of that request.
        match report.http_status.and_then(EnvSignal::from_status) {
            Some(signal) => o.fail(
                ErrorClass::Env,
                signal.retryable(),
                format!(
                    "{why}, while it retried HTTP {}: {}",
                    report.http_status.unwrap_or_default(),
                    signal.describe()
                ),
            ),
            None => o.fail(ErrorClass::Timeout, true, why),
        }
        return o;
    }
    if out.exit_code != Some(0) || report.failure.is_some() {
        failed(inv, out, &report, &mut o);
        return o;
    }
    if inv.output_kind != OutputKind::Plain && !report.finished {
        o.fail(
            ErrorClass::Agent,
            true,
            format!(
                "`{}` exited 0 but printed no end-of-run record (garbage or cut output)",
                inv.program
            ),
        );
        return o;
    }
    let final_text = match inv.output_kind {
        OutputKind::Plain => Some(out.stdout.as_str()),
        _ => report.final_text.as_deref(),
    };
    if inv.role == Role::Review {
        review(out, final_text, &mut o);
    } else {
        result(inv, out, final_text, &mut o);
    }
    if o.summary.is_none() && inv.output_kind != OutputKind::Plain {
        o.summary = final_text.map(|t| truncate(t.trim(), SUMMARY_MAX));
    }
    o
}

/// Returns the outcome for a run that never started, when that is the environment's
/// fault (binary missing or not executable); other errors are aos's own.
pub fn outcome_for_start_error(err: &Error) -> Option<Outcome> {
    match err {
        Error::NotFound { program } => Some(Outcome::failure(
            ErrorClass::Env,
            false,
            format!("`{program}` is not on PATH: install it or set the agent's `command`"),
        )),
        Error::Spawn { program, source } => Some(Outcome::failure(
            ErrorClass::Env,
            false,
            format!("`{program}` could not be started: {source}"),
        )),
        Error::Sandbox { agent, .. } => Some(Outcome::failure(
            ErrorClass::Env,
            false,
            format!("{err}; set `sandbox = \"off\"` in `[agents.{agent}]` to run it unconfined"),
        )),
        _ => None,
    }
}

/// Classifies a non-zero exit or a CLI-reported failure: environment or agent.
fn failed(inv: &Invocation, out: &RunOutput, report: &Report, o: &mut Outcome) {
    let exit = match (out.exit_code, out.signal) {
        (Some(code), _) => format!("`{}` exited with code {code}", inv.program),
        (None, Some(sig)) => format!("`{}` was killed by signal {sig}", inv.program),
        (None, None) => format!("`{}` ended without an exit status", inv.program),
    };
    // The built-in shell agent needs no network; its failures are the script's.
    if inv.adapter != Adapter::Shell
        && let Some(signal) = failure_signal(inv, out, report)
    {
        o.fail(
            ErrorClass::Env,
            signal.retryable(),
            format!(
                "{exit}: {}",
                signal.describe().replace("<name>", &inv.agent)
            ),
        );
        o.reasons.extend(report.failure.clone());
        if signal == EnvSignal::Usage
            && let Some(line) = out.stderr.lines().find(|l| !l.trim().is_empty())
        {
            o.reasons
                .push(format!("stderr: {}", truncate(line.trim(), 300)));
        }
        return;
    }
    o.fail(ErrorClass::Agent, true, exit);
    o.reasons.extend(report.failure.clone());
    if let Some(line) = out.stderr.lines().rev().find(|l| !l.trim().is_empty()) {
        o.reasons
            .push(format!("stderr: {}", truncate(line.trim(), 300)));
    }
}

/// Returns the environment problem behind a failed run: a usage error (the CLI refused
/// its command line before it started a session; clap exits 2 for it, as codex does for
/// a failed login, commander 1), the HTTP status the CLI named, or what the error text
/// says.
fn failure_signal(inv: &Invocation, out: &RunOutput, report: &Report) -> Option<EnvSignal> {
    let never_started = report.session_id.is_none() && !report.finished;
    if never_started && is_usage_error(&out.stderr) {
        return Some(EnvSignal::Usage);
    }
    let mut error_text = report.errors.join("\n");
    error_text.push('\n');
    error_text.push_str(&out.stderr);
    if inv.output_kind == OutputKind::Plain {
        error_text.push('\n');
        error_text.push_str(tail(&out.stdout, PLAIN_TAIL));
    }
    let from_text = env_signal(&error_text);
    if from_text == Some(EnvSignal::Root) {
        return from_text;
    }
    if let Some(signal) = report.http_status.and_then(EnvSignal::from_status) {
        return Some(signal);
    }
    if from_text.is_none() && inv.adapter == Adapter::Codex && out.exit_code == Some(2) {
        // codex: exit 2 without a usage error is a failed login.
        return Some(EnvSignal::Auth);
    }
    from_text
}

/// Reads the reviewer's verdict: result file, `aos-review` block, or the final message.
fn review(out: &RunOutput, final_text: Option<&str>, o: &mut Outcome) {
    let mut errors = Vec::new();
    let candidates = [
        ("result file", out.result_text.as_deref()),
        (
            "`aos-review` block",
            final_text.and_then(|t| fenced_block(t, "aos-review")),
        ),
        ("final message", final_text),
    ];
    for (source, text) in candidates {
        let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        match ReviewVerdict::from_json(text) {
            Ok(verdict) => {
                o.summary = Some(verdict.summary.clone()).filter(|s| !s.is_empty());
                o.verdict = Some(verdict);
                return;
            }
            Err(e) => errors.push(format!("{source}: {e}")),
        }
    }
    o.fail(
        ErrorClass::Agent,
        true,
        "the reviewer gave no readable verdict",
    );
    o.reasons.extend(errors);
}

/// Reads the agent's result (result file, then `aos-result` block) and acts on its status.
fn result(inv: &Invocation, out: &RunOutput, final_text: Option<&str>, o: &mut Outcome) {
    let mut errors = Vec::new();
    let candidates = [
        ("result file", out.result_text.as_deref()),
        (
            "`aos-result` block",
            final_text.and_then(|t| fenced_block(t, "aos-result")),
        ),
    ];
    let found = candidates.into_iter().find_map(|(source, text)| {
        let text = text.filter(|t| !t.trim().is_empty())?;
        AgentResult::from_json(text)
            .map_err(|e| errors.push(format!("{source}: {e}")))
            .ok()
    });
    let Some(res) = found else {
        if inv.adapter == Adapter::Shell && errors.is_empty() {
            o.summary = Some("the `Run` script succeeded".into());
            return;
        }
        o.fail(
            ErrorClass::Agent,
            true,
            "the agent exited 0 but gave no readable result",
        );
        o.reasons.extend(errors);
        return;
    };
    o.summary = Some(res.summary.clone()).filter(|s| !s.is_empty());
    let asks = res
        .question
        .as_deref()
        .is_some_and(|q| !q.trim().is_empty());
    match (res.status, asks) {
        (ResultStatus::Done, _) => {}
        (ResultStatus::Blocked, true) => {
            o.next_action = NextAction::Clarify;
            o.reasons.push("the agent is blocked on a question".into());
        }
        (ResultStatus::Blocked, false) => {
            o.fail(
                ErrorClass::Agent,
                true,
                "the agent says it is blocked but asked no question",
            );
        }
        (ResultStatus::Failed, _) => {
            o.fail(ErrorClass::Agent, true, "the agent reports that it failed");
            o.reasons.extend(res.issues.iter().cloned());
        }
    }
    o.result = Some(res);
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

#[cfg(test)]
mod tests;
