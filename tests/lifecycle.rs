//! End to end: init, new, list, status, log, close, open, fsck, through real git.

mod common;

use common::{Repo, stderr, stdout};

#[test]
fn init_new_close_open_round_trip() {
    let repo = Repo::new();
    repo.aos_ok(&["init", "--yes"]);
    assert!(repo.path("aos.toml").is_file());
    assert_eq!(
        repo.git(&["config", "--get", "notes.rewriteRef"]).trim(),
        "refs/notes/aos"
    );
    assert_eq!(
        repo.git(&["config", "--get", "log.excludeDecoration"])
            .trim(),
        "refs/aos/*"
    );
    repo.aos_ok(&["new", "a"]);
    repo.aos_ok(&["new", "b"]);
    assert!(repo.worktree("a").join("README.md").is_file());
    assert!(repo.worktree("b").is_dir());
    let branches = repo.git(&["branch", "--list", "aos/*", "--format=%(refname:short)"]);
    assert_eq!(branches, "aos/a\naos/b\n");
    let ws = repo.git(&["show", "refs/aos/ws/a:workstream.toml"]);
    assert!(
        ws.contains("name = \"a\"") && ws.contains("status = \"active\""),
        "{ws}"
    );
    assert_eq!(repo.git(&["show", "refs/aos/ws/a:format"]), "1\n");
    let log = repo.git(&["log", "--format=%B", "refs/aos/ws/a"]);
    assert!(log.contains("Aos-Event: create"), "{log}");

    let list: serde_json::Value = serde_json::from_str(&repo.aos_ok(&["list", "--json"])).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    let status: serde_json::Value =
        serde_json::from_str(&repo.aos_ok(&["status", "b", "--json"])).unwrap();
    assert_eq!(status["name"], "b");
    assert_eq!(status["branch"], "aos/b");
    assert_eq!(status["status"], "active");

    // Status with no name and no current workstream describes every live one.
    let all: serde_json::Value = serde_json::from_str(&repo.aos_ok(&["status", "--json"])).unwrap();
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);

    // Status without a name, from inside the worktree.
    let inside = repo.aos_in(&repo.worktree("a"), &["status", "--json"]);
    assert!(inside.status.success(), "{}", stderr(&inside));
    assert!(stdout(&inside).contains("\"name\": \"a\""));

    repo.aos_ok(&["close", "a"]);
    assert!(!repo.worktree("a").exists());
    let refs = repo.refs();
    assert!(!refs.contains("refs/aos/ws/a "), "{refs}");
    assert!(refs.contains("refs/aos/archive/a."), "{refs}");
    assert!(refs.contains("refs/heads/aos/a "), "branch is kept: {refs}");
    let all: serde_json::Value =
        serde_json::from_str(&repo.aos_ok(&["list", "--all", "--json"])).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    repo.git(&["fsck", "--strict"]);

    repo.aos_ok(&["open", "a"]);
    assert!(repo.worktree("a").join("README.md").is_file());
    let refs = repo.refs();
    assert!(refs.contains("refs/aos/ws/a "), "{refs}");
    assert!(!refs.contains("refs/aos/archive/a."), "{refs}");
    let history = repo.aos_ok(&["log", "a", "--json"]);
    let events: Vec<String> = serde_json::from_str::<serde_json::Value>(&history)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, ["open", "close", "create"]);
    repo.aos_ok(&["fsck"]);
    repo.git(&["fsck", "--strict"]);
}

