//! `git aos doctor` end to end, with the fake agents on PATH: a healthy setup, an agent
//! that is not installed, a CLI whose help lost a flag, and a lock left by a dead holder.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{Repo, stderr, stdout};

/// Returns `text` with the paths of this test run replaced by stable names.
fn filtered(repo: &Repo, text: &str) -> String {
    let fakes = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake-agents");
    let bash = git_aos::agent::probe::find_program("bash", None).unwrap();
    text.replace(&repo.tmp.path().display().to_string(), "[TMP]")
        .replace(&fakes.display().to_string(), "[FAKES]")
        .replace(&bash.display().to_string(), "[BASH]")
        .replace(&landlock_abi(), "ABI [N]")
        .lines()
        .filter(|l| !l.starts_with("ok       git:"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Returns how doctor names this kernel's Landlock ABI (`ABI 7`), to filter it out.
fn landlock_abi() -> String {
    match git_aos::agent::sandbox::availability() {
        git_aos::agent::Availability::Available { abi } => format!("ABI {abi}"),
        git_aos::agent::Availability::Unavailable { .. } => "ABI [none]".into(),
    }
}

fn write_config(repo: &Repo, text: &str) {
    std::fs::write(repo.path("aos.toml"), text).unwrap();
}

#[test]
fn a_healthy_setup_passes_and_lists_every_check() {
    let repo = Repo::new();
    write_config(
        &repo,
        "[agents.claude]\n[agents.codex]\n[roles]\nimplement = [\"codex\", \"claude\"]\nreview = \"claude\"\n",
    );
    let out = repo.aos(&["doctor"]);
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!(filtered(&repo, &stdout(&out)), @r"
    ok       config: `aos.toml` loads
    ok       agent `claude`: `[FAKES]/claude` 2.1.328 (Claude Code); `claude --help` lists all 6 flags the adapter passes (roles: implement, review, plan, tests)
    ok       agent `codex`: `[FAKES]/codex` codex-cli 0.169.0; `codex exec --help` lists all 6 flags the adapter passes (roles: implement, plan, tests)
    ok       agent `shell`: built-in; runs `Run` blocks with `[BASH]` (no role uses it)
    ok       sandbox: Landlock ABI [N]: every agent is confined; it may write the worktree, its admin dir `[TMP]/repo/.git/worktrees/<id>` (index, HEAD), the invocation's scratch dir (prompt, result), a private temp dir ($TMPDIR), `~/repo/.git/objects`, devices (/dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom, /dev/tty, /dev/ptmx, /dev/pts, /dev/shm) (a reviewer neither the worktree nor its admin dir)
    ok       sandbox of `claude`: confined: may also write `~/.claude`, `~/.claude.json`
    ok       sandbox of `codex`: confined: may also write `~/.codex`
    ok       sandbox of `shell`: confined: nothing besides what every agent may write
    warning  hooks: not installed in `[TMP]/repo/.git/hooks`: commits made by hand are not recorded, and acceptance is not checked before them
             hint: run `git aos hooks install`
    ok       lock: no lock is held or left behind
    ok       workstream: 0 live workstream(s), state format 1 readable
    ");
}

#[test]
fn an_agent_that_is_not_installed_fails_with_a_hint() {
    let repo = Repo::new();
    write_config(
        &repo,
        "[agents.mine]\nadapter = \"command\"\ncommand = [\"surely-not-installed-agent\", \"{prompt_file}\"]\n\
         [agents.claude]\ncommand = [\"no-such-claude\"]\n[roles]\nimplement = \"mine\"\n",
    );
    let out = repo.aos(&["doctor"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "error    agent `mine`: `surely-not-installed-agent` is not on PATH (roles: implement, plan, tests)\n         \
             hint: install `surely-not-installed-agent`, or fix `command` in `[agents.mine]`"
        ),
        "{text}"
    );
    // An agent no role uses is only a warning.
    assert!(
        text.contains("warning  agent `claude`: `no-such-claude` is not on PATH (no role uses it)"),
        "{text}"
    );
    assert!(stderr(&out).contains("error: 1 problem(s) would make a run fail"));
}

#[test]
fn a_cli_whose_help_lost_a_flag_is_reported_before_any_run() {
    let repo = Repo::new();
    // An "older" claude: its help has no `--permission-mode`, which the adapter passes.
    let old = repo.tmp.path().join("old-claude");
    std::fs::write(
        &old,
        "#!/bin/sh\ncase \"$1\" in\n  --version) echo '0.9.0 (Claude Code)';;\n  \
         --help) printf '  -p, --print\\n  --output-format <format> (choices: \"json\", \"stream-json\")\\n  \
         --verbose\\n  -r, --resume [id]\\n  --disallowedTools <tools...>\\n';;\nesac\n",
    )
    .unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).unwrap();
    write_config(
        &repo,
        &format!(
            "[agents.claude]\ncommand = [\"{}\"]\n[roles]\nimplement = \"claude\"\n",
            old.display()
        ),
    );
    let out = repo.aos(&["doctor", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ok"], false);
    let claude = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "agent" && f["subject"] == "claude")
        .unwrap();
    assert_eq!(claude["level"], "error");
    let message = claude["message"].as_str().unwrap();
    assert!(
        message.ends_with(
            "--help` does not list `--permission-mode`, which the `claude` adapter passes \
             (roles: implement, plan, tests)"
        ),
        "{message}"
    );
    assert!(
        claude["hint"]
            .as_str()
            .unwrap()
            .starts_with("a renamed or removed flag fails every run"),
        "{claude}"
    );
}

#[test]
fn a_lock_left_by_a_dead_holder_is_reported_as_stale() {
    let repo = Repo::new();
    // A process that has exited: its pid is dead.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    let host = nix::unistd::gethostname().unwrap();
    let lock = repo.path(".git/aos/locks/ws/demo.lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    std::fs::write(
        &lock,
        format!(
            "pid {pid}\nhost {}\nsince 2026-01-01T00:00:00Z\n",
            host.to_string_lossy()
        ),
    )
    .unwrap();
    // A lock released cleanly names nobody and is not reported.
    std::fs::write(repo.path(".git/aos/locks/merge.lock"), "").unwrap();
    // A lock held now is a run in progress.
    let busy = "busy".parse().unwrap();
    let _held = git_aos::lock::lock_workstream(&repo.path(".git"), &busy).unwrap();

    let out = repo.aos(&["doctor"]);
    assert!(out.status.success(), "a stale lock blocks no run");
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "warning  lock: workstream `demo`: stale lock left by pid {pid} on {} since \
             2026-01-01T00:00:00Z, which ended without releasing it (pid {pid} is gone)\n         \
             hint: harmless: the kernel released the lock",
            host.to_string_lossy()
        )),
        "{text}"
    );
    assert!(!text.contains("merge.lock"), "{text}");
    assert!(
        text.contains(&format!(
            "ok       lock: workstream `busy` is held by pid {}",
            std::process::id()
        )),
        "{text}"
    );
}

#[test]
fn a_broken_config_is_an_error_and_agents_are_not_checked() {
    let repo = Repo::new();
    write_config(&repo, "[roles]\nimplement = \"nobody\"\n");
    let out = repo.aos(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("error    config: "), "{text}");
    assert!(text.contains("`nobody`"), "{text}");
    assert!(!text.contains("agent `shell`"), "{text}");
}
