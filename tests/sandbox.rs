//! End to end: agents confined to their worktree (Landlock). The agents are the built-in
//! `shell` agent running a plan's `Run` block, and `agent try` with a script: real
//! programs that try to write where they may and where they may not.

mod common;

use std::path::Path;

use common::{Repo, stderr, stdout};
use git_aos::agent::Availability;
use git_aos::agent::sandbox::{SIMULATE_UNAVAILABLE_ENV, availability};

/// Returns whether this kernel confines; the tests that need it say so when it does not.
fn landlock() -> bool {
    let there = matches!(availability(), Availability::Available { .. });
    if !there {
        eprintln!("this kernel has no Landlock: the test checks the unconfined report instead");
    }
    there
}

/// Writes `aos.toml` (shell agent everywhere; the project's test runs `test.sh`, which
/// writes a build product into the worktree, then notes outside it that it ran: the
/// project's commands are not confined) and commits it with the script.
fn setup(repo: &Repo, extra: &str) {
    let mark = repo.tmp.path().join("project-test-ran");
    std::fs::write(
        repo.path("aos.toml"),
        format!(
            "[project]\nbase = \"main\"\ntest = \"sh test.sh && echo ran >> {}\"\n{extra}\n[notify]\ndesktop = false\n",
            mark.display()
        ),
    )
    .unwrap();
    std::fs::write(
        repo.path("test.sh"),
        "mkdir -p build && echo built > build/out.txt\n",
    )
    .unwrap();
    std::fs::write(repo.path(".gitignore"), "build/\n").unwrap();
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "aos"]);
}

/// Returns a plan whose one task runs `script` with the shell agent.
fn plan(script: &str) -> String {
    format!(
        "# Plan: confined\n\n### [ ] T1: Try\n\n#### Acceptance\n- `test -f done.txt`\n\n#### Run\n```sh\n{script}\n```\n"
    )
}

/// A shell function that runs `$2`, records `$1 allowed` or `$1 denied` in report.txt.
const TRY: &str = "attempt() { if sh -c \"$2\" >/dev/null 2>&1; then echo \"$1 allowed\"; else echo \"$1 denied\"; fi >> report.txt; }";

