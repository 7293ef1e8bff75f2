//! `git aos hooks install --scope workstreams`: the shims only in workstream worktrees,
//! the person's own hooks still running everywhere, and a clean way back.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::{Repo, stderr};
use crate::{Fixture, count_lines, write};

/// A hook that appends its name to `hook-log` in the directory it runs in.
fn user_hook(dir: &Path, name: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let text = format!("#!/bin/sh\necho {name} >> hook-log\n");
    let path = dir.join(name);
    std::fs::write(&path, &text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    text
}

fn hook_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("hook-log")).unwrap_or_default()
}

/// The per-worktree `core.hooksPath` of `dir`, if it has one.
fn worktree_hooks_path(repo: &Repo, dir: &Path) -> Option<String> {
    let out = repo.cmd_in(
        dir,
        "git",
        &["config", "--worktree", "--get", "core.hooksPath"],
    );
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).unwrap().trim().to_owned())
}

#[test]
fn only_workstream_worktrees_run_the_shims_and_every_worktree_runs_the_users_hooks() {
    let fx = Fixture::new();
    let hooks = fx.repo.path(".git/hooks");
    // The team's own hooks, one git aos has a shim for and one it has not.
    let pre_commit = user_hook(&hooks, "pre-commit");
    let commit_msg = user_hook(&hooks, "commit-msg");
    let out = fx.repo.aos(&["hooks", "install", "--scope", "workstreams"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("forwards commit-msg"),
        "{}",
        stderr(&out)
    );

    // The shared directory holds exactly the team's hooks again: the main worktree starts
    // no git aos hook at all.
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        pre_commit
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("commit-msg")).unwrap(),
        commit_msg
    );
    for gone in ["prepare-commit-msg", "post-commit", "post-rewrite"] {
        assert!(!hooks.join(gone).exists(), "{gone}");
    }
    assert_eq!(worktree_hooks_path(&fx.repo, &fx.repo.root), None);
    write(&fx.repo.root, "main.txt", "main");
    fx.repo.git(&["add", "main.txt"]);
    fx.repo.git(&["commit", "-q", "-m", "on main"]);
    assert_eq!(hook_log(&fx.repo.root), "pre-commit\ncommit-msg\n");
    let main_msg = fx.repo.git(&["log", "-1", "--format=%B"]);
    assert!(!main_msg.contains("Aos-Workstream"), "{main_msg}");

    // The workstream worktree verifies, adds trailers, records — and runs the team's hooks.
    let states = fx.state_commits();
    let out = fx.commit("a.txt", "no ok.txt yet");
    assert!(!out.status.success(), "acceptance blocks the commit");
    assert!(stderr(&out).contains("test -f ok.txt"), "{}", stderr(&out));
    let out = fx.commit("ok.txt", "make ok");
    assert!(out.status.success(), "{}", stderr(&out));
    // The blocked commit stopped before the team's hook, as a failing hook stops git.
    assert_eq!(hook_log(&fx.wt), "pre-commit\ncommit-msg\n");
    let msg = fx.git_wt_ok(&["log", "-1", "--format=%B"]);
    assert_eq!(count_lines(&msg, "Aos-Workstream: w"), 1, "{msg}");
    assert_eq!(count_lines(&msg, "Aos-Task: T1"), 1, "{msg}");
    assert_eq!(fx.state_commits(), states + 1);
    assert!(
        fx.note("HEAD").contains("verification: passed"),
        "{}",
        fx.note("HEAD")
    );

    let status: serde_json::Value =
        serde_json::from_str(&fx.repo.aos_ok(&["hooks", "status", "--json"])).unwrap();
    assert_eq!(status["scope"], "workstreams");
    assert_eq!(status["workstreams"]["forwarded"][0], "commit-msg");
    assert_eq!(status["workstreams"]["hooks"][0]["state"], "installed");
    let attached = status["workstreams"]["attached"][0].as_str().unwrap();
    assert_eq!(
        std::fs::canonicalize(attached).unwrap(),
        std::fs::canonicalize(&fx.wt).unwrap()
    );
}

