//! The command and shell adapters end to end, and secrets kept out of everything stored.

use super::*;

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
