//! Merges of whole state trees as two clones make them.

use toml::Table;

use super::*;

pub(super) fn files(list: &[(&str, &str)]) -> Files {
    list.iter()
        .map(|(p, t)| ((*p).to_owned(), t.as_bytes().to_vec()))
        .collect()
}

pub(super) fn rank(time: i64, id: &str) -> Rank {
    Rank {
        time,
        id: id.into(),
    }
}

pub(super) fn toml_of(f: &Files, p: &str) -> Table {
    toml::from_str(std::str::from_utf8(&f[p]).unwrap()).unwrap()
}

pub(super) const WS: &str = "name = \"w\"\nbranch = \"aos/w\"\nbase = \"main\"\nbase_commit = \"0\"\nworktree = \"/a/w\"\nprofile = \"default\"\nstatus = \"blocked\"\ncreated_at = \"t\"\nupdated_at = \"t\"\ncurrent_task = \"T1\"\ntasks_done = 0\ntasks_total = 2\n";
pub(super) const TASKS: &str = "[[task]]\nid = \"T1\"\nstatus = \"blocked\"\nattempts = 1\nlast_run = \"01JD3Z8Q6V0000000000000001\"\n\n[[task]]\nid = \"T2\"\nstatus = \"pending\"\nattempts = 0\n";
pub(super) const RUN: &str = "id = \"01JD3Z8Q6V0000000000000001\"\ntask = \"T1\"\nstatus = \"blocked\"\nattempt = 1\nnext = \"implement\"\nfeedback = []\nstarted_at = \"t\"\n";
pub(super) const PLAN: &str = "# Plan: w\n\n### [ ] T1: One\n\n### [ ] T2: Two\nDepends: T1\n";

fn question(id: &str, text: &str, at: &str, answer: Option<(&str, &str)>) -> String {
    let mut s = format!(
        "id = \"{id}\"\ntask = \"T1\"\nquestion = \"{text}\"\nasked_by = \"claude\"\nasked_at = \"{at}\"\ndelivered = false\n"
    );
    if let Some((a, by)) = answer {
        s.push_str(&format!(
            "answer = \"{a}\"\nanswered_by = \"{by}\"\nanswered_at = \"2026-01-02T00:00:00Z\"\n"
        ));
    }
    s
}

pub(super) fn base() -> Files {
    files(&[
        ("format", "1\n"),
        ("workstream.toml", WS),
        ("tasks.toml", TASKS),
        ("plan.md", PLAN),
        ("runs/01JD3Z8Q6V0000000000000001/run.toml", RUN),
        (
            "gates/clarify/q1.toml",
            &question("q1", "which db?", "2026-01-01T00:00:01Z", None),
        ),
        (
            "gates/clarify/q2.toml",
            &question("q2", "which port?", "2026-01-01T00:00:02Z", None),
        ),
        ("memory/learnings.md", "- one\n"),
    ])
}

#[test]
fn questions_answered_and_asked_on_both_sides_are_all_kept() {
    let base = base();
    let mut a = base.clone();
    a.insert(
        "gates/clarify/q1.toml".into(),
        question(
            "q1",
            "which db?",
            "2026-01-01T00:00:01Z",
            Some(("postgres", "ann")),
        )
        .into_bytes(),
    );
    a.insert(
        "gates/clarify/q3.toml".into(),
        question("q3", "tabs?", "2026-01-03T00:00:00Z", None).into_bytes(),
    );
    a.insert(
        "runs/01JD3Z8Q6V0000000000000001/run.toml".into(),
        RUN.replace("feedback = []", "feedback = [\"postgres\"]")
            .into_bytes(),
    );
    a.insert("memory/learnings.md".into(), b"- one\n- from a\n".to_vec());
    let mut b = base.clone();
    b.insert(
        "gates/clarify/q2.toml".into(),
        question(
            "q2",
            "which port?",
            "2026-01-01T00:00:02Z",
            Some(("8080", "bob")),
        )
        .into_bytes(),
    );
    b.insert(
        "gates/clarify/q3.toml".into(),
        question("q3", "spaces?", "2026-01-04T00:00:00Z", None).into_bytes(),
    );
    b.insert(
        "runs/01JD3Z8Q6V0000000000000001/run.toml".into(),
        RUN.replace("feedback = []", "feedback = [\"8080\"]")
            .into_bytes(),
    );
    b.insert("memory/learnings.md".into(), b"- one\n- from b\n".to_vec());
    let (ra, rb) = (rank(10, "a"), rank(20, "b"));
    let m = merge(
        &base,
        Side {
            files: &a,
            rank: &ra,
        },
        Side {
            files: &b,
            rank: &rb,
        },
    )
    .unwrap();
    let swapped = merge(
        &base,
        Side {
            files: &b,
            rank: &rb,
        },
        Side {
            files: &a,
            rank: &ra,
        },
    )
    .unwrap();
    assert_eq!(m, swapped);
    assert_eq!(
        toml_of(&m.files, "gates/clarify/q1.toml")["answer"].as_str(),
        Some("postgres")
    );
    assert_eq!(
        toml_of(&m.files, "gates/clarify/q2.toml")["answer"].as_str(),
        Some("8080")
    );
    // Both asked `q3`: the one asked later became `q4`.
    assert_eq!(
        toml_of(&m.files, "gates/clarify/q3.toml")["question"].as_str(),
        Some("tabs?")
    );
    let q4 = toml_of(&m.files, "gates/clarify/q4.toml");
    assert_eq!(
        (q4["id"].as_str(), q4["question"].as_str()),
        (Some("q4"), Some("spaces?"))
    );
    assert!(
        m.notes.iter().any(|n| n.contains("q3") && n.contains("q4")),
        "{:?}",
        m.notes
    );
    let run = toml_of(&m.files, "runs/01JD3Z8Q6V0000000000000001/run.toml");
    assert_eq!(run["feedback"].as_array().unwrap().len(), 2);
    assert_eq!(
        std::str::from_utf8(&m.files["memory/learnings.md"]).unwrap(),
        "- one\n- from a\n- from b\n"
    );
    let ws = toml_of(&m.files, "workstream.toml");
    assert_eq!(ws["status"].as_str(), Some("blocked"));
    // The merged tree reads back as the store's own records.
    let _: crate::store::WorkstreamRecord =
        toml::from_str(std::str::from_utf8(&m.files["workstream.toml"]).unwrap()).unwrap();
    let _: crate::store::TasksFile =
        toml::from_str(std::str::from_utf8(&m.files["tasks.toml"]).unwrap()).unwrap();
}

