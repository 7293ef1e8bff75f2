//! Codex CLI: the `codex exec --json` command line, and its JSONL events.

use serde::Deserialize;

use super::contract::review_schema;
use super::invocation::{Invocation, OutputKind, Request, binary};
use super::native::Report;
use super::outcome::Usage;
use super::spec::{AgentSpec, Role};

/// File name, in the scratch directory, of the verdict schema given to a reviewer.
const SCHEMA_FILE: &str = "review-schema.json";

/// Fills in `codex exec` printing JSONL events, with the prompt on stdin (`-`), which
/// the runner closes so codex never waits for more.
///
/// When git aos confines the agent (Landlock, the default where the kernel has it),
/// codex runs with `danger-full-access` inside that confinement: codex's own sandbox
/// cannot start within it, and git aos's already limits where codex writes (nowhere in
/// the worktree for a reviewer). Otherwise the sandbox is codex's own (Landlock and
/// seccomp on Linux): an implementer gets
/// `workspace-write`, which lets its commands write the worktree and, through
/// `--add-dir`, the invocation's scratch directory where `$AOS_RESULT` lives (it sits
/// under the repository's `.git`, which the sandbox keeps read-only otherwise); a
/// reviewer gets `read-only` and answers with its final message, which
/// `--output-schema` holds to the verdict's shape. `--full-auto` is gone since codex
/// 0.16x, and `--dangerously-bypass-approvals-and-sandbox` is never passed: whoever
/// wants codex unsandboxed says so in `args`. Approvals need no flag: `codex exec`
/// never asks.
pub(crate) fn build(spec: &AgentSpec, req: &Request, inv: &mut Invocation) {
    let (program, mut args) = binary(spec, "codex");
    args.extend(["exec", "--json"].map(String::from));
    if super::sandbox::will_confine(&spec.sandbox) {
        // git aos confines codex itself (Landlock, writes to the worktree only, none for
        // a reviewer), and codex's own sandbox cannot start inside that one.
        args.extend(["--sandbox", "danger-full-access"].map(String::from));
    } else if req.role == Role::Review {
        args.extend(["--sandbox", "read-only"].map(String::from));
    } else {
        args.extend(["--sandbox", "workspace-write", "--add-dir"].map(String::from));
        args.push(inv.scratch_dir.display().to_string());
    }
    args.extend(["--skip-git-repo-check", "-C"].map(String::from));
    args.push(inv.cwd.display().to_string());
    if let Some(model) = &spec.model {
        args.extend(["-m".into(), model.clone()]);
    }
    if req.role == Role::Review && req.review_schema {
        let path = inv.scratch_dir.join(SCHEMA_FILE);
        args.extend(["--output-schema".into(), path.display().to_string()]);
        inv.files.push((path, review_schema()));
    }
    args.extend(spec.args.iter().cloned());
    // `exec`'s options apply to `exec resume` when they come before it.
    if let Some(thread) = &req.resume_session {
        args.extend(["resume".into(), thread.clone()]);
    }
    args.push("-".into());
    inv.program = program;
    inv.args = args;
    inv.stdin = Some(req.prompt.clone());
    inv.output_kind = OutputKind::Codex;
}

/// One JSONL event; unknown types and fields are ignored.
#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "type", default)]
    kind: String,
    thread_id: Option<String>,
    item: Option<Item>,
    usage: Option<EventUsage>,
    error: Option<ErrorBody>,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Item {
    #[serde(rename = "type", default)]
    kind: String,
    text: Option<String>,
}

#[derive(Debug, Deserialize)]
struct EventUsage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    cached_input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    message: Option<String>,
}

/// Returns what codex reported: thread id, last agent message, usage (the last
/// `turn.completed`'s, which counts the whole thread), the HTTP status an error names,
/// and a failure from `turn.failed` or an `error` event no completed turn followed.
pub(crate) fn parse(stdout: &str) -> Report {
    let mut report = Report {
        usage_is_total: true,
        ..Report::default()
    };
    let mut turn_failed = None;
    let mut stream_error = None;
    for line in stdout.lines() {
        let Ok(event) = serde_json::from_str::<Event>(line.trim()) else {
            continue;
        };
        match event.kind.as_str() {
            "thread.started" => report.session_id = event.thread_id.or(report.session_id.take()),
            "item.completed" => {
                if let Some(Item {
                    kind,
                    text: Some(text),
                }) = event.item
                    && kind == "agent_message"
                {
                    report.final_text = Some(text);
                }
            }
            "turn.completed" => {
                report.finished = true;
                stream_error = None;
                if let Some(u) = event.usage {
                    report.usage = Some(Usage {
                        input_tokens: u.input_tokens,
                        output_tokens: u.output_tokens,
                        cached_input_tokens: u.cached_input_tokens,
                    });
                }
            }
            "turn.failed" => {
                report.finished = true;
                let message = event.error.and_then(|e| e.message).unwrap_or_default();
                report.http_status = http_status(&message).or(report.http_status);
                report.errors.push(message.clone());
                turn_failed = Some(format!("codex turn failed: {message}"));
            }
            "error" => {
                let message = event.message.unwrap_or_default();
                report.http_status = http_status(&message).or(report.http_status);
                report.errors.push(message.clone());
                stream_error = Some(format!("codex error: {message}"));
            }
            _ => {}
        }
    }
    report.failure = turn_failed.or(stream_error);
    report
}

