//! Normalization of hand-written run outputs, one per row of the classification table.

use std::time::Duration;

use super::*;
use crate::agent::{AgentSpec, Request, SessionTotals, Severity, Usage, Verdict, build};

fn inv(adapter: Adapter, role: Role) -> Invocation {
    let mut spec = AgentSpec::new("a", adapter);
    spec.command = vec!["prog".into()];
    let mut req = Request::new(role, "p", "/wt", "/run");
    req.run_script = Some("true".into());
    build(&spec, &req).unwrap()
}

fn out(code: i32, stdout: &str) -> RunOutput {
    RunOutput {
        exit_code: Some(code),
        signal: None,
        stdout: stdout.into(),
        stderr: String::new(),
        result_text: None,
        duration: Duration::from_secs(1),
        timed_out: false,
        idle_killed: false,
        sandbox: crate::agent::SandboxReport::off(),
    }
}

const CLAUDE_OK: &str = r#"{"type":"system","subtype":"init","session_id":"s1"}
{"type":"result","subtype":"success","is_error":false,"result":"did it","session_id":"s1","total_cost_usd":0.5,"usage":{"input_tokens":3,"output_tokens":4}}
"#;

#[test]
fn success_with_a_result_file_proceeds_with_usage_and_session() {
    let mut o = out(0, CLAUDE_OK);
    o.result_text =
        Some(r#"{"status":"done","summary":"added limiter","outputs":{"p":"src/l.rs"}}"#.into());
    let n = normalize(&inv(Adapter::Claude, Role::Implement), &o);
    assert!(n.is_success(), "{n:?}");
    assert_eq!(n.summary.as_deref(), Some("added limiter"));
    assert_eq!(n.session_id.as_deref(), Some("s1"));
    assert_eq!(n.cost_usd, Some(0.5));
    assert_eq!(n.usage.unwrap().output_tokens, 4);
    assert_eq!(n.result.unwrap().outputs["p"], "src/l.rs");
}

#[test]
fn a_fenced_result_in_the_final_message_counts() {
    let stdout = r#"{"type":"result","subtype":"success","is_error":false,"result":"ok\n```aos-result\n{\"status\":\"done\",\"summary\":\"s\"}\n```\n"}"#;
    let n = normalize(&inv(Adapter::Claude, Role::Implement), &out(0, stdout));
    assert!(n.is_success(), "{n:?}");
    assert_eq!(n.summary.as_deref(), Some("s"));
}

#[test]
fn exit_zero_without_a_result_is_an_agent_error() {
    let n = normalize(&inv(Adapter::Claude, Role::Implement), &out(0, CLAUDE_OK));
    assert_eq!(
        (n.error_class, n.next_action, n.retryable),
        (ErrorClass::Agent, NextAction::Retry, true)
    );
    assert_eq!(n.summary.as_deref(), Some("did it"));
}

#[test]
fn garbage_and_cut_output_are_agent_errors() {
    for stdout in [
        "<html>oops</html>\n",
        "{\"type\":\"system\",\"subtype\":\"init\"}\n{\"type\":\"res",
    ] {
        let n = normalize(&inv(Adapter::Claude, Role::Implement), &out(0, stdout));
        assert_eq!(n.error_class, ErrorClass::Agent, "{stdout}");
    }
    let mut o = out(0, "{}");
    o.result_text = Some("{not json".into());
    let n = normalize(&inv(Adapter::Command, Role::Implement), &o);
    assert_eq!(n.error_class, ErrorClass::Agent);
    assert!(
        n.reasons.iter().any(|r| r.starts_with("result file:")),
        "{:?}",
        n.reasons
    );
}

#[test]
fn timeouts_and_the_watchdog_are_timeouts() {
    let mut o = out(0, "");
    o.exit_code = None;
    o.signal = Some(9);
    o.idle_killed = true;
    let n = normalize(&inv(Adapter::Codex, Role::Implement), &o);
    assert_eq!((n.error_class, n.retryable), (ErrorClass::Timeout, true));
}

#[test]
fn claude_error_results_are_classified_by_their_text() {
    let result = |text: &str| {
        format!(r#"{{"type":"result","subtype":"success","is_error":true,"result":"{text}"}}"#)
    };
    let cases = [
        (
            "Invalid API key · Please run /login",
            ErrorClass::Env,
            false,
        ),
        ("API Error: 429 rate_limit_error", ErrorClass::Env, true),
        ("Tool use failed badly", ErrorClass::Agent, true),
    ];
    for (text, class, retryable) in cases {
        let n = normalize(
            &inv(Adapter::Claude, Role::Implement),
            &out(1, &result(text)),
        );
        assert_eq!(
            (n.error_class, n.retryable),
            (class, retryable),
            "{text}: {n:?}"
        );
    }
}

#[test]
fn codex_exit_2_is_authentication() {
    let n = normalize(&inv(Adapter::Codex, Role::Implement), &out(2, ""));
    assert_eq!(
        (n.error_class, n.next_action),
        (ErrorClass::Env, NextAction::Escalate)
    );
    assert!(n.reasons[0].contains("authentication"), "{:?}", n.reasons);
}

#[test]
fn codex_refusing_a_flag_is_a_usage_error_not_a_login_problem() {
    // What codex 0.169 prints for `--full-auto`, which older adapters passed.
    let mut o = out(2, "");
    o.stderr = "error: unexpected argument '--full-auto' found\n\n  tip: to pass \
                '--full-auto' as a value, use '-- --full-auto'\n\nUsage: codex exec \
                [OPTIONS] [PROMPT]\n"
        .into();
    let n = normalize(&inv(Adapter::Codex, Role::Implement), &o);
    assert_eq!((n.error_class, n.retryable), (ErrorClass::Env, false));
    assert!(!n.reasons[0].contains("authentication"), "{:?}", n.reasons);
    assert!(
        n.reasons
            .iter()
            .any(|r| r.contains("unexpected argument '--full-auto'")),
        "{:?}",
        n.reasons
    );
}

#[test]
fn claude_refusing_a_flag_is_a_usage_error_too() {
    // commander exits 1, not 2, for an option it does not know.
    let mut o = out(1, "");
    o.stderr = "error: unknown option '--permission-mode'\n".into();
    let n = normalize(&inv(Adapter::Claude, Role::Implement), &o);
    assert_eq!((n.error_class, n.retryable), (ErrorClass::Env, false));
    assert!(
        n.reasons[0].contains("refused the command line"),
        "{:?}",
        n.reasons
    );
    // Once a session started, such words on stderr are a tool's, not the CLI's.
    let mut o = out(1, CLAUDE_OK.lines().next().unwrap());
    o.stderr = "grep: unknown option '--frob'\n".into();
    let n = normalize(&inv(Adapter::Claude, Role::Implement), &o);
    assert_eq!(n.error_class, ErrorClass::Agent);
}

#[test]
fn claude_as_root_without_a_sandbox_is_final_with_a_hint() {
    let mut o = out(1, "");
    o.stderr = "--dangerously-skip-permissions cannot be used with root/sudo privileges for \
                security reasons\n"
        .into();
    let n = normalize(&inv(Adapter::Claude, Role::Implement), &o);
    assert_eq!((n.error_class, n.retryable), (ErrorClass::Env, false));
    assert!(n.reasons[0].contains("IS_SANDBOX"), "{:?}", n.reasons);
    assert!(n.reasons[0].contains("[agents.a]"), "{:?}", n.reasons);
}

#[test]
fn the_http_status_a_cli_names_decides_the_class() {
    let claude = |status: u16, text: &str| {
        format!(
            r#"{{"type":"result","subtype":"success","is_error":true,"result":"{text}","api_error_status":{status}}}"#
        )
    };
    let codex =
        |text: &str| serde_json::json!({"type":"turn.failed","error":{"message":text}}).to_string();
    let cases = [
        (
            Adapter::Claude,
            claude(401, "Failed to authenticate. API Error: 401 x"),
            false,
        ),
        (
            Adapter::Claude,
            claude(429, "API Error: Request rejected (429) · x"),
            true,
        ),
        (
            Adapter::Claude,
            claude(500, "API Error: 500 x. This is a server-side issue"),
            true,
        ),
        (Adapter::Claude, claude(529, "API Error: 529 x"), true),
        (
            Adapter::Codex,
            codex("unexpected status 401 Unauthorized: x, url: u"),
            false,
        ),
        (
            Adapter::Codex,
            codex("exceeded retry limit, last status: 429 Too Many Requests"),
            true,
        ),
        (
            Adapter::Codex,
            codex("We’re currently experiencing high demand, which may cause temporary errors."),
            true,
        ),
        (
            Adapter::Codex,
            codex("unexpected status 529 <unknown status code>: x"),
            true,
        ),
    ];
    for (adapter, stdout, retryable) in cases {
        let n = normalize(&inv(adapter, Role::Implement), &out(1, &stdout));
        assert_eq!(
            (n.error_class, n.retryable),
            (ErrorClass::Env, retryable),
            "{stdout}: {n:?}"
        );
    }
}

#[test]
fn a_timeout_while_the_cli_retried_a_status_is_that_status() {
    let retrying = r#"{"type":"system","subtype":"api_retry","attempt":1,"error_status":429,"session_id":"s"}"#;
    let mut o = out(0, retrying);
    o.exit_code = None;
    o.signal = Some(9);
    o.timed_out = true;
    let n = normalize(&inv(Adapter::Claude, Role::Implement), &o);
    assert_eq!((n.error_class, n.retryable), (ErrorClass::Env, true));
    assert!(n.reasons[0].contains("HTTP 429"), "{:?}", n.reasons);
    let n = normalize(&inv(Adapter::Claude, Role::Implement), &{
        let mut o = o.clone();
        o.stdout = retrying.replace("429", "401");
        o
    });
    assert_eq!((n.error_class, n.retryable), (ErrorClass::Env, false));
    o.stdout = String::new();
    let n = normalize(&inv(Adapter::Claude, Role::Implement), &o);
    assert_eq!(n.error_class, ErrorClass::Timeout);
}

#[test]
fn a_resumed_codex_thread_is_charged_only_this_call() {
    let mut i = inv(Adapter::Codex, Role::Implement);
    i.previous_totals = Some(SessionTotals {
        usage: Some(Usage {
            input_tokens: 110,
            output_tokens: 4,
            cached_input_tokens: 40,
        }),
        cost_usd: None,
    });
    let message = "done\n```aos-result\n{\"status\":\"done\"}\n```";
    let stdout = [
        serde_json::json!({"type":"thread.started","thread_id":"t"}),
        serde_json::json!({"type":"item.completed","item":{"type":"agent_message","text":message}}),
        serde_json::json!({"type":"turn.completed","usage":{"input_tokens":1120,"cached_input_tokens":440,"output_tokens":12}}),
    ]
    .map(|e| e.to_string())
    .join("\n");
    let n = normalize(&i, &out(0, &stdout));
    assert!(n.is_success(), "{n:?}");
    assert_eq!(
        n.usage,
        Some(Usage {
            input_tokens: 1010,
            output_tokens: 8,
            cached_input_tokens: 400
        })
    );
    assert_eq!(n.cost_usd, None, "codex reports no cost: unknown, not zero");
    assert_eq!(n.session_totals.unwrap().usage.unwrap().input_tokens, 1120);
}

#[test]
fn a_successful_run_mentioning_authentication_is_not_an_env_error() {
    let mut o = out(0, CLAUDE_OK);
    o.stderr = "warning: 401 tests about authentication".into();
    o.result_text = Some(r#"{"status":"done"}"#.into());
    assert!(normalize(&inv(Adapter::Claude, Role::Implement), &o).is_success());
}

#[test]
fn shell_failures_are_never_env_errors() {
    let mut o = out(1, "");
    o.stderr = "curl: (7) Failed to connect: connection refused".into();
    let n = normalize(&inv(Adapter::Shell, Role::Implement), &o);
    assert_eq!(n.error_class, ErrorClass::Agent);
    assert!(
        n.reasons.iter().any(|r| r.contains("stderr: curl")),
        "{:?}",
        n.reasons
    );
}

#[test]
fn a_successful_shell_script_is_done_without_a_result() {
    let n = normalize(&inv(Adapter::Shell, Role::Implement), &out(0, "built\n"));
    assert!(n.is_success(), "{n:?}");
    assert_eq!(
        n.cost_usd,
        Some(0.0),
        "no model, no cost: known, not unknown"
    );
    let n = normalize(&inv(Adapter::Command, Role::Implement), &out(0, "{}"));
    assert_eq!(n.cost_usd, None, "a program of your own may cost anything");
}

#[test]
fn blocked_with_a_question_asks_for_clarification() {
    let mut o = out(0, "");
    o.result_text = Some(r#"{"status":"blocked","question":"Which port?"}"#.into());
    let n = normalize(&inv(Adapter::Command, Role::Implement), &o);
    assert_eq!(
        (n.next_action, n.error_class),
        (NextAction::Clarify, ErrorClass::None)
    );
    assert_eq!(n.question(), Some("Which port?"));

    o.result_text = Some(r#"{"status":"blocked"}"#.into());
    let n = normalize(&inv(Adapter::Command, Role::Implement), &o);
    assert_eq!(n.error_class, ErrorClass::Agent);
}

#[test]
fn a_failed_result_is_an_agent_error_with_its_issues() {
    let mut o = out(0, "");
    o.result_text = Some(r#"{"status":"failed","issues":["cannot build"]}"#.into());
    let n = normalize(&inv(Adapter::Command, Role::Implement), &o);
    assert_eq!(n.error_class, ErrorClass::Agent);
    assert!(n.reasons.contains(&"cannot build".to_owned()));
}

#[test]
fn reviewers_answer_in_the_final_message_a_block_or_the_result_file() {
    let verdict = r#"{"verdict":"request_changes","summary":"fix it","comments":[{"severity":"high","path":"a.rs","line":2,"message":"bug"}]}"#;
    let codex = format!(
        "{}\n{}\n",
        r#"{"type":"thread.started","thread_id":"t"}"#,
        serde_json::json!({"type":"item.completed","item":{"type":"agent_message","text":verdict}})
    ) + r#"{"type":"turn.completed","usage":{"input_tokens":1,"output_tokens":1}}"#;
    let n = normalize(&inv(Adapter::Codex, Role::Review), &out(0, &codex));
    let v = n.verdict.clone().unwrap();
    assert_eq!(
        (v.verdict, v.comments[0].severity),
        (Verdict::RequestChanges, Severity::High)
    );
    assert!(n.is_success());
    assert_eq!(n.summary.as_deref(), Some("fix it"));

    let fenced = format!(
        "Looks fine.\n```aos-review\n{}\n```\n",
        r#"{"verdict":"approve","summary":"ok"}"#
    );
    let n = normalize(&inv(Adapter::Command, Role::Review), &out(0, &fenced));
    assert_eq!(n.verdict.unwrap().verdict, Verdict::Approve);

    let mut o = out(0, "");
    o.result_text = Some(r#"{"verdict":"block","summary":"no"}"#.into());
    let n = normalize(&inv(Adapter::Command, Role::Review), &o);
    assert_eq!(n.verdict.unwrap().verdict, Verdict::Block);

    let n = normalize(&inv(Adapter::Command, Role::Review), &out(0, "I approve!"));
    assert_eq!(n.error_class, ErrorClass::Agent);
}

#[test]
fn programs_that_cannot_start_are_env_outcomes() {
    let n = outcome_for_start_error(&Error::NotFound {
        program: "claude".into(),
    })
    .unwrap();
    assert_eq!((n.error_class, n.retryable), (ErrorClass::Env, false));
    assert!(outcome_for_start_error(&Error::Interrupted).is_none());
}
