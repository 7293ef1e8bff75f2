//! End to end beyond the per-task review: the test-first profile and project directives
//! here, planning from a brief in `beyond/planning.rs`, user acceptance and the final
//! review in `beyond/closing.rs`. Agents are the fake claude CLI driven by scenarios.

#[path = "beyond/closing.rs"]
mod closing;
mod common;
#[path = "beyond/planning.rs"]
mod planning;

use common::{Repo, stderr};

/// Scenario of each fake agent (sections `---` serve successive calls).
#[derive(Default)]
pub struct Agents<'a> {
    pub planner: &'a str,
    pub implement: &'a str,
    pub review: &'a str,
    pub tests: &'a str,
}

/// Writes `aos.toml` (every role a fake claude agent, notifications off, `extra` appended)
/// and commits it with `files`.
pub fn setup(repo: &Repo, extra: &str, agents: &Agents<'_>, files: &[(&str, &str)]) {
    let dir = repo.agent_io();
    let calls = dir.join("calls.jsonl");
    let mut toml = format!("[project]\nbase = \"main\"\n{}\n", repo.allow_agent_io());
    for (agent, scenario) in [
        ("planner", agents.planner),
        ("claude", agents.implement),
        ("critic", agents.review),
        ("tester", agents.tests),
    ] {
        let file = dir.join(format!("{agent}.txt"));
        std::fs::write(&file, scenario).unwrap();
        toml.push_str(&format!(
            "[agents.{agent}]\nadapter = \"claude\"\nenv = {{ FAKE_AGENT_SCENARIO = \"{}\", FAKE_AGENT_RECORD = \"{}\" }}\n\n",
            file.display(),
            calls.display()
        ));
    }
    toml.push_str(
        "[roles]\nimplement = [\"claude\"]\nreview = \"critic\"\nplan = \"planner\"\ntests = \"tester\"\n\n[notify]\ndesktop = false\n\n",
    );
    toml.push_str(extra);
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    for (path, text) in files {
        std::fs::write(repo.path(path), text).unwrap();
    }
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "aos"]);
}

/// Returns the prompts (stdin) of every recorded call of the given role.
pub fn prompts(repo: &Repo, role: &str) -> Vec<String> {
    let text = std::fs::read_to_string(repo.agent_io().join("calls.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["env"]["AOS_ROLE"].as_str() == Some(role))
        .map(|v| v["stdin"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Returns `status --json` of a workstream.
pub fn status(repo: &Repo, name: &str) -> serde_json::Value {
    serde_json::from_str(&repo.aos_ok(&["status", name, "--json"])).unwrap()
}

/// Returns the ids and statuses of a workstream's tasks.
pub fn tasks(repo: &Repo, name: &str) -> Vec<(String, String)> {
    status(repo, name)["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().into(),
                t["status"].as_str().unwrap().into(),
            )
        })
        .collect()
}

/// Implements any task: writes `<task>.txt`.
pub const IMPLEMENT: &str = "write ${AOS_TASK}.txt made by ${AOS_AGENT}\\n\nresult {\"status\":\"done\",\"summary\":\"wrote the file\"}\nemit success done\n";
/// Approves anything.
pub const APPROVE: &str = "emit success ok\\n```aos-review\\n{\"verdict\":\"approve\",\"summary\":\"fine\",\"comments\":[]}\\n```\n";
/// A done result that says nothing.
pub const PLANNED: &str =
    "result {\"status\":\"done\",\"summary\":\"planned\"}\nemit success planned\n";
/// Autonomous default profile.
pub const AUTONOMOUS: &str = "[profiles.default]\nautonomy = \"autonomous\"\n";

const TDD: &str = "[profiles.default]\nautonomy = \"autonomous\"\n\n[profiles.tdd]\nextends = \"default\"\nstages = [\"tests\", \"red\", \"implement\", \"test\", \"review\", \"qa\", \"human\", \"commit\"]\n";

#[test]
fn test_first_refuses_tests_that_pass_early_and_edits_to_them_later() {
    let repo = Repo::new();
    let tests = format!(
        "write tests/check.sh true\\n\n{PLANNED}---\nwrite tests/check.sh test -f T1.txt\\n\n{PLANNED}"
    );
    let implement = format!(
        "write T1.txt hi\\n\nwrite tests/check.sh true\\n\n{PLANNED}---\nwrite tests/check.sh test -f T1.txt\\n\n{PLANNED}"
    );
    let agents = Agents {
        implement: &implement,
        review: APPROVE,
        tests: &tests,
        ..Agents::default()
    };
    let plan = "# Plan: t\n\n### [ ] T1: Greet\n\n#### Acceptance\n- `sh tests/check.sh`\n";
    setup(&repo, TDD, &agents, &[("plan.md", plan)]);
    repo.aos_ok(&["new", "w", "--plan", "plan.md", "--profile", "tdd"]);
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let tester = prompts(&repo, "tests");
    assert_eq!(tester.len(), 2, "the first tests passed on unchanged code");
    assert!(
        tester[0].contains("before it is implemented"),
        "{}",
        tester[0]
    );
    assert!(
        tester[1].contains("The new tests pass on unchanged code"),
        "{}",
        tester[1]
    );
    let implementer = prompts(&repo, "implement");
    assert_eq!(implementer.len(), 2, "QA refused the edited test");
    assert!(
        implementer[1]
            .contains("`tests/check.sh` was written by the tests stage and changed since"),
        "{}",
        implementer[1]
    );
    let history = repo.git(&["log", "--format=%s", "refs/aos/ws/w"]);
    assert!(history.contains("T1 red -> retry"), "{history}");
    assert!(
        history.contains("T1 red -> failing as expected"),
        "{history}"
    );
    let committed = repo.git(&["show", "aos/w:tests/check.sh"]);
    assert_eq!(committed.trim(), "test -f T1.txt");
}

#[test]
fn status_shows_the_project_directives() {
    let repo = Repo::new();
    let agents = Agents::default();
    setup(
        &repo,
        AUTONOMOUS,
        &agents,
        &[("AGENTS.md", "# Rules\n\nNo unwrap.\n")],
    );
    let toml = std::fs::read_to_string(repo.path("aos.toml")).unwrap();
    let toml = toml.replace(
        "base = \"main\"\n",
        "base = \"main\"\ndirectives = [\"Use tabs.\"]\n",
    );
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    repo.aos_ok(&["new", "w"]);
    let s = status(&repo, "w");
    assert_eq!(s["directives"][0], "Use tabs.");
    assert_eq!(s["directives"][1], "# Rules\n\nNo unwrap.");
    let human = repo.aos_ok(&["status", "w"]);
    assert!(human.contains("directives Use tabs."), "{human}");
    assert!(human.contains("# Rules  (+2 lines)"), "{human}");
}