/// Returns the HTTP status codex names in an error: `unexpected status 401
/// Unauthorized: …` or `exceeded retry limit, last status: 429 Too Many Requests`.
fn http_status(message: &str) -> Option<u16> {
    ["unexpected status ", "last status: "]
        .iter()
        .find_map(|marker| {
            let at = message.find(marker)? + marker.len();
            let digits: String = message[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .filter(|s| (100..600).contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::{Adapter, Request, build as build_invocation};

    const EVENTS: &str = r#"{"type":"thread.started","thread_id":"th-1"}
{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for `m` not found."}}
{"type":"turn.started"}
{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"cargo test","aggregated_output":"ok","exit_code":0,"status":"completed"}}
{"type":"item.completed","item":{"id":"item_2","type":"agent_message","text":"first"}}
{"type":"item.completed","item":{"id":"item_3","type":"agent_message","text":"final answer"}}
{"type":"some.future.event","x":1}
{"type":"turn.completed","usage":{"input_tokens":24763,"cached_input_tokens":24448,"cache_write_input_tokens":0,"output_tokens":122,"reasoning_output_tokens":0}}
"#;

    #[test]
    fn reads_thread_last_message_and_the_threads_usage() {
        let r = parse(EVENTS);
        assert!(r.finished);
        assert_eq!(r.failure, None);
        assert_eq!(r.session_id.as_deref(), Some("th-1"));
        assert_eq!(r.final_text.as_deref(), Some("final answer"));
        assert!(
            r.usage_is_total,
            "a resumed thread's usage counts every turn"
        );
        assert_eq!(
            r.usage,
            Some(Usage {
                input_tokens: 24763,
                output_tokens: 122,
                cached_input_tokens: 24448
            })
        );
        assert_eq!((r.cost_usd, r.total_cost_usd), (None, None));
    }

    #[test]
    fn failed_turns_and_fatal_errors_are_failures() {
        let r = parse(r#"{"type":"turn.failed","error":{"message":"model refused"}}"#);
        assert_eq!(
            r.failure.as_deref(),
            Some("codex turn failed: model refused")
        );
        let r = parse(r#"{"type":"error","message":"stream disconnected"}"#);
        assert_eq!(
            r.failure.as_deref(),
            Some("codex error: stream disconnected")
        );
        assert!(!r.finished);
    }

    #[test]
    fn errors_name_their_http_status() {
        // What codex 0.169 prints for a 401, a 429 and a 529 from the model.
        let r = parse(
            r#"{"type":"error","message":"unexpected status 401 Unauthorized: bad key, url: http://127.0.0.1:1/v1/responses"}
{"type":"turn.failed","error":{"message":"unexpected status 401 Unauthorized: bad key, url: http://127.0.0.1:1/v1/responses"}}"#,
        );
        assert_eq!(r.http_status, Some(401));
        let r = parse(
            r#"{"type":"turn.failed","error":{"message":"exceeded retry limit, last status: 429 Too Many Requests"}}"#,
        );
        assert_eq!(r.http_status, Some(429));
        let r = parse(
            r#"{"type":"turn.failed","error":{"message":"We’re currently experiencing high demand, which may cause temporary errors."}}"#,
        );
        assert_eq!(r.http_status, None);
        assert_eq!(http_status("unexpected status 99999"), None);
    }

    #[test]
    fn an_error_followed_by_a_completed_turn_was_recovered() {
        let r = parse(
            "{\"type\":\"error\",\"message\":\"reconnecting 1/5\"}\n{\"type\":\"turn.completed\"}\n",
        );
        assert_eq!(r.failure, None);
        assert_eq!(r.errors, ["reconnecting 1/5"]);
    }

    #[test]
    fn an_implementer_may_write_the_worktree_and_its_scratch_directory() {
        let mut spec = crate::agent::AgentSpec::new("x", Adapter::Codex);
        spec.model = Some("gpt-5".into());
        let mut req = Request::new(Role::Implement, "do it", "/wt", "/run");
        req.resume_session = Some("th-1".into());
        let inv = build_invocation(&spec, &req).unwrap();
        assert_eq!(inv.program, "codex");
        assert_eq!(
            inv.args.join(" "),
            "exec --json --sandbox workspace-write --add-dir /run --skip-git-repo-check \
             -C /wt -m gpt-5 resume th-1 -"
        );
        assert!(inv.files.is_empty());
        assert_eq!(inv.stdin.as_deref(), Some("do it"));
    }

    #[test]
    fn a_reviewer_is_read_only_and_answers_to_the_schema() {
        let spec = crate::agent::AgentSpec::new("x", Adapter::Codex);
        let req = Request::new(Role::Review, "review this", "/wt", "/run");
        let inv = build_invocation(&spec, &req).unwrap();
        assert_eq!(
            inv.args.join(" "),
            "exec --json --sandbox read-only --skip-git-repo-check -C /wt \
             --output-schema /run/review-schema.json -"
        );
        assert_eq!(inv.files[0].0.to_str(), Some("/run/review-schema.json"));
    }
}
