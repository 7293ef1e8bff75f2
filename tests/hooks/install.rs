//! `git aos hooks install|uninstall|status`: byte-identical round trips, idempotence,
//! `core.hooksPath`, and a user hook that keeps running.

use std::os::unix::fs::PermissionsExt;

use crate::common::{Repo, stderr, stdout};

const USER_HOOK: &str = "#!/bin/sh\n# the team's own check\necho ran >> user-hook-marker\nexit 0\n";

fn install_user_hook(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("pre-commit");
    std::fs::write(&path, USER_HOOK).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o750)).unwrap();
}

#[test]
fn install_keeps_a_user_hook_running_and_uninstall_restores_it_byte_for_byte() {
    let repo = Repo::new();
    let hooks = repo.path(".git/hooks");
    install_user_hook(&hooks);
    repo.aos_ok(&["hooks", "install"]);
    let installed = std::fs::read_to_string(hooks.join("pre-commit")).unwrap();
    assert!(
        installed.starts_with("#!/bin/sh\n# >>> git-aos >>>\n"),
        "{installed}"
    );
    assert!(
        installed.ends_with("echo ran >> user-hook-marker\nexit 0\n"),
        "{installed}"
    );
    for created in ["prepare-commit-msg", "post-commit", "post-rewrite"] {
        let mode = std::fs::metadata(hooks.join(created))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "{created} is executable");
    }

    // The user's hook still runs, after ours, although it ends in `exit 0`.
    std::fs::write(repo.path("a.txt"), "a\n").unwrap();
    repo.git(&["add", "a.txt"]);
    repo.git(&["commit", "-q", "-m", "a"]);
    assert_eq!(
        std::fs::read_to_string(repo.path("user-hook-marker")).unwrap(),
        "ran\n"
    );

    // Installing again changes nothing.
    let snapshot = |name: &str| std::fs::read(hooks.join(name)).ok();
    let before: Vec<_> = [
        "pre-commit",
        "prepare-commit-msg",
        "post-commit",
        "post-rewrite",
    ]
    .map(snapshot)
    .into();
    let out = repo.aos(&["hooks", "install"]);
    assert!(
        stderr(&out).contains("already installed"),
        "{}",
        stderr(&out)
    );
    let after: Vec<_> = [
        "pre-commit",
        "prepare-commit-msg",
        "post-commit",
        "post-rewrite",
    ]
    .map(snapshot)
    .into();
    assert_eq!(before, after);

    let status: serde_json::Value =
        serde_json::from_str(&repo.aos_ok(&["hooks", "status", "--json"])).unwrap();
    let pre = &status["hooks"][0];
    assert_eq!(
        (
            pre["hook"].as_str(),
            pre["state"].as_str(),
            pre["chained"].as_bool()
        ),
        (Some("pre-commit"), Some("installed"), Some(true))
    );
    assert_eq!(status["hooks"][1]["created"], true);

    repo.aos_ok(&["hooks", "uninstall"]);
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        USER_HOOK
    );
    let mode = std::fs::metadata(hooks.join("pre-commit"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o750, "the mode is kept");
    for created in ["prepare-commit-msg", "post-commit", "post-rewrite"] {
        assert!(!hooks.join(created).exists(), "{created} is deleted");
    }
}

#[test]
fn a_relative_core_hooks_path_is_taken_from_the_worktree_top() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    install_user_hook(&repo.path(".githooks"));
    let sub = repo.path("sub");
    std::fs::create_dir(&sub).unwrap();
    // Run from a subdirectory: the path still resolves against the top, as git does.
    let out = repo.aos_in(&sub, &["hooks", "install"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("relative"), "{}", stderr(&out));
    assert!(repo.path(".githooks/post-commit").is_file());
    assert!(!repo.path(".git/hooks/post-commit").exists());
    assert!(!sub.join(".githooks").exists());
    let status = stdout(&repo.aos_in(&sub, &["hooks", "status"]));
    assert!(
        status.contains(&repo.path(".githooks").display().to_string()),
        "{status}"
    );
    assert!(status.contains("local config"), "{status}");

    std::fs::write(repo.path("a.txt"), "a\n").unwrap();
    repo.git(&["add", "a.txt"]);
    repo.git(&["commit", "-q", "-m", "a"]);
    assert!(
        repo.path("user-hook-marker").is_file(),
        "the user's hook ran"
    );
}

#[test]
fn a_hooks_directory_outside_the_repository_is_warned_about() {
    let repo = Repo::new();
    let shared = repo.tmp.path().join("global-hooks");
    let setting = format!("core.hooksPath={}", shared.display());
    let out = repo.cmd_in(
        &repo.root,
        "git",
        &["-c", &setting, "aos", "hooks", "install"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("outside this repository"),
        "{}",
        stderr(&out)
    );
    assert!(shared.join("pre-commit").is_file());
}

#[test]
fn init_installs_the_hooks_unless_told_not_to() {
    let repo = Repo::new();
    repo.aos_ok(&["init", "--yes", "--no-hooks"]);
    assert!(!repo.path(".git/hooks/pre-commit").exists());
    repo.aos_ok(&["init", "--yes"]);
    assert!(repo.path(".git/hooks/pre-commit").is_file());
}

#[test]
fn a_commit_goes_through_when_git_aos_is_not_on_path() {
    let repo = Repo::new();
    repo.aos_ok(&["hooks", "install"]);
    std::fs::write(repo.path("a.txt"), "a\n").unwrap();
    repo.git(&["add", "a.txt"]);
    let mut cmd = std::process::Command::new("git");
    cmd.args(["commit", "-q", "-m", "a"])
        .current_dir(&repo.root);
    crate::common::hermetic(&mut cmd, repo.tmp.path());
    cmd.env("PATH", "/usr/local/bin:/usr/bin:/bin");
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]), "a\n");
}
