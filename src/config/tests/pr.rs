//! `[pr]`: the forge tool, the remote and the timeout of forge calls.

use super::*;

#[test]
fn pr_defaults_leave_the_choice_to_the_remote() {
    let cfg = load("");
    assert_eq!(cfg.pr, Pr::default());
    assert_eq!(cfg.pr.timeout, DEFAULT_PR_TIMEOUT);
    let cfg = load("[pr]\ntool = \"glab\"\nremote = \"upstream\"\ntimeout = \"30s\"\n");
    assert_eq!(cfg.pr.tool.as_deref(), Some("glab"));
    assert_eq!(cfg.pr.remote.as_deref(), Some("upstream"));
    assert_eq!(cfg.pr.timeout, Duration::from_secs(30));
}

#[test]
fn a_pr_tool_other_than_gh_or_glab_names_the_line() {
    let (message, hint) = error("[pr]\n\ntool = \"hub\"\n");
    assert_eq!(message, "aos.toml:3: `pr.tool` is `hub`");
    assert!(hint.is_some_and(|h| h.contains("\"glab\"")));
    let (message, _) = error("[pr]\ntimeout = \"soon\"\n");
    assert_eq!(
        message,
        "aos.toml:2: `pr.timeout`: `soon` is not a duration"
    );
    let (message, _) = error("[pr]\nforge = \"gh\"\n");
    assert_eq!(message, "aos.toml:2: unknown key `forge` in `[pr]`");
}

#[test]
fn git_config_sets_the_pr_tool() {
    let overrides = vec![("aos.pr.tool".to_owned(), "gh".to_owned())];
    let cfg = Config::parse("", &overrides).unwrap();
    assert_eq!(cfg.pr.tool.as_deref(), Some("gh"));
}
