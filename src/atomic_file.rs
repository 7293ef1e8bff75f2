//! Replacing a file so that nobody — a reader, or the next run after a kill -9 — ever
//! sees it half written: write a temporary file beside it, then rename it over.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use anyhow::Context as _;

/// Replaces the file at `path` with `contents` (and `mode`, when given) in one rename.
pub fn replace(path: &Path, contents: impl AsRef<[u8]>, mode: Option<u32>) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.git-aos.tmp", std::process::id()));
    let result = std::fs::write(&tmp, contents)
        .and_then(|()| match mode {
            Some(mode) => std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode)),
            None => Ok(()),
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("could not write `{}`", path.display()))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_file_is_replaced_with_its_mode_and_no_temporary_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.md");
        std::fs::write(&path, "old").unwrap();
        super::replace(&path, "new", Some(0o750)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o750);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let missing = dir.path().join("gone/plan.md");
        assert!(super::replace(&missing, "x", None).is_err());
    }
}
