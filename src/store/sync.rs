//! What `sync` needs from the database: the refs it carries, here and as last fetched
//! from a remote; ref moves recorded as its own (`aos sync: …` in the reflog, which is
//! how a clone tells what arrived from elsewhere); and the merge state commit of two
//! diverged chains, its tree made by the rules of `reconcile`.

use std::collections::BTreeMap;

use anyhow::Context as _;
use gix::ObjectId;
use gix::object::tree::EntryKind;
use gix::refs::Target;
use gix::refs::transaction::{PreviousValue, RefEdit};

use super::event::Event;
use super::reconcile::{self, Files, Rank, Refused, Side};
use super::write::Cas;
use super::{Store, list_prefix, ref_target, refs};
use crate::ids::{RemoteName, WorkstreamName};

/// Full ref name -> commit (hex).
pub type RefMap = BTreeMap<String, String>;

/// A merge state commit written (no ref moved yet).
#[derive(Debug, Clone)]
pub struct MergedState {
    /// The new state commit, with both tips as parents.
    pub commit: String,
    /// What the merge did beyond copying, for people.
    pub notes: Vec<String>,
}

/// Kind of the reflog entries (and events) sync writes.
const SYNC_KIND: &str = "sync";

impl Store {
    /// Returns the refs sync carries as they are here: live and archived state, the
    /// workstream branches and the notes.
    pub fn carried_refs(&self) -> anyhow::Result<RefMap> {
        let repo = self.repo();
        let mut out = RefMap::new();
        for prefix in [
            refs::LIVE_PREFIX,
            refs::ARCHIVE_PREFIX,
            refs::BRANCHES_PREFIX,
        ] {
            for (rest, id) in list_prefix(&repo, prefix)? {
                out.insert(format!("{prefix}{rest}"), id.to_string());
            }
        }
        if let Some(id) = ref_target(&repo, refs::NOTES)? {
            out.insert(refs::NOTES.to_owned(), id.to_string());
        }
        Ok(out)
    }

    /// Returns the refs as last fetched from `remote`, keyed by their names on the remote
    /// (claims included).
    pub fn fetched_refs(&self, remote: &RemoteName) -> anyhow::Result<RefMap> {
        let repo = self.repo();
        let root = refs::remote_root(remote);
        let mut out = RefMap::new();
        for (rest, id) in list_prefix(&repo, &root)? {
            if let Some(full) = refs::tracked(remote, &format!("{root}{rest}")) {
                out.insert(full, id.to_string());
            }
        }
        Ok(out)
    }

    /// Moves a ref from `expected` to `new` (`None`: absent) by compare-and-swap, with a
    /// `sync` reflog entry; `false` when it moved meanwhile.
    pub fn sync_ref(
        &self,
        full: &str,
        expected: Option<&str>,
        new: Option<&str>,
        why: &str,
    ) -> anyhow::Result<bool> {
        let repo = self.repo();
        let previous = match expected {
            Some(hex) => PreviousValue::MustExistAndMatch(Target::Object(parse(hex)?)),
            None => PreviousValue::MustNotExist,
        };
        let event = Event::new(SYNC_KIND, why);
        let cas = match new {
            Some(hex) => self.move_ref(&repo, full, parse(hex)?, previous, &event)?,
            None => {
                let delete = RefEdit::delete(full.try_into()?, previous);
                self.apply_edits(&repo, vec![delete], full)?
            }
        };
        Ok(matches!(cas, Cas::Done))
    }

    /// Records what `remote` holds now for one of its refs (after a push), in the ref
    /// that keeps what was fetched from it.
    pub fn set_tracking(
        &self,
        remote: &RemoteName,
        full: &str,
        new: Option<&str>,
    ) -> anyhow::Result<()> {
        let Some(tracking) = refs::tracking(remote, full) else {
            return Ok(());
        };
        let repo = self.repo();
        let edit = match new {
            Some(hex) => RefEdit::update(
                tracking.as_str().try_into()?,
                parse(hex)?,
                PreviousValue::Any,
                format!("aos {SYNC_KIND}: pushed"),
            ),
            None => RefEdit::delete(tracking.as_str().try_into()?, PreviousValue::Any),
        };
        self.apply_edits(&repo, vec![edit], &tracking).map(drop)
    }

