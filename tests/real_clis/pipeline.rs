//! Whole tasks with the real CLIs: each implements through `run` → gate → `approve`
//! while the other reviews read-only, a question that blocks until it is answered, and
//! a retry that resumes the session and is charged once per call.

use serde_json::json;

use super::common::stderr;
use super::{PLAN, World, rule, verdict, write_and_finish};

#[test]
fn claude_implements_codex_reviews_and_a_person_approves() {
    let rules = json!([
        rule(
            json!({"api": "anthropic", "tool_result": false}),
            json!({"shell": write_and_finish("greeting.txt", "hello", "wrote greeting.txt")})
        ),
        rule(
            json!({"api": "anthropic", "tool_result": true}),
            json!({"text": "greeting.txt now says hello."})
        ),
        rule(
            json!({"api": "openai", "prompt": "## Verdict"}),
            json!({"text": verdict("approve", "says hello as asked", false)})
        ),
    ]);
    let Some(w) = World::new(rules) else { return };
    w.setup(
        "implement = \"claude\"\nreview = \"codex\"",
        "gatekeeper",
        "90s",
        PLAN,
    );
    let out = w.repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let show = w.repo.aos_ok(&["show", "w"]);
    assert!(
        show.contains("reviewer: approve  says hello as asked"),
        "{show}"
    );
    assert!(show.contains("ok    grep -q hello greeting.txt"), "{show}");
    assert!(
        show.contains("cost $") && show.contains("+ unknown (1 of 2 calls)"),
        "{show}"
    );
    w.repo.aos_ok(&["approve", "w"]);
    assert_eq!(w.repo.git(&["show", "aos/w:greeting.txt"]), "hello\n");
    let note = w.repo.git(&["notes", "--ref=aos", "show", "aos/w"]);
    assert!(note.contains("agent: claude"), "{note}");
    assert!(note.contains("reviewer-verdict: approve"), "{note}");

    // What the CLIs asked: claude could run commands; codex reviewed in its read-only
    // sandbox under the verdict's schema.
    let claude = w.server.requests_of("anthropic");
    assert!(
        claude[0]["tools"]
            .as_array()
            .unwrap()
            .contains(&json!("Bash"))
    );
    let codex = w.server.requests_of("openai");
    assert_eq!(codex.len(), 1, "{codex:?}");
    assert_eq!(codex[0]["text_format"]["type"], "json_schema");
    let meta = codex[0]["headers"]["x-codex-turn-metadata"]
        .as_str()
        .unwrap();
    // Confined by git aos (Landlock, where the kernel has it), codex's own sandbox cannot
    // start and runs `danger-full-access` inside git aos's, which gives a reviewer no
    // write to the worktree; unconfined, codex's own `read-only` sandbox does that.
    let confined = meta.contains("\"sandbox_mode\":\"danger-full-access\"");
    assert!(
        confined || meta.contains("\"sandbox_mode\":\"read-only\""),
        "{meta}"
    );
    // The drift guard read both CLIs' real `--help` and cached it.
    let cache = w.repo.path(".git/aos/cache/cli-help");
    assert_eq!(std::fs::read_dir(cache).unwrap().count(), 2);
}

