//! `pre-commit`: the task's acceptance commands gate a person's commit in a workstream;
//! anywhere else, and on internal errors, hooks stay out of the way.

use crate::common::stderr;
use crate::{Fixture, count_lines, write};

#[test]
fn pre_commit_blocks_until_the_acceptance_passes() {
    let f = Fixture::new();
    let tip = f.rev("HEAD");
    let out = f.commit("work.txt", "work without ok.txt");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("task T1 is not accepted: `test -f ok.txt` exited 1"),
        "{err}"
    );
    assert!(err.contains("--no-verify"), "{err}");
    assert_eq!(f.rev("HEAD"), tip, "nothing was committed");

    write(&f.wt, "ok.txt", "ok");
    f.git_wt_ok(&["add", "ok.txt"]);
    let out = f.git_wt(&["commit", "-q", "-m", "make ok"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        f.note("HEAD").contains("verification: passed"),
        "{}",
        f.note("HEAD")
    );
}

#[test]
fn a_failing_command_shows_the_end_of_its_output() {
    let plan = crate::PLAN.replace("`test -f ok.txt`", "`seq 1 100; echo broken >&2; exit 3`");
    let f = Fixture::with_plan(&plan);
    let out = f.commit("a.txt", "a");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("exited 3") && err.contains("broken"), "{err}");
    assert!(
        err.contains("\n100\n") && !err.contains("\n50\n"),
        "only the tail: {err}"
    );
}

#[test]
fn no_verify_skips_the_check_and_the_note_says_so() {
    let f = Fixture::new();
    write(&f.wt, "work.txt", "work");
    f.git_wt_ok(&["add", "work.txt"]);
    let out = f.git_wt(&["commit", "-q", "--no-verify", "-m", "skip the check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        f.note("HEAD").contains("verification: none"),
        "{}",
        f.note("HEAD")
    );
}

#[test]
fn the_quick_check_runs_when_the_task_has_no_command() {
    let plan = crate::PLAN.replace("#### Acceptance\n- `test -f ok.txt`\n", "");
    let f = Fixture::with_plan(&plan);
    let toml = std::fs::read_to_string(f.repo.path("aos.toml")).unwrap();
    let toml = toml.replacen(
        "[project]",
        "[project]\nquick_check = \"test -f quick.txt\"",
        1,
    );
    std::fs::write(f.repo.path("aos.toml"), toml).unwrap();
    let out = f.commit("a.txt", "a");
    assert!(
        stderr(&out).contains("`test -f quick.txt` exited 1"),
        "{}",
        stderr(&out)
    );
    write(&f.wt, "quick.txt", "q");
    f.git_wt_ok(&["add", "quick.txt"]);
    f.git_wt_ok(&["commit", "-q", "-m", "with quick"]);
}

#[test]
fn acceptance_commands_do_not_see_the_hooks_git_environment() {
    // A test suite that makes its own repository must not write into this one.
    let plan = crate::PLAN.replace(
        "`test -f ok.txt`",
        "`d=$(mktemp -d) && cd $d && git init -q && git commit -q --allow-empty -m inner`",
    );
    let f = Fixture::with_plan(&plan);
    let out = f.commit("a.txt", "outer");
    assert!(out.status.success(), "{}", stderr(&out));
    let log = f.git_wt_ok(&["log", "--branches", "--format=%s"]);
    assert!(
        log.starts_with("outer\n") && !log.contains("inner"),
        "{log}"
    );
}

#[test]
fn hooks_do_nothing_on_a_branch_that_is_no_workstream() {
    let f = Fixture::new();
    let state = f.repo.git(&["rev-parse", "refs/aos/ws/w"]);
    std::fs::write(f.repo.path("main.txt"), "m\n").unwrap();
    f.repo.git(&["add", "main.txt"]);
    let out = f
        .repo
        .cmd_in(&f.repo.root, "git", &["commit", "-q", "-m", "on main"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    assert_eq!(f.repo.git(&["log", "-1", "--format=%B"]), "on main\n\n");
    assert_eq!(f.repo.git(&["rev-parse", "refs/aos/ws/w"]), state);
    assert!(
        !f.repo.refs().contains("refs/notes/aos"),
        "{}",
        f.repo.refs()
    );
}

#[test]
fn a_broken_state_makes_a_hook_warn_once_and_let_git_go_on() {
    let f = Fixture::new();
    // Forge a state commit whose tasks.toml does not parse.
    let blob = f.repo.cmd_in(
        &f.repo.root,
        "sh",
        &[
            "-c",
            "printf 'task = [not toml' | git hash-object -w --stdin",
        ],
    );
    let blob = String::from_utf8(blob.stdout).unwrap().trim().to_owned();
    let listing = f.repo.git(&["ls-tree", "refs/aos/ws/w"]);
    let old = f.repo.git(&["rev-parse", "refs/aos/ws/w:tasks.toml"]);
    let script = format!(
        "printf '%s' '{}' | git mktree",
        listing.replace(old.trim(), &blob)
    );
    let tree = f.repo.cmd_in(&f.repo.root, "sh", &["-c", &script]);
    let tree = String::from_utf8(tree.stdout).unwrap().trim().to_owned();
    let commit = f
        .repo
        .git(&["commit-tree", &tree, "-p", "refs/aos/ws/w", "-m", "corrupt"]);
    f.repo.git(&["update-ref", "refs/aos/ws/w", commit.trim()]);

    let out = f.repo.cmd_in(&f.wt, "git", &["aos", "hook", "pre-commit"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("git-aos: warning: pre-commit hook: "),
        "{err}"
    );
    assert!(err.contains("tasks.toml"), "{err}");

    let out = f.commit("a.txt", "despite the broken state");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        count_lines(&stderr(&out), "git-aos: warning:"),
        3,
        "{}",
        stderr(&out)
    );
    assert_eq!(
        f.git_wt_ok(&["log", "-1", "--format=%s"]),
        "despite the broken state\n"
    );
}

#[test]
fn the_check_runs_before_a_hook_that_ends_in_exec() {
    // The pre-commit framework's hook ends in `exec`: a block after it would never run.
    let f = Fixture::new();
    f.repo.aos_ok(&["hooks", "uninstall"]);
    let hook = f.repo.path(".git/hooks/pre-commit");
    let framework = "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\nexec sh -c 'echo ran >> framework-ran'\n";
    std::fs::write(&hook, framework).unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    f.repo.aos_ok(&["hooks", "install"]);

    let out = f.commit("a.txt", "a");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        !f.wt.join("framework-ran").exists(),
        "a failed check stops the rest"
    );
    write(&f.wt, "ok.txt", "ok");
    f.git_wt_ok(&["add", "ok.txt"]);
    f.git_wt_ok(&["commit", "-q", "-m", "ok"]);
    assert!(
        f.wt.join("framework-ran").exists(),
        "the framework's hook ran after ours"
    );
    f.repo.aos_ok(&["hooks", "uninstall"]);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), framework);
}
