//! Each classification row of AGENT-FORMATS.md, produced by a fake agent run for real.

use super::*;

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
async fn a_result_left_by_an_earlier_attempt_is_not_read_again() {
    let f = Fixture::new();
    std::fs::create_dir_all(&f.scratch).unwrap();
    std::fs::write(f.scratch.join("result.json"), r#"{"status":"done"}"#).unwrap();
    let ex = f
        .invoke(
            Adapter::Claude,
            Role::Implement,
            "emit success forgot the result\n",
            &f.limits(),
        )
        .await;
    assert_class(&ex.outcome, ErrorClass::Agent, NextAction::Retry, true);
}

#[tokio::test]
async fn a_missing_worktree_is_an_error_of_aos_not_an_outcome() {
    let f = Fixture::new();
    let spec = f.spec(Adapter::Claude, "emit success\n");
    let mut req = f.request(Role::Implement);
    req.worktree = f.path("gone");
    let err = invoke(&spec, &req, &f.limits(), &Redactor::default())
        .await
        .unwrap_err();
    assert!(matches!(err, git_aos::agent::Error::NoWorkdir(_)), "{err}");
}
