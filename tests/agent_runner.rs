//! Every fake-agent scenario through the real runner, via the public API: the fakes in
//! `tests/fake-agents` are real programs found on `PATH`, as real agents would be.

mod agent_support;

use std::time::Duration;

use agent_support::{Fixture, eventually, group_gone};
use git_aos::agent::{
    Adapter, ErrorClass, NextAction, Outcome, Redactor, ResultStatus, Role, RunLimits, Verdict,
    build, invoke, normalize, run,
};

const DONE: &str =
    r#"result {"status":"done","summary":"implemented T1","outputs":{"path":"src/lib.rs"}}"#;
const GROUP_LIMIT: Duration = Duration::from_secs(20);

fn assert_class(o: &Outcome, class: ErrorClass, action: NextAction, retryable: bool) {
    assert_eq!(
        (o.error_class, o.next_action, o.retryable),
        (class, action, retryable),
        "{o:#?}"
    );
}

#[tokio::test]
async fn claude_success_reads_prompt_from_stdin_and_reports_usage() {
    let f = Fixture::new();
    let scenario = format!(
        "say looking around\nwrite src/lib.rs pub fn a() {{}}\\n\n{DONE}\nemit success all done\n"
    );
    let ex = f
        .invoke(Adapter::Claude, Role::Implement, &scenario, &f.limits())
        .await;
    let o = &ex.outcome;
    assert!(o.is_success(), "{o:#?}");
    assert_eq!(o.summary.as_deref(), Some("implemented T1"));
    assert_eq!(
        o.result.as_ref().map(|r| r.outputs["path"].as_str()),
        Some("src/lib.rs")
    );
    assert!(o.session_id.is_some());
    assert_eq!(o.cost_usd, Some(0.0123));
    assert_eq!(o.usage.map(|u| u.output_tokens), Some(900));
    assert_eq!(
        std::fs::read_to_string(f.worktree.join("src/lib.rs")).unwrap(),
        "pub fn a() {}\n"
    );

    let rec = &f.records()[0];
    assert_eq!(rec["stdin"], "Implement T1.\nWrite the result.");
    assert_eq!(rec["cwd"], f.worktree.display().to_string());
    assert_eq!(rec["env"]["AOS_TASK"], "T1");
    assert_eq!(rec["env"]["AOS_AGENT"], "fake-claude");
    assert!(rec["env"].get("AOS_INTERNAL").is_none());
    let prompt = std::fs::read_to_string(f.scratch.join("prompt.md")).unwrap();
    assert_eq!(prompt, "Implement T1.\nWrite the result.");
    let live = std::fs::read_to_string(&f.live_log).unwrap();
    assert!(
        live.contains("looking around") && live.contains("exited with code 0"),
        "{live}"
    );
}

