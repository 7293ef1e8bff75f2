//! Archiving and restoring workstreams. Two ref moves each, ordered so that a crash
//! between them leaves a duplicate `fsck` recognises, never a lost chain:
//! archive = create archive ref, then delete live; open = create live, then delete archive.

use gix::ObjectId;
use gix::refs::Target;
use gix::refs::transaction::{PreviousValue, RefEdit};
use serde::Serialize;

use super::event::Event;
use super::model::WorkstreamRecord;
use super::read::Snapshot;
use super::tx::StateTx;
use super::write::Cas;
use super::{Store, list_prefix, ref_target, refs};
use crate::error::UserError;
use crate::ids::WorkstreamName;

/// One archived workstream.
#[derive(Debug, Clone, Serialize)]
pub struct ArchiveEntry {
    /// `<name>.<stamp>`, the last component of the archive ref.
    pub id: String,
    /// Workstream name.
    pub name: String,
    /// UTC `yyyymmddThhmmss` of archiving.
    pub stamp: String,
    /// Last state commit.
    pub commit: String,
    /// The workstream record as archived.
    pub ws: WorkstreamRecord,
}

impl Store {
    /// Records `event` with `change` on the live chain, then moves the chain under
    /// `refs/aos/archive/`. Returns the archive id.
    pub fn archive<F>(
        &self,
        name: &WorkstreamName,
        event: &Event,
        change: F,
    ) -> anyhow::Result<String>
    where
        F: FnMut(&mut StateTx<'_>) -> anyhow::Result<()>,
    {
        let mut change = change;
        loop {
            let last = self.update(name, event, &mut change)?;
            let repo = self.repo();
            let (id, archive_ref) = self.create_archive_ref(&repo, name, last.commit_id, event)?;
            let delete = RefEdit::delete(
                refs::live(name).as_str().try_into()?,
                PreviousValue::MustExistAndMatch(Target::Object(last.commit_id)),
            );
            match self.apply_edits(&repo, vec![delete], &refs::live(name))? {
                Cas::Done => return Ok(id),
                // Someone wrote to the live chain meanwhile: undo our archive ref and redo
                // the close on top of their write.
                Cas::Lost | Cas::Locked => {
                    let undo = RefEdit::delete(
                        archive_ref.as_str().try_into()?,
                        PreviousValue::MustExistAndMatch(Target::Object(last.commit_id)),
                    );
                    self.apply_edits(&repo, vec![undo], &archive_ref)?;
                }
            }
        }
    }

    /// Brings an archived workstream back to life: a new state commit on top of the
    /// archived one becomes the live ref, then the archive ref goes. Returns the snapshot.
    pub fn restore<F>(
        &self,
        archive_id: &str,
        event: &Event,
        mut change: F,
    ) -> anyhow::Result<Snapshot>
    where
        F: FnMut(&mut StateTx<'_>) -> anyhow::Result<()>,
    {
        let repo = self.repo();
        let archive_ref = format!("{}{archive_id}", refs::ARCHIVE_PREFIX);
        let Some(archived) = ref_target(&repo, &archive_ref)? else {
            return Err(UserError::with_hint(
                format!("no archived workstream `{archive_id}`"),
                "`git aos archive list` shows what is archived",
            )
            .into());
        };
        let old = super::read::snapshot(&repo, archived, &format!("archive `{archive_id}`"))?;
        let name = old.ws.name.clone();
        let mut tx = StateTx::new(&repo, Some(old.tree), old.ws.clone());
        change(&mut tx)?;
        tx.ws_mut().updated_at = super::model::now_rfc3339();
        let tree = tx.write_tree()?;
        let commit = self.commit(&repo, &name, event, tree, Some(archived))?;
        if let Cas::Lost | Cas::Locked = self.move_ref(
            &repo,
            &refs::live(&name),
            commit,
            PreviousValue::MustNotExist,
            event,
        )? {
            return Err(UserError::with_hint(
                format!("a live workstream named `{name}` exists already"),
                format!("close it first (`git aos close {name}`), or look at it with `git aos status {name}`"),
            )
            .into());
        }
        let delete = RefEdit::delete(
            archive_ref.as_str().try_into()?,
            PreviousValue::MustExistAndMatch(Target::Object(archived)),
        );
        self.apply_edits(&repo, vec![delete], &archive_ref)?;
        super::read::snapshot(&repo, commit, &format!("workstream `{name}`"))
    }

    /// Returns every archived workstream, oldest first.
    pub fn list_archives(&self) -> anyhow::Result<Vec<ArchiveEntry>> {
        let repo = self.repo();
        let mut out = Vec::new();
        for (id, target) in list_prefix(&repo, refs::ARCHIVE_PREFIX)? {
            let Some((name, stamp)) = refs::split_archive_id(&id) else {
                continue;
            };
            let snap = super::read::snapshot(&repo, target, &format!("archive `{id}`"))?;
            out.push(ArchiveEntry {
                id: id.clone(),
                name: name.to_owned(),
                stamp: stamp.to_owned(),
                commit: target.to_string(),
                ws: snap.ws,
            });
        }
        out.sort_by(|a, b| a.stamp.cmp(&b.stamp).then(a.name.cmp(&b.name)));
        Ok(out)
    }

    /// Returns the live state of `name`, else the state of its newest archive.
    pub fn find_any(&self, name: &WorkstreamName) -> anyhow::Result<Snapshot> {
        let repo = self.repo();
        if let Some(snap) = self.try_find_in(&repo, name)? {
            return Ok(snap);
        }
        match newest_for(&repo, name)? {
            Some((id, target)) => super::read::snapshot(&repo, target, &format!("archive `{id}`")),
            None => Err(UserError::with_hint(
                format!("no workstream named `{name}`, live or archived"),
                "`git aos list --all` shows every workstream",
            )
            .into()),
        }
    }

    /// Returns the archive id of the newest archive of `name`, if any.
    pub fn newest_archive(&self, name: &WorkstreamName) -> anyhow::Result<Option<String>> {
        Ok(newest_for(&self.repo(), name)?.map(|(id, _)| id))
    }

    /// Deletes a ref under `refs/aos/` if it still points at `expected` (used by `fsck --fix`).
    pub fn delete_aos_ref(&self, full: &str, expected: &str) -> anyhow::Result<bool> {
        anyhow::ensure!(
            full.starts_with(refs::AOS_PREFIX),
            "refusing to delete `{full}`: not an aos ref"
        );
        let repo = self.repo();
        let id = ObjectId::from_hex(expected.as_bytes())?;
        let delete = RefEdit::delete(
            full.try_into()?,
            PreviousValue::MustExistAndMatch(Target::Object(id)),
        );
        Ok(matches!(
            self.apply_edits(&repo, vec![delete], full)?,
            Cas::Done
        ))
    }

    fn create_archive_ref(
        &self,
        repo: &gix::Repository,
        name: &WorkstreamName,
        commit: ObjectId,
        event: &Event,
    ) -> anyhow::Result<(String, String)> {
        let mut when = jiff::Timestamp::now();
        // Two archives of one name within a second get consecutive stamps.
        for _ in 0..600 {
            let stamp = when.strftime("%Y%m%dT%H%M%S").to_string();
            let full = refs::archive(name, &stamp);
            if ref_target(repo, &full)?.is_none()
                && let Cas::Done =
                    self.move_ref(repo, &full, commit, PreviousValue::MustNotExist, event)?
            {
                return Ok((format!("{name}.{stamp}"), full));
            }
            when += jiff::SignedDuration::from_secs(1);
        }
        anyhow::bail!("could not find a free archive name for `{name}`")
    }
}

/// Returns (id, target) of the newest archive of `name`.
pub(super) fn newest_for(
    repo: &gix::Repository,
    name: &WorkstreamName,
) -> anyhow::Result<Option<(String, ObjectId)>> {
    let mut best: Option<(String, ObjectId)> = None;
    // gix refuses a prefix ending in `.`, so list the directory and filter by name.
    for (full_id, target) in list_prefix(repo, refs::ARCHIVE_PREFIX)? {
        if refs::split_archive_id(&full_id).is_some_and(|(n, _)| n == name.as_str())
            && best.as_ref().is_none_or(|(b, _)| full_id > *b)
        {
            best = Some((full_id, target));
        }
    }
    Ok(best)
}
