//! Merging `plan.md`: checkboxes are progress, not content — a task ticked on either side
//! is ticked — and tasks appended on both sides (fix tasks) are all kept. Any other
//! change made on both sides is refused: two different plans cannot be guessed into one.

use super::Refused;

/// A plan split at its task headings, checkboxes taken out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Sections {
    /// Everything before the first task heading.
    pub preamble: String,
    /// Each task's heading (checkbox cleared) and the lines up to the next task heading.
    pub tasks: Vec<Section>,
}

/// One task of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Section {
    /// The task's id.
    pub id: String,
    /// Whether its checkbox is ticked.
    pub ticked: bool,
    /// Its text, heading included, with the checkbox cleared.
    pub text: String,
}

impl Sections {
    fn same_content(&self, other: &Sections) -> bool {
        self.preamble == other.preamble
            && self.tasks.len() == other.tasks.len()
            && self
                .tasks
                .iter()
                .zip(&other.tasks)
                .all(|(a, b)| a.text.trim_end() == b.text.trim_end())
    }

    /// Returns the sections appended after `base`'s, when this plan is `base` plus tasks.
    fn appended_to(&self, base: &Sections) -> Option<&[Section]> {
        let n = base.tasks.len();
        let prefix_same = self.preamble == base.preamble
            && self.tasks.len() >= n
            && self.tasks[..n]
                .iter()
                .zip(&base.tasks)
                .all(|(a, b)| a.text.trim_end() == b.text.trim_end());
        prefix_same.then(|| &self.tasks[n..])
    }

    /// Returns the plan's text with the checkboxes of `ticked` tasks ticked.
    fn render(&self, ticked: &dyn Fn(&str) -> bool) -> String {
        let mut out = self.preamble.clone();
        for s in &self.tasks {
            let text = if ticked(&s.id) {
                tick(&s.text)
            } else {
                s.text.clone()
            };
            out.push_str(&text);
        }
        out
    }
}

/// Returns the plan's text with every checkbox cleared: what stays the same while tasks
/// land (each commit ticks one), so it identifies the plan across clones.
pub fn cleared(text: &str) -> String {
    split(text).render(&|_| false)
}

/// Splits a plan at its task headings (`### [ ] ID: …`), outside fenced code blocks.
pub(super) fn split(text: &str) -> Sections {
    let mut out = Sections::default();
    let mut fence: Option<&str> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            _ => {}
        }
        let heading = if fence.is_none() && marker.is_none() {
            heading(line)
        } else {
            None
        };
        match (heading, out.tasks.last_mut()) {
            (Some((id, ticked, cleared)), _) => out.tasks.push(Section {
                id,
                ticked,
                text: cleared,
            }),
            (None, Some(last)) => last.text.push_str(line),
            (None, None) => out.preamble.push_str(line),
        }
    }
    out
}

/// Reads a task heading: (id, ticked, the line with its checkbox cleared).
fn heading(line: &str) -> Option<(String, bool, String)> {
    let rest = line.strip_prefix("### ")?.trim_start();
    let mark = rest.strip_prefix('[')?.chars().next()?;
    let after = rest.get(1 + mark.len_utf8()..)?.strip_prefix(']')?;
    let ticked = match mark {
        ' ' => false,
        'x' | 'X' => true,
        _ => return None,
    };
    let id: String = after
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect();
    let valid = id.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let colon = after.trim_start()[id.len()..].starts_with(':');
    if !(valid && colon) {
        return None;
    }
    let at = line.find('[')? + 1;
    let mut cleared = line.to_owned();
    cleared.replace_range(at..at + mark.len_utf8(), " ");
    Some((id, ticked, cleared))
}

/// Ticks the checkbox of a cleared heading (the first `[ ]` of its first line).
fn tick(text: &str) -> String {
    let mut out = text.to_owned();
    if let Some(at) = out.find("[ ]") {
        out.replace_range(at + 1..at + 2, "x");
    }
    out
}