#[test]
fn the_last_open_question_answered_elsewhere_unblocks_the_workstream() {
    let mut base = base();
    base.remove("gates/clarify/q2.toml");
    let mut a = base.clone();
    a.insert(
        "gates/clarify/q1.toml".into(),
        question(
            "q1",
            "which db?",
            "2026-01-01T00:00:01Z",
            Some(("pg", "ann")),
        )
        .into_bytes(),
    );
    let mut b = base.clone();
    b.insert("memory/learnings.md".into(), b"- one\n- two\n".to_vec());
    b.insert(
        "workstream.toml".into(),
        WS.replace("updated_at = \"t\"", "updated_at = \"u\"")
            .into_bytes(),
    );
    let (ra, rb) = (rank(1, "a"), rank(2, "b"));
    let m = merge(
        &base,
        Side {
            files: &a,
            rank: &ra,
        },
        Side {
            files: &b,
            rank: &rb,
        },
    )
    .unwrap();
    let ws = toml_of(&m.files, "workstream.toml");
    assert_eq!(ws["status"].as_str(), Some("active"));
    let tasks = toml_of(&m.files, "tasks.toml");
    assert_eq!(tasks["task"][0]["status"].as_str(), Some("running"));
    assert_eq!(
        toml_of(&m.files, "runs/01JD3Z8Q6V0000000000000001/run.toml")["status"].as_str(),
        Some("running")
    );
}

#[test]
fn fix_tasks_appended_on_both_sides_are_renumbered_apart() {
    let base = base();
    let fix = |title: &str| format!("{PLAN}\n### [ ] FIX-1: {title}\nDepends: T2\n");
    let task =
        "\n[[task]]\nid = \"FIX-1\"\nstatus = \"pending\"\nattempts = 0\ndepends = [\"T2\"]\n";
    let mut a = base.clone();
    a.insert("plan.md".into(), fix("left").into_bytes());
    a.insert("tasks.toml".into(), format!("{TASKS}{task}").into_bytes());
    let mut b = base.clone();
    b.insert(
        "plan.md".into(),
        fix("right").replace("[ ] T1", "[x] T1").into_bytes(),
    );
    b.insert(
        "tasks.toml".into(),
        format!(
            "{}{task}",
            TASKS.replace("status = \"blocked\"", "status = \"done\"")
        )
        .into_bytes(),
    );
    let (ra, rb) = (rank(5, "a"), rank(5, "b"));
    let m = merge(
        &base,
        Side {
            files: &a,
            rank: &ra,
        },
        Side {
            files: &b,
            rank: &rb,
        },
    )
    .unwrap();
    let plan = String::from_utf8(m.files["plan.md"].clone()).unwrap();
    assert!(plan.contains("### [x] T1: One"), "{plan}");
    assert!(
        plan.contains("### [ ] FIX-1: left") && plan.contains("### [ ] FIX-2: right"),
        "{plan}"
    );
    let tasks = toml_of(&m.files, "tasks.toml");
    let ids: Vec<&str> = tasks["task"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["T1", "T2", "FIX-1", "FIX-2"]);
    assert_eq!(
        toml_of(&m.files, "workstream.toml")["tasks_total"].as_integer(),
        Some(4)
    );
}

#[test]
fn a_plan_rewritten_on_both_sides_is_refused() {
    let base = base();
    let mut a = base.clone();
    a.insert("plan.md".into(), PLAN.replace("One", "Uno").into_bytes());
    let mut b = base.clone();
    b.insert("plan.md".into(), PLAN.replace("One", "Eins").into_bytes());
    let (ra, rb) = (rank(1, "a"), rank(2, "b"));
    let err = merge(
        &base,
        Side {
            files: &a,
            rank: &ra,
        },
        Side {
            files: &b,
            rank: &rb,
        },
    )
    .unwrap_err();
    assert!(err.0.contains("plan"), "{err}");
}

#[test]
fn one_sided_changes_come_through_untouched() {
    let base = base();
    let mut a = base.clone();
    a.insert("runs/01R2/run.toml".into(), b"x = 1\n".to_vec());
    let (ra, rb) = (rank(1, "a"), rank(2, "b"));
    let m = merge(
        &base,
        Side {
            files: &a,
            rank: &ra,
        },
        Side {
            files: &base,
            rank: &rb,
        },
    )
    .unwrap();
    assert_eq!(m.files, a);
    let m = merge(
        &base,
        Side {
            files: &a,
            rank: &ra,
        },
        Side {
            files: &a,
            rank: &rb,
        },
    )
    .unwrap();
    assert_eq!(m.files, a);
}
