//! Claude Code: the `claude -p` command line, and its stream-json / json output.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::invocation::{Invocation, OutputKind, Request, binary};
use super::native::Report;
use super::outcome::Usage;
use super::spec::{AgentSpec, Role};

/// Permission mode of every role but review: edits and commands run without a prompt
/// (claude refuses it as root unless `IS_SANDBOX=1`; see `normalize`).
const WORK_MODE: &str = "bypassPermissions";
/// Permission mode of a reviewer: claude's read-only mode — files and read-only
/// commands, nothing that changes the worktree.
const REVIEW_MODE: &str = "plan";
/// Tools a reviewer never gets, whatever the mode allows.
const REVIEW_DISALLOWED: &str = "Edit,Write,NotebookEdit";

/// Fills in `claude -p` streaming one JSON object per line (live log, watchdog), with
/// the prompt on stdin, in a mode that never stops for a permission prompt: edits and
/// commands allowed, or read-only for a reviewer (which answers in its final message).
pub(crate) fn build(spec: &AgentSpec, req: &Request, inv: &mut Invocation) {
    let (program, mut args) = binary(spec, "claude");
    args.extend(["-p", "--output-format", "stream-json", "--verbose"].map(String::from));
    if req.role == Role::Review {
        args.extend(
            [
                "--permission-mode",
                REVIEW_MODE,
                "--disallowedTools",
                REVIEW_DISALLOWED,
            ]
            .map(String::from),
        );
    } else {
        args.extend(["--permission-mode", WORK_MODE].map(String::from));
    }
    if let Some(model) = &spec.model {
        args.extend(["--model".into(), model.clone()]);
    }
    if let Some(session) = &req.resume_session {
        args.extend(["--resume".into(), session.clone()]);
    }
    args.extend(spec.args.iter().cloned());
    inv.program = program;
    inv.args = args;
    inv.stdin = Some(req.prompt.clone());
    inv.output_kind = OutputKind::Claude;
}

/// One line of stream-json, or the single object of `--output-format json`.
#[derive(Debug, Deserialize)]
struct Line {
    #[serde(rename = "type", default)]
    kind: String,
    subtype: Option<String>,
    is_error: Option<bool>,
    result: Option<Value>,
    session_id: Option<String>,
    total_cost_usd: Option<f64>,
    cost_usd: Option<f64>,
    usage: Option<LineUsage>,
    /// HTTP status of a failed request (`result`, and the synthetic `assistant` error).
    api_error_status: Option<u16>,
    /// HTTP status a `system`/`api_retry` line is retrying after.
    error_status: Option<u16>,
    /// Per model, what this call alone used (`costUSD`); newer versions print it.
    model_usage_since_last_result: Option<BTreeMap<String, ModelUsage>>,
}

#[derive(Debug, Deserialize)]
struct LineUsage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
    #[serde(default)]
    cache_read_input_tokens: u64,
    #[serde(default)]
    cache_creation_input_tokens: u64,
}

#[derive(Debug, Deserialize)]
struct ModelUsage {
    #[serde(rename = "costUSD")]
    cost_usd: Option<f64>,
}

/// Returns what claude reported: the `result` object (last of stream-json, or the
/// whole output of `--output-format json`), the session of the `init` line, and the
/// HTTP status of a failed model request.
pub(crate) fn parse(stdout: &str) -> Report {
    let mut report = Report::default();
    for line in stdout.lines() {
        if let Ok(line) = serde_json::from_str::<Line>(line.trim()) {
            take(&mut report, line);
        }
    }
    if !report.finished {
        // `--output-format json` may be pretty-printed over several lines.
        if let Ok(line) = serde_json::from_str::<Line>(stdout.trim()) {
            take(&mut report, line);
        }
    }
    report
}

