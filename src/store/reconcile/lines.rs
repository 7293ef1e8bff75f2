//! Union of lines, for the memory files (`memory/*.md`): entries are appended lines, and
//! a line written on either side is kept.

/// Returns the base's lines that neither side removed, then the lines each side added
/// (the older side's first), without repeats.
pub(super) fn union(base: Option<&[u8]>, older: &[u8], newer: &[u8]) -> Vec<u8> {
    let split = |b: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(b)
            .lines()
            .map(str::to_owned)
            .collect()
    };
    let base = base.map(split).unwrap_or_default();
    let (o, n) = (split(older), split(newer));
    let mut out: Vec<String> = base
        .iter()
        .filter(|l| o.contains(l) && n.contains(l))
        .cloned()
        .collect();
    for line in o.iter().chain(n.iter()) {
        if !base.contains(line) && !out.contains(line) {
            out.push(line.clone());
        }
    }
    let mut text = out.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::union;

    fn u(base: &str, o: &str, n: &str) -> String {
        String::from_utf8(union(Some(base.as_bytes()), o.as_bytes(), n.as_bytes())).unwrap()
    }

    #[test]
    fn lines_added_on_either_side_are_all_kept_once() {
        assert_eq!(u("- a\n", "- a\n- b\n", "- a\n- c\n"), "- a\n- b\n- c\n");
        assert_eq!(
            u("- a\n", "- a\n- b\n", "- a\n- b\n- c\n"),
            "- a\n- b\n- c\n"
        );
    }

    #[test]
    fn a_line_removed_on_one_side_stays_removed() {
        assert_eq!(
            u("- a\n- b\n", "- b\n- c\n", "- a\n- b\n- d\n"),
            "- b\n- c\n- d\n"
        );
    }
}