    /// Writes the state commit that merges two diverged chains of `name` (parents: ours,
    /// then theirs); `Err(Refused)` inside when the rules cannot merge them.
    pub fn merge_state(
        &self,
        name: &WorkstreamName,
        ours: &str,
        theirs: &str,
        remote: &RemoteName,
    ) -> anyhow::Result<Result<MergedState, Refused>> {
        let repo = self.cached_repo();
        let (o, t) = (parse(ours)?, parse(theirs)?);
        let base = match repo.merge_base(o, t)? {
            Some(id) => files_of(&repo, commit_tree(&repo, id.detach())?)?,
            None => Files::new(),
        };
        let (ours_files, theirs_files) = (
            files_of(&repo, commit_tree(&repo, o)?)?,
            files_of(&repo, commit_tree(&repo, t)?)?,
        );
        let (ro, rt) = (rank(&repo, o)?, rank(&repo, t)?);
        let merged = match reconcile::merge(
            &base,
            Side {
                files: &ours_files,
                rank: &ro,
            },
            Side {
                files: &theirs_files,
                rank: &rt,
            },
        ) {
            Ok(m) => m,
            Err(refused) => return Ok(Err(refused)),
        };
        let tree = write_files(&repo, &merged.files)?;
        let mut event = Event::new(SYNC_KIND, format!("merged with {remote}"));
        for note in &merged.notes {
            event = event.trailer("Aos-Sync-Note", note);
        }
        let commit = self.commit_with_parents(&repo, name, &event, tree, &[o, t])?;
        Ok(Ok(MergedState {
            commit: commit.to_string(),
            notes: merged.notes,
        }))
    }

    /// Returns whether this clone made the workstream's state chain (rather than
    /// receiving it from a remote): the oldest entry of its reflog is not sync's.
    pub fn created_here(&self, name: &WorkstreamName) -> bool {
        let path = self.paths.common_dir.join("logs").join(refs::live(name));
        let Ok(text) = std::fs::read_to_string(path) else {
            // No reflog (made before reflogs were forced): it was made here.
            return true;
        };
        let first = text.lines().next().unwrap_or_default();
        let message = first.split_once('\t').map_or("", |(_, m)| m);
        !message.starts_with(&format!("aos {SYNC_KIND}:"))
    }
}

/// Returns the tree of a commit.
fn commit_tree(repo: &gix::Repository, commit: ObjectId) -> anyhow::Result<ObjectId> {
    Ok(repo.find_commit(commit)?.tree_id()?.detach())
}

/// Returns the merge rank of a state commit: its commit time, then its id.
fn rank(repo: &gix::Repository, commit: ObjectId) -> anyhow::Result<Rank> {
    let time = repo.find_commit(commit)?.time()?.seconds;
    Ok(Rank {
        time,
        id: commit.to_string(),
    })
}

/// Returns every file of a tree, by path.
pub(super) fn files_of(repo: &gix::Repository, tree: ObjectId) -> anyhow::Result<Files> {
    let mut out = Files::new();
    let mut stack = vec![(String::new(), tree)];
    while let Some((prefix, id)) = stack.pop() {
        let tree = repo.find_tree(id)?;
        for entry in tree.decode()?.entries {
            let path = format!("{prefix}{}", entry.filename);
            if entry.mode.is_tree() {
                stack.push((format!("{path}/"), entry.oid.to_owned()));
            } else if entry.mode.is_blob() {
                out.insert(path, repo.find_blob(entry.oid)?.take_data());
            }
        }
    }
    Ok(out)
}

/// Writes files as a tree.
pub(super) fn write_files(repo: &gix::Repository, files: &Files) -> anyhow::Result<ObjectId> {
    let mut editor = repo.edit_tree(ObjectId::empty_tree(repo.object_hash()))?;
    for (path, bytes) in files {
        let blob = repo.write_blob(bytes)?.detach();
        editor.upsert(path.as_str(), EntryKind::Blob, blob)?;
    }
    Ok(editor.write()?.detach())
}

fn parse(hex: &str) -> anyhow::Result<ObjectId> {
    ObjectId::from_hex(hex.as_bytes()).with_context(|| format!("`{hex}` is not an object id"))
}
