//! Read-only inspection for `fsck` and `doctor`: every aos ref, whether it parses, and
//! ref lock files left behind by a crashed writer.

use std::path::PathBuf;
use std::time::Duration;

use super::{Store, list_prefix, refs};

/// A ref `.lock` file under the aos namespaces.
#[derive(Debug, Clone)]
pub struct RefLockFile {
    /// The lock file.
    pub path: PathBuf,
    /// How long ago it was last modified.
    pub age: Duration,
}

impl Store {
    /// Returns every state ref (live and archived) as (full name, target commit); claims
    /// and what was fetched from remotes are not state chains.
    pub fn aos_refs(&self) -> anyhow::Result<Vec<(String, String)>> {
        let repo = self.repo();
        Ok(list_prefix(&repo, refs::AOS_PREFIX)?
            .into_iter()
            .map(|(rest, id)| (format!("{}{rest}", refs::AOS_PREFIX), id.to_string()))
            .filter(|(full, _)| refs::is_state(full))
            .collect())
    }

    /// Reads the state a ref points at, failing with the reason when it does not parse.
    pub fn check_state_commit(&self, full: &str, commit: &str) -> anyhow::Result<super::Snapshot> {
        let repo = self.repo();
        let id = gix::ObjectId::from_hex(commit.as_bytes())?;
        super::read::snapshot(&repo, id, &format!("`{full}`"))
    }

    /// Returns the first parent of a commit.
    pub fn parent_of(&self, commit: &str) -> anyhow::Result<Option<String>> {
        let repo = self.repo();
        let id = gix::ObjectId::from_hex(commit.as_bytes())?;
        let commit = repo.find_commit(id)?;
        Ok(commit.parent_ids().next().map(|p| p.to_string()))
    }

    /// Returns ref lock files under the aos namespaces (and `packed-refs.lock`).
    pub fn ref_lock_files(&self) -> Vec<RefLockFile> {
        let common = &self.paths.common_dir;
        let mut candidates = vec![
            common.join("packed-refs.lock"),
            common.join("refs/notes/aos.lock"),
        ];
        let aos = common.join("refs/aos");
        candidates.extend(
            walkdir::WalkDir::new(&aos)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| {
                    e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "lock")
                })
                .map(|e| e.into_path()),
        );
        candidates
            .into_iter()
            .filter_map(|path| {
                let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
                let age = modified.elapsed().unwrap_or_default();
                Some(RefLockFile { path, age })
            })
            .collect()
    }
}
