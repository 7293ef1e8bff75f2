//! What each machine keeps to itself: trust in plans, worktree paths, and whether its
//! remote takes the refs git aos pushes.

use super::common::{stderr, stdout};
use super::fleet::{Fleet, PLAN};

#[test]
fn an_untrusted_plan_from_another_machine_is_refused_until_trust() {
    let fleet = Fleet::new("", &[("plan.md", PLAN)]);
    let a = fleet.dir("a");
    fleet.aos_ok(&a, &["new", "t", "--plan", "plan.md"]);
    fleet.aos_ok(&a, &["sync"]);
    // The plan was made on `a`: trusted there without a word.
    let review: serde_json::Value =
        serde_json::from_str(&fleet.aos_ok(&a, &["trust", "t", "--show", "--json"])).unwrap();
    assert_eq!(review["trusted"], "made here");

    let b = fleet.clone("b");
    fleet.aos_ok(&b, &["sync"]);
    let before = fleet.git(&b, &["for-each-ref"]);
    let out = fleet.aos(&b, &["run", "t"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the plan of `t` came from another machine and is not trusted here; it runs:"),
        "{err}"
    );
    assert!(
        err.contains("T1 run: echo \"${RUNNER:-none}\" > one.txt"),
        "{err}"
    );
    assert!(err.contains("T2 acceptance: test -f two.txt"), "{err}");
    assert!(
        err.contains("hint: read it with `git aos trust t --show`"),
        "{err}"
    );
    assert_eq!(
        fleet.git(&b, &["for-each-ref"]),
        before,
        "a refused run changed nothing"
    );
    let out = fleet.aos(&b, &["run", "--remote", "origin", "t"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not trusted here"),
        "{}",
        stderr(&out)
    );

    let shown = fleet.aos_ok(&b, &["trust", "t", "--show"]);
    assert!(
        shown.contains("T1 run:\n    echo \"${RUNNER:-none}\" > one.txt"),
        "{shown}"
    );
    fleet.aos_ok(&b, &["trust", "t"]);
    fleet.aos_ok(&b, &["run", "t"]);
    let status: serde_json::Value =
        serde_json::from_str(&fleet.aos_ok(&b, &["status", "t", "--json"])).unwrap();
    assert_eq!(status["status"], "complete");
    // Trust is this machine's: nothing of it was pushed, and revoking it refuses again.
    fleet.aos_ok(&b, &["trust", "t", "--revoke"]);
    assert!(fleet.aos(&b, &["run", "t"]).status.code() == Some(1));
}

#[test]
fn a_second_clone_computes_its_own_worktree_paths() {
    let fleet = Fleet::new("", &[("plan.md", PLAN)]);
    let a = fleet.dir("a");
    fleet.aos_ok(&a, &["new", "p", "--plan", "plan.md"]);
    fleet.aos_ok(&a, &["sync"]);
    let b = fleet.clone("b");
    fleet.aos_ok(&b, &["sync"]);
    let a_worktrees = fleet.git(&a, &["worktree", "list", "--porcelain"]);

    // `a`'s worktree is not `b`'s to miss or to make.
    let out = fleet.aos_ok(&b, &["fsck", "--json"]);
    assert!(!out.contains("missing_worktree"), "{out}");
    fleet.aos_ok(&b, &["fsck", "--fix"]);
    assert!(!fleet.top().join("b.aos").exists());
    assert_eq!(
        fleet.git(&a, &["worktree", "list", "--porcelain"]),
        a_worktrees
    );
    let status: serde_json::Value =
        serde_json::from_str(&fleet.aos_ok(&b, &["status", "p", "--json"])).unwrap();
    assert_eq!(
        status["worktree"],
        fleet.top().join("b.aos/p").display().to_string()
    );
    // The state still says where it was made.
    let record = fleet.git(&b, &["show", "refs/aos/ws/p:workstream.toml"]);
    assert!(
        record.contains(&format!(
            "worktree = \"{}\"",
            fleet.top().join("a.aos/p").display()
        )),
        "{record}"
    );

    // Running it here makes this machine's worktree, from the branch as fetched.
    fleet.aos_ok(&b, &["trust", "p"]);
    fleet.aos_ok(&b, &["run", "p"]);
    assert!(fleet.top().join("b.aos/p/two.txt").is_file());
    assert_eq!(
        fleet.git(&a, &["worktree", "list", "--porcelain"]),
        a_worktrees
    );
    let out = fleet.aos_ok(&b, &["fsck", "--json"]);
    assert!(!out.contains("missing_worktree"), "{out}");
    // Gone by hand here, it is missed here, and `--fix` makes it here again.
    std::fs::remove_dir_all(fleet.top().join("b.aos/p")).unwrap();
    let out = fleet.aos(&b, &["fsck"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(&format!(
            "the worktree of `p` at `{}` is gone",
            fleet.top().join("b.aos/p").display()
        )),
        "{}",
        stdout(&out)
    );
    fleet.aos_ok(&b, &["fsck", "--fix"]);
    assert!(fleet.top().join("b.aos/p/two.txt").is_file());
}

#[test]
fn doctor_says_whether_the_remote_takes_the_refs_git_aos_pushes() {
    let fleet = Fleet::new("", &[]);
    let a = fleet.dir("a");
    let out = fleet.aos_ok(&a, &["doctor"]);
    assert!(out.contains("ok       remote `origin`: `origin` takes `refs/aos/*` and `refs/notes/*` (a probe ref was pushed and deleted)"), "{out}");
    assert!(
        !fleet.remote_refs().contains("probe"),
        "{}",
        fleet.remote_refs()
    );

    // A host that takes branches and tags only.
    let hook = fleet.dir("remote.git").join("hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\nwhile read old new ref; do case \"$ref\" in refs/heads/*|refs/tags/*) ;; *) echo \"refusing $ref\" >&2; exit 1;; esac; done\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = fleet.aos(&a, &["doctor"]);
    assert!(
        out.status.success(),
        "a remote problem does not fail local runs: {}",
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains(
            "warning  remote `origin`: `origin` does not take `refs/aos/*` and `refs/notes/*`"
        ),
        "{text}"
    );
    assert!(
        text.contains("hint: use a host that accepts custom refs"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&fleet.aos_ok(&a, &["doctor", "--json"])).unwrap();
    let remote = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "remote")
        .unwrap();
    assert_eq!(remote["level"], "warning");
}
