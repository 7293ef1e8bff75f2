//! Guessing a repository's test command for `git aos init`, from the build files at its root.

use std::path::Path;

/// What `npm init` writes as the test script: not a test command.
const NPM_PLACEHOLDER: &str = "no test specified";

/// Returns the test command the build files at `repo_root` suggest, first match winning:
///
/// 1. `Cargo.toml` -> `cargo test`
/// 2. `package.json` with a real `scripts.test` -> `npm test`
/// 3. `Makefile` (or `makefile`, `GNUmakefile`) with a `test:` target -> `make test`,
///    else with a `check:` target -> `make check`
/// 4. `pyproject.toml`, `setup.py` or `pytest.ini` -> `python -m pytest`
/// 5. `go.mod` -> `go test ./...`
pub fn detect_test_command(repo_root: &Path) -> Option<String> {
    let has = |name: &str| repo_root.join(name).is_file();
    let command = if has("Cargo.toml") {
        "cargo test"
    } else if npm_has_test(repo_root) {
        "npm test"
    } else if let Some(target) = make_target(repo_root) {
        target
    } else if ["pyproject.toml", "setup.py", "pytest.ini"]
        .into_iter()
        .any(has)
    {
        "python -m pytest"
    } else if has("go.mod") {
        "go test ./..."
    } else {
        return None;
    };
    Some(command.to_owned())
}

/// Returns whether `package.json` declares a test script other than npm's placeholder.
fn npm_has_test(repo_root: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(repo_root.join("package.json")) else {
        return false;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    json.pointer("/scripts/test")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|script| !script.trim().is_empty() && !script.contains(NPM_PLACEHOLDER))
}

/// Returns `make test` or `make check` when the makefile defines that target.
fn make_target(repo_root: &Path) -> Option<&'static str> {
    let text = ["GNUmakefile", "makefile", "Makefile"]
        .iter()
        .find_map(|name| std::fs::read_to_string(repo_root.join(name)).ok())?;
    let targets: Vec<&str> = text.lines().flat_map(rule_targets).collect();
    if targets.contains(&"test") {
        Some("make test")
    } else if targets.contains(&"check") {
        Some("make check")
    } else {
        None
    }
}

/// Returns the targets a makefile line defines: `test check: build` -> `test`, `check`.
/// Recipe lines (tab first) and variable assignments (`X := y`, `X ::= y`) define none.
fn rule_targets(line: &str) -> Vec<&str> {
    if line.starts_with('\t') {
        return Vec::new();
    }
    let Some((before, after)) = line.split_once(':') else {
        return Vec::new();
    };
    if after.starts_with('=') || after.starts_with(":=") || before.contains('=') {
        return Vec::new();
    }
    before.split_whitespace().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        dir
    }

    fn detect(files: &[(&str, &str)]) -> Option<String> {
        detect_test_command(repo(files).path())
    }

    #[test]
    fn each_build_file_suggests_its_command() {
        assert_eq!(
            detect(&[("Cargo.toml", "[package]\n")]).as_deref(),
            Some("cargo test")
        );
        let npm = r#"{"scripts": {"test": "jest"}}"#;
        assert_eq!(
            detect(&[("package.json", npm)]).as_deref(),
            Some("npm test")
        );
        assert_eq!(
            detect(&[("Makefile", "all:\n\tcc x.c\ntest: all\n\t./t\n")]).as_deref(),
            Some("make test")
        );
        assert_eq!(
            detect(&[("Makefile", "check:\n\t./t\n")]).as_deref(),
            Some("make check")
        );
        assert_eq!(
            detect(&[("pyproject.toml", "")]).as_deref(),
            Some("python -m pytest")
        );
        assert_eq!(
            detect(&[("setup.py", "")]).as_deref(),
            Some("python -m pytest")
        );
        assert_eq!(
            detect(&[("pytest.ini", "")]).as_deref(),
            Some("python -m pytest")
        );
        assert_eq!(
            detect(&[("go.mod", "module x\n")]).as_deref(),
            Some("go test ./...")
        );
        assert_eq!(detect(&[("README.md", "")]), None);
    }

    #[test]
    fn earlier_build_files_win() {
        let all = [("Cargo.toml", ""), ("Makefile", "test:\n"), ("go.mod", "")];
        assert_eq!(detect(&all).as_deref(), Some("cargo test"));
        assert_eq!(
            detect(&[("Makefile", "test:\n"), ("go.mod", "")]).as_deref(),
            Some("make test")
        );
        assert_eq!(
            detect(&[("Makefile", "check:\ntest:\n")]).as_deref(),
            Some("make test")
        );
    }

    #[test]
    fn placeholders_and_lookalikes_are_not_tests() {
        let npm_init = r#"{"scripts": {"test": "echo \"Error: no test specified\" && exit 1"}}"#;
        assert_eq!(
            detect(&[("package.json", npm_init), ("go.mod", "")]).as_deref(),
            Some("go test ./...")
        );
        assert_eq!(detect(&[("package.json", "{not json")]), None);
        let not_targets = "test := 1\ntest::= 2\nX = a:b\n\ttest:\nbuild:\n";
        assert_eq!(detect(&[("Makefile", not_targets)]), None);
    }

    #[test]
    fn a_rule_line_may_name_several_targets() {
        assert_eq!(rule_targets("test check: build"), vec!["test", "check"]);
        assert_eq!(rule_targets("test:"), vec!["test"]);
        assert!(rule_targets("CFLAGS := -O2").is_empty());
    }
}
