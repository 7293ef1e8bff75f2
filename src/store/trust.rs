//! Which plans this clone trusts, kept locally under `<common dir>/aos/trust/` (never
//! pushed), by a digest of the plan with its checkboxes cleared: one file per digest.
//! Every plan a command of this clone writes into a state is trusted as it is written;
//! others are trusted when a person says so (`git aos trust`).

use std::path::PathBuf;

use super::Store;
use super::reconcile::plan_without_checkboxes;
use crate::ids::WorkstreamName;

/// Why a plan is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trusted {
    /// A command of this clone wrote it.
    MadeHere,
    /// A person trusted it (the record says who and when).
    ByPerson(String),
}

impl Store {
    /// Returns the digest that identifies a plan across clones: the git blob id of its
    /// text with every checkbox cleared.
    pub fn plan_digest(&self, text: &str) -> anyhow::Result<String> {
        let repo = self.repo();
        let cleared = plan_without_checkboxes(text);
        Ok(gix::objs::compute_hash(
            repo.object_hash(),
            gix::objs::Kind::Blob,
            cleared.as_bytes(),
        )?
        .to_string())
    }

    /// Returns why the plan with this digest is trusted here, if it is.
    pub fn plan_trust(&self, digest: &str) -> Option<Trusted> {
        let text = std::fs::read_to_string(self.trust_file(digest)).ok()?;
        if text.lines().any(|l| l == "made here") {
            return Some(Trusted::MadeHere);
        }
        Some(Trusted::ByPerson(text.trim().to_owned()))
    }

    /// Records that this clone trusts the plan with this digest; `how` is kept for people.
    pub fn trust_plan(&self, digest: &str, how: &str) -> anyhow::Result<()> {
        let file = self.trust_file(digest);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::atomic_file::replace(&file, format!("{}\n", how.trim_end()), None)
    }

    /// Forgets that this clone trusts the plan with this digest; whether it did.
    pub fn distrust_plan(&self, digest: &str) -> bool {
        std::fs::remove_file(self.trust_file(digest)).is_ok()
    }

    /// Returns whether every state the workstream's live ref ever held here was written by
    /// a command of this clone: its reflog has no entry of sync, of `open` (the archive may
    /// have come from elsewhere), or of anything but git aos (a plain fetch).
    pub fn only_written_here(&self, name: &WorkstreamName) -> bool {
        let path = self
            .paths
            .common_dir
            .join("logs")
            .join(super::refs::live(name));
        let Ok(text) = std::fs::read_to_string(path) else {
            return false;
        };
        text.lines().all(|l| {
            let message = l.split_once('\t').map_or("", |(_, m)| m);
            message.starts_with("aos ")
                && !message.starts_with("aos sync:")
                && !message.starts_with("aos open:")
        })
    }

    /// Trusts a plan a command of this clone is writing into the state of `name`.
    pub(super) fn plan_written_here(&self, name: &WorkstreamName, text: &[u8]) {
        let text = String::from_utf8_lossy(text);
        let record = |digest: String| {
            let how = format!("made here\nworkstream {name}\nat {}", super::now_rfc3339());
            self.trust_plan(&digest, &how)
        };
        if let Err(e) = self.plan_digest(&text).and_then(record) {
            tracing::warn!("could not record the plan of `{name}` as trusted: {e:#}");
        }
    }

    fn trust_file(&self, digest: &str) -> PathBuf {
        self.paths.common_dir.join("aos").join("trust").join(digest)
    }
}