#[test]
fn a_workstream_made_later_points_at_the_shims_and_uninstall_leaves_no_trace() {
    let repo = Repo::new();
    let config_before = std::fs::read_to_string(repo.path(".git/config")).unwrap();
    repo.aos_ok(&["init", "--yes", "--no-hooks"]);
    let config_after_init = std::fs::read_to_string(repo.path(".git/config")).unwrap();
    assert_ne!(config_before, config_after_init);
    repo.aos_ok(&["hooks", "install", "--scope", "workstreams"]);
    // `install` with no scope keeps the one installed.
    repo.aos_ok(&["hooks", "install"]);
    // Someone switches the extension off: the next workstream switches it on again.
    repo.git(&["config", "--unset", "extensions.worktreeConfig"]);
    let plan = repo.tmp.path().join("plan.md");
    std::fs::write(&plan, crate::PLAN).unwrap();
    repo.aos_ok(&["new", "later", "--plan", plan.to_str().unwrap()]);
    let wt = repo.worktree("later");
    let ours = std::fs::canonicalize(repo.path(".git/aos/hooks")).unwrap();
    assert_eq!(
        worktree_hooks_path(&repo, &wt).map(std::path::PathBuf::from),
        Some(ours.clone())
    );
    write(&wt, "x.txt", "x");
    repo.cmd_in(&wt, "git", &["add", "x.txt"]);
    let out = repo.cmd_in(&wt, "git", &["commit", "-q", "-m", "x", "--no-verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let msg = repo.git(&["log", "-1", "--format=%B", "aos/later"]);
    assert!(msg.contains("Aos-Workstream: later"), "{msg}");

    let out = repo.aos(&["doctor"]);
    assert!(
        crate::common::stdout(&out).contains("workstream worktrees only"),
        "{}",
        crate::common::stdout(&out)
    );

    repo.aos_ok(&["hooks", "uninstall"]);
    assert!(!ours.exists());
    assert_eq!(worktree_hooks_path(&repo, &wt), None);
    assert_eq!(
        std::fs::read_to_string(repo.path(".git/config")).unwrap(),
        config_after_init,
        "extensions.worktreeConfig is switched off again"
    );
    assert!(
        std::fs::read_dir(repo.path(".git/hooks"))
            .unwrap()
            .all(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".sample")),
        "no hook left behind"
    );
}

#[test]
fn a_relative_hooks_directory_is_run_on_to_from_the_worktree_the_commit_is_in() {
    let fx = Fixture::new();
    // A husky-style directory inside the repository, committed on main.
    fx.repo.aos_ok(&["hooks", "uninstall"]);
    fx.repo.git(&["config", "core.hooksPath", ".githooks"]);
    user_hook(&fx.repo.path(".githooks"), "pre-commit");
    fx.repo
        .aos_ok(&["hooks", "install", "--scope", "workstreams"]);
    let status: serde_json::Value =
        serde_json::from_str(&fx.repo.aos_ok(&["hooks", "status", "--json"])).unwrap();
    assert_eq!(status["workstreams"]["chained_to"], ".githooks");

    // The workstream's branch has its own copy of the directory.
    user_hook(&fx.wt.join(".githooks"), "pre-commit");
    write(&fx.wt, "ok.txt", "ok");
    fx.git_wt_ok(&["add", "ok.txt", ".githooks"]);
    fx.git_wt_ok(&["commit", "-q", "-m", "ok"]);
    assert_eq!(hook_log(&fx.wt), "pre-commit\n");
    assert!(fx.note("HEAD").contains("task: T1"), "{}", fx.note("HEAD"));
}

#[test]
fn a_layout_the_extension_would_change_is_refused_and_nothing_moves() {
    let repo = Repo::new();
    repo.aos_ok(&["init", "--yes"]);
    let top = repo.root.to_str().unwrap().to_owned();
    repo.git(&["config", "core.worktree", &top]);
    let before = std::fs::read(repo.path(".git/hooks/pre-commit")).unwrap();
    let out = repo.aos(&["hooks", "install", "--scope", "workstreams"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("core.worktree"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--scope shared"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(repo.path(".git/hooks/pre-commit")).unwrap(),
        before
    );
    assert!(!repo.path(".git/aos/hooks").exists());
}