#[test]
fn codex_implements_in_its_sandbox_and_claude_reviews_read_only() {
    let rules = json!([
        rule(
            json!({"api": "openai", "tool_result": false}),
            json!({"shell": write_and_finish("greeting.txt", "hello", "wrote greeting.txt")})
        ),
        rule(
            json!({"api": "openai", "tool_result": true}),
            json!({"text": "Done."})
        ),
        // The reviewer reads, then tries to write (refused), then answers.
        rule(
            json!({"api": "anthropic", "tool_result": false}),
            json!({"shell": "cat greeting.txt && git status --short"})
        ),
        rule(
            json!({"api": "anthropic", "tool_result": true, "output": "hello"}),
            json!({"tool": "Write", "input": {"file_path": "{cwd}/sneaky.txt", "content": "x"}})
        ),
        rule(
            json!({"api": "anthropic", "tool_result": true}),
            json!({"text": verdict("approve", "reads well", true)})
        ),
    ]);
    let Some(w) = World::new(rules) else { return };
    w.setup(
        "implement = \"codex\"\nreview = \"claude\"",
        "gatekeeper",
        "90s",
        PLAN,
    );
    let out = w.repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    // codex wrote the worktree and, through `--add-dir`, its result under `.git`.
    let worktree = w.repo.task_worktree("w");
    assert_eq!(
        std::fs::read_to_string(worktree.join("greeting.txt")).unwrap(),
        "hello\n"
    );
    let run = w.run_record();
    let implement = &run["stage"].as_array().unwrap()[0];
    assert_eq!(
        implement["outcome"].as_str(),
        Some("proceed"),
        "{implement:?}"
    );
    assert_eq!(run["agent_summary"].as_str(), Some("wrote greeting.txt"));
    // claude read the file and could not write one.
    let claude = w.server.requests_of("anthropic");
    assert!(
        claude[1]["output"].as_str().unwrap().contains("hello"),
        "{claude:?}"
    );
    let tools = claude[0]["tools"].as_array().unwrap();
    assert!(
        !tools.contains(&json!("Write")) && !tools.contains(&json!("Edit")),
        "{tools:?}"
    );
    assert!(!worktree.join("sneaky.txt").exists());
    let show = w.repo.aos_ok(&["show", "w"]);
    assert!(show.contains("reviewer: approve  reads well"), "{show}");
    w.repo.aos_ok(&["approve", "w"]);
    assert_eq!(w.repo.git(&["show", "aos/w:greeting.txt"]), "hello\n");
    let report: serde_json::Value =
        serde_json::from_str(&w.repo.aos_ok(&["report", "w", "--json"])).unwrap();
    assert_eq!(
        report["agents"]["codex"]["cost_usd"],
        serde_json::Value::Null
    );
    assert!(
        report["agents"]["claude"]["cost_usd"].as_f64().unwrap() > 0.0,
        "{report}"
    );
}

#[test]
fn a_question_blocks_the_workstream_until_a_person_answers_it() {
    let ask = "printf '%s' '{\"status\":\"blocked\",\"summary\":\"needs a word\",\"question\":\"Which greeting, hello or hi?\"}' > \"$AOS_RESULT\"";
    let rules = json!([
        rule(
            json!({"api": "anthropic", "tool_result": false, "prompt": "Use hello"}),
            json!({"shell": write_and_finish("greeting.txt", "hello", "used the answer")})
        ),
        rule(
            json!({"api": "anthropic", "tool_result": false}),
            json!({"shell": ask})
        ),
        rule(
            json!({"api": "anthropic", "tool_result": true}),
            json!({"text": "Stopped."})
        ),
    ]);
    let Some(w) = World::new(rules) else { return };
    w.setup("implement = \"claude\"", "autonomous", "90s", PLAN);
    let out = w.repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let list = w.repo.aos_ok(&["clarify", "list"]);
    assert!(list.contains("Which greeting, hello or hi?"), "{list}");
    w.repo.aos_ok(&["clarify", "answer", "w", "Use hello."]);
    let out = w.repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(w.repo.git(&["show", "aos/w:greeting.txt"]), "hello\n");
    // The answer went to the same session, resumed with the question in its history.
    let claude = w.server.requests_of("anthropic");
    let answered = claude
        .iter()
        .find(|r| r["prompt"].as_str().unwrap().contains("Use hello"))
        .expect("a prompt with the answer");
    let session = |r: &serde_json::Value| r["headers"]["x-claude-code-session-id"].clone();
    assert_eq!(session(answered), session(&claude[0]));
    assert!(
        answered["history"]
            .as_str()
            .unwrap()
            .contains("You implement task T1")
    );
}

