//! A task's declared scope (`Files:`): paths, directories or globs, and which changed
//! files fall outside it.

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Returns a matcher for the scope entries: each matches itself (a path or a glob) and,
/// as a directory, everything below it.
pub fn matcher(scope: &[String]) -> Result<GlobSet, globset::Error> {
    let mut set = GlobSetBuilder::new();
    for entry in scope {
        let entry = entry.trim().trim_start_matches("./");
        set.add(Glob::new(entry)?);
        set.add(Glob::new(&format!("{}/**", entry.trim_end_matches('/')))?);
    }
    set.build()
}

/// Returns the files matching none of the scope entries.
pub fn outside(scope: &[String], files: &[String]) -> Result<Vec<String>, globset::Error> {
    let set = matcher(scope)?;
    Ok(files
        .iter()
        .filter(|f| !set.is_match(f.as_str()))
        .cloned()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_takes_paths_directories_and_globs() {
        let scope = vec![
            "src/limiter.rs".to_owned(),
            "docs/".to_owned(),
            "tests/*.rs".to_owned(),
        ];
        let files: Vec<String> = ["src/limiter.rs", "docs/a/b.md", "tests/x.rs", "src/lib.rs"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            outside(&scope, &files).unwrap(),
            vec!["src/lib.rs".to_owned()]
        );
    }

    #[test]
    fn a_broken_glob_is_an_error() {
        assert!(matcher(&["src/[".to_owned()]).is_err());
    }
}
