//! Property tests: whatever the text, parsing and checking never panic, and every
//! diagnostic points at a line of the file.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::source::LineIndex;
use super::*;

const FULL: &str = include_str!("../../tests/fixtures/plans/valid-full.md");

/// Pieces of plan syntax, so random text often looks like a plan.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("### [ ] T1: a".to_owned()),
        Just("### [x] T2: b".to_owned()),
        Just("### [ ] : x".to_owned()),
        Just("## Phase".to_owned()),
        Just("# Plan: p".to_owned()),
        Just("#### Acceptance".to_owned()),
        Just("#### Outputs".to_owned()),
        Just("#### Run".to_owned()),
        Just("- `cargo test`".to_owned()),
        Just("- x: y".to_owned()),
        Just("Depends: T1, T2".to_owned()),
        Just("Files: a, b".to_owned()),
        Just("${T1.outputs.x}".to_owned()),
        Just("```".to_owned()),
        Just("> quote".to_owned()),
        Just("   - nested".to_owned()),
        Just(String::new()),
        "[ -~]{0,20}",
        any::<String>(),
    ]
}

fn joined() -> impl Strategy<Value = String> {
    (prop::collection::vec(fragment(), 0..40), any::<bool>())
        .prop_map(|(lines, crlf)| lines.join(if crlf { "\r\n" } else { "\n" }))
}

/// An edit to a list of lines.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Duplicate(usize),
    Replace(usize, String),
    Insert(usize, String),
    Truncate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Duplicate),
        (any::<usize>(), fragment()).prop_map(|(i, f)| Edit::Replace(i, f)),
        (any::<usize>(), fragment()).prop_map(|(i, f)| Edit::Insert(i, f)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, k)| Edit::Truncate(i, k)),
    ]
}

fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for e in edits {
        let n = lines.len().max(1);
        match e.clone() {
            Edit::Delete(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            Edit::Duplicate(i) if !lines.is_empty() => lines.insert(i % n, lines[i % n].clone()),
            Edit::Replace(i, f) if !lines.is_empty() => lines[i % n] = f,
            Edit::Insert(i, f) => lines.insert(i % (lines.len() + 1), f),
            Edit::Truncate(i, k) if !lines.is_empty() => {
                let line = &mut lines[i % n];
                *line = line.chars().take(k % (line.chars().count() + 1)).collect();
            }
            _ => {}
        }
    }
    lines.join("\n")
}

/// Runs everything a caller might run on `text` and checks the diagnostics' lines.
fn exercise(text: &str) -> Result<(), TestCaseError> {
    let last = LineIndex::new(text).count();
    let diags = match check(text, "p.md") {
        Ok(c) => c.warnings,
        Err(all) => all,
    };
    for d in &diags {
        prop_assert!((1..=last).contains(&d.line), "{d} outside 1..={last}");
    }
    let (plan, _) = parse(text, "p.md");
    let _ = (
        plan.topo_order(),
        plan.independent_groups(),
        plan.ready(&plan.ticked()),
    );
    for task in &plan.tasks {
        if let Ok(ticked) = tick(text, &task.id) {
            prop_assert_eq!(ticked.len(), text.len());
            prop_assert!(
                text.bytes()
                    .zip(ticked.bytes())
                    .filter(|(a, b)| a != b)
                    .count()
                    <= 1
            );
        }
        let _ = substitute(&task.body, &BTreeMap::new());
    }
    if let Err(diags) = check_brief(text, "b.md") {
        for d in &diags {
            prop_assert!((1..=last).contains(&d.line), "{d} outside 1..={last}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        exercise(&text)?;
    }

    #[test]
    fn plan_like_text_never_panics(text in joined()) {
        exercise(&text)?;
    }

    #[test]
    fn mutated_plans_never_panic(edits in prop::collection::vec(edit(), 1..8)) {
        exercise(&mutate(FULL, &edits))?;
    }
}
