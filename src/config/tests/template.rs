//! The `git aos init` template loads back as what was answered.

use super::*;

#[test]
fn the_template_round_trips() {
    let answers = InitAnswers {
        base: "trunk".into(),
        test: Some("cargo test --workspace".into()),
        agents: vec![
            ("claude".into(), Adapter::Claude),
            ("codex".into(), Adapter::Codex),
            ("aider".into(), Adapter::Command),
        ],
        implement: vec!["codex".into(), "claude".into()],
        review: Some("claude".into()),
    };
    let text = render_initial(&answers);
    let config = load(&text);
    assert_eq!(config.project.base.as_deref(), Some("trunk"));
    assert_eq!(
        config.project.test.as_deref(),
        Some("cargo test --workspace")
    );
    assert_eq!(
        config.agent("aider").map(|a| a.command.clone()).ok(),
        Some(vec![
            "aider".into(),
            "--prompt-file".into(),
            "{prompt_file}".into()
        ])
    );
    assert_eq!(
        config.agent("codex").map(|a| a.adapter).ok(),
        Some(Adapter::Codex)
    );
    assert_eq!(config.role_agents(Role::Implement), vec!["codex", "claude"]);
    assert_eq!(config.role_agents(Role::Review), vec!["claude"]);
    assert_eq!(
        config.profile("default").expect("default"),
        ResolvedProfile::builtin("default")
    );
    assert_eq!(config.profile("tdd").map(|p| p.stages.len()).ok(), Some(8));
    assert_eq!(config.secrets, Secrets::default());
}

#[test]
fn the_bare_template_round_trips() {
    let answers = InitAnswers {
        base: "main".into(),
        test: None,
        agents: vec![],
        implement: vec![],
        review: None,
    };
    let text = render_initial(&answers);
    assert!(text.contains("# test = "), "{text}");
    let config = load(&text);
    assert_eq!(config.project.test, None);
    assert_eq!(config.role_agents(Role::Implement), vec!["shell"]);
}

#[test]
fn values_are_quoted_for_toml() {
    let answers = InitAnswers {
        base: "feature/\"x\"".into(),
        test: Some("pytest -k 'a\\b'".into()),
        agents: vec![("shell".into(), Adapter::Shell)],
        implement: vec!["shell".into()],
        review: None,
    };
    let config = load(&render_initial(&answers));
    assert_eq!(config.project.base.as_deref(), Some("feature/\"x\""));
    assert_eq!(config.project.test.as_deref(), Some("pytest -k 'a\\b'"));
}