/// Rules for an implementer that writes the wrong greeting first (the acceptance
/// fails), then, resumed with the failure as feedback, the right one; each answer has
/// its own token counts.
fn wrong_then_right(api: &str) -> serde_json::Value {
    json!([
        {"when": {"api": api, "tool_result": false, "prompt": "This is attempt 2"},
         "reply": {"shell": write_and_finish("greeting.txt", "hello", "fixed")},
         "usage": {"input": 2000, "cached": 1500, "output": 60}},
        {"when": {"api": api, "tool_result": true, "prompt": "This is attempt 2"},
         "reply": {"text": "Fixed."},
         "usage": {"input": 2100, "cached": 2000, "output": 5}},
        {"when": {"api": api, "tool_result": false},
         "reply": {"shell": write_and_finish("greeting.txt", "bye", "done")},
         "usage": {"input": 1000, "cached": 400, "output": 50}},
        {"when": {"api": api, "tool_result": true},
         "reply": {"text": "Done."},
         "usage": {"input": 1100, "cached": 1000, "output": 10}},
    ])
}

/// Runs T1 with `agent` through a failed attempt and a resumed one, and returns the
/// two implement stages.
fn retried(agent: &str, api: &str) -> Option<(World, Vec<toml::Value>)> {
    let w = World::new(wrong_then_right(api))?;
    w.setup(
        &format!("implement = \"{agent}\""),
        "autonomous",
        "90s",
        PLAN,
    );
    let out = w.repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(w.repo.git(&["show", "aos/w:greeting.txt"]), "hello\n");
    let run = w.run_record();
    let stages: Vec<toml::Value> = run["stage"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["stage"].as_str() == Some("implement"))
        .cloned()
        .collect();
    assert_eq!(stages.len(), 2, "{run:?}");
    Some((w, stages))
}

fn tokens(stage: &toml::Value) -> (i64, i64, i64) {
    let n = |k: &str| stage[k].as_integer().unwrap();
    (
        n("input_tokens"),
        n("cached_input_tokens"),
        n("output_tokens"),
    )
}

#[test]
fn a_claude_retry_resumes_its_session_and_each_call_is_counted_once() {
    let Some((w, stages)) = retried("claude", "anthropic") else {
        return;
    };
    let claude = w.server.requests_of("anthropic");
    let resumed = claude
        .iter()
        .find(|r| r["prompt"].as_str().unwrap().contains("This is attempt 2"))
        .unwrap();
    assert!(
        resumed["history"]
            .as_str()
            .unwrap()
            .contains("You implement task T1"),
        "the retry carries the first attempt's conversation: {resumed}"
    );
    assert_eq!(tokens(&stages[0]), (2100, 1400, 60));
    assert_eq!(tokens(&stages[1]), (4100, 3500, 65));
    // claude's `total_cost_usd` runs over the session: the two calls' own costs add up
    // to the session's total, never more.
    let cost = |s: &toml::Value| s["cost_usd"].as_float().unwrap();
    let total = w.run_record()["session_totals"]["cost_usd"]
        .as_float()
        .unwrap();
    assert!(
        cost(&stages[0]) > 0.0 && cost(&stages[1]) > 0.0,
        "{stages:?}"
    );
    assert!(
        (cost(&stages[0]) + cost(&stages[1]) - total).abs() < 1e-9,
        "{stages:?} {total}"
    );
}

#[test]
fn a_codex_retry_resumes_its_thread_and_each_call_is_counted_once() {
    let Some((w, stages)) = retried("codex", "openai") else {
        return;
    };
    let codex = w.server.requests_of("openai");
    let resumed = codex
        .iter()
        .find(|r| r["prompt"].as_str().unwrap().contains("This is attempt 2"))
        .unwrap();
    assert!(
        !resumed["history"].as_str().unwrap().is_empty(),
        "the retry carries the first attempt's conversation: {resumed}"
    );
    // codex reports the thread's running total; each stage has its own calls only.
    assert_eq!(tokens(&stages[0]), (2100, 1400, 60));
    assert_eq!(tokens(&stages[1]), (4100, 3500, 65));
    assert!(
        stages.iter().all(|s| s.get("cost_usd").is_none()),
        "{stages:?}"
    );
    let note = w.repo.git(&["notes", "--ref=aos", "show", "aos/w"]);
    assert!(
        note.contains("usage: 6200 in (4900 cached), 125 out"),
        "{note}"
    );
    assert!(note.contains("cost: unknown"), "{note}");
}
