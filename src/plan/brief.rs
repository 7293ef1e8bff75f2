//! Briefs, the input of `plan new` (DESIGN §5.3): four required level-2 sections,
//! checked before any agent starts.

use std::ops::Range;

use pulldown_cmark::HeadingLevel;
use serde::Serialize;

use super::diagnostic::{Diagnostic, Diagnostics};
use super::source::{BlockKind, LineIndex, for_each_block, heading_text, normalize};

/// A brief whose four required sections are present and not empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Brief {
    /// The level-1 heading without a leading `Brief:`, if there is one.
    pub title: Option<String>,
    /// `## Feature / Change`: what to build or change.
    pub feature: BriefSection,
    /// `## Context`: what the planner should know.
    pub context: BriefSection,
    /// `## Constraints`: what must hold.
    pub constraints: BriefSection,
    /// `## Success Criteria`: how to tell it is done.
    pub success_criteria: BriefSection,
}

/// One section of a brief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BriefSection {
    /// The heading as written.
    pub heading: String,
    /// The 1-based line of the heading.
    pub line: usize,
    /// The Markdown under the heading, up to the next level-1 or level-2 heading.
    pub text: String,
}

/// The required sections: the name shown to users, and the name normalized.
const REQUIRED: [(&str, &str); 4] = [
    ("Feature / Change", "feature/change"),
    ("Context", "context"),
    ("Constraints", "constraints"),
    ("Success Criteria", "success criteria"),
];

/// Checks that `text` is a brief with the four required level-2 sections, each with
/// some text, and returns them; `source` names the file in diagnostics.
///
/// Section names ignore case, spacing around `/` and a trailing colon. All missing
/// sections are named in one diagnostic.
pub fn check_brief(text: &str, source: &str) -> Result<Brief, Vec<Diagnostic>> {
    let lines = LineIndex::new(text);
    let mut diags = Diagnostics::new(source);
    let mut title = None;
    let mut found: [Option<(BriefSection, Range<usize>)>; 4] = Default::default();
    let mut wrong_level: [bool; 4] = [false; 4];
    let mut open: Option<usize> = None;
    let mut headings = Vec::new();
    for_each_block(text, |block| {
        if let BlockKind::Heading(level) = block.kind {
            headings.push((level, block.range.clone(), heading_text(text, block).1));
        }
    });
    for (level, range, heading) in headings {
        let line = lines.line(range.start);
        let slot = REQUIRED
            .iter()
            .position(|(_, key)| *key == normalize_name(heading));
        if level <= HeadingLevel::H2 {
            close(&mut found, open.take(), range.start);
        }
        match (level, slot) {
            (HeadingLevel::H1, None) if title.is_none() => {
                let bare = heading.strip_prefix("Brief:").unwrap_or(heading);
                title = Some(bare.trim().to_owned());
            }
            (HeadingLevel::H2, Some(i)) if found[i].is_some() => {
                let first = found[i].as_ref().map_or(0, |(s, _)| s.line);
                diags.error(
                    line,
                    format!(
                        "duplicate section `{}` (first on line {first})",
                        REQUIRED[i].0
                    ),
                );
            }
            (HeadingLevel::H2, Some(i)) => {
                let section = BriefSection {
                    heading: heading.to_owned(),
                    line,
                    text: String::new(),
                };
                found[i] = Some((section, range.end..range.end));
                open = Some(i);
            }
            (_, Some(i)) => {
                wrong_level[i] = true;
                diags.error(
                    line,
                    format!(
                        "`{heading}` must be a level-2 heading: `## {}`",
                        REQUIRED[i].0
                    ),
                );
            }
            _ => {}
        }
    }
    close(&mut found, open, text.len());
    for (section, range) in found.iter().flatten() {
        if text.get(range.clone()).is_none_or(|t| t.trim().is_empty()) {
            diags.error(
                section.line,
                format!("section `{}` is empty", section.heading),
            );
        }
    }
    let missing: Vec<String> = (0..4)
        .filter(|&i| found[i].is_none() && !wrong_level[i])
        .map(|i| format!("`{}`", REQUIRED[i].0))
        .collect();
    if !missing.is_empty() {
        diags.error(
            1,
            format!(
                "the brief is missing {}: {}",
                if missing.len() == 1 {
                    "a section"
                } else {
                    "sections"
                },
                missing.join(", ")
            ),
        );
    }
    let diags = diags.into_sorted();
    let [Some(f), Some(c), Some(k), Some(s)] = found.map(|o| {
        o.map(|(mut sec, range)| {
            sec.text = text.get(range).map(normalize).unwrap_or_default();
            sec
        })
    }) else {
        return Err(diags);
    };
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok(Brief {
        title,
        feature: f,
        context: c,
        constraints: k,
        success_criteria: s,
    })
}

/// Ends the open section at byte `end`.
fn close(found: &mut [Option<(BriefSection, Range<usize>)>; 4], open: Option<usize>, end: usize) {
    if let Some((_, range)) = open.and_then(|i| found[i].as_mut()) {
        range.end = end;
    }
}

/// Returns a heading lower-cased, with single spaces, no spaces around `/`, no final `:`.
fn normalize_name(heading: &str) -> String {
    let words = heading
        .trim_end_matches(':')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    words.replace(" /", "/").replace("/ ", "/").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "# Brief: limiter\n\n## Feature/Change\nAdd it.\n\n## context\nWeb app.\n### Detail\nmore\n\n## Constraints:\nNo deps.\n\n## SUCCESS  CRITERIA\n- tests pass\n";

    #[test]
    fn accepts_spelling_variants_and_keeps_subsections() {
        let brief = check_brief(GOOD, "b.md").unwrap();
        assert_eq!(brief.title.as_deref(), Some("limiter"));
        assert_eq!(brief.feature.text, "Add it.");
        assert_eq!(brief.context.text, "Web app.\n### Detail\nmore");
        assert_eq!(brief.success_criteria.line, 14);
    }

    #[test]
    fn names_every_missing_section_in_one_error() {
        let errs = check_brief("# B\n\n## Context\nx\n", "b.md").unwrap_err();
        assert_eq!(errs.len(), 1);
        let msg = &errs[0].message;
        assert!(
            msg.contains("`Feature / Change`, `Constraints`, `Success Criteria`"),
            "{msg}"
        );
        assert_eq!(errs[0].line, 1);
    }

    #[test]
    fn reports_empty_duplicate_and_misplaced_sections() {
        let text = "## Feature / Change\n\n## Context\nx\n## Context\ny\n### Constraints\nz\n## Success Criteria\nok\n";
        let errs = check_brief(text, "b.md").unwrap_err();
        let shown: Vec<(usize, &str)> = errs.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(shown[0].0 == 1 && shown[0].1.contains("`Feature / Change` is empty"));
        assert!(shown[1].0 == 5 && shown[1].1.contains("duplicate section `Context`"));
        assert!(shown[2].0 == 7 && shown[2].1.contains("must be a level-2 heading"));
    }
}