fn take(report: &mut Report, line: Line) {
    if let Some(status) = line.api_error_status.or(line.error_status) {
        report.http_status = Some(status);
    }
    match line.kind.as_str() {
        "system" if report.session_id.is_none() => report.session_id = line.session_id,
        "result" => {
            report.finished = true;
            report.session_id = line.session_id.or(report.session_id.take());
            let text = match line.result {
                Some(Value::String(s)) => Some(s),
                Some(Value::Null) | None => None,
                Some(other) => Some(other.to_string()),
            };
            // `total_cost_usd` runs over a resumed session; the per-model costs of
            // this call, when printed, are this call's alone.
            report.total_cost_usd = line.total_cost_usd.or(line.cost_usd);
            report.cost_usd = line
                .model_usage_since_last_result
                .map(|models| models.values().filter_map(|m| m.cost_usd).sum());
            // `input_tokens` leaves out cache reads and writes: count them in, as
            // codex does.
            report.usage = line.usage.map(|u| Usage {
                input_tokens: u.input_tokens
                    + u.cache_read_input_tokens
                    + u.cache_creation_input_tokens,
                output_tokens: u.output_tokens,
                cached_input_tokens: u.cache_read_input_tokens,
            });
            let subtype = line.subtype.unwrap_or_default();
            if line.is_error == Some(true) || !(subtype.is_empty() || subtype == "success") {
                let message = match &text {
                    Some(t) if !t.is_empty() => {
                        format!("claude reported an error ({subtype}): {t}")
                    }
                    _ => format!("claude reported an error ({subtype})"),
                };
                report.errors.push(message.clone());
                report.failure = Some(message);
            }
            report.final_text = text;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::{Adapter, build as build_invocation};

    const STREAM: &str = r#"{"type":"system","subtype":"init","session_id":"s-1","tools":[]}
{"type":"assistant","message":{"content":[{"type":"text","text":"working"}]},"session_id":"s-1"}
not json at all
{"type":"result","subtype":"success","is_error":false,"result":"all done","session_id":"s-1","num_turns":2,"total_cost_usd":0.42,"usage":{"input_tokens":1200,"output_tokens":900,"cache_read_input_tokens":5,"cache_creation_input_tokens":7},"new_field":{}}
"#;

    #[test]
    fn reads_the_result_object_of_stream_json() {
        let r = parse(STREAM);
        assert!(r.finished);
        assert_eq!(r.failure, None);
        assert_eq!(r.final_text.as_deref(), Some("all done"));
        assert_eq!(r.session_id.as_deref(), Some("s-1"));
        assert_eq!((r.cost_usd, r.total_cost_usd), (None, Some(0.42)));
        assert!(!r.usage_is_total);
        let usage = r.usage.unwrap();
        assert_eq!(
            (
                usage.input_tokens,
                usage.output_tokens,
                usage.cached_input_tokens
            ),
            (1212, 900, 5),
            "input counts cache reads and writes, as codex's does"
        );
    }

    #[test]
    fn the_cost_of_this_call_comes_from_its_own_model_usage() {
        // Claude Code 2.1.328 after `--resume`: the total runs over the session.
        let r = parse(
            r#"{"type":"result","subtype":"success","is_error":false,"result":"ok","session_id":"s","total_cost_usd":0.003048,"usage":{"input_tokens":610,"cache_read_input_tokens":400,"cache_creation_input_tokens":0,"output_tokens":8},"modelUsage":{"m":{"costUSD":0.003048}},"model_usage_since_last_result":{"m":{"inputTokens":610,"costUSD":0.00268}}}"#,
        );
        assert_eq!(r.total_cost_usd, Some(0.003048));
        assert_eq!(r.cost_usd, Some(0.00268));
    }

    #[test]
    fn reads_a_pretty_printed_json_result_with_the_old_cost_field() {
        let r = parse(
            "{\n  \"type\": \"result\",\n  \"subtype\": \"success\",\n  \"is_error\": false,\n  \"result\": \"ok\",\n  \"cost_usd\": 0.1\n}\n",
        );
        assert!(r.finished);
        assert_eq!(r.total_cost_usd, Some(0.1));
        assert_eq!(r.final_text.as_deref(), Some("ok"));
    }

    #[test]
    fn error_results_are_failures() {
        let r = parse(
            r#"{"type":"result","subtype":"success","is_error":true,"result":"API Error: 401"}"#,
        );
        assert!(r.failure.unwrap().contains("API Error: 401"));
        let r = parse(r#"{"type":"result","subtype":"error_max_turns","is_error":false}"#);
        assert!(r.failure.unwrap().contains("error_max_turns"));
    }

    #[test]
    fn the_http_status_of_a_failed_request_is_kept() {
        let r = parse(
            r#"{"type":"result","subtype":"success","is_error":true,"result":"Failed to authenticate. API Error: 401 bad key","api_error_status":401,"api_error_type":"authentication_error","total_cost_usd":0}"#,
        );
        assert_eq!(r.http_status, Some(401));
        let r = parse(
            r#"{"type":"result","subtype":"success","is_error":false,"result":"ok","api_error_status":null}"#,
        );
        assert_eq!(r.http_status, None);
    }

    #[test]
    fn api_retry_lines_name_the_status_of_a_call_cut_short() {
        let r = parse(
            r#"{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":530,"error_status":529,"error":"overloaded","session_id":"s-2"}
{"type":"system","subtype":"api_retry","attempt":2,"max_retries":10,"retry_delay_ms":1045,"error_status":429,"error":"rate_limit","session_id":"s-2"}
"#,
        );
        assert!(!r.finished);
        assert_eq!(r.http_status, Some(429));
        assert_eq!(r.session_id.as_deref(), Some("s-2"));
    }

    #[test]
    fn output_that_stops_early_is_not_finished() {
        let cut = &STREAM[..STREAM.len() - 60];
        let r = parse(cut);
        assert!(!r.finished);
        assert_eq!(r.session_id.as_deref(), Some("s-1"));
    }

    #[test]
    fn builds_a_headless_command_that_cannot_stall() {
        let mut spec = AgentSpec::new("c", Adapter::Claude);
        spec.model = Some("opus".into());
        spec.args = vec!["--max-turns".into(), "30".into()];
        let mut req = Request::new(Role::Implement, "do it", "/wt", "/run");
        req.resume_session = Some("s-9".into());
        let inv = build_invocation(&spec, &req).unwrap();
        assert_eq!(inv.program, "claude");
        assert_eq!(
            inv.args.join(" "),
            "-p --output-format stream-json --verbose --permission-mode bypassPermissions \
             --model opus --resume s-9 --max-turns 30"
        );
        assert_eq!(inv.stdin.as_deref(), Some("do it"));
        assert_eq!(inv.output_kind, OutputKind::Claude);
    }

    #[test]
    fn a_reviewer_runs_read_only() {
        let spec = AgentSpec::new("c", Adapter::Claude);
        let req = Request::new(Role::Review, "review", "/wt", "/run");
        let inv = build_invocation(&spec, &req).unwrap();
        assert_eq!(
            inv.args.join(" "),
            "-p --output-format stream-json --verbose --permission-mode plan \
             --disallowedTools Edit,Write,NotebookEdit"
        );
    }
}
