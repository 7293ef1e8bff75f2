//! The chain of custody, end to end, against agents that misbehave the way real coding
//! agents do: they switch branches, commit, delete `.git`, edit while reviewing, outlive
//! their parent. Whatever they do, `main` never moves outside `merge`, nothing lands
//! that was not tested and reviewed, no agent commit lands as it is, the refusal names
//! what happened, and state and `git fsck` stay clean.

#[path = "../common/mod.rs"]
mod common;

mod commits;
mod processes;
mod refusals;
mod waves;

use common::{Repo, stderr};

/// The implementer (the built-in shell agent running the task's `Run` block) and a
/// reviewer that approves whatever it is shown (a `command` agent writing the verdict).
/// Both run unconfined: custody must hold where Landlock is missing or turned off, so
/// these agents may do everything a shell can.
const AGENTS: &str = r#"[agents.agent]
adapter = "shell"
sandbox = "off"

[agents.critic]
adapter = "command"
sandbox = "off"
command = ["sh", "-c", "printf '%s' '{\"verdict\":\"approve\",\"summary\":\"looks right\",\"comments\":[]}' > \"$AOS_RESULT\""]
"#;

/// Writes `aos.toml` (autonomous, the shell agent implementing, `critic` reviewing, one
/// task at a time in the workstream's worktree, plus `extra`), the plan, commits both,
/// and creates workstream `w`. `waves.rs` runs tasks in their own worktrees.
fn setup(repo: &Repo, extra: &str, plan: &str) {
    setup_with(repo, extra, plan, 1);
}

/// Like [`setup`], with `parallel_tasks` tasks at once.
fn setup_with(repo: &Repo, extra: &str, plan: &str, parallel_tasks: u32) {
    let toml = format!(
        "[project]\nbase = \"main\"\n{extra}\n{AGENTS}\n[roles]\nimplement = [\"agent\"]\nreview = \"critic\"\n\n[profiles.default]\nautonomy = \"autonomous\"\nmax_attempts = 2\nparallel_tasks = {parallel_tasks}\n\n[notify]\ndesktop = false\n"
    );
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    std::fs::write(repo.path("plan.md"), plan).unwrap();
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "aos"]);
    repo.aos_ok(&["new", "w", "--plan", "plan.md"]);
}

/// Returns a one-task plan whose `Run` block is `script`, accepted when `check` passes.
fn plan(script: &str, check: &str, files: Option<&str>) -> String {
    let files = files.map(|f| format!("Files: {f}\n")).unwrap_or_default();
    format!(
        "# Plan: custody\n\n### [ ] T1: Do the task\n{files}\n#### Acceptance\n- `{check}`\n\n#### Run\n```sh\n{script}\n```\n"
    )
}

/// Returns the commit a ref points at.
fn tip(repo: &Repo, rev: &str) -> String {
    repo.git(&["rev-parse", rev]).trim().to_owned()
}

/// Asserts what must hold after any run: `main` is where it was, every commit on
/// `aos/w` since main was written by the pipeline (an `Aos-Run` trailer, git aos as
/// committer) and notes a tested tree, git's fsck and git aos's fsck are clean.
fn assert_custody(repo: &Repo, main_before: &str) {
    assert_eq!(tip(repo, "main"), main_before, "main moved outside merge");
    let log = repo.git(&[
        "log",
        "--format=%H %cn%x09%(trailers:key=Aos-Run,valueonly,separator=,)",
        "main..aos/w",
    ]);
    for line in log.lines() {
        let (head, run) = line.split_once('\t').unwrap();
        assert!(
            head.ends_with(" git-aos"),
            "a commit on aos/w not made by git aos: {line}"
        );
        assert!(
            !run.trim().is_empty(),
            "a commit on aos/w without Aos-Run: {line}"
        );
        let sha = head.split(' ').next().unwrap();
        let note = repo.git(&["notes", "--ref=aos", "show", sha]);
        assert!(note.contains("tested-tree: "), "{note}");
        let tree = tip(repo, &format!("{sha}^{{tree}}"));
        assert!(note.contains("reviewer-verdict: approve"), "{note}");
        // The committed tree is the tested one, with only the plan's tick on top.
        let tested = note
            .lines()
            .find_map(|l| l.strip_prefix("tested-tree: "))
            .unwrap();
        let diff = repo.git(&["diff", "--name-only", tested, &tree]);
        assert!(
            diff.lines().all(|f| f == "plan.md"),
            "committed tree differs from the tested one beyond the plan: {diff}"
        );
    }
    let fsck = repo.cmd_in(&repo.root, "git", &["fsck", "--strict", "--no-dangling"]);
    assert!(fsck.status.success(), "git fsck: {}", stderr(&fsck));
    let ours = repo.aos(&["fsck"]);
    assert!(ours.status.success(), "git aos fsck: {}", stderr(&ours));
}

/// Returns the note of the tip of `aos/w`.
fn tip_note(repo: &Repo) -> String {
    repo.git(&["notes", "--ref=aos", "show", "aos/w"])
}

/// Returns the files of a commit's tree.
fn files_at(repo: &Repo, rev: &str) -> Vec<String> {
    repo.git(&["ls-tree", "-r", "--name-only", rev])
        .lines()
        .map(str::to_owned)
        .collect()
}
