//! Tests of `parse` and `check` on whole plans: the full fixture, CRLF, and the
//! diagnostics of form.

use super::*;

const FULL: &str = include_str!("../../tests/fixtures/plans/valid-full.md");
const FULL_CRLF: &str = include_str!("../../tests/fixtures/plans/valid-full-crlf.md");

fn id(s: &str) -> TaskId {
    s.parse().unwrap()
}

/// Returns `(line, message)` of every diagnostic of `text`.
fn diagnostics(text: &str) -> Vec<(usize, String)> {
    match check(text, "p.md") {
        Ok(c) => c.warnings,
        Err(all) => all,
    }
    .into_iter()
    .map(|d| (d.line, format!("{}: {}", d.severity, d.message)))
    .collect()
}

#[test]
fn the_full_fixture_parses_into_every_field() {
    let checked = check(FULL, "valid-full.md").unwrap();
    assert!(checked.warnings.is_empty(), "{:?}", checked.warnings);
    let plan = checked.plan;
    assert_eq!(plan.title, "rate limiting");
    assert!(plan.context.starts_with("Every request") && plan.context.ends_with("own module."));
    let t1 = plan.find_task(&id("T1")).unwrap();
    assert!(t1.done);
    assert_eq!(t1.line, 8);
    assert_eq!(t1.phase.as_deref(), Some("Phase 1: the limiter"));
    assert_eq!(t1.files, ["src/limiter.rs", "src/lib.rs"]);
    assert_eq!(
        (t1.agent.as_deref(), t1.timeout.as_deref()),
        (Some("codex"), Some("20m"))
    );
    assert_eq!(
        t1.body,
        "Write a token-bucket limiter with `Limiter::check(key)`.\nIt must not allocate per request."
    );
    assert_eq!(
        t1.commands().collect::<Vec<_>>(),
        ["cargo test limiter", "cargo clippy -- -D warnings"]
    );
    assert_eq!(
        t1.criteria().collect::<Vec<_>>(),
        ["the limiter is documented"]
    );
    assert_eq!(
        t1.acceptance[0],
        Acceptance::Command {
            cmd: "cargo test limiter".into(),
            line: 18
        }
    );
    assert_eq!(
        t1.outputs[0],
        Output {
            name: "limiter_path".into(),
            value: "src/limiter.rs".into(),
            line: 23
        }
    );
    assert_eq!(t1.must_not, ["add dependencies", "touch `src/main.rs`"]);
    assert_eq!(t1.steps, ["Write the bucket.", "Add tests first."]);
    assert_eq!(t1.references.len(), 2);
    let t2 = plan.find_task(&id("T2")).unwrap();
    assert_eq!(t2.depends, [id("T1"), id("COMMIT-TF-001")]);
    assert_eq!(t2.phase.as_deref(), Some("Phase 2: wiring"));
    assert_eq!(
        t2.commands().count(),
        2,
        "two code spans in one item are two commands"
    );
    let smoke = plan.find_task(&id("TODO-3")).unwrap();
    assert!(
        smoke
            .run
            .as_deref()
            .unwrap()
            .starts_with("set -eu\necho \"limiter at ${T1.outputs.limiter_path}\"")
    );
    assert_eq!(smoke.timeout.as_deref(), Some("1h30m"));
    assert_eq!(
        plan.topo_order(),
        [
            id("T1"),
            id("COMMIT-TF-001"),
            id("T2"),
            id("TODO-3"),
            id("T4")
        ]
    );
}

#[test]
fn crlf_parses_like_lf() {
    let lf = check(FULL, "p.md").unwrap().plan;
    let crlf = check(FULL_CRLF, "p.md").unwrap().plan;
    assert_eq!(crlf.tasks.len(), lf.tasks.len());
    for (a, b) in lf.tasks.iter().zip(&crlf.tasks) {
        assert_eq!(
            serde_json::to_value(a).unwrap(),
            serde_json::to_value(b).unwrap(),
            "task {}",
            a.id
        );
    }
    assert_eq!(crlf.context, lf.context);
}

#[test]
fn reports_key_problems_on_their_lines() {
    let text = "# Plan: p\n### [ ] T1: a\nDepends: none\nOwner: bob\nDepends: T2\nTimeout: soon\nAgent:\n\n#### Acceptance\n- `true`\n";
    assert_eq!(
        diagnostics(text),
        [
            (4, "error: unknown key `Owner:` under task `T1`; keys are `Depends`, `Files`, `Agent`, `Timeout`".into()),
            (5, "error: duplicate `Depends:` line (first on line 3)".into()),
            (6, "error: invalid timeout `soon`: write a duration such as `90s`, `20m` or `1h30m`".into()),
            (7, "error: `Agent:` has no value".into()),
        ]
    );
}

#[test]
fn prose_after_a_blank_line_is_not_a_key_but_known_keys_still_are() {
    let text = "# Plan: p\n### [ ] T1: a\n\nGoal: speed\n\n#### Acceptance\n- `true`\n### [ ] T2: b\n\nDepends: T1\n\n#### Acceptance\n- `true`\n";
    let plan = check(text, "p.md").unwrap().plan;
    assert_eq!(plan.tasks[0].body, "Goal: speed");
    assert_eq!(plan.tasks[1].depends, [id("T1")]);
}

