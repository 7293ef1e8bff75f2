//! The grammar of a task heading, `[ ] ID: Title` or `[x] ID: Title`, and of the
//! near misses that should be reported rather than read as prose.

use crate::ids::TaskId;

/// What a heading's text says about tasks.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HeadingKind {
    /// A well-formed task heading.
    Task(TaskHead),
    /// Something meant as a task heading that does not parse; the message says why.
    Malformed(String),
    /// An ordinary heading.
    NotTask,
}

/// The parts of a task heading.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TaskHead {
    pub done: bool,
    pub id: TaskId,
    pub title: String,
}

const SHAPE: &str = "a task heading is `### [ ] ID: Title`";

/// Returns what the (trimmed) text of a heading is.
pub(crate) fn classify(text: &str) -> HeadingKind {
    let Some(after_open) = text.strip_prefix('[') else {
        return classify_without_checkbox(text);
    };
    let Some(close) = after_open.find(']') else {
        return HeadingKind::Malformed(format!("the checkbox is not closed with `]`; {SHAPE}"));
    };
    let done = match &after_open[..close] {
        " " => false,
        "x" | "X" => true,
        other => {
            return HeadingKind::Malformed(format!(
                "checkbox `[{other}]` must be `[ ]` or `[x]`; {SHAPE}"
            ));
        }
    };
    let rest = after_open[close + 1..].trim();
    let Some((id, title)) = rest.split_once(':') else {
        return HeadingKind::Malformed(format!(
            "task heading `{text}` has no `:` after its ID; {SHAPE}"
        ));
    };
    let id = id.trim();
    if id.is_empty() {
        return HeadingKind::Malformed(format!("task heading `{text}` has no ID; {SHAPE}"));
    }
    let id = match id.parse::<TaskId>() {
        Ok(id) => id,
        Err(e) => return HeadingKind::Malformed(format!("task heading `{text}`: {e}")),
    };
    let title = title.trim();
    if title.is_empty() {
        return HeadingKind::Malformed(format!("task `{id}` has no title after `{id}:`"));
    }
    HeadingKind::Task(TaskHead {
        done,
        id,
        title: title.to_owned(),
    })
}

/// `T1: Title` without a checkbox is a task heading with a typo; `Notes: x` is not.
fn classify_without_checkbox(text: &str) -> HeadingKind {
    let Some((id, _)) = text.split_once(':') else {
        return HeadingKind::NotTask;
    };
    let looks_like_id = id.parse::<TaskId>().is_ok() && id.bytes().any(|b| b.is_ascii_digit());
    if looks_like_id {
        HeadingKind::Malformed(format!(
            "task heading `{text}` has no checkbox: write `### [ ] {text}`"
        ))
    } else {
        HeadingKind::NotTask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(text: &str) -> TaskHead {
        match classify(text) {
            HeadingKind::Task(t) => t,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    fn malformed(text: &str) -> String {
        match classify(text) {
            HeadingKind::Malformed(m) => m,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    #[test]
    fn reads_task_headings_with_the_ids_real_plans_use() {
        let t = task("[ ] T1: Add the limiter");
        assert_eq!(
            (t.done, t.id.as_str(), t.title.as_str()),
            (false, "T1", "Add the limiter")
        );
        assert!(task("[x] TODO-3: Done one").done);
        assert!(task("[X] COMMIT-TF-001: Upper-case x").done);
        assert_eq!(
            task("[ ]   T2 :  Spaces: and colons  ").title,
            "Spaces: and colons"
        );
    }

    #[test]
    fn reports_near_misses() {
        assert!(malformed("[ ] : Title").contains("has no ID"));
        assert!(malformed("[ ] 1T: Title").contains("invalid task id `1T`"));
        assert!(malformed("[ ] T1 Title").contains("no `:`"));
        assert!(malformed("[-] T1: Title").contains("`[-]`"));
        assert!(malformed("[] T1: Title").contains("`[]`"));
        assert!(malformed("[ ] T1:").contains("no title"));
        assert!(malformed("[ T1: Title").contains("not closed"));
        assert!(malformed("T1: Title").contains("no checkbox"));
    }

    #[test]
    fn leaves_ordinary_headings_alone() {
        for text in ["Notes", "Context: why", "Phase 1", ""] {
            assert_eq!(classify(text), HeadingKind::NotTask, "{text}");
        }
    }
}
