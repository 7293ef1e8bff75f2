//! The claude and codex adapters end to end with the fake CLIs, which keep to what the
//! real ones do: a CLI that dropped a flag stops `run` before any agent starts, claude
//! refusing to run as root halts at once, a resumed session is charged once per call,
//! an unknown cost stays unknown, and a review without a verdict is handled by its
//! error class. (The real CLIs run the same scenarios in `tests/real_clis/`.)

mod common;

use common::{Repo, stderr};

const PLAN: &str = "# Plan: p\n\n### [ ] T1: Greet\n\n#### Acceptance\n- `test -f T1.txt`\n";
/// Writes `T1.txt` and a done result.
const DONE: &str =
    "write T1.txt hello\nresult {\"status\":\"done\",\"summary\":\"greeted\"}\nemit success done\n";
/// Writes the wrong file first (the acceptance fails), then the right one.
const WRONG_THEN_RIGHT: &str = "write other.txt hi\nresult {\"status\":\"done\",\"summary\":\"wrong\"}\nemit success done\n---\nwrite T1.txt hello\nresult {\"status\":\"done\",\"summary\":\"right\"}\nemit success done\n";
const APPROVE: &str = "emit success ok\\n```aos-review\\n{\"verdict\":\"approve\",\"summary\":\"fine\",\"comments\":[]}\\n```\n";

/// One configured agent: its name, adapter, scenario, and extra `env` entries.
struct Agent<'a> {
    name: &'a str,
    adapter: &'a str,
    scenario: &'a str,
    env: &'a str,
}

/// Writes `aos.toml` with the agents, roles and autonomy, the plan, and creates
/// workstream `w`.
fn setup(repo: &Repo, agents: &[Agent<'_>], roles: &str, autonomy: &str) {
    // Agents are confined: their scenarios and records live where they may write.
    let dir = repo.agent_io();
    let mut toml = format!("[project]\nbase = \"main\"\n{}\n", repo.allow_agent_io());
    for a in agents {
        let scenario = dir.join(format!("{}.txt", a.name));
        std::fs::write(&scenario, a.scenario).unwrap();
        toml.push_str(&format!(
            "[agents.{name}]\nadapter = \"{adapter}\"\ntimeout = \"60s\"\nenv = {{ FAKE_AGENT_SCENARIO = \"{scenario}\", FAKE_AGENT_RECORD = \"{record}\"{env} }}\n\n",
            name = a.name,
            adapter = a.adapter,
            scenario = scenario.display(),
            record = dir.join("calls.jsonl").display(),
            env = a.env,
        ));
    }
    toml.push_str(&format!(
        "[roles]\n{roles}\n\n[profiles.default]\nautonomy = \"{autonomy}\"\n\n[notify]\ndesktop = false\n"
    ));
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    std::fs::write(repo.path("plan.md"), PLAN).unwrap();
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "aos"]);
    repo.aos_ok(&["new", "w", "--plan", "plan.md"]);
}

