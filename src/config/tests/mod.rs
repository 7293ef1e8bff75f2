//! Loading `aos.toml`: defaults, the DESIGN example, and every error with its line.

use std::path::Path;
use std::time::Duration;

use super::*;

mod errors;
mod overrides;
mod pr;
mod profiles;
mod template;

/// Returns the error's message and hint for `text`.
fn error(text: &str) -> (String, Option<String>) {
    error_with(text, &[])
}

/// Returns the error's message and hint for `text` with git config `overrides`.
fn error_with(text: &str, overrides: &[(&str, &str)]) -> (String, Option<String>) {
    let overrides: Vec<(String, String)> = overrides
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    match Config::parse(text, &overrides) {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(e) => (e.to_string(), e.hint()),
    }
}

/// Returns the configuration `text` describes, or panics with the error.
fn load(text: &str) -> Config {
    Config::parse(text, &[]).unwrap_or_else(|e| panic!("{e} ({:?})", e.hint()))
}

const DESIGN_EXAMPLE: &str = r#"
[project]
base = "main"
test = "cargo test"              # TEST stage and merge gate
setup = ["cp .env.example .env"] # run once in each new worktree
worktrees = "../{repo}.aos"      # where worktrees go ({repo} = repo dir name)

[agents.claude]
adapter = "claude"               # claude | codex | command | shell
timeout = "20m"
[agents.codex]
adapter = "codex"
[agents.mine]
adapter = "command"
command = ["my-agent", "--prompt-file", "{prompt_file}"]

[roles]
implement = ["codex", "claude"]  # primary first; fallbacks alternate on retry
review = "claude"
plan = "claude"
tests = "claude"

[profiles.default]
stages = ["implement", "test", "review", "qa", "human", "commit"]
max_attempts = 3
max_parallel = 3
autonomy = "gatekeeper"          # supervised | gatekeeper | autonomous

[profiles.tdd]
extends = "default"
stages = ["tests", "red", "implement", "test", "review", "qa", "human", "commit"]

[notify]
desktop = true                   # freedesktop notification when one can be shown
command = ""                     # run with AOS_EVENT, AOS_WORKSTREAM, AOS_MESSAGE set

[secrets]
env = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"]
"#;

#[test]
fn a_missing_file_is_all_defaults() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config::load(&dir.path().join(FILE_NAME), &[]).expect("defaults");
    assert_eq!(config, Config::default());
    assert_eq!(load(""), Config::default());
    assert_eq!(config.role_agents(Role::Implement), vec!["shell"]);
    assert!(
        config.role_agents(Role::Review).is_empty(),
        "no reviewer unless configured"
    );
    assert_eq!(
        config.agent("shell").map(|a| a.adapter).ok(),
        Some(Adapter::Shell)
    );
    let profile = config.profile(DEFAULT_PROFILE).expect("default profile");
    assert_eq!(
        profile.stages,
        vec![
            Stage::Implement,
            Stage::Test,
            Stage::Review,
            Stage::Qa,
            Stage::Human,
            Stage::Commit
        ]
    );
    assert_eq!(
        (profile.max_attempts, profile.max_parallel, profile.autonomy),
        (3, 3, Autonomy::Gatekeeper)
    );
    assert_eq!(config.project.log_cap, 256 * 1024);
    assert_eq!(config.project.worktrees, "../{repo}.aos");
    assert!(config.notify.desktop);
    assert_eq!(config.secrets.env_files, vec![".env"]);
    assert!(!config.uat.enabled);
}

#[test]
fn an_unreadable_file_is_a_read_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = Config::load(dir.path(), &[]).expect_err("a directory is not a file");
    assert!(matches!(err, Error::Read { .. }), "{err:?}");
}

#[test]
fn the_design_example_loads() {
    let config = load(DESIGN_EXAMPLE);
    assert_eq!(config.project.base.as_deref(), Some("main"));
    assert_eq!(config.project.setup, vec!["cp .env.example .env"]);
    assert_eq!(config.role_agents(Role::Implement), vec!["codex", "claude"]);
    assert_eq!(config.role_agents(Role::Tests), vec!["claude"]);
    assert_eq!(config.agent("mine").map(|a| a.command.len()).ok(), Some(3));
    assert_eq!(
        config.agent("claude").map(|a| a.timeout).ok(),
        Some(Duration::from_secs(1200))
    );
    assert_eq!(
        config.agent("codex").map(|a| a.idle_timeout).ok(),
        Some(DEFAULT_IDLE_TIMEOUT)
    );
    assert!(
        config.agents.contains_key("shell"),
        "the built-in agent stays"
    );
    assert_eq!(config.notify.command, None);
    let tdd = config.profile("tdd").expect("tdd");
    assert_eq!(tdd.stages.first(), Some(&Stage::Tests));
    assert_eq!(tdd.stages.len(), 8);
    assert_eq!((tdd.max_attempts, tdd.autonomy), (3, Autonomy::Gatekeeper));
    assert_eq!(config.profile_names(), vec!["default", "tdd"]);
}