#[tokio::test]
async fn codex_success_with_a_fenced_result_and_a_resumed_thread() {
    let f = Fixture::new();
    let scenario = "say on it\nemit success Done.\\n```aos-result\\n{\"status\":\"done\",\"summary\":\"fenced\"}\\n```\n";
    let mut spec = f.spec(Adapter::Codex, scenario);
    spec.model = Some("gpt-5-codex".into());
    let mut req = f.request(Role::Implement);
    req.resume_session = Some("thread-7".into());
    let ex = invoke(&spec, &req, &f.limits(), &Redactor::default())
        .await
        .unwrap();
    assert!(ex.outcome.is_success(), "{:#?}", ex.outcome);
    assert_eq!(ex.outcome.summary.as_deref(), Some("fenced"));
    assert_eq!(ex.outcome.session_id.as_deref(), Some("thread-7"));
    assert_eq!(ex.outcome.usage.map(|u| u.cached_input_tokens), Some(24448));
    let argv = f.records()[0]["argv"].to_string();
    assert!(
        argv.contains(r#""-m","gpt-5-codex""#) && argv.contains(r#""resume","thread-7","-"]"#),
        "{argv}"
    );
}

#[tokio::test]
async fn codex_reviewer_gets_the_schema_and_answers_with_a_verdict() {
    let f = Fixture::new();
    let verdict = r#"{"verdict":"request_changes","summary":"needs a test","comments":[{"severity":"medium","path":"src/lib.rs","line":1,"message":"untested"}]}"#;
    let ex = f
        .invoke(
            Adapter::Codex,
            Role::Review,
            &format!("emit success {verdict}\n"),
            &f.limits(),
        )
        .await;
    let v = ex.outcome.verdict.as_ref().expect("verdict");
    assert_eq!(v.verdict, Verdict::RequestChanges);
    assert_eq!(ex.outcome.next_action, NextAction::Proceed);
    assert!(f.scratch.join("review-schema.json").is_file());
    assert!(
        f.records()[0]["argv"]
            .to_string()
            .contains("--output-schema")
    );
}

#[tokio::test]
async fn error_results_are_agent_errors() {
    let f = Fixture::new();
    let ex = f
        .invoke(
            Adapter::Claude,
            Role::Implement,
            "emit is_error tool crashed\n",
            &f.limits(),
        )
        .await;
    assert_class(&ex.outcome, ErrorClass::Agent, NextAction::Retry, true);
    assert!(
        ex.outcome
            .reasons
            .iter()
            .any(|r| r.contains("tool crashed")),
        "{:?}",
        ex.outcome.reasons
    );

    let ex = f
        .invoke(
            Adapter::Codex,
            Role::Implement,
            "emit turn_failed model refused\n",
            &f.limits(),
        )
        .await;
    assert_class(&ex.outcome, ErrorClass::Agent, NextAction::Retry, true);
    assert!(
        ex.outcome
            .reasons
            .iter()
            .any(|r| r.contains("model refused"))
    );
}

#[tokio::test]
async fn rate_limits_are_retryable_env_errors() {
    let f = Fixture::new();
    for adapter in [Adapter::Claude, Adapter::Codex] {
        let ex = f
            .invoke(
                adapter,
                Role::Implement,
                "say trying\nemit rate_limit\n",
                &f.limits(),
            )
            .await;
        assert_class(&ex.outcome, ErrorClass::Env, NextAction::Retry, true);
    }
}

#[tokio::test]
async fn authentication_failures_are_final_env_errors() {
    let f = Fixture::new();
    for adapter in [Adapter::Claude, Adapter::Codex] {
        let ex = f
            .invoke(adapter, Role::Implement, "emit auth\n", &f.limits())
            .await;
        assert_class(&ex.outcome, ErrorClass::Env, NextAction::Escalate, false);
    }
}

#[tokio::test]
async fn a_question_opens_a_clarification() {
    let f = Fixture::new();
    let ex = f
        .invoke(
            Adapter::Claude,
            Role::Implement,
            "emit question Which port should it use?\n",
            &f.limits(),
        )
        .await;
    assert_class(&ex.outcome, ErrorClass::None, NextAction::Clarify, false);
    assert_eq!(ex.outcome.question(), Some("Which port should it use?"));
    assert_eq!(
        ex.outcome.result.as_ref().map(|r| r.status),
        Some(ResultStatus::Blocked)
    );
}

#[tokio::test]
async fn garbage_and_crashes_are_agent_errors() {
    let f = Fixture::new();
    for (adapter, scenario) in [
        (Adapter::Claude, "emit garbage\n"),
        (Adapter::Codex, "emit garbage\n"),
        (Adapter::Claude, "emit crash_midway\n"),
        (Adapter::Codex, "emit crash_midway\n"),
    ] {
        let ex = f
            .invoke(adapter, Role::Implement, scenario, &f.limits())
            .await;
        assert_class(&ex.outcome, ErrorClass::Agent, NextAction::Retry, true);
    }
    let ex = f
        .invoke(
            Adapter::Claude,
            Role::Implement,
            "emit crash_midway\n",
            &f.limits(),
        )
        .await;
    assert_eq!(
        ex.output.as_ref().and_then(|o| o.signal),
        Some(6),
        "SIGABRT"
    );
}

#[tokio::test]
async fn a_missing_binary_is_a_final_env_error() {
    let f = Fixture::new();
    let mut spec = f.spec(Adapter::Claude, "emit success\n");
    spec.command = vec!["git-aos-no-such-agent-binary".into()];
    let ex = invoke(
        &spec,
        &f.request(Role::Implement),
        &f.limits(),
        &Redactor::default(),
    )
    .await
    .unwrap();
    assert_class(&ex.outcome, ErrorClass::Env, NextAction::Escalate, false);
    assert!(ex.output.is_none());
    assert!(ex.outcome.reasons[0].contains("git-aos-no-such-agent-binary"));
}

#[tokio::test]
async fn a_hung_agent_times_out_within_the_limit() {
    let f = Fixture::new();
    let limits = RunLimits {
        // Long enough for python to start and print on a loaded machine.
        timeout: Duration::from_secs(3),
        ..f.limits()
    };
    let ex = f
        .invoke(
            Adapter::Claude,
            Role::Implement,
            "say started\nsleep 3600\n",
            &limits,
        )
        .await;
    assert_class(&ex.outcome, ErrorClass::Timeout, NextAction::Retry, true);
    let out = ex.output.unwrap();
    assert!(out.timed_out && !out.idle_killed);
    assert!(
        out.duration >= Duration::from_secs(3) && out.duration < Duration::from_secs(30),
        "{:?}",
        out.duration
    );
    assert!(
        out.stdout.contains("started"),
        "kept output before the kill: {}",
        out.stdout
    );
}

#[tokio::test]
async fn the_watchdog_kills_an_agent_that_falls_silent() {
    let f = Fixture::new();
    let limits = RunLimits {
        idle_timeout: Duration::from_secs(1),
        ..f.limits()
    };
    let ex = f
        .invoke(
            Adapter::Codex,
            Role::Implement,
            "say hello\nsleep 3600\n",
            &limits,
        )
        .await;
    assert_class(&ex.outcome, ErrorClass::Timeout, NextAction::Retry, true);
    let out = ex.output.unwrap();
    assert!(out.idle_killed && !out.timed_out);
    assert!(out.duration < Duration::from_secs(30), "{:?}", out.duration);
}

#[tokio::test]
async fn a_timeout_kills_grandchildren_that_ignore_sigterm() {
    let f = Fixture::new();
    let limits = RunLimits {
        // Long enough for the pidfile and the grandchild to exist first.
        timeout: Duration::from_secs(3),
        ..f.limits()
    };
    let pidfile = f.path("pid");
    let scenario = format!(
        "pidfile {}\nspawn-grandchild\nsleep 3600\n",
        pidfile.display()
    );
    let ex = f
        .invoke(Adapter::Claude, Role::Implement, &scenario, &limits)
        .await;
    assert_eq!(ex.outcome.error_class, ErrorClass::Timeout);
    let pgid = f.pgid("pid");
    assert!(
        eventually(GROUP_LIMIT, || group_gone(pgid)).await,
        "process group {pgid} survived"
    );
}

#[tokio::test]
async fn a_grandchild_holding_stdout_does_not_keep_a_finished_run_waiting() {
    let f = Fixture::new();
    let pidfile = f.path("pid");
    let scenario = format!(
        "pidfile {}\nspawn-grandchild\n{DONE}\nemit success done\n",
        pidfile.display()
    );
    let ex = f
        .invoke(Adapter::Codex, Role::Implement, &scenario, &f.limits())
        .await;
    assert!(ex.outcome.is_success(), "{:#?}", ex.outcome);
    assert!(ex.output.unwrap().duration < Duration::from_secs(30));
    let pgid = f.pgid("pid");
    assert!(
        eventually(GROUP_LIMIT, || group_gone(pgid)).await,
        "process group {pgid} survived"
    );
}

#[tokio::test]
async fn dropping_the_run_kills_the_group() {
    let f = Fixture::new();
    let pidfile = f.path("pid");
    let spec = f.spec(
        Adapter::Claude,
        &format!(
            "pidfile {}\nspawn-grandchild\nsleep 3600\n",
            pidfile.display()
        ),
    );
    let inv = build(&spec, &f.request(Role::Implement)).unwrap();
    let limits = f.limits();
    let task = tokio::spawn(async move { run(&inv, &limits, &Redactor::default()).await });
    assert!(
        eventually(GROUP_LIMIT, || pidfile.is_file()).await,
        "agent never started"
    );
    let pgid = f.pgid("pid");
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    assert!(
        eventually(GROUP_LIMIT, || group_gone(pgid)).await,
        "process group {pgid} survived"
    );
}

#[tokio::test]
async fn secrets_never_reach_kept_output_or_the_live_log() {
    let f = Fixture::new();
    let secret = "sk-test-0123456789abcdef";
    let mut spec = f.spec(
        Adapter::Claude,
        &format!("print-env AOS_TEST_TOKEN\nresult {{\"status\":\"done\",\"summary\":\"used {secret}\"}}\nemit success done\n"),
    );
    spec.env.insert("AOS_TEST_TOKEN".into(), secret.into());
    let redactor = Redactor::new([secret]);
    let ex = invoke(&spec, &f.request(Role::Implement), &f.limits(), &redactor)
        .await
        .unwrap();
    let out = ex.output.unwrap();
    let live = std::fs::read_to_string(&f.live_log).unwrap();
    for (what, text) in [
        ("stdout", &out.stdout),
        ("stderr", &out.stderr),
        ("live log", &live),
    ] {
        assert!(!text.contains(secret), "{what} leaks the secret: {text}");
        assert!(
            text.contains("AOS_TEST_TOKEN is ***") || text.contains("AOS_TEST_TOKEN=***"),
            "{what}: {text}"
        );
    }
    assert_eq!(ex.outcome.summary.as_deref(), Some("used ***"));
}

#[tokio::test]
async fn the_shell_agent_runs_the_task_script_in_the_worktree() {
    let f = Fixture::new();
    let spec = git_aos::agent::AgentSpec::new("shell", Adapter::Shell);
    let mut req = f.request(Role::Implement);
    req.run_script = Some("mkdir -p src\necho \"$AOS_TASK\" > src/task.txt\n".into());
    let ex = invoke(&spec, &req, &f.limits(), &Redactor::default())
        .await
        .unwrap();
    assert!(ex.outcome.is_success(), "{:#?}", ex.outcome);
    assert_eq!(
        std::fs::read_to_string(f.worktree.join("src/task.txt")).unwrap(),
        "T1\n"
    );

    req.run_script = Some("false\necho unreachable\n".into());
    let ex = invoke(&spec, &req, &f.limits(), &Redactor::default())
        .await
        .unwrap();
    assert_class(&ex.outcome, ErrorClass::Agent, NextAction::Retry, true);
    assert!(
        !ex.output.unwrap().stdout.contains("unreachable"),
        "bash -e stops at the failure"
    );
}

#[tokio::test]
async fn the_command_adapter_substitutes_and_caps_output() {
    let f = Fixture::new();
    let mut spec = git_aos::agent::AgentSpec::new("mine", Adapter::Command);
    let script = "cp \"$1\" got-prompt.md; head -c 2000000 /dev/zero | tr '\\0' x; echo; \
                  printf '{\"status\":\"done\",\"summary\":\"%s\"}' \"$2\" > \"$3\"";
    spec.command = [
        "bash",
        "-c",
        script,
        "agent",
        "{prompt_file}",
        "{task}",
        "{result_file}",
    ]
    .map(String::from)
    .to_vec();
    let limits = RunLimits {
        cap_bytes: 64 * 1024,
        ..f.limits()
    };
    let ex = invoke(
        &spec,
        &f.request(Role::Implement),
        &limits,
        &Redactor::default(),
    )
    .await
    .unwrap();
    assert!(ex.outcome.is_success(), "{:#?}", ex.outcome);
    assert_eq!(ex.outcome.summary.as_deref(), Some("T1"));
    let prompt = std::fs::read_to_string(f.worktree.join("got-prompt.md")).unwrap();
    assert_eq!(prompt, "Implement T1.\nWrite the result.");
    let out = ex.output.unwrap();
    assert!(
        out.stdout.len() < 70 * 1024 && out.stdout.contains("bytes omitted]"),
        "{}",
        out.stdout.len()
    );
    let _ = normalize(&ex.invocation, &out); // pure: may be called again on stored output
}
