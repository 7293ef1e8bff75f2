//! Claude Code: the `claude -p` command line, and its stream-json / json output.

use serde::Deserialize;
use serde_json::Value;

use super::invocation::{Invocation, OutputKind, Request, binary};
use super::native::Report;
use super::outcome::Usage;
use super::spec::AgentSpec;

/// Fills in `claude -p` in a mode that never stops for a permission prompt, streaming
/// one JSON object per line (live log, watchdog), with the prompt on stdin.
pub(crate) fn build(spec: &AgentSpec, req: &Request, inv: &mut Invocation) {
    let (program, mut args) = binary(spec, "claude");
    args.extend(
        [
            "-p",
            "--output-format",
            "stream-json",
            "--verbose",
            "--permission-mode",
            "bypassPermissions",
        ]
        .map(String::from),
    );
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
}

#[derive(Debug, Deserialize)]
struct LineUsage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
    #[serde(default)]
    cache_read_input_tokens: u64,
}

/// Returns what claude reported: the `result` object (last of stream-json, or the
/// whole output of `--output-format json`) and the session of the `init` line.
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
            report.cost_usd = line.total_cost_usd.or(line.cost_usd);
            report.usage = line.usage.map(|u| Usage {
                input_tokens: u.input_tokens,
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
    use crate::agent::{Adapter, Role, build as build_invocation};

    const STREAM: &str = r#"{"type":"system","subtype":"init","session_id":"s-1","tools":[]}
{"type":"assistant","message":{"content":[{"type":"text","text":"working"}]},"session_id":"s-1"}
not json at all
{"type":"result","subtype":"success","is_error":false,"result":"all done","session_id":"s-1","num_turns":2,"total_cost_usd":0.42,"usage":{"input_tokens":1200,"output_tokens":900,"cache_read_input_tokens":5,"cache_creation_input_tokens":0},"new_field":{}}
"#;

    #[test]
    fn reads_the_result_object_of_stream_json() {
        let r = parse(STREAM);
        assert!(r.finished);
        assert_eq!(r.failure, None);
        assert_eq!(r.final_text.as_deref(), Some("all done"));
        assert_eq!(r.session_id.as_deref(), Some("s-1"));
        assert_eq!(r.cost_usd, Some(0.42));
        let usage = r.usage.unwrap();
        assert_eq!(
            (
                usage.input_tokens,
                usage.output_tokens,
                usage.cached_input_tokens
            ),
            (1200, 900, 5)
        );
    }

    #[test]
    fn reads_a_pretty_printed_json_result_with_the_old_cost_field() {
        let r = parse(
            "{\n  \"type\": \"result\",\n  \"subtype\": \"success\",\n  \"is_error\": false,\n  \"result\": \"ok\",\n  \"cost_usd\": 0.1\n}\n",
        );
        assert!(r.finished);
        assert_eq!(r.cost_usd, Some(0.1));
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
}