/// Merges `plan.md` changed on both sides.
pub(super) fn merge(base: Option<&[u8]>, older: &[u8], newer: &[u8]) -> Result<Vec<u8>, Refused> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let base = split(&base.map(text).unwrap_or_default());
    let (o, n) = (split(&text(older)), split(&text(newer)));
    let ticked = |id: &str| {
        [&o, &n]
            .iter()
            .any(|s| s.tasks.iter().any(|t| t.id == id && t.ticked))
    };
    let structure = if o.same_content(&n) || n.same_content(&base) {
        o.clone()
    } else if o.same_content(&base) {
        n.clone()
    } else {
        appended_on_both(&base, &o, &n)?
    };
    Ok(structure.render(&ticked).into_bytes())
}

/// Both sides appended tasks to the base plan: the base, then the older side's tasks,
/// then the newer side's (ids were renumbered apart before).
fn appended_on_both(base: &Sections, o: &Sections, n: &Sections) -> Result<Sections, Refused> {
    let refused = || Refused("the plan was changed differently on both sides".into());
    let (Some(o_added), Some(n_added)) = (o.appended_to(base), n.appended_to(base)) else {
        return Err(refused());
    };
    let mut out = o.clone();
    for s in n_added {
        match o_added.iter().find(|a| a.id == s.id) {
            Some(a) if a.text.trim_end() == s.text.trim_end() => {}
            Some(_) => return Err(refused()),
            None => {
                // A blank line between tasks, as a plan appended to by hand would have.
                if let Some(last) = out.tasks.last_mut() {
                    while !last.text.ends_with("\n\n") {
                        last.text.push('\n');
                    }
                }
                out.tasks.push(s.clone());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "# Plan: p\n\nctx\n\n### [ ] T1: One\n\nx\n\n### [ ] T2: Two\n\n```\n### [ ] NOT: in a fence\n```\n";

    fn m(base: &str, o: &str, n: &str) -> Result<String, Refused> {
        merge(Some(base.as_bytes()), o.as_bytes(), n.as_bytes())
            .map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn headings_in_fences_are_not_tasks() {
        let s = split(BASE);
        assert_eq!(
            s.tasks.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            ["T1", "T2"]
        );
        assert_eq!(s.render(&|_| false), BASE);
    }

    #[test]
    fn ticks_from_both_sides_are_kept() {
        let o = BASE.replace("[ ] T1", "[x] T1");
        let n = BASE.replace("[ ] T2", "[x] T2");
        let out = m(BASE, &o, &n).unwrap();
        assert_eq!(
            out,
            BASE.replace("[ ] T1", "[x] T1").replace("[ ] T2", "[x] T2")
        );
    }

    #[test]
    fn tasks_appended_on_both_sides_are_all_kept() {
        let o = format!("{BASE}\n### [ ] FIX-1: a\nDepends: T2\n");
        let n = format!(
            "{}\n### [ ] FIX-2: b\nDepends: T2\n",
            BASE.replace("[ ] T1", "[x] T1")
        );
        let out = m(BASE, &o, &n).unwrap();
        assert_eq!(
            out,
            format!(
                "{}\n### [ ] FIX-1: a\nDepends: T2\n\n### [ ] FIX-2: b\nDepends: T2\n",
                BASE.replace("[ ] T1", "[x] T1")
            )
        );
    }

    #[test]
    fn a_plan_rewritten_on_both_sides_is_refused() {
        let o = BASE.replace("x\n", "y\n");
        let n = BASE.replace("x\n", "z\n");
        assert!(m(BASE, &o, &n).is_err());
        // Rewritten on one side, ticked on the other: the rewrite with the tick.
        let n = BASE.replace("[ ] T2", "[x] T2");
        assert_eq!(m(BASE, &o, &n).unwrap(), o.replace("[ ] T2", "[x] T2"));
    }
}
