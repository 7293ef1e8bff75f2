//! Every error `aos.toml` can produce names the key and the line.

use std::time::Duration;

use super::*;

#[test]
fn unknown_keys_name_the_table_and_line() {
    let (message, hint) = error("[agents.claude]\nadapter = \"claude\"\ntmeout = \"5m\"\n");
    assert_eq!(
        message,
        "aos.toml:3: unknown key `tmeout` in `[agents.claude]`"
    );
    let hint = hint.expect("hint");
    assert!(
        hint.starts_with("valid keys in `[agents.claude]`: `adapter`, `command`"),
        "{hint}"
    );
    assert!(hint.contains("`timeout`"), "{hint}");

    let (message, hint) = error("[project]\nbase = \"main\"\n\n[proect]\ntest = \"x\"\n");
    assert_eq!(message, "aos.toml:4: unknown section `[proect]`");
    assert!(hint.is_some_and(|h| h.contains("`[project]`")));

    let (message, _) = error("[profiles.tdd]\nextends = \"default\"\nmax_attempt = 2\n");
    assert_eq!(
        message,
        "aos.toml:3: unknown key `max_attempt` in `[profiles.tdd]`"
    );
}

#[test]
fn wrong_types_name_the_key_and_line() {
    let (message, _) =
        error("[project]\nbase = \"main\"\n\n[profiles.default]\nmax_attempts = \"three\"\n");
    assert_eq!(
        message,
        "aos.toml:5: `profiles.default.max_attempts`: invalid type: string \"three\", expected a whole number"
    );
    let (message, _) = error("[notify]\ndesktop = \"yes\"\n");
    assert_eq!(
        message,
        "aos.toml:2: `notify.desktop`: invalid type: string \"yes\", expected a boolean"
    );
    let (message, _) = error("[project]\nsetup = [\n  \"a\",\n  3,\n]\n");
    assert_eq!(
        message,
        "aos.toml:4: `project.setup`: invalid type: integer `3`, expected a string"
    );
    let (message, _) = error("uat = 1\n");
    assert_eq!(
        message,
        "aos.toml:1: `uat`: invalid type: integer `1`, expected a table"
    );
}

#[test]
fn syntax_errors_name_the_line() {
    let (message, _) = error("[project]\ntest = cargo test\n");
    assert!(
        message.starts_with("aos.toml:2: invalid TOML: "),
        "{message}"
    );
}

#[test]
fn roles_must_name_defined_agents() {
    let text = "[agents.claude]\n[agents.codex]\n\n[roles]\nimplement = [\n  \"codex\",\n  \"cluade\",\n]\nreview = \"claude\"\n";
    let (message, hint) = error(text);
    assert_eq!(
        message,
        "aos.toml:7: `roles.implement` names agent `cluade`, which is not defined in `[agents]`"
    );
    assert_eq!(
        hint.as_deref(),
        Some("defined agents: `claude`, `codex`, `shell`")
    );

    let (message, _) = error("[agents.claude]\n[roles]\nreview = \"cluade\"\n");
    assert_eq!(
        message,
        "aos.toml:3: `roles.review` names agent `cluade`, which is not defined in `[agents]`"
    );
    let (message, _) = error("[roles]\nplan = []\n");
    assert_eq!(message, "aos.toml:2: `roles.plan` names no agent");
}

#[test]
fn agents_need_a_known_adapter() {
    let (message, hint) = error("[agents.claude]\nadapter = \"cladue\"\n");
    assert_eq!(
        message,
        "aos.toml:2: `agents.claude.adapter` is `cladue`, which is not an adapter"
    );
    assert_eq!(
        hint.as_deref(),
        Some("adapters: `claude`, `codex`, `command`, `shell`")
    );
    let (message, _) = error("\n[agents.mine]\ntimeout = \"5m\"\n");
    assert_eq!(message, "aos.toml:2: `[agents.mine]` has no `adapter`");
    let (message, hint) = error("[agents.mine]\nadapter = \"command\"\n");
    assert_eq!(
        message,
        "aos.toml:1: `[agents.mine]` uses the `command` adapter but has no `command`"
    );
    assert!(hint.is_some_and(|h| h.contains("{prompt_file}")));
    let (message, _) = error("[agents.mine]\nadapter = \"command\"\ncommand = []\n");
    assert_eq!(
        message,
        "aos.toml:1: `[agents.mine]` uses the `command` adapter but has no `command`"
    );
    let (message, _) = error("[agents.sh]\nadapter = \"shell\"\ncommand = [\"x\"]\n");
    assert_eq!(
        message,
        "aos.toml:1: `[agents.sh]` uses the built-in `shell` adapter, which takes no `command`"
    );
    let (message, _) = error("[agents.\"a.b\"]\nadapter = \"codex\"\n");
    assert_eq!(
        message,
        "aos.toml:1: agent name `a.b` has characters other than letters, digits, `_` and `-`"
    );
    let (message, _) = error("[agents.codex]\nmax_parallel = 0\n");
    assert_eq!(
        message,
        "aos.toml:2: `agents.codex.max_parallel` must be at least 1"
    );
}

#[test]
fn bad_durations_name_the_key() {
    let (message, hint) = error("[agents.claude]\nadapter = \"claude\"\ntimeout = \"twenty\"\n");
    assert_eq!(
        message,
        "aos.toml:3: `agents.claude.timeout`: `twenty` is not a duration"
    );
    assert_eq!(
        hint.as_deref(),
        Some("write a duration like `90s`, `20m` or `1h 30m`")
    );
    let (message, _) = error("[agents.claude]\nidle_timeout = \"0s\"\n");
    assert_eq!(
        message,
        "aos.toml:2: `agents.claude.idle_timeout`: `0s` is not a positive duration"
    );
    let config = load("[agents.claude]\ntimeout = \"1h 30m\"\nidle_timeout = \"90s\"\n");
    let claude = config.agent("claude").expect("claude");
    assert_eq!(
        (claude.timeout, claude.idle_timeout),
        (Duration::from_secs(5400), Duration::from_secs(90))
    );
}

#[test]
fn bad_project_values_name_the_key() {
    let (message, _) = error("[project]\nlog_cap = \"lots\"\n");
    assert_eq!(
        message,
        "aos.toml:2: `project.log_cap`: `lots` is not a size"
    );
    let (message, _) = error("[project]\nlog_cap = -1\n");
    assert_eq!(message, "aos.toml:2: `project.log_cap`: `-1` is not a size");
    let (message, _) = error("[project]\nworktrees = \"../{name}.aos\"\n");
    assert_eq!(
        message,
        "aos.toml:2: `project.worktrees` has unknown placeholder `{name}`; only `{repo}` is known"
    );
}

#[test]
fn a_bad_claim_expiry_names_the_key_and_line() {
    let (message, hint) = error("[remote]\nclaim_expiry = \"soon\"\n");
    assert_eq!(
        message,
        "aos.toml:2: `remote.claim_expiry`: `soon` is not a duration"
    );
    assert!(hint.is_some_and(|h| h.contains("5m")));
}
