//! `add` against git itself: each message goes through both, and the results must agree.

use super::*;

const OURS: &[(&str, &str)] = &[("Aos-Workstream", "w"), ("Aos-Task", "T1")];

/// Messages as git hands them to `prepare-commit-msg` (`-m`, `-F`, amend, editor).
const CASES: &[&str] = &[
    "subject\n",
    "subject",
    "subject\n\nbody line\nmore body\n",
    "subject\n\nbody\n\nSigned-off-by: A <a@x>\n",
    "subject\n\nSigned-off-by: A <a@x>\nReviewed-by: B <b@x>\n",
    "subject\n\nAos-Workstream: w\nAos-Task: T1\n",
    "subject\n\naos-task: T9\n",
    "subject\n\nbody\n\n# Please enter the commit message.\n# Lines starting with '#' are ignored.\n",
    "subject\n\n# comment\n#\n# ------------------------ >8 ------------------------\n# Do not modify\ndiff --git a/x b/x\n",
    "subject\n\nThis is prose: with a colon.\n",
    "subject\n\nprose line one\nprose line two\nprose three\nSigned-off-by: A <a@x>\n",
    "Key: value\n",
    "subject\n\nFixes: #12\n  continued\n",
    "subject\n\n\n\n",
];

/// Runs `git interpret-trailers --if-exists doNothing` on `message`.
fn git_reference(message: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .args([
            "-c",
            "core.commentChar=#",
            "interpret-trailers",
            "--if-exists",
            "doNothing",
        ])
        .args(
            OURS.iter()
                .flat_map(|(k, v)| ["--trailer".to_owned(), format!("{k}: {v}")]),
        )
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(message.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn trailers_land_where_git_puts_them() {
    for case in CASES {
        let ours = add(case, OURS, "#").unwrap_or_else(|| (*case).to_owned());
        assert_eq!(ours, git_reference(case), "message: {case:?}");
    }
}

#[test]
fn an_empty_message_is_left_alone() {
    assert_eq!(add("", OURS, "#"), None);
    assert_eq!(
        add("\n# Please enter the commit message\n", OURS, "#"),
        None
    );
}

#[test]
fn keys_already_present_are_not_added_twice() {
    let once = add("subject\n", OURS, "#").unwrap();
    assert_eq!(once, "subject\n\nAos-Workstream: w\nAos-Task: T1\n");
    assert_eq!(add(&once, OURS, "#"), None);
}

#[test]
fn another_comment_char_is_honoured() {
    let msg = "subject\n\n; Please enter the commit message\n";
    assert_eq!(
        add(msg, OURS, ";").unwrap(),
        "subject\n\nAos-Workstream: w\nAos-Task: T1\n\n; Please enter the commit message\n"
    );
}
