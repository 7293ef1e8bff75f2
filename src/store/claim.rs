//! Claims: a runner's hold on a workstream, shared through a remote as a commit at
//! `refs/aos/claims/<name>` whose tree holds `claim.toml` (who holds it, until when).
//! The commit is written here; pushing it (create-only, or with a lease) is `git`'s.

use anyhow::Context as _;
use gix::ObjectId;
use gix::object::tree::EntryKind;
use serde::{Deserialize, Serialize};

use super::Store;
use super::write::tool_signature;
use crate::ids::WorkstreamName;

/// File of a claim commit's tree.
const FILE: &str = "claim.toml";

/// Who holds a workstream, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The workstream.
    pub workstream: WorkstreamName,
    /// `host:pid` of the runner.
    pub holder: String,
    /// When the runner took it (RFC 3339, UTC).
    pub since: String,
    /// When it lapses unless renewed (RFC 3339, UTC).
    pub expires_at: String,
    /// How many times it was renewed.
    #[serde(default)]
    pub renewals: u32,
}

impl Claim {
    /// Returns whether the claim has lapsed at `now`; an unreadable time counts as lapsed.
    pub fn is_expired(&self, now: jiff::Timestamp) -> bool {
        self.expires_at
            .parse::<jiff::Timestamp>()
            .is_ok_and(|t| t <= now)
            || self.expires_at.parse::<jiff::Timestamp>().is_err()
    }
}

impl Store {
    /// Writes a claim commit (no ref moves) and returns it.
    pub fn write_claim(&self, claim: &Claim) -> anyhow::Result<String> {
        let repo = self.repo();
        let text = toml::to_string(claim).context("could not serialise a claim")?;
        let blob = repo.write_blob(text.as_bytes())?.detach();
        let mut editor = repo.edit_tree(ObjectId::empty_tree(repo.object_hash()))?;
        editor.upsert(FILE, EntryKind::Blob, blob)?;
        let tree = editor.write()?.detach();
        let sig = tool_signature("git-aos");
        let mut buf = gix::date::parse::TimeBuf::default();
        let sig = sig.to_ref(&mut buf);
        let message = format!(
            "claim {} by {} until {}\n",
            claim.workstream, claim.holder, claim.expires_at
        );
        let commit = repo.new_commit_as(sig, sig, message, tree, None::<ObjectId>)?;
        Ok(commit.id.to_string())
    }

    /// Writes a commit with an empty tree for `doctor` to push as a probe.
    pub fn write_probe(&self) -> anyhow::Result<String> {
        let repo = self.repo();
        let sig = tool_signature("git-aos");
        let mut buf = gix::date::parse::TimeBuf::default();
        let sig = sig.to_ref(&mut buf);
        let tree = ObjectId::empty_tree(repo.object_hash());
        let commit =
            repo.new_commit_as(sig, sig, "git aos doctor: probe\n", tree, None::<ObjectId>)?;
        Ok(commit.id.to_string())
    }

    /// Reads the claim a claim commit records; `None` when it records none.
    pub fn read_claim(&self, commit: &str) -> anyhow::Result<Option<Claim>> {
        let repo = self.repo();
        let id = ObjectId::from_hex(commit.as_bytes())?;
        let Ok(commit) = repo.find_commit(id) else {
            return Ok(None);
        };
        let tree = commit.tree_id()?.detach();
        let Some(bytes) = super::read::blob_at(&repo, tree, FILE)? else {
            return Ok(None);
        };
        Ok(std::str::from_utf8(&bytes)
            .ok()
            .and_then(|t| toml::from_str(t).ok()))
    }
}
