//! End to end: `git-aos plan check` on the fixtures under `tests/fixtures`, through the
//! built binary, with a hermetic environment.
//!
//! Each `bad-*.md` plan has a sibling `bad-*.expected`: one `LINE: SEVERITY: substring`
//! per diagnostic the check must print (`#` starts a comment). The check must print
//! exactly those diagnostics, each as `FILE:LINE: SEVERITY: …` with the substring in its
//! message, and exit 1.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use git_aos::ids::TaskId;

fn fixtures(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
}

fn git_aos(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("git-aos").expect("the git-aos binary is built");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .env_remove("AOS_LOG");
    cmd
}

/// Returns `(line, severity, substring)` from an `.expected` file.
fn expected(path: &Path) -> Vec<(usize, String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.splitn(3, ": ");
            let (Some(line), Some(severity), Some(substring)) =
                (parts.next(), parts.next(), parts.next())
            else {
                panic!("bad entry {l:?}");
            };
            let line = line.parse().unwrap_or_else(|_| panic!("bad line in {l:?}"));
            (line, severity.to_owned(), substring.to_owned())
        })
        .collect()
}

#[test]
fn every_bad_plan_fails_with_exactly_its_expected_diagnostics() {
    let dir = fixtures("plans");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("bad-") && n.ends_with(".md"))
        .collect();
    names.sort();
    assert!(names.len() >= 15, "only {} bad plans", names.len());
    for name in &names {
        let want = expected(&dir.join(name.replace(".md", ".expected")));
        let out = git_aos(&dir)
            .args(["plan", "check", name])
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}:\n{stderr}");
        assert!(
            out.stdout.is_empty(),
            "{name}: human mode prints nothing on stdout when invalid"
        );
        let mut got: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with(&format!("{name}:")))
            .collect();
        for (line, severity, substring) in &want {
            let prefix = format!("{name}:{line}: {severity}: ");
            let found = got
                .iter()
                .position(|d| d.starts_with(&prefix) && d.contains(substring.as_str()));
            let Some(i) = found else {
                panic!("{name}: no diagnostic `{prefix}…{substring}…` in:\n{stderr}");
            };
            got.remove(i);
        }
        assert!(got.is_empty(), "{name}: unexpected diagnostics {got:#?}");
        assert!(
            stderr.contains(&format!("error: `{name}` is not a valid plan: ")),
            "{stderr}"
        );
        assert!(stderr.contains("hint: "), "{stderr}");
    }
}

#[test]
fn the_valid_plan_gives_its_order_and_groups_as_json() {
    for name in ["valid-full.md", "valid-full-crlf.md"] {
        let out = git_aos(&fixtures("plans"))
            .args(["plan", "check", "--json", name])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "no warnings: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["valid"], true);
        assert_eq!(json["file"], name);
        assert_eq!(json["title"], "rate limiting");
        assert_eq!(
            json["order"],
            serde_json::json!(["T1", "COMMIT-TF-001", "T2", "TODO-3", "T4"])
        );
        assert_eq!(
            json["groups"],
            serde_json::json!([["T1", "COMMIT-TF-001", "T2", "TODO-3"], ["T4"]])
        );
        let t2 = &json["tasks"][2];
        assert_eq!(t2["id"], "T2");
        assert_eq!(t2["depends"], serde_json::json!(["T1", "COMMIT-TF-001"]));
        assert_eq!(
            t2["acceptance"][0],
            serde_json::json!({"kind": "command", "cmd": "cargo test middleware", "line": 60})
        );
        assert_eq!(t2["acceptance"][2]["kind"], "criterion");
        assert_eq!(
            json["tasks"][0]["outputs"][1],
            serde_json::json!({"name": "type_name", "value": "Limiter", "line": 24})
        );
        assert_eq!(json["warnings"], serde_json::json!([]));
    }
}

#[test]
fn the_valid_plan_prints_a_summary() {
    let out = git_aos(&fixtures("plans"))
        .args(["plan", "check", "valid-full.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        "`valid-full.md`: plan \"rate limiting\", 5 tasks (1 done), 2 independent groups\n\
         order: T1, COMMIT-TF-001, T2, TODO-3, T4\n\
         groups: T1 COMMIT-TF-001 T2 TODO-3 | T4\n\
         waves: T1 T4 | COMMIT-TF-001 | T2 | TODO-3 (tasks of a wave can run at once)\n"
    );
}

#[test]
fn an_invalid_plan_in_json_mode_lists_errors_and_warnings_on_stdout() {
    let out = git_aos(&fixtures("plans"))
        .args(["plan", "check", "bad-crlf.md", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["valid"], false);
    assert_eq!(json["errors"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["errors"][0]["line"], 4);
    assert_eq!(json["errors"][0]["file"], "bad-crlf.md");
    assert_eq!(json["warnings"][0]["severity"], "warning");
}

#[test]
fn an_unreadable_file_is_an_error_naming_it() {
    let out = git_aos(&fixtures("plans"))
        .args(["plan", "check", "no-such-plan.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: cannot read `no-such-plan.md`"),
        "{stderr}"
    );
}

#[test]
fn briefs_are_checked_for_their_four_sections() {
    let dir = fixtures("briefs");
    let out = git_aos(&dir)
        .args(["plan", "check", "--brief", "valid.md"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Success Criteria: line 13"), "{stdout}");

    let out = git_aos(&dir)
        .args(["plan", "check", "--brief", "bad-missing.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("bad-missing.md:6: error: section `Context` is empty"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad-missing.md:1: error: the brief is missing sections: `Constraints`, `Success Criteria`"),
        "{stderr}"
    );
}

#[test]
fn tick_changes_exactly_the_heading_line_of_the_fixture() {
    let text = std::fs::read_to_string(fixtures("plans").join("valid-full-crlf.md")).unwrap();
    let id: TaskId = "COMMIT-TF-001".parse().unwrap();
    let ticked = git_aos::plan::tick(&text, &id).unwrap();
    let before: Vec<&str> = text.split_inclusive('\n').collect();
    let after: Vec<&str> = ticked.split_inclusive('\n').collect();
    assert_eq!(before.len(), after.len());
    let changed: Vec<(&&str, &&str)> = before.iter().zip(&after).filter(|(a, b)| a != b).collect();
    assert_eq!(
        changed,
        [(
            &"### [ ] COMMIT-TF-001: Configure the limits\r\n",
            &"### [x] COMMIT-TF-001: Configure the limits\r\n"
        )]
    );
    assert_eq!(
        git_aos::plan::tick(&ticked, &id).unwrap(),
        ticked,
        "ticking twice changes nothing"
    );
    assert!(
        git_aos::plan::check(&ticked, "p.md")
            .unwrap()
            .plan
            .find_task(&id)
            .unwrap()
            .done
    );
}