/// Returns the calls the fakes served (not `--help`/`--version`), one JSON value each.
fn calls(repo: &Repo) -> Vec<serde_json::Value> {
    std::fs::read_to_string(repo.agent_io().join("calls.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Returns the run record of T1's run.
fn run_record(repo: &Repo) -> toml::Table {
    let tasks: toml::Table =
        toml::from_str(&repo.git(&["show", "refs/aos/ws/w:tasks.toml"])).unwrap();
    let run = tasks["task"][0]["last_run"].as_str().unwrap().to_owned();
    toml::from_str(&repo.git(&["show", &format!("refs/aos/ws/w:runs/{run}/run.toml")])).unwrap()
}

fn report(repo: &Repo) -> serde_json::Value {
    serde_json::from_str(&repo.aos_ok(&["report", "w", "--json"])).unwrap()
}

#[test]
fn a_cli_that_dropped_a_flag_stops_the_run_before_any_agent_starts() {
    let repo = Repo::new();
    let codex = Agent {
        name: "codex",
        adapter: "codex",
        scenario: DONE,
        env: ", FAKE_AGENT_DROP_FLAGS = \"--skip-git-repo-check\"",
    };
    setup(&repo, &[codex], "implement = \"codex\"", "autonomous");
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("`--skip-git-repo-check`"), "{err}");
    assert!(err.contains("codex-cli 0.169.0"), "{err}");
    assert!(
        calls(&repo).is_empty(),
        "no agent started: {:?}",
        calls(&repo)
    );
    // One implement stage, not one per attempt, and the task is not failed: the next
    // run (with a CLI that has the flag) goes on.
    let run = run_record(&repo);
    let stages = run["stage"].as_array().unwrap();
    assert_eq!(stages.len(), 1, "{run:?}");
    assert_eq!(stages[0]["error_class"].as_str(), Some("env"));
    assert_eq!(run["status"].as_str(), Some("halted"));
    // The help was cached for this binary under the common dir.
    let cache = repo.path(".git/aos/cache/cli-help");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
}

#[test]
fn claude_refusing_to_run_as_root_halts_at_once_with_the_way_out() {
    let repo = Repo::new();
    let claude = Agent {
        name: "claude",
        adapter: "claude",
        scenario: DONE,
        env: ", FAKE_AGENT_AS_ROOT = \"1\", IS_SANDBOX = \"0\"",
    };
    setup(&repo, &[claude], "implement = \"claude\"", "autonomous");
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("root"), "{err}");
    assert!(err.contains("IS_SANDBOX"), "{err}");
    let run = run_record(&repo);
    assert_eq!(
        run["stage"].as_array().unwrap().len(),
        1,
        "not retried: {run:?}"
    );
}

/// Runs T1 with `agent` failing the acceptance once, then resuming its session.
fn retried(adapter: &str) -> Repo {
    let repo = Repo::new();
    let agent = Agent {
        name: "dev",
        adapter,
        scenario: WRONG_THEN_RIGHT,
        env: "",
    };
    setup(&repo, &[agent], "implement = \"dev\"", "autonomous");
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let argv: Vec<Vec<String>> = calls(&repo)
        .iter()
        .map(|c| serde_json::from_value(c["argv"].clone()).unwrap())
        .collect();
    assert_eq!(argv.len(), 2);
    let resumes = |a: &Vec<String>| a.iter().any(|x| x == "--resume" || x == "resume");
    assert!(!resumes(&argv[0]) && resumes(&argv[1]), "{argv:?}");
    repo
}

#[test]
fn a_claude_retry_that_resumes_is_charged_its_own_cost() {
    let repo = retried("claude");
    // Each fake call costs $0.0123; the second reports a session total of $0.0246.
    let run = run_record(&repo);
    for stage in run["stage"].as_array().unwrap() {
        if stage["stage"].as_str() == Some("implement") {
            assert_eq!(stage["cost_usd"].as_float(), Some(0.0123), "{stage}");
            assert_eq!(stage["input_tokens"].as_integer(), Some(1500), "{stage}");
            assert_eq!(stage["cached_input_tokens"].as_integer(), Some(300));
        }
    }
    let r = report(&repo);
    let dev = &r["agents"]["dev"];
    assert_eq!(dev["calls"], 2);
    assert!(
        (dev["cost_usd"].as_f64().unwrap() - 0.0246).abs() < 1e-9,
        "{dev}"
    );
    assert_eq!(dev["input_tokens"], 3000);
    let notes = repo.git(&["log", "--notes=aos", "--format=%N", "main..aos/w"]);
    assert!(notes.contains("cost: $0.0246\n"), "{notes}");
    assert!(
        notes.contains("usage: 3000 in (600 cached), 1800 out"),
        "{notes}"
    );
}

#[test]
fn a_codex_retry_that_resumes_is_charged_its_own_tokens_and_no_made_up_cost() {
    let repo = retried("codex");
    // The second call reports the thread's total: twice the first call's tokens.
    let r = report(&repo);
    let dev = &r["agents"]["dev"];
    assert_eq!(dev["input_tokens"], 2 * 24763, "{dev}");
    assert_eq!(dev["cached_input_tokens"], 2 * 24448, "{dev}");
    assert_eq!(dev["output_tokens"], 2 * 122, "{dev}");
    assert_eq!(dev["cost_usd"], serde_json::Value::Null, "{dev}");
    assert_eq!(dev["cost_unknown_calls"], 2, "{dev}");
    let notes = repo.git(&["log", "--notes=aos", "--format=%N", "main..aos/w"]);
    assert!(notes.contains("cost: unknown\n"), "{notes}");
    assert!(!notes.contains("$0.0000"), "{notes}");
    let md = repo.aos_ok(&["report", "w"]);
    assert!(md.contains("| dev | 2 |"), "{md}");
    assert!(md.contains("| unknown |"), "{md}");
    assert!(!md.contains("$0.0000"), "{md}");
}

#[test]
fn show_gives_the_cost_of_the_change_at_the_gate() {
    let repo = Repo::new();
    let dev = Agent {
        name: "dev",
        adapter: "codex",
        scenario: DONE,
        env: "",
    };
    let critic = Agent {
        name: "critic",
        adapter: "claude",
        scenario: APPROVE,
        env: "",
    };
    setup(
        &repo,
        &[dev, critic],
        "implement = \"dev\"\nreview = \"critic\"",
        "gatekeeper",
    );
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let show = repo.aos_ok(&["show", "w"]);
    assert!(
        show.contains("agent calls: 2; tokens 26263 in (24748 cached), 1022 out; cost $0.0123 + unknown (1 of 2 calls)"),
        "{show}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&repo.aos_ok(&["show", "w", "--json"])).unwrap();
    assert_eq!(json["spend"]["cost_unknown_calls"], 1);
}

#[test]
fn a_rate_limited_reviewer_is_backed_off_and_asked_again() {
    let repo = Repo::new();
    let dev = Agent {
        name: "dev",
        adapter: "claude",
        scenario: DONE,
        env: "",
    };
    let critic = Agent {
        name: "critic",
        adapter: "codex",
        scenario: "emit rate_limit\n---\nemit success {\"verdict\":\"approve\",\"summary\":\"fine\",\"comments\":[]}\n",
        env: "",
    };
    setup(
        &repo,
        &[dev, critic],
        "implement = \"dev\"\nreview = \"critic\"",
        "autonomous",
    );
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let log = repo.git(&["log", "--format=%s", "refs/aos/ws/w"]);
    assert!(log.contains("T1 review -> backoff"), "{log}");
    assert!(log.contains("T1 review -> approve"), "{log}");
}

#[test]
fn reviewers_without_a_verdict_go_to_the_next_and_then_halt_without_failing_the_task() {
    let repo = Repo::new();
    let dev = Agent {
        name: "dev",
        adapter: "claude",
        scenario: DONE,
        env: "",
    };
    // One reviewer crashes, the other answers without a verdict.
    let crash = Agent {
        name: "crash",
        adapter: "claude",
        scenario: "emit crash_midway\n",
        env: "",
    };
    let mute = Agent {
        name: "mute",
        adapter: "codex",
        scenario: "emit success I looked and liked it\n",
        env: "",
    };
    setup(
        &repo,
        &[dev, crash, mute],
        "implement = \"dev\"\nreview = [\"crash\", \"mute\"]",
        "autonomous",
    );
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("no reviewer gave a verdict"), "{err}");
    assert!(err.contains("`crash`") && err.contains("`mute`"), "{err}");
    let tasks = repo.git(&["show", "refs/aos/ws/w:tasks.toml"]);
    assert!(!tasks.contains("status = \"failed\""), "{tasks}");
    assert_eq!(run_record(&repo)["status"].as_str(), Some("halted"));
    // The work is kept: the task's worktree still has T1.txt.
    let run = run_record(&repo);
    let worktree = run["worktree"]
        .as_str()
        .map_or_else(|| repo.worktree("w"), std::path::PathBuf::from);
    assert!(worktree.join("T1.txt").is_file(), "{}", worktree.display());
}
