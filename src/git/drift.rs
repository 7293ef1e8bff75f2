//! What changed in a checkout while an unconfined agent ran: a cheap snapshot (one
//! `git status` that takes no lock, a `stat` per listed file, the repository's config
//! and hooks) before, another after, and the difference.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

/// The state of one path: its status letters and what `stat` says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    status: String,
    modified: Option<SystemTime>,
    len: Option<u64>,
}

/// The files of a checkout that differ from `HEAD` (untracked included, ignored ones
/// not), plus `.git/config` and the hooks, each with its `stat`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    seen: BTreeMap<String, Seen>,
}

impl Snapshot {
    /// Takes a snapshot of the checkout at `root` whose common git dir is `common_dir`.
    pub fn take(root: &Path, common_dir: &Path) -> anyhow::Result<Self> {
        let out = super::run(
            root,
            [
                "--no-optional-locks",
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=all",
                "--no-renames",
            ],
        )?;
        let mut seen = BTreeMap::new();
        for entry in out.stdout.split(|b| *b == 0).filter(|e| e.len() > 3) {
            let text = String::from_utf8_lossy(entry);
            let (status, path) = text.split_at(3);
            seen.insert(path.to_owned(), stat(&root.join(path), status.trim()));
        }
        let mut guarded = vec![(".git/config".to_owned(), common_dir.join("config"))];
        if let Ok(hooks) = std::fs::read_dir(common_dir.join("hooks")) {
            for hook in hooks.flatten() {
                let name = hook.file_name().to_string_lossy().into_owned();
                guarded.push((format!(".git/hooks/{name}"), hook.path()));
            }
        }
        for (label, path) in guarded {
            seen.insert(label, stat(&path, ""));
        }
        Ok(Self { seen })
    }

    /// Returns the paths that appeared, changed or went back to clean since `before`.
    pub fn changed_since(&self, before: &Snapshot) -> Vec<String> {
        let mut changed: Vec<String> = self
            .seen
            .iter()
            .filter(|(path, now)| before.seen.get(*path) != Some(now))
            .map(|(path, _)| path.clone())
            .collect();
        changed.extend(
            before
                .seen
                .keys()
                .filter(|path| !self.seen.contains_key(*path))
                .cloned(),
        );
        changed.sort();
        changed
    }
}

fn stat(path: &Path, status: &str) -> Seen {
    let meta = std::fs::symlink_metadata(path).ok();
    Seen {
        status: status.to_owned(),
        modified: meta.as_ref().and_then(|m| m.modified().ok()),
        len: meta.map(|m| m.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn new_edited_reverted_and_hook_files_are_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        git(root, &["init", "-q", "-b", "main"]);
        std::fs::write(root.join("a.txt"), "a\n").unwrap();
        std::fs::write(root.join("b.txt"), "b\n").unwrap();
        git(root, &["add", "."]);
        git(
            root,
            &[
                "-c",
                "user.name=a",
                "-c",
                "user.email=a@b",
                "commit",
                "-qm",
                "init",
            ],
        );
        std::fs::write(root.join("b.txt"), "b, edited by a person\n").unwrap();
        let common = root.join(".git");
        let before = Snapshot::take(root, &common).unwrap();
        assert!(before.changed_since(&before).is_empty());

        std::fs::write(root.join("a.txt"), "agent\n").unwrap();
        std::fs::write(root.join("b.txt"), "b\n").unwrap();
        std::fs::create_dir(root.join("dir")).unwrap();
        std::fs::write(root.join("dir/new.txt"), "new\n").unwrap();
        std::fs::write(common.join("hooks/pre-commit"), "#!/bin/sh\n").unwrap();
        let after = Snapshot::take(root, &common).unwrap();
        assert_eq!(
            after.changed_since(&before),
            [".git/hooks/pre-commit", "a.txt", "b.txt", "dir/new.txt"]
        );
    }
}