#[test]
fn bad_names_are_refused_and_nothing_is_written() {
    let repo = Repo::new();
    repo.aos_ok(&["init", "--yes"]);
    repo.git(&["branch", "aos/taken"]);
    let before = repo.refs();
    for bad in ["", "../x", "A", "a/b", "a..b", "x.lock", "-x", "taken"] {
        let out = repo.aos(&["new", "--", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("error"), "{bad:?}: {}", stderr(&out));
    }
    assert_eq!(repo.refs(), before);
    assert!(!repo.tmp.path().join("repo.aos").join("taken").exists());
}

#[test]
fn a_broken_aos_toml_names_file_key_and_line() {
    let repo = Repo::new();
    std::fs::write(
        repo.path("aos.toml"),
        "[project]\nbase = \"main\"\ntset = \"make\"\n",
    )
    .unwrap();
    let before = repo.refs();
    let out = repo.aos(&["new", "a"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("aos.toml") && err.contains("tset") && err.contains('3'),
        "{err}"
    );
    assert_eq!(repo.refs(), before);
}

#[test]
fn a_failing_setup_leaves_no_half_made_workstream() {
    let repo = Repo::new();
    std::fs::write(
        repo.path("aos.toml"),
        "[project]\nbase = \"main\"\nsetup = [\"echo preparing; exit 7\"]\n",
    )
    .unwrap();
    let before = repo.refs();
    let out = repo.aos(&["new", "a"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("exit 7") && stderr(&out).contains("preparing"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.refs(), before);
    assert!(!repo.worktree("a").exists());
    assert_eq!(repo.git(&["worktree", "list"]).lines().count(), 1);
}

#[test]
fn close_refuses_uncommitted_work_without_force() {
    let repo = Repo::new();
    repo.aos_ok(&["init", "--yes"]);
    repo.aos_ok(&["new", "a"]);
    std::fs::write(repo.worktree("a").join("wip.txt"), "precious\n").unwrap();
    let out = repo.aos(&["close", "a"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("wip.txt"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(repo.worktree("a").join("wip.txt")).unwrap(),
        "precious\n"
    );
    assert!(repo.refs().contains("refs/aos/ws/a "));
    repo.aos_ok(&["close", "a", "--force"]);
    assert!(!repo.worktree("a").exists());
}

#[test]
fn a_state_format_from_the_future_is_refused() {
    let repo = Repo::new();
    repo.aos_ok(&["init", "--yes"]);
    repo.aos_ok(&["new", "a"]);
    // Forge a state commit whose `format` says 2.
    let blob = {
        let out = repo.cmd_in(
            &repo.root,
            "sh",
            &["-c", "printf '2\\n' | git hash-object -w --stdin"],
        );
        stdout(&out).trim().to_owned()
    };
    let listing = repo.git(&["ls-tree", "refs/aos/ws/a"]);
    let old_blob = repo.git(&["rev-parse", "refs/aos/ws/a:format"]);
    let new_listing = listing.replace(old_blob.trim(), &blob);
    let script = format!("printf '%s' '{new_listing}' | git mktree");
    let tree = stdout(&repo.cmd_in(&repo.root, "sh", &["-c", &script]))
        .trim()
        .to_owned();
    let commit = repo
        .git(&["commit-tree", &tree, "-p", "refs/aos/ws/a", "-m", "future"])
        .trim()
        .to_owned();
    repo.git(&["update-ref", "refs/aos/ws/a", &commit]);
    let before = repo.refs();
    for args in [vec!["status", "a"], vec!["close", "a"], vec!["list"]] {
        let out = repo.aos(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).contains("newer than this git-aos understands"),
            "{}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("hint:"), "{}", stderr(&out));
    }
    assert_eq!(repo.refs(), before);
}

#[test]
fn fsck_repairs_an_interrupted_close() {
    let repo = Repo::new();
    repo.aos_ok(&["init", "--yes"]);
    repo.aos_ok(&["new", "a"]);
    // A crash between creating the archive ref and deleting the live one leaves both.
    let tip = repo.git(&["rev-parse", "refs/aos/ws/a"]).trim().to_owned();
    repo.git(&["update-ref", "refs/aos/archive/a.20260101T000000", &tip]);
    let out = repo.aos(&["fsck"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("interrupted_archive"),
        "{}",
        stdout(&out)
    );
    repo.aos_ok(&["fsck", "--fix"]);
    assert!(!repo.refs().contains("refs/aos/ws/a "));
    repo.aos_ok(&["fsck"]);
}

#[test]
fn new_with_a_plan_records_every_task_and_refuses_an_invalid_one() {
    let repo = Repo::new();
    // The fixture's `Agent: codex` must name an agent aos.toml defines.
    repo.aos_ok(&["init", "--yes", "--agent", "codex"]);
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plans");
    let bad = fixtures.join("bad-cycle.md");
    let before = repo.refs();
    let out = repo.aos(&["new", "p", "--plan", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad-cycle.md:"), "{}", stderr(&out));
    assert_eq!(repo.refs(), before);
    assert!(!repo.worktree("p").exists());

    let good = fixtures.join("valid-full.md");
    repo.aos_ok(&["new", "p", "--plan", good.to_str().unwrap()]);
    let tasks = repo.git(&["show", "refs/aos/ws/p:tasks.toml"]);
    let parsed: toml::Value = toml::from_str(&tasks).unwrap();
    let list = parsed["task"].as_array().unwrap();
    assert!(list.len() >= 3, "{tasks}");
    // Tasks ticked in the file start done; the rest are pending.
    let text = std::fs::read_to_string(&good).unwrap();
    for t in list {
        let id = t["id"].as_str().unwrap();
        let ticked = text
            .lines()
            .any(|l| l.starts_with("### [x]") && l.contains(&format!(" {id}:")));
        assert_eq!(
            t["status"].as_str(),
            Some(if ticked { "done" } else { "pending" }),
            "{id}"
        );
    }
    assert_eq!(
        repo.git(&["show", "refs/aos/ws/p:plan.md"]),
        std::fs::read_to_string(&good).unwrap()
    );
    // The plan lives outside the repository, so the branch gets it under plans/.
    assert!(repo.worktree("p").join("plans/p.md").is_file());
    let status: serde_json::Value =
        serde_json::from_str(&repo.aos_ok(&["status", "p", "--json"])).unwrap();
    assert_eq!(
        status["progress"]["total"].as_u64().unwrap() as usize,
        list.len()
    );
    assert!(!status["next"].as_array().unwrap().is_empty());
}
