//! Every state write goes through here: read the ref, apply the change to the old state,
//! write one commit, move the ref by compare-and-swap; on a lost race, do it all again.

use std::time::Duration;

use anyhow::Context as _;
use gix::ObjectId;
use gix::refs::transaction::{LogChange, PreviousValue, RefEdit, RefLog};
use gix::refs::{FullName, Target};

use super::event::{Actor, Event};
use super::model::WorkstreamRecord;
use super::read::Snapshot;
use super::tx::StateTx;
use super::{Store, refs};
use crate::error::UserError;
use crate::ids::WorkstreamName;

/// How long a write keeps re-applying itself after lost compare-and-swaps before it
/// gives up (long enough to outwait a stale ref lock, see `STALE_REF_LOCK`).
pub(super) const MAX_WAIT: Duration = Duration::from_secs(30);

/// The outcome of one ref move.
pub(super) enum Cas {
    /// The ref now points at the new value.
    Done,
    /// Another writer moved the ref first: re-read and re-apply.
    Lost,
    /// Another writer holds the ref's lock: wait and try again.
    Locked,
}

impl Store {
    /// Applies `change` to the workstream's newest state and records it as one state commit.
    ///
    /// `change` is a function of the old state: on a lost race it runs again on the newer
    /// state, so no update is ever lost. Returns the new snapshot.
    pub fn update<F>(
        &self,
        name: &WorkstreamName,
        event: &Event,
        mut change: F,
    ) -> anyhow::Result<Snapshot>
    where
        F: FnMut(&mut StateTx<'_>) -> anyhow::Result<()>,
    {
        let repo = self.repo();
        let refname = refs::live(name);
        let deadline = std::time::Instant::now() + MAX_WAIT;
        for attempt in 0.. {
            if std::time::Instant::now() > deadline {
                break;
            }
            let old = self.find_in(&repo, name)?;
            let mut tx = StateTx::new(&repo, Some(old.tree), old.ws);
            change(&mut tx)?;
            tx.ws_mut().updated_at = super::model::now_rfc3339();
            let ws = tx.ws().clone();
            let plan = tx.written(super::model::path::PLAN).map(<[u8]>::to_vec);
            // A concurrent `git gc` may prune an object directory between its creation
            // and our rename into it; the write is safe to redo, like a lost race.
            let written = tx.write_tree().and_then(|tree| {
                let commit = self.commit(&repo, name, event, tree, Some(old.commit_id))?;
                Ok((tree, commit))
            });
            let (tree, commit) = match written {
                Ok(ids) => ids,
                Err(e) if is_transient_write(&e) && attempt < 20 => {
                    tracing::debug!("retrying a state write: {e:#}");
                    backoff(attempt);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let expected = PreviousValue::MustExistAndMatch(Target::Object(old.commit_id));
            match self.move_ref(&repo, &refname, commit, expected, event)? {
                Cas::Done => {
                    if let Some(plan) = plan {
                        self.plan_written_here(name, &plan);
                    }
                    return Ok(Snapshot {
                        commit: commit.to_string(),
                        ws,
                        commit_id: commit,
                        tree,
                    });
                }
                Cas::Lost => backoff(attempt),
                Cas::Locked => {
                    self.clear_stale_ref_lock(&refname);
                    backoff(attempt);
                }
            }
        }
        anyhow::bail!(
            "too much contention on `{refname}`: gave up after {} s",
            MAX_WAIT.as_secs()
        )
    }

    /// Creates a workstream's state chain with its first commit; fails if it exists.
    pub fn create<F>(
        &self,
        record: WorkstreamRecord,
        event: &Event,
        mut init: F,
    ) -> anyhow::Result<Snapshot>
    where
        F: FnMut(&mut StateTx<'_>) -> anyhow::Result<()>,
    {
        let repo = self.repo();
        let name = record.name.clone();
        // gix treats `MustNotExist` as satisfied by an identical value, and two creates in
        // one second can write identical commits; check first so the second is refused.
        if super::ref_target(&repo, &refs::live(&name))?.is_some() {
            return Err(exists(&name));
        }
        let mut tx = StateTx::new(&repo, None, record);
        init(&mut tx)?;
        let plan = tx.written(super::model::path::PLAN).map(<[u8]>::to_vec);
        let tree = tx.write_tree()?;
        let commit = self.commit(&repo, &name, event, tree, None)?;
        match self.move_ref(
            &repo,
            &refs::live(&name),
            commit,
            PreviousValue::MustNotExist,
            event,
        )? {
            Cas::Done => {
                if let Some(plan) = plan {
                    self.plan_written_here(&name, &plan);
                }
                super::read::snapshot(&repo, commit, &format!("workstream `{name}`"))
            }
            Cas::Lost | Cas::Locked => Err(exists(&name)),
        }
    }

    /// Writes a commit object for `event` (no ref is touched).
    pub(super) fn commit(
        &self,
        repo: &gix::Repository,
        name: &WorkstreamName,
        event: &Event,
        tree: ObjectId,
        parent: Option<ObjectId>,
    ) -> anyhow::Result<ObjectId> {
        let parents: Vec<ObjectId> = parent.into_iter().collect();
        self.commit_with_parents(repo, name, event, tree, &parents)
    }

    /// Writes a commit object for `event` with any number of parents (a merge has two).
    pub(super) fn commit_with_parents(
        &self,
        repo: &gix::Repository,
        name: &WorkstreamName,
        event: &Event,
        tree: ObjectId,
        parents: &[ObjectId],
    ) -> anyhow::Result<ObjectId> {
        let committer = tool_signature("git-aos");
        let author = match &event.actor {
            Actor::Tool => committer.clone(),
            Actor::Agent(agent) => tool_signature(&format!("git-aos ({agent})")),
            Actor::Person => person_signature(repo).unwrap_or_else(|| committer.clone()),
        };
        let mut b1 = gix::date::parse::TimeBuf::default();
        let mut b2 = gix::date::parse::TimeBuf::default();
        let id = repo
            .new_commit_as(
                committer.to_ref(&mut b1),
                author.to_ref(&mut b2),
                event.message(name),
                tree,
                parents.iter().copied(),
            )
            .context("could not write a state commit")?
            .id;
        Ok(id)
    }

    /// Moves one ref to `new` if it still holds `expected`, with a forced reflog entry.
    pub(super) fn move_ref(
        &self,
        repo: &gix::Repository,
        refname: &str,
        new: ObjectId,
        expected: PreviousValue,
        event: &Event,
    ) -> anyhow::Result<Cas> {
        let name: FullName = refname
            .try_into()
            .with_context(|| format!("`{refname}` is not a valid ref name"))?;
        let log = LogChange {
            mode: RefLog::AndReference,
            force_create_reflog: true,
            message: format!("aos {}: {}", event.kind, event.summary.replace('\n', " ")).into(),
        };
        let edit = RefEdit::update_with_log(name, Target::Object(new), expected, log);
        self.apply_edits(repo, vec![edit], refname)
    }

    /// Applies ref edits in one transaction; a stale expectation or a held lock is `Lost`.
    pub(super) fn apply_edits(
        &self,
        repo: &gix::Repository,
        edits: Vec<RefEdit>,
        what: &str,
    ) -> anyhow::Result<Cas> {
        let sig = tool_signature("git-aos");
        let mut buf = gix::date::parse::TimeBuf::default();
        match repo.edit_references_as(edits, Some(sig.to_ref(&mut buf))) {
            Ok(_) => Ok(Cas::Done),
            Err(e) if e.is_conflict() => Ok(Cas::Lost),
            Err(e) if e.is_retryable() => Ok(Cas::Locked),
            Err(e) => Err(anyhow::Error::new(e).context(format!("could not update `{what}`"))),
        }
    }
}

/// Returns git aos's own signature with the current time; `name` may carry an agent.
pub(super) fn tool_signature(name: &str) -> gix::actor::Signature {
    gix::actor::Signature {
        name: name.into(),
        email: "aos@localhost".into(),
        time: super::identity::now(),
    }
}

/// Returns the person's git identity (author), if they configured one.
fn person_signature(repo: &gix::Repository) -> Option<gix::actor::Signature> {
    let (name, email) = super::identity::person(repo)?;
    Some(gix::actor::Signature {
        name: name.into(),
        email: email.into(),
        time: super::identity::now(),
    })
}

/// Sleeps a jittered, exponentially growing time before re-applying a lost write.
pub(super) fn backoff(attempt: u32) {
    let base_us = 200u64 << attempt.min(7); // 0.2 ms .. 25.6 ms
    let jitter = fastrand::u64(0..=base_us);
    std::thread::sleep(Duration::from_micros(base_us / 2 + jitter));
}

fn exists(name: &WorkstreamName) -> anyhow::Error {
    UserError::with_hint(
        format!("workstream `{name}` already exists"),
        format!("pick another name, or look at it with `git aos status {name}`"),
    )
    .into()
}

/// A ref lock is held for microseconds; one this old was left by a writer that died.
const STALE_REF_LOCK: Duration = Duration::from_secs(5);

impl Store {
    /// Removes `<ref>.lock` when it is older than any live writer could leave it, so a
    /// writer killed mid-update does not block the ref forever.
    pub(super) fn clear_stale_ref_lock(&self, refname: &str) {
        let lock = self.paths.common_dir.join(format!("{refname}.lock"));
        let stale = std::fs::metadata(&lock)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().unwrap_or_default() > STALE_REF_LOCK);
        if stale && std::fs::remove_file(&lock).is_ok() {
            tracing::warn!("removed `{}`, left by a writer that died", lock.display());
        }
    }
}

/// Returns whether a failed object write is worth redoing: a file or directory that
/// vanished under us (a concurrent `git gc` pruning empty object directories).
fn is_transient_write(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
            || c.to_string().contains("Could not persist loose object")
    })
}
