//! Property tests: two clones make random changes to one state; whatever they did, the
//! merge does not depend on which side is which, merging a side with itself or with the
//! base changes nothing, and no question, answer or memory line is lost.

use proptest::prelude::*;
use toml::{Table, Value};

use super::tests::{base, toml_of};
use super::*;

/// One change a clone makes to a workstream's state.
#[derive(Debug, Clone)]
enum Edit {
    Answer(u8, String),
    Ask(String, u8),
    Tick(u8),
    AppendFix(String),
    Remember(String),
    Feedback(String),
    Status(&'static str),
}

fn edit() -> impl Strategy<Value = Edit> {
    let word = "[a-z]{1,6}";
    prop_oneof![
        (0u8..4, word).prop_map(|(i, w)| Edit::Answer(i, w)),
        (word, 0u8..4).prop_map(|(w, t)| Edit::Ask(w, t)),
        (0u8..3).prop_map(Edit::Tick),
        word.prop_map(Edit::AppendFix),
        word.prop_map(Edit::Remember),
        word.prop_map(Edit::Feedback),
        prop_oneof![Just("active"), Just("running"), Just("blocked")].prop_map(Edit::Status),
    ]
}

fn put(f: &mut Files, p: &str, t: &Table) {
    f.insert(p.into(), toml::to_string(t).unwrap().into_bytes());
}

fn questions(f: &Files) -> Vec<Table> {
    f.keys()
        .filter(|p| p.starts_with("gates/clarify/"))
        .map(|p| toml_of(f, p))
        .collect()
}

fn apply(f: &mut Files, e: &Edit) {
    match e {
        Edit::Answer(i, text) => {
            let p = format!("gates/clarify/q{}.toml", i + 1);
            if f.contains_key(&p) {
                let mut q = toml_of(f, &p);
                if !q.contains_key("answer") {
                    q.insert("answer".into(), Value::String(text.clone()));
                    q.insert("answered_by".into(), Value::String("x".into()));
                    q.insert(
                        "answered_at".into(),
                        Value::String(format!("2026-02-0{}T00:00:00Z", text.len())),
                    );
                    put(f, &p, &q);
                }
            }
        }
        Edit::Ask(text, at) => {
            let n = questions(f).len() + 1;
            let mut q = Table::new();
            q.insert("id".into(), Value::String(format!("q{n}")));
            q.insert("question".into(), Value::String(text.clone()));
            q.insert("asked_by".into(), Value::String("someone".into()));
            q.insert(
                "asked_at".into(),
                Value::String(format!("2026-03-0{at}T00:00:00Z")),
            );
            put(f, &format!("gates/clarify/q{n}.toml"), &q);
        }
        Edit::Tick(i) => {
            let plan = String::from_utf8(f["plan.md"].clone()).unwrap();
            let ids = ["T1", "T2", "FIX-1"];
            let id = ids[usize::from(*i) % ids.len()];
            f.insert(
                "plan.md".into(),
                plan.replace(&format!("[ ] {id}:"), &format!("[x] {id}:"))
                    .into_bytes(),
            );
        }
        Edit::AppendFix(title) => {
            let plan = String::from_utf8(f["plan.md"].clone()).unwrap();
            let n = plan.matches("FIX-").count() + 1;
            let id = format!("FIX-{n}");
            f.insert(
                "plan.md".into(),
                format!("{plan}\n### [ ] {id}: {title}\n").into_bytes(),
            );
            let mut tasks = toml_of(f, "tasks.toml");
            let mut t = Table::new();
            t.insert("id".into(), Value::String(id));
            t.insert("status".into(), Value::String("pending".into()));
            t.insert("title".into(), Value::String(title.clone()));
            tasks
                .get_mut("task")
                .unwrap()
                .as_array_mut()
                .unwrap()
                .push(Value::Table(t));
            put(f, "tasks.toml", &tasks);
        }
        Edit::Remember(line) => {
            let mut text = String::from_utf8(f["memory/learnings.md"].clone()).unwrap();
            text.push_str(&format!("- {line}\n"));
            f.insert("memory/learnings.md".into(), text.into_bytes());
        }
        Edit::Feedback(text) => {
            let mut run = toml_of(f, "runs/01JD3Z8Q6V0000000000000001/run.toml");
            run.get_mut("feedback")
                .unwrap()
                .as_array_mut()
                .unwrap()
                .push(Value::String(text.clone()));
            put(f, "runs/01JD3Z8Q6V0000000000000001/run.toml", &run);
        }
        Edit::Status(s) => {
            let mut ws = toml_of(f, "workstream.toml");
            ws.insert("status".into(), Value::String((*s).into()));
            put(f, "workstream.toml", &ws);
        }
    }
}

fn side(edits: &[Edit]) -> Files {
    let mut f = base();
    for e in edits {
        apply(&mut f, e);
    }
    f
}

fn texts(f: &Files, key: &str) -> Vec<String> {
    questions(f)
        .iter()
        .filter_map(|q| q.get(key)?.as_str().map(str::to_owned))
        .collect()
}

proptest! {
    #[test]
    fn merging_is_order_independent_and_loses_nothing(
        ea in prop::collection::vec(edit(), 0..8),
        eb in prop::collection::vec(edit(), 0..8),
        ta in 0i64..3,
        tb in 0i64..3,
    ) {
        let base = base();
        let (a, b) = (side(&ea), side(&eb));
        let (ra, rb) = (Rank { time: ta, id: "a".into() }, Rank { time: tb, id: "b".into() });
        let one = merge(&base, Side { files: &a, rank: &ra }, Side { files: &b, rank: &rb });
        let other = merge(&base, Side { files: &b, rank: &rb }, Side { files: &a, rank: &ra });
        prop_assert_eq!(&one, &other);
        let same = merge(&base, Side { files: &a, rank: &ra }, Side { files: &a, rank: &rb }).unwrap();
        prop_assert_eq!(&same.files, &a);
        let with_base = merge(&base, Side { files: &base, rank: &rb }, Side { files: &a, rank: &ra }).unwrap();
        prop_assert_eq!(&with_base.files, &a);
        let Ok(m) = one else { return Ok(()) };
        let merged_questions = texts(&m.files, "question");
        for q in texts(&a, "question").into_iter().chain(texts(&b, "question")) {
            prop_assert!(merged_questions.contains(&q), "question {q} lost");
        }
        let answers = texts(&m.files, "answer").join("\n");
        for ans in texts(&a, "answer").into_iter().chain(texts(&b, "answer")) {
            prop_assert!(answers.contains(&ans), "answer {ans} lost");
        }
        let memory = String::from_utf8(m.files["memory/learnings.md"].clone()).unwrap();
        for f in [&a, &b] {
            for line in String::from_utf8_lossy(&f["memory/learnings.md"]).lines() {
                prop_assert!(memory.lines().any(|l| l == line), "memory line {line} lost");
            }
        }
        if a != base && b != base && a != b {
            let open = questions(&m.files).iter().any(|q| !q.contains_key("answer"));
            let ws = toml_of(&m.files, "workstream.toml");
            prop_assert_eq!(ws["status"].as_str() == Some("blocked"), open);
        }
        // Question ids stay unique and match their files.
        for (p, q) in m.files.keys().filter(|p| p.starts_with("gates/clarify/")).map(|p| (p, toml_of(&m.files, p))) {
            prop_assert_eq!(p, &format!("gates/clarify/{}.toml", q["id"].as_str().unwrap()));
        }
    }
}