#[test]
fn a_key_line_lost_in_prose_is_a_warning() {
    let text =
        "# Plan: p\n### [ ] T1: a\nSome prose first.\n\nDepends: T0\n\n#### Acceptance\n- `true`\n";
    assert_eq!(
        diagnostics(text),
        [(5, "warning: this `Depends:` line is read as prose; key lines go right under the task heading".into())]
    );
}

#[test]
fn keys_then_prose_in_one_paragraph() {
    let text = "# Plan: p\n### [ ] T1: a\nDepends: none\nFiles: src/__init__.py\nThen do things: carefully.\n\n#### Acceptance\n- `true`\n";
    let plan = check(text, "p.md").unwrap().plan;
    assert_eq!(
        plan.tasks[0].files,
        ["src/__init__.py"],
        "raw text, not Markdown emphasis"
    );
    assert_eq!(plan.tasks[0].body, "Then do things: carefully.");
}

#[test]
fn reports_section_problems() {
    let text = "# Plan: p\n### [ ] T1: a\n#### Acceptance\n- ` `\n- ``\n```\ncargo test\n```\n#### Outputs\n- no colon here\n- 1bad: x\n- ok: 1\n- ok: 2\n#### Notes\nkept\n#### Run\nnot fenced\n";
    assert_eq!(
        diagnostics(text),
        [
            (2, "warning: task `T1` has no acceptance command; only the project test and the reviewer will check it".into()),
            (4, "error: empty acceptance command in task `T1`".into()),
            (5, "error: empty acceptance command in task `T1`".into()),
            (6, "warning: a code block under `Acceptance` is not run: write each command as a list item with a code span, e.g. - `cargo test`".into()),
            (10, "error: output `no colon here` must be `name: value`, with a name like `limiter_path`".into()),
            (11, "error: output `1bad: x` must be `name: value`, with a name like `limiter_path`".into()),
            (13, "error: duplicate output `ok` (first on line 12)".into()),
            (14, "warning: section `Notes` is not one of `Acceptance`, `Outputs`, `Must not`, `Steps`, `References`, `Run`; it is kept as prose".into()),
            (16, "error: the `Run` section of task `T1` has no code block".into()),
        ]
    );
}

#[test]
fn reports_headings_that_look_like_tasks() {
    let text = "# Plan: p\n### [ ] : no id\n### [ ] 1T: bad id\n### [ ] T1 no colon\n## [ ] T2: level two\n### T3: no box\n### [ ] T4: fine\n#### Acceptance\n- `true`\n### Notes\n";
    let shown: Vec<usize> = diagnostics(text).iter().map(|(l, _)| *l).collect();
    assert_eq!(shown, [2, 3, 4, 5, 6, 10]);
    assert_eq!(parse(text, "p.md").0.tasks.len(), 1);
}

#[test]
fn an_empty_plan_says_it_has_no_tasks() {
    assert_eq!(
        diagnostics(""),
        [
            (
                1,
                "error: the plan has no tasks; a task is a level-3 heading `### [ ] T1: Title`"
                    .into()
            ),
            (
                1,
                "warning: the plan has no title; start it with `# Plan: title`".into()
            ),
        ]
    );
}

#[test]
fn reports_relations_between_tasks() {
    let text = "# Plan: p\n### [ ] A: a\nDepends: B\n\n${B.outputs.x} ${C.outputs.y} ${Z.outputs.q} ${A.outputs.me} ${1.outputs.x}\n\n#### Outputs\n- me: 1\n#### Acceptance\n- `true`\n### [ ] B: b\nDepends: A, Q\n#### Outputs\n- x: 1\n#### Acceptance\n- `true`\n### [ ] C: c\n#### Outputs\n- y: 2\n#### Acceptance\n- `true`\n### [ ] A: again\n#### Acceptance\n- `true`\n";
    let d = diagnostics(text);
    let msgs: Vec<&str> = d.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        d.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
        [3, 5, 5, 5, 5, 12, 22]
    );
    assert_eq!(
        msgs[0],
        "error: dependency cycle: A -> B -> A (each depends on the next)"
    );
    assert!(
        msgs[1].contains("`${C.outputs.y}` refers to task `C`, which `A` does not depend on"),
        "{}",
        msgs[1]
    );
    assert!(
        msgs[2].contains("names task `Z`, which is not in the plan"),
        "{}",
        msgs[2]
    );
    assert!(msgs[3].contains("refers to task `A` itself"), "{}", msgs[3]);
    assert!(
        msgs[4].contains("malformed output reference `${1.outputs.x}`"),
        "{}",
        msgs[4]
    );
    assert!(msgs[5].contains("depends on `Q`, which is not in the plan"));
    assert!(msgs[6].contains("duplicate task id `A`: declared on line 2 and line 22"));
}

#[test]
fn a_reference_in_the_context_is_an_error() {
    let text = "# Plan: p\nUse ${T1.outputs.x}.\n### [ ] T1: a\n#### Outputs\n- x: 1\n#### Acceptance\n- `true`\n";
    assert_eq!(diagnostics(text)[0].0, 2);
}
