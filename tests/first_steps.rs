//! The first five minutes: `git aos --help` through git with the installed manual, shell
//! completion of `git aos …` inside git's own, the example plan, and the small stumbles
//! of a newcomer (a workstream with no plan, `use` of a closed one, closing one that
//! never ran).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Repo, hermetic, stderr, stdout};

/// Installs the built binary as `<prefix>/bin/git-aos` (as `cargo install` does) and
/// runs it once, which writes its manual next to it; returns the prefix.
fn install(repo: &Repo) -> PathBuf {
    let prefix = repo.tmp.path().join("prefix");
    std::fs::create_dir_all(prefix.join("bin")).unwrap();
    let bin = prefix.join("bin/git-aos");
    std::fs::copy(env!("CARGO_BIN_EXE_git-aos"), &bin).unwrap();
    let mut cmd = Command::new(&bin);
    cmd.arg("--version");
    hermetic(&mut cmd, repo.tmp.path());
    assert!(cmd.status().unwrap().success());
    prefix
}

/// Runs `program args` in the repository with `prefix/bin` first on PATH.
fn run_installed(repo: &Repo, prefix: &Path, program: &str, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(&repo.root);
    hermetic(&mut cmd, repo.tmp.path());
    let path = format!(
        "{}:{}",
        prefix.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.env("PATH", path)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100");
    cmd.output().unwrap()
}

#[test]
fn git_aos_help_through_git_shows_the_installed_manual() {
    let repo = Repo::new();
    let prefix = install(&repo);
    let page = prefix.join("share/man/man1/git-aos.1");
    assert!(page.is_file(), "no manual at {}", page.display());
    assert!(prefix.join("share/man/man1/git-aos-approve.1").is_file());
    // git turns `git aos --help` into `man git-aos`.
    let out = run_installed(&repo, &prefix, "git", &["aos", "--help"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("NAME"), "{text}");
    assert!(text.contains("git-aos"), "{text}");
    assert!(text.contains("approve"), "{text}");
    assert!(text.contains("git aos demo"), "examples: {text}");
    // A command's own help is clap's, with examples.
    let out = run_installed(&repo, &prefix, "git", &["aos", "run", "--help"]);
    assert!(stdout(&out).contains("Examples:"), "{}", stdout(&out));
    assert!(stdout(&out).contains("Global options:"), "{}", stdout(&out));
}

/// Returns what bash completes for `line` (the cursor at its end) with git's completion
/// and `git aos completions bash` loaded.
fn complete(repo: &Repo, line: &str) -> Vec<String> {
    let git_completion = "/usr/share/bash-completion/completions/git";
    assert!(
        Path::new(git_completion).is_file(),
        "git's bash completion is missing at {git_completion}: install git's Debian package"
    );
    let script = format!(
        r#"source {git_completion}
source <(git aos completions bash)
COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
__git_wrap__git_main
printf '%s\n' "${{COMPREPLY[@]}}""#
    );
    let out = repo.cmd_in(&repo.root, "bash", &["-c", &script]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completes_git_aos_commands_and_workstream_names_inside_gits_completion() {
    let repo = Repo::new();
    repo.aos_ok(&["new", "alpha"]);
    repo.aos_ok(&["new", "beta"]);
    assert_eq!(complete(&repo, "git aos st"), ["status"]);
    assert_eq!(complete(&repo, "git aos status "), ["alpha", "beta"]);
    assert_eq!(complete(&repo, "git aos approve b"), ["beta"]);
    assert!(complete(&repo, "git aos run --l").contains(&"--loop".to_owned()));
    assert!(
        complete(&repo, "git aos new ").is_empty(),
        "a new name is free"
    );
}

#[test]
fn the_example_plan_is_valid_and_starts_a_workstream() {
    let repo = Repo::new();
    repo.aos_ok(&["plan", "new", "--template", "plan.md"]);
    let again = repo.aos(&["plan", "new", "--template", "plan.md"]);
    assert_eq!(again.status.code(), Some(1), "never over an existing file");
    let check = repo.aos_ok(&["plan", "check", "plan.md"]);
    assert!(check.contains("2 tasks"), "{check}");
    let out = repo.aos(&["new", "greeting", "--plan", "plan.md"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // No aos.toml: the built-in shell agent only, and the way to a real one.
    assert!(
        stderr(&out).contains("git aos init --agent claude"),
        "{}",
        stderr(&out)
    );
    let run = repo.aos(&["run", "greeting"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("`git aos init --agent claude`"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn a_workstream_without_a_plan_says_how_to_give_it_one() {
    let repo = Repo::new();
    repo.aos_ok(&["new", "empty"]);
    let out = repo.aos(&["run", "empty"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("has no plan"), "{err}");
    assert!(err.contains("git aos new empty --plan"), "{err}");
    assert!(!err.contains("create it with"), "{err}");
}

#[test]
fn use_forgets_a_closed_workstream_and_a_never_run_one_closes_and_reopens_whole() {
    let repo = Repo::new();
    let outside = repo.tmp.path().join("outside.md");
    std::fs::write(
        &outside,
        "# Plan: p\n\n### [ ] T1: One\n\n#### Acceptance\n- `true`\n",
    )
    .unwrap();
    repo.aos_ok(&["new", "w", "--plan", outside.to_str().unwrap()]);
    let plan = repo.worktree("w").join("plans/w.md");
    assert!(plan.is_file(), "the plan is placed in the worktree");
    repo.aos_ok(&["use", "w"]);
    // Never run: git aos's own plan file is not work a person would lose.
    let out = repo.aos(&["close", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&repo.aos(&["use"])).trim().is_empty(),
        "use forgot it"
    );
    let out = repo.aos(&["status"]);
    assert!(!stdout(&out).contains("w "), "{}", stdout(&out));
    repo.aos_ok(&["open", "w"]);
    assert!(plan.is_file(), "open puts the plan back");
}