#[test]
fn a_confined_agent_does_its_task_and_writes_nothing_outside_its_worktree() {
    let repo = Repo::new();
    setup(&repo, "");
    repo.aos_ok(&["new", "other"]);
    let other = repo.worktree("other");
    let common = repo.path(".git");
    let home = repo.tmp.path();
    let script = format!(
        "{TRY}
attempt worktree 'echo done > done.txt'
attempt tests 'sh test.sh && test -f build/out.txt'
attempt tmpdir 'echo t > \"$TMPDIR/t\" && test \"$TMPDIR\" != /tmp'
attempt status 'git status --short'
attempt diff 'git diff'
attempt add 'git add done.txt && git diff --cached --name-only | grep -qx done.txt'
attempt main 'echo x > {main}/evil.txt'
attempt other-worktree 'echo x > {other}/evil.txt'
attempt home 'echo x >> {home}/.bashrc'
attempt refs 'git rev-parse HEAD > {common}/refs/heads/evil'
attempt packed-refs 'echo x >> {common}/packed-refs'
attempt hooks 'printf \"#!/bin/sh\\n\" > {common}/hooks/pre-commit'
attempt config 'echo \"[evil]\" >> {common}/config'
attempt commit 'git commit -q -m sneaky'
attempt branch 'git branch evil'
attempt switch 'git switch -q -c evil2'",
        main = repo.root.display(),
        other = other.display(),
        home = home.display(),
        common = common.display(),
    );
    std::fs::write(home.join("plan.md"), plan(&script)).unwrap();
    let config_before = std::fs::read_to_string(common.join("config")).unwrap();
    repo.aos_ok(&["new", "w", "--plan", home.join("plan.md").to_str().unwrap()]);
    let refs_before = repo.refs();

    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));

    let report = std::fs::read_to_string(repo.task_worktree("w").join("report.txt")).unwrap();
    let confined = landlock();
    for allowed in ["worktree", "tests", "tmpdir", "status", "diff", "add"] {
        assert!(report.contains(&format!("{allowed} allowed\n")), "{report}");
    }
    let outside = [
        "main",
        "other-worktree",
        "home",
        "refs",
        "packed-refs",
        "hooks",
        "config",
        "commit",
        "branch",
        "switch",
    ];
    if !confined {
        return;
    }
    // In a task's own worktree HEAD is detached: a commit writes only that worktree's
    // HEAD (in its admin dir, which the agent may write for the index), never a ref;
    // custody puts HEAD back and keeps the commit under a rescue ref.
    let detached = repo.task_worktree("w") != repo.worktree("w");
    for denied in outside.iter().filter(|d| !(detached && **d == "commit")) {
        assert!(report.contains(&format!("{denied} denied\n")), "{report}");
    }
    assert!(
        repo.tmp.path().join("project-test-ran").exists(),
        "the project's test ran unconfined"
    );
    assert!(!repo.path("evil.txt").exists());
    assert!(!other.join("evil.txt").exists());
    assert!(!home.join(".bashrc").exists());
    assert!(!common.join("hooks/pre-commit").exists());
    assert_eq!(
        std::fs::read_to_string(common.join("config")).unwrap(),
        config_before
    );
    let refs_after = repo.refs();
    assert!(!refs_after.contains("evil"), "{refs_after}");
    let branches = |refs: &str| -> Vec<String> {
        refs.lines()
            .filter(|l| l.starts_with("refs/heads/"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(branches(&refs_after), branches(&refs_before));
    // What the agent did is what waits at the gate, and the run says it ran confined.
    let show = stdout(&repo.aos(&["show", "w"]));
    assert!(show.contains("done.txt"), "{show}");
    assert!(!show.contains("unconfined"), "{show}");
    let record = repo.git(&["show", "refs/aos/ws/w:tasks.toml"]);
    let run = record
        .lines()
        .find_map(|l| l.strip_prefix("last_run = "))
        .unwrap()
        .trim_matches('"')
        .to_owned();
    let run_toml = repo.git(&["show", &format!("refs/aos/ws/w:runs/{run}/run.toml")]);
    assert!(run_toml.contains("sandbox = \"worktree\""), "{run_toml}");
}

#[test]
fn without_landlock_the_run_says_unconfined_and_names_what_changed_in_the_main_checkout() {
    let repo = Repo::new();
    setup(&repo, "");
    let script = format!(
        "echo done > done.txt\necho stray > {main}/stray.txt\necho edited >> {main}/README.md",
        main = repo.root.display()
    );
    let plan_file = repo.tmp.path().join("plan.md");
    std::fs::write(&plan_file, plan(&script)).unwrap();
    repo.aos_ok(&["new", "w", "--plan", plan_file.to_str().unwrap()]);

    let mut cmd = std::process::Command::new("git");
    cmd.args(["aos", "run", "w"]).current_dir(&repo.root);
    common::hermetic(&mut cmd, repo.tmp.path());
    cmd.env(SIMULATE_UNAVAILABLE_ENV, "1");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("runs unconfined").count(), 1, "{err}");
    assert!(
        err.contains("the main checkout changed: README.md, stray.txt"),
        "{err}"
    );

    let view: serde_json::Value =
        serde_json::from_str(&repo.aos_ok(&["show", "w", "--json"])).unwrap();
    assert_eq!(view["unconfined"][0]["task"], "T1");
    assert_eq!(view["unconfined"][0]["sandbox"], "unconfined");
    assert_eq!(
        view["unconfined"][0]["main_checkout_changes"],
        serde_json::json!(["README.md", "stray.txt"])
    );
    let show = stdout(&repo.aos(&["show", "w"]));
    assert!(show.contains("its agents ran unconfined"), "{show}");
    assert!(show.contains("    stray.txt"), "{show}");

    repo.aos_ok(&["approve", "w"]);
    let note = repo.git(&["notes", "--ref=aos", "show", "aos/w"]);
    assert!(note.contains("sandbox: unconfined\n"), "{note}");
    assert!(
        note.contains("unconfined-changes: README.md, stray.txt\n"),
        "{note}"
    );
}

/// Runs `git aos agent try shell --prompt SCRIPT` with `aos.toml` holding `toml`.
fn try_shell(repo: &Repo, toml: &str, script: &str) -> std::process::Output {
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    repo.aos(&["agent", "try", "shell", "--prompt", script])
}

#[test]
fn a_denied_write_fails_the_agent_not_git_aos_and_sandbox_allow_opens_a_path() {
    let repo = Repo::new();
    let shared = repo.tmp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let write_shared = format!(
        "echo x > {}/file && echo '{{\"status\":\"done\",\"summary\":\"ok\"}}' > \"$AOS_RESULT\"",
        shared.display()
    );

    let out = try_shell(&repo, "", &write_shared);
    if landlock() {
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(
            stdout(&out).contains("outcome   retry (error class: agent)"),
            "{}",
            stdout(&out)
        );
        let log = std::fs::read_to_string(repo.path(".git/aos/live/try.log")).unwrap();
        assert!(log.contains("Permission denied"), "{log}");
        assert!(!shared.join("file").exists());
    }

    let allow = format!("[project]\nsandbox_allow = [\"{}\"]\n", shared.display());
    let out = try_shell(&repo, &allow, &write_shared);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(shared.join("file").exists());
    let mode = if landlock() { "worktree" } else { "unconfined" };
    assert!(
        stdout(&out).contains(&format!("sandbox   {mode}")),
        "{}",
        stdout(&out)
    );

    // `sandbox = "off"` runs the agent as it is, anywhere.
    let main_file = repo.path("written-by-an-unconfined-agent");
    let off = "[agents.shell]\nadapter = \"shell\"\nsandbox = \"off\"\n";
    let script = format!(
        "echo x > {} && echo \"$AOS_SANDBOX\" > {}.mode && echo '{{\"status\":\"done\",\"summary\":\"ok\"}}' > \"$AOS_RESULT\"",
        main_file.display(),
        main_file.display()
    );
    let out = try_shell(&repo, off, &script);
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = std::fs::read_to_string(main_file.with_extension("mode")).unwrap();
    assert_eq!(mode.trim(), "off");
}

#[test]
fn files_that_steer_git_for_git_aos_are_put_back_after_the_agent() {
    let repo = Repo::new();
    setup(&repo, "");
    let script = "echo done > done.txt\nadmin=$(git rev-parse --absolute-git-dir)\nprintf '[core]\\n\\thooksPath = /tmp/evil\\n' > \"$admin/config.worktree\"\necho \"$admin\" > admin.txt";
    let plan_file = repo.tmp.path().join("plan.md");
    std::fs::write(&plan_file, plan(script)).unwrap();
    repo.aos_ok(&["new", "w", "--plan", plan_file.to_str().unwrap()]);
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let admin = std::fs::read_to_string(repo.task_worktree("w").join("admin.txt")).unwrap();
    let admin = Path::new(admin.trim());
    assert!(
        admin.starts_with(repo.path(".git/worktrees")),
        "{}",
        admin.display()
    );
    if landlock() {
        assert!(!admin.join("config.worktree").exists());
        let log = repo.git(&["log", "--format=%B", "refs/aos/ws/w"]);
        let runs = repo.git(&["ls-tree", "-r", "--name-only", "refs/aos/ws/w", "runs/"]);
        let run_file = runs.lines().find(|l| l.ends_with("run.toml")).unwrap();
        let run = repo.git(&["show", &format!("refs/aos/ws/w:{run_file}")]);
        assert!(
            run.contains("changed `config.worktree` in its worktree's git admin dir; put back"),
            "{run}\n{log}"
        );
    }
}

#[test]
fn sandbox_keys_are_checked_with_file_key_and_line() {
    let repo = Repo::new();
    std::fs::write(
        repo.path("aos.toml"),
        "[agents.shell]\nadapter = \"shell\"\nsandbox = \"maybe\"\n",
    )
    .unwrap();
    let out = repo.aos(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("aos.toml:3") && text.contains("`agents.shell.sandbox` is `maybe`"),
        "{text}"
    );
    std::fs::write(
        repo.path("aos.toml"),
        "[project]\nsandbox_allow = [\"/ok\", \"build\"]\n",
    )
    .unwrap();
    let out = repo.aos(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("aos.toml:2") && text.contains("`build` is relative"),
        "{text}"
    );
    assert!(text.contains("hint: write an absolute path"), "{text}");
}
