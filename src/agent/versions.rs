//! The versions of the real agent CLIs the test suite runs (`scripts/agent-clis.versions`,
//! which `scripts/install-agent-clis` installs), for messages that say what works.

/// The pinned list, one `<npm package> <version>` per line.
const PINNED: &str = include_str!("../../scripts/agent-clis.versions");

/// Returns every pinned CLI as (npm package, version).
pub fn tested() -> Vec<(&'static str, &'static str)> {
    PINNED
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .map(|(package, version)| (package, version.trim()))
        .collect()
}

/// Returns the pinned CLIs for people: `@anthropic-ai/claude-code 2.1.328, …`.
pub fn tested_text() -> String {
    let all: Vec<String> = tested()
        .into_iter()
        .map(|(package, version)| format!("{package} {version}"))
        .collect();
    format!("tested: {}", all.join(", "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_clis_are_pinned_to_an_exact_version() {
        let tested = super::tested();
        let packages: Vec<&str> = tested.iter().map(|(p, _)| *p).collect();
        assert_eq!(packages, ["@anthropic-ai/claude-code", "@openai/codex"]);
        for (_, version) in tested {
            assert!(
                version.split('.').all(|n| n.parse::<u32>().is_ok()),
                "{version}"
            );
        }
    }
}
