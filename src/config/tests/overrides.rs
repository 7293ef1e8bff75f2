//! Git config `aos.*` overrides applied on top of `aos.toml`.

use super::*;

fn with(text: &str, overrides: &[(&str, &str)]) -> Config {
    let overrides: Vec<(String, String)> = overrides
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::parse(text, &overrides).unwrap_or_else(|e| panic!("{e} ({:?})", e.hint()))
}

#[test]
fn overrides_replace_and_add_values() {
    let config = with(
        DESIGN_EXAMPLE,
        &[
            ("aos.project.test", "make check"),
            ("aos.agents.claude.timeout", "5m"),
            ("aos.profiles.default.max_attempts", "5"),
            ("aos.profiles.tdd.autonomy", "autonomous"),
            ("aos.notify.desktop", "false"),
            ("aos.project.setup", "[\"make deps\", \"make db\"]"),
        ],
    );
    assert_eq!(config.project.test.as_deref(), Some("make check"));
    assert_eq!(
        config.agent("claude").map(|a| a.timeout).ok(),
        Some(Duration::from_secs(300))
    );
    assert_eq!(
        config.profile("default").map(|p| p.max_attempts).ok(),
        Some(5)
    );
    let tdd = config.profile("tdd").expect("tdd");
    assert_eq!(
        (tdd.max_attempts, tdd.autonomy),
        (5, Autonomy::Autonomous),
        "tdd inherits the override"
    );
    assert!(!config.notify.desktop);
    assert_eq!(config.project.setup, vec!["make deps", "make db"]);
}

#[test]
fn overrides_use_git_spelling_of_keys() {
    let config = with(
        "",
        &[
            ("aos.profiles.default.maxattempts", "4"),
            ("aos.project.delete-branch-on-merge", "true"),
            ("aos.agents.Mine.adapter", "command"),
            ("aos.agents.Mine.command", "[\"mine\", \"{prompt_file}\"]"),
            ("aos.agents.Mine.idletimeout", "1m"),
            ("aos.roles.implement", "Mine"),
        ],
    );
    assert_eq!(
        config.profile("default").map(|p| p.max_attempts).ok(),
        Some(4)
    );
    assert!(config.project.delete_branch_on_merge);
    assert_eq!(
        config.agent("Mine").map(|a| a.idle_timeout).ok(),
        Some(Duration::from_secs(60))
    );
    assert_eq!(config.role_agents(Role::Implement), vec!["Mine"]);
}

#[test]
fn later_overrides_win() {
    let config = with(
        "[project]\ntest = \"a\"\n",
        &[("aos.project.test", "b"), ("aos.project.test", "c")],
    );
    assert_eq!(config.project.test.as_deref(), Some("c"));
}

#[test]
fn override_errors_name_the_git_config_key() {
    let (message, hint) = error_with("", &[("aos.project.tset", "make check")]);
    assert_eq!(
        message,
        "git config `aos.project.tset`: unknown key `tset` in `[project]`"
    );
    assert!(hint.is_some_and(|h| h.contains("`test`")));
    let (message, _) = error_with("", &[("aos.porject.test", "x")]);
    assert_eq!(
        message,
        "git config `aos.porject.test`: unknown section `[porject]`"
    );
    let (message, _) = error_with(
        DESIGN_EXAMPLE,
        &[("aos.profiles.default.maxattempts", "many")],
    );
    assert_eq!(
        message,
        "git config `aos.profiles.default.maxattempts`: `profiles.default.max_attempts`: invalid type: string \"many\", expected a whole number"
    );
    let (message, _) = error_with(DESIGN_EXAMPLE, &[("aos.roles.review", "cluade")]);
    assert_eq!(
        message,
        "git config `aos.roles.review`: `roles.review` names agent `cluade`, which is not defined in `[agents]`"
    );
    let (message, _) = error_with(DESIGN_EXAMPLE, &[("aos.agents.claude.timeout", "soon")]);
    assert_eq!(
        message,
        "git config `aos.agents.claude.timeout`: `agents.claude.timeout`: `soon` is not a duration"
    );
    let (message, _) = error_with(DESIGN_EXAMPLE, &[("aos.project.test.fast", "x")]);
    assert_eq!(
        message,
        "git config `aos.project.test.fast`: `project.test` in `aos.toml` is not a table"
    );
    let (message, _) = error_with("", &[("aos.current", "x")]);
    assert_eq!(
        message,
        "git config `aos.current`: does not name a key of `aos.toml`"
    );
}

#[test]
fn file_errors_still_name_the_file_next_to_overrides() {
    let (message, _) = error_with("[project]\n\ntset = 1\n", &[("aos.project.test", "make")]);
    assert_eq!(message, "aos.toml:3: unknown key `tset` in `[project]`");
}

#[test]
fn an_agents_env_takes_any_variable_name() {
    let config = with(
        "[agents.codex]\nenv = { A = \"1\" }\n",
        &[("aos.agents.codex.env.B", "2")],
    );
    let env = &config.agent("codex").expect("codex").env;
    assert_eq!(
        (
            env.get("A").map(String::as_str),
            env.get("B").map(String::as_str)
        ),
        (Some("1"), Some("2"))
    );
}

#[test]
fn the_claim_expiry_comes_from_remote_or_git_config() {
    assert_eq!(with("", &[]).remote.claim_expiry, DEFAULT_CLAIM_EXPIRY);
    let config = with("[remote]\nclaim_expiry = \"90s\"\n", &[]);
    assert_eq!(config.remote.claim_expiry, Duration::from_secs(90));
    let config = with("", &[("aos.remote.claimexpiry", "3s")]);
    assert_eq!(config.remote.claim_expiry, Duration::from_secs(3));
}
