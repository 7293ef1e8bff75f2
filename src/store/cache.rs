//! A cache of workstream records keyed by state commit, under the common dir, so that
//! listing many workstreams reads one file instead of three objects each.
//!
//! It is derived data: an entry is only ever used for the exact commit it was read
//! from (commits never change), a missing or unreadable cache is rebuilt, and the
//! repository stays the only truth. Two processes rewriting it at once is harmless.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::model::WorkstreamRecord;
use super::read::Snapshot;

/// Bump when the entry layout changes: an older file is then ignored.
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Default)]
struct File {
    version: u32,
    /// State commit (hex) -> its tree and record.
    entries: BTreeMap<String, Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    tree: String,
    ws: WorkstreamRecord,
}

/// The records cache of one repository.
pub(super) struct RecordCache {
    path: PathBuf,
    file: File,
}

impl RecordCache {
    /// Loads the cache (an empty one when it is missing, old or unreadable).
    pub fn load(common_dir: &Path) -> Self {
        let path = common_dir.join("aos").join("cache").join("records.json");
        let file = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<File>(&bytes).ok())
            .filter(|f| f.version == VERSION)
            .unwrap_or_default();
        Self { path, file }
    }

    /// Returns the snapshot cached for `commit`, if any.
    pub fn get(&self, commit: ObjectId) -> Option<Snapshot> {
        let entry = self.file.entries.get(&commit.to_string())?;
        let tree = ObjectId::from_hex(entry.tree.as_bytes()).ok()?;
        Some(Snapshot {
            commit: commit.to_string(),
            ws: entry.ws.clone(),
            commit_id: commit,
            tree,
        })
    }

    /// Replaces the cache with exactly these snapshots (the live ones), if it changed.
    pub fn store(mut self, snaps: &[Snapshot]) {
        let entries: BTreeMap<String, Entry> = snaps
            .iter()
            .map(|s| {
                (
                    s.commit.clone(),
                    Entry {
                        tree: s.tree.to_string(),
                        ws: s.ws.clone(),
                    },
                )
            })
            .collect();
        if entries.keys().eq(self.file.entries.keys()) && self.file.version == VERSION {
            return;
        }
        self.file = File {
            version: VERSION,
            entries,
        };
        if let Err(e) = self.write() {
            tracing::debug!("could not write the records cache: {e:#}");
        }
    }

    fn write(&self) -> anyhow::Result<()> {
        let dir = self
            .path
            .parent()
            .ok_or_else(|| anyhow::anyhow!("cache path has no parent"))?;
        std::fs::create_dir_all(dir)?;
        // A reader sees the old file or the new one, never half.
        crate::atomic_file::replace(&self.path, serde_json::to_vec(&self.file)?, None)
    }
}
