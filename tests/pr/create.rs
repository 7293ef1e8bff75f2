//! Opening requests: a complete workstream gets a ready one, a workstream at a gate a
//! draft, on GitHub and on GitLab; the body is the report and goes as a file.

use super::{Host, World, err};

#[test]
fn a_complete_workstream_opens_a_ready_pull_request_with_the_report_as_its_body() {
    let world = World::complete(Host::GitHub);
    let tip = world.tip("aos/w");
    let out = world.aos(&["pr", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "https://github.com/acme/widgets/pull/1"
    );
    assert!(
        err(&out).contains("opened pull request #1"),
        "{}",
        err(&out)
    );
    assert_eq!(world.remote_tip("aos/w").as_deref(), Some(tip.as_str()));

    let forge = world.forge();
    let request = &forge["requests"][0];
    assert_eq!(request["title"], "Rate limiting");
    assert_eq!(request["base"], "main");
    assert_eq!(request["head"], "aos/w");
    assert_eq!(request["draft"], false);
    let body = request["body"].as_str().unwrap();
    for expected in [
        "Workstream `w`: branch `aos/w` from `main`, 2 of 2 tasks done, **complete**.",
        "| ✅ | T1: Add the limiter |",
        "### T2: Use the limiter",
        "- ✅ `test -f T2.txt`",
        "Review by critic: **approve**",
        "> reads well",
        "## Cost",
        "| critic | 2 |",
        "Total: **$",
    ] {
        assert!(body.contains(expected), "{expected:?} not in\n{body}");
    }
    // The body went as a file, never as an argument.
    let (argv, sent) = world.calls_of(&["pr", "create"]).pop().unwrap();
    assert!(argv.contains(&"--body-file".to_owned()), "{argv:?}");
    assert!(!argv.contains(&"--body".to_owned()) && !argv.contains(&"--draft".to_owned()));
    assert_eq!(sent.as_deref(), Some(body));

    let record = world.record();
    assert_eq!(record["tool"].as_str(), Some("gh"));
    assert_eq!(record["number"].as_integer(), Some(1));
    assert_eq!(
        record["url"].as_str(),
        Some("https://github.com/acme/widgets/pull/1")
    );
    assert_eq!(record["head"].as_str(), Some(tip.as_str()));
    assert_eq!(record["remote"].as_str(), Some("origin"));
    assert_eq!(record["draft"].as_bool(), Some(false));
    let log = world.repo.git(&[
        "log",
        "-1",
        "--format=%s%n%(trailers:key=Aos-Event,key=Aos-Pr,key=Aos-Pr-Head)",
        "refs/aos/ws/w",
    ]);
    assert!(log.starts_with("ws w: pull request #1 opened at"), "{log}");
    assert!(
        log.contains("Aos-Event: pr\nAos-Pr: #1\nAos-Pr-Head: "),
        "{log}"
    );
    // The whole of it is one state commit.
    let events = world.repo.git(&["log", "--format=%s", "refs/aos/ws/w"]);
    assert_eq!(events.matches("pull request").count(), 1, "{events}");
}

#[test]
fn gitlab_gets_a_merge_request_from_glab_mr_create_with_the_report_as_its_description() {
    let world = World::complete(Host::GitLab);
    let out = world.aos(&["pr", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "https://gitlab.com/acme/widgets/-/merge_requests/1"
    );
    assert!(
        err(&out).contains("opened merge request !1"),
        "{}",
        err(&out)
    );
    let (argv, sent) = world.calls_of(&["mr", "create"]).pop().unwrap();
    let request = &world.forge()["requests"][0];
    let body = request["body"].as_str().unwrap();
    assert!(body.contains("| ✅ | T2: Use the limiter |"), "{body}");
    assert!(body.contains("Review by critic: **approve**"), "{body}");
    // The description is the body file's text, passed whole as one argument.
    assert_eq!(sent.as_deref(), Some(body));
    let arg = |flag: &str| {
        let at = argv
            .iter()
            .position(|a| a == flag)
            .unwrap_or_else(|| panic!("no {flag} in {argv:?}"));
        argv[at + 1].as_str()
    };
    assert_eq!(arg("--description"), body);
    assert_eq!(arg("--title"), "Rate limiting");
    assert_eq!(arg("--source-branch"), "aos/w");
    assert_eq!(arg("--target-branch"), "main");
    assert_eq!(arg("-R"), "https://gitlab.com/acme/widgets");
    assert!(argv.contains(&"--yes".to_owned()), "{argv:?}");
    assert!(!argv.contains(&"--draft".to_owned()), "{argv:?}");
    // Before creating, it looked for a request an earlier run opened; the REST API made
    // nothing.
    let (list, _) = world.calls_of(&["mr", "list"]).pop().unwrap();
    assert_eq!(
        list[2..],
        [
            "--source-branch",
            "aos/w",
            "-F",
            "json",
            "-R",
            "https://gitlab.com/acme/widgets"
        ]
    );
    assert!(
        world
            .calls_of(&["api"])
            .iter()
            .all(|(a, _)| !a.contains(&"POST".to_owned()))
    );
    // The body file is gone once the request is made.
    let scratch = world.repo.root.join(".git/aos/scratch/pr");
    assert!(scratch.is_dir());
    assert_eq!(std::fs::read_dir(&scratch).unwrap().count(), 0);
    assert_eq!(request["draft"], false);
    assert_eq!(request["title"], "Rate limiting");
    assert_eq!(request["base"], "main");
    assert_eq!(request["head"], "aos/w");
    let record = world.record();
    assert_eq!(record["tool"].as_str(), Some("glab"));
    assert_eq!(record["host"].as_str(), Some("gitlab.com"));
    assert_eq!(record["repo"].as_str(), Some("acme/widgets"));
    assert_eq!(record["number"].as_integer(), Some(1));
    assert_eq!(
        record["url"].as_str(),
        Some("https://gitlab.com/acme/widgets/-/merge_requests/1")
    );
    let log = world
        .repo
        .git(&["log", "-1", "--format=%s", "refs/aos/ws/w"]);
    assert!(log.starts_with("ws w: merge request !1 opened at"), "{log}");
}

#[test]
fn a_workstream_waiting_for_acceptance_opens_a_draft_that_becomes_ready_once_accepted() {
    let world = World::new(
        Host::GitHub,
        "[profiles.default]\nautonomy = \"autonomous\"\n\n[uat]\nscenarios = [\"send too many requests\"]\n",
    );
    assert_eq!(world.aos(&["run", "w"]).status.code(), Some(3));
    let out = world.ok(&["pr", "w", "--draft"]);
    assert_eq!(out.trim(), "https://github.com/acme/widgets/pull/1");
    let request = &world.forge()["requests"][0];
    assert_eq!(request["draft"], true);
    assert!(
        request["body"]
            .as_str()
            .unwrap()
            .contains("- u1: waiting for a verdict")
    );
    let (argv, _) = world.calls_of(&["pr", "create"]).pop().unwrap();
    assert!(argv.contains(&"--draft".to_owned()), "{argv:?}");
    assert_eq!(world.record()["draft"].as_bool(), Some(true));

    world.ok(&["uat", "pass", "w"]);
    let out = world.aos(&["pr", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    assert!(
        err(&out).contains("updated pull request #1"),
        "{}",
        err(&out)
    );
    let forge = world.forge();
    assert_eq!(forge["requests"].as_array().unwrap().len(), 1);
    assert_eq!(forge["requests"][0]["draft"], false);
    let body = forge["requests"][0]["body"].as_str().unwrap();
    assert!(
        body.contains("- u1: ✅ passed (Ada Tester <ada@example.com>)"),
        "{body}"
    );
    assert!(body.contains("**complete**"), "{body}");
    assert_eq!(world.calls_of(&["pr", "ready"]).len(), 1);
    assert_eq!(world.calls_of(&["pr", "create"]).len(), 1);
    assert_eq!(world.record()["draft"].as_bool(), Some(false));
}

#[test]
fn a_gitlab_draft_is_made_with_draft_and_made_ready_with_ready() {
    let world = World::new(
        Host::GitLab,
        "[profiles.default]\nautonomy = \"autonomous\"\n\n[uat]\n",
    );
    assert_eq!(world.aos(&["run", "w"]).status.code(), Some(3));
    world.ok(&["pr", "w", "--draft"]);
    let (argv, _) = world.calls_of(&["mr", "create"]).pop().unwrap();
    assert!(argv.contains(&"--draft".to_owned()), "{argv:?}");
    // glab writes the prefix: the title git aos passes is the plan's.
    assert!(argv.contains(&"Rate limiting".to_owned()), "{argv:?}");
    let request = &world.forge()["requests"][0];
    assert_eq!(request["draft"], true);
    assert!(
        request["body"]
            .as_str()
            .unwrap()
            .contains("- u1: waiting for a verdict")
    );
    let status = world.ok(&["pr", "status", "w"]);
    assert!(status.contains("w  !1  open (draft)"), "{status}");
    assert_eq!(world.record()["draft"].as_bool(), Some(true));

    // Pushed again while still open: the draft stays one.
    world.ok(&["pr", "w", "--draft"]);
    let (argv, _) = world.calls_of(&["mr", "update"]).pop().unwrap();
    assert!(argv.contains(&"--draft".to_owned()), "{argv:?}");
    assert_eq!(world.forge()["requests"][0]["draft"], true);

    world.ok(&["uat", "pass", "w"]);
    let out = world.aos(&["pr", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    assert!(
        err(&out).contains("updated merge request !1"),
        "{}",
        err(&out)
    );
    let (argv, sent) = world.calls_of(&["mr", "update"]).pop().unwrap();
    assert_eq!(argv[..3], ["mr", "update", "1"], "{argv:?}");
    assert!(argv.contains(&"--ready".to_owned()), "{argv:?}");
    assert!(!argv.contains(&"--draft".to_owned()), "{argv:?}");
    assert!(argv.contains(&"Rate limiting".to_owned()), "{argv:?}");
    let body = sent.unwrap();
    assert!(
        body.contains("- u1: ✅ passed (Ada Tester <ada@example.com>)"),
        "{body}"
    );
    let forge = world.forge();
    assert_eq!(forge["requests"].as_array().unwrap().len(), 1);
    assert_eq!(forge["requests"][0]["draft"], false);
    assert_eq!(forge["requests"][0]["title"], "Rate limiting");
    assert_eq!(forge["requests"][0]["body"].as_str(), Some(body.as_str()));
    assert_eq!(world.calls_of(&["mr", "create"]).len(), 1);
    assert_eq!(world.record()["draft"].as_bool(), Some(false));
    let status = world.ok(&["pr", "status", "w"]);
    assert!(status.starts_with("w  !1  open  "), "{status}");
}

#[test]
fn a_description_too_big_for_one_argument_is_cut_to_fit_it() {
    let world = World::new(
        Host::GitLab,
        "[profiles.default]\nautonomy = \"autonomous\"\n",
    );
    // A reviewer whose summary is 300 lines of 99 three-byte characters, once for each
    // task in the body: near the 60,000-character cap, some 180 KB, where one argument
    // holds 128 KiB.
    let summary = format!("{}\\\\n", "✅".repeat(99)).repeat(300);
    let scenario = format!(
        "emit success {{\"verdict\":\"approve\",\"summary\":\"{summary}\",\"comments\":[]}}\n"
    );
    std::fs::write(world.repo.agent_io().join("critic.txt"), scenario).unwrap();
    world.ok(&["run", "w"]);
    let out = world.aos(&["pr", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    let (argv, sent) = world.calls_of(&["mr", "create"]).pop().unwrap();
    let sent = sent.unwrap();
    assert!(sent.len() < 128 * 1024, "{}", sent.len());
    assert!(
        sent.len() > 120_000,
        "the body was not too big: {}",
        sent.len()
    );
    assert!(
        sent.contains(&format!("> {}\n", "✅".repeat(99))),
        "the summary went missing"
    );
    assert!(
        sent.ends_with("… (cut to fit the forge; `git aos report` has everything)\n"),
        "{}",
        &sent[sent.len() - 200..]
    );
    assert!(argv.contains(&sent));
    assert_eq!(
        world.forge()["requests"][0]["body"].as_str(),
        Some(sent.as_str())
    );
}