#[test]
fn optional_values_take_their_forms() {
    let config = load(
        "[project]\nlog_cap = 1000\ndirectives = \"be brief\"\ndelete_branch_on_merge = true\nquick_check = \"cargo check\"\n\
         [agents.claude]\nmodel = \"opus\"\nmax_parallel = 2\nenv = { A = \"1\" }\nargs = [\"--verbose\"]\n\
         [uat]\nscenarios = [\"log in\"]\n[secrets]\nenv = \"TOKEN\"\nenv_files = []\n",
    );
    assert_eq!(config.project.log_cap, 1000);
    assert_eq!(config.project.directives, vec!["be brief"]);
    assert!(config.project.delete_branch_on_merge);
    assert_eq!(config.project.quick_check.as_deref(), Some("cargo check"));
    let claude = config.agent("claude").expect("claude");
    assert_eq!(
        claude.adapter,
        Adapter::Claude,
        "the name stands in for a missing adapter"
    );
    assert_eq!(
        (claude.model.as_deref(), claude.max_parallel),
        (Some("opus"), Some(2))
    );
    assert_eq!(claude.env.get("A").map(String::as_str), Some("1"));
    assert_eq!(claude.args, vec!["--verbose"]);
    assert!(config.uat.enabled, "a [uat] table turns UAT on");
    assert_eq!(config.secrets.env_files, Vec::<String>::new());
    assert_eq!(
        config.secret_env_names(),
        vec!["TOKEN", "ANTHROPIC_API_KEY", "OPENAI_API_KEY"]
    );
    assert_eq!(
        load("[project]\nlog_cap = \"1MiB\"\n").project.log_cap,
        1 << 20
    );
}

#[test]
fn unset_roles_fall_back_to_implement_then_shell() {
    let config =
        load("[agents.claude]\n[agents.codex]\n[roles]\nimplement = [\"codex\", \"claude\"]\n");
    assert!(
        config.role_agents(Role::Review).is_empty(),
        "no reviewer unless configured"
    );
    assert_eq!(config.role_agents(Role::Plan), vec!["codex", "claude"]);
    let config = load("[agents.claude]\n");
    assert_eq!(config.role_agents(Role::Implement), vec!["shell"]);
}

#[test]
fn worktree_root_substitutes_and_resolves() {
    let root = Path::new("/src/app");
    assert_eq!(
        Config::default().worktree_root(root),
        Path::new("/src/app.aos")
    );
    let config = load("[project]\nworktrees = \".aos/trees\"\n");
    assert_eq!(config.worktree_root(root), Path::new("/src/app/.aos/trees"));
    let config = load("[project]\nworktrees = \"/tmp/{repo}/./wt\"\n");
    assert_eq!(config.worktree_root(root), Path::new("/tmp/app/wt"));
}

#[test]
fn lookups_of_undefined_names_list_the_defined_ones() {
    let config = load(DESIGN_EXAMPLE);
    let err = config.profile("fast").expect_err("no such profile");
    assert_eq!(err.to_string(), "profile `fast` is not defined");
    assert_eq!(
        err.hint().as_deref(),
        Some("defined profiles: `default`, `tdd`")
    );
    let err = config.agent("gpt").expect_err("no such agent");
    assert_eq!(
        err.hint().as_deref(),
        Some("defined agents: `claude`, `codex`, `mine`, `shell`")
    );
}

#[test]
fn an_agent_config_becomes_the_spec_the_agent_layer_runs() {
    let config = load(
        "[agents.mine]\nadapter = \"command\"\ncommand = [\"my-agent\", \"{prompt_file}\"]\n\
         args = [\"--fast\"]\nenv = { A = \"1\" }\ntimeout = \"90s\"\nidle_timeout = \"30s\"\n\
         model = \"m1\"\nmax_parallel = 2\n",
    );
    let spec = config.agent("mine").expect("mine").spec();
    assert_eq!(spec.name, "mine");
    assert_eq!(spec.adapter, crate::agent::Adapter::Command);
    assert_eq!(spec.command, ["my-agent", "{prompt_file}"]);
    assert_eq!(spec.args, ["--fast"]);
    assert_eq!(spec.env.get("A").map(String::as_str), Some("1"));
    assert_eq!(
        (spec.timeout, spec.idle_timeout),
        (Duration::from_secs(90), Duration::from_secs(30))
    );
    assert_eq!(spec.model.as_deref(), Some("m1"));
}
