//! Every refusal of `git aos pr`: it says what and how to fix it, exits 1, and leaves
//! the remote, the forge and the state as they were.

use std::os::unix::fs::symlink;

use serde_json::json;

use super::{Host, World, err};

/// Runs `git aos pr w …`, asserts it is refused with `message` and a hint, and that it
/// pushed, opened and recorded nothing.
fn refused(world: &World, args: &[&str], message: &str) -> String {
    let refs = world.repo.refs();
    let requests = world.forge()["requests"].clone();
    let out = world.aos(args);
    let text = err(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(message), "{message:?} not in\n{text}");
    assert!(text.contains("hint: "), "{text}");
    assert_eq!(world.repo.refs(), refs, "a refusal changed refs");
    assert_eq!(
        world.forge()["requests"],
        requests,
        "a refusal changed the forge"
    );
    assert_eq!(world.remote_tip("aos/w"), None, "a refusal pushed");
    text
}

#[test]
fn open_gates_are_refused_unless_draft() {
    let world = World::new(
        Host::GitHub,
        "[profiles.default]\nautonomy = \"autonomous\"\n\n[uat]\n",
    );
    assert_eq!(world.aos(&["run", "w"]).status.code(), Some(3));
    let text = refused(
        &world,
        &["pr", "w"],
        "error: `w` is not ready for review: user acceptance u1 waits for a verdict",
    );
    assert!(
        text.contains("hint: `git aos pr w --draft` opens it as a draft now"),
        "{text}"
    );
    // Tasks still to do count too.
    let world = World::new(
        Host::GitHub,
        "[profiles.default]\nautonomy = \"autonomous\"\n",
    );
    world.ok(&["run", "w", "--once"]);
    refused(
        &world,
        &["pr", "w"],
        "not ready for review: 1 of 2 tasks not done",
    );
    assert!(world.ok(&["pr", "w", "--draft"]).contains("/pull/1"));
}

#[test]
fn a_missing_tool_is_refused_with_where_to_get_it() {
    let world = World::complete(Host::GitHub);
    // A PATH with git and git-aos, and no gh.
    let bin = world.repo.tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let git = String::from_utf8(
        world
            .repo
            .cmd_in(&world.repo.root, "sh", &["-c", "command -v git"])
            .stdout,
    )
    .unwrap();
    symlink(git.trim(), bin.join("git")).unwrap();
    symlink(env!("CARGO_BIN_EXE_git-aos"), bin.join("git-aos")).unwrap();
    let refs = world.repo.refs();
    let out = world.aos_with_path(&["pr", "w"], bin.to_str().unwrap());
    let text = err(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: `gh` is not installed (it is not on PATH)"),
        "{text}"
    );
    assert!(
        text.contains("hint: install GitHub CLI (https://cli.github.com), then `gh auth login`"),
        "{text}"
    );
    assert_eq!(world.repo.refs(), refs);
    assert_eq!(world.remote_tip("aos/w"), None);
}

#[test]
fn a_tool_that_is_not_logged_in_is_refused_on_both_forges() {
    for (host, tool, login) in [
        (Host::GitHub, "gh", "gh auth login --hostname github.com"),
        (
            Host::GitLab,
            "glab",
            "glab auth login --hostname gitlab.com",
        ),
    ] {
        let world = World::complete(host);
        let mut forge = world.forge();
        forge["auth"] = json!(false);
        world.write_forge(&forge);
        let text = refused(&world, &["pr", "w"], "is not logged in to");
        assert!(
            text.contains(&format!("error: `{tool}` is not logged in to")),
            "{text}"
        );
        assert!(text.contains(&format!("hint: run `{login}`")), "{text}");
    }
}

#[test]
fn a_workstream_with_nothing_to_propose_is_refused() {
    let world = World::new(Host::GitHub, "");
    refused(
        &world,
        &["pr", "w", "--draft"],
        "`aos/w` has no commits beyond `main` yet",
    );
}

#[test]
fn a_host_no_rule_knows_is_refused_until_pr_tool_names_one() {
    let world = World::with_remote(
        "git.example.org",
        "https://git.example.org/acme/widgets.git",
        "[profiles.default]\nautonomy = \"autonomous\"\n",
    );
    world.ok(&["run", "w"]);
    let text = refused(
        &world,
        &["pr", "w"],
        "cannot tell which forge serves `git.example.org` (remote `origin`)",
    );
    assert!(text.contains("`[pr] tool = \"gh\"`"), "{text}");
    world.repo.git(&["config", "aos.pr.tool", "gh"]);
    assert_eq!(
        world.ok(&["pr", "w"]).trim(),
        "https://git.example.org/acme/widgets/pull/1"
    );
}

#[test]
fn remotes_that_cannot_carry_a_request_are_refused() {
    let world = World::complete(Host::GitHub);
    refused(
        &world,
        &["pr", "w", "--remote", "upstream"],
        "no remote named `upstream`",
    );
    let out = world.aos(&["pr", "w", "--remote", "git@x:y"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(err(&out).contains("invalid remote name"), "{}", err(&out));
    let local = world.repo.tmp.path().join("local.git");
    world
        .repo
        .git(&["init", "-q", "--bare", local.to_str().unwrap()]);
    world
        .repo
        .git(&["remote", "add", "local", local.to_str().unwrap()]);
    refused(
        &world,
        &["pr", "w", "--remote", "local"],
        "which names no forge project",
    );
    let out = world.aos(&["pr", "w", "--base", "main..x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(err(&out).contains("is not a branch name"), "{}", err(&out));
}

#[test]
fn a_request_closed_on_the_forge_is_neither_reopened_nor_duplicated() {
    let world = World::complete(Host::GitHub);
    world.ok(&["pr", "w"]);
    world.on_request(1, |r| r["state"] = json!("closed"));
    let state = world.repo.git(&["rev-parse", "refs/aos/ws/w"]);
    let out = world.aos(&["pr", "w"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err(&out).contains("#1 of `w` was closed on the forge"),
        "{}",
        err(&out)
    );
    assert!(err(&out).contains("hint: reopen it there"), "{}", err(&out));
    assert_eq!(world.repo.git(&["rev-parse", "refs/aos/ws/w"]), state);
    assert_eq!(world.forge()["requests"].as_array().unwrap().len(), 1);
}

#[test]
fn a_tool_that_hangs_is_stopped_after_the_timeout() {
    let world = World::new(
        Host::GitHub,
        "[profiles.default]\nautonomy = \"autonomous\"\n\n[pr]\ntimeout = \"1s\"\n",
    );
    world.ok(&["run", "w"]);
    let mut forge = world.forge();
    forge["hang"] = json!(["auth status"]);
    world.write_forge(&forge);
    let text = refused(
        &world,
        &["pr", "w"],
        "`gh auth status --hostname github.com` did not finish within 1 s and was stopped",
    );
    assert!(text.contains("raise `[pr] timeout`"), "{text}");
}
