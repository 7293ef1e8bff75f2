//! Provenance notes on `refs/notes/aos`, written in git's own fanout layout so that
//! `git notes --ref=aos` reads them and clones can merge them.

use anyhow::Context as _;
use gix::ObjectId;
use gix::refs::Target;
use gix::refs::transaction::PreviousValue;

use super::event::Event;
use super::write::{Cas, tool_signature};
use super::{Store, ref_target, refs};

/// How long a notes write keeps retrying (long enough to outwait a stale ref lock).
const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

impl Store {
    /// Sets the note of one commit (replacing any note it had).
    pub fn note_set(&self, commit: &str, text: &str) -> anyhow::Result<()> {
        self.notes_set(&[(commit.to_owned(), text.to_owned())])
    }

    /// Sets the notes of many commits in one notes commit.
    pub fn notes_set(&self, notes: &[(String, String)]) -> anyhow::Result<()> {
        let repo = self.repo();
        let targets: Vec<(ObjectId, ObjectId)> = notes
            .iter()
            .map(|(c, text)| -> anyhow::Result<_> {
                let id = ObjectId::from_hex(c.as_bytes())
                    .with_context(|| format!("`{c}` is not a commit id"))?;
                Ok((id, repo.write_blob(text.as_bytes())?.detach()))
            })
            .collect::<anyhow::Result<_>>()?;
        let event = Event::new(
            "notes",
            format!("Notes added by 'git aos' ({} commits)", notes.len()),
        );
        let deadline = std::time::Instant::now() + MAX_WAIT;
        for attempt in 0u32.. {
            if std::time::Instant::now() > deadline {
                break;
            }
            let old = ref_target(&repo, refs::NOTES)?;
            let root = match old {
                Some(c) => repo.find_commit(c)?.tree_id()?.detach(),
                None => ObjectId::empty_tree(repo.object_hash()),
            };
            let mut state = gix::note::plumbing::State::new(root, &repo)?;
            for (target, blob) in &targets {
                state.edit(*target, Some(*blob), &repo)?;
            }
            let tree = state.write(&repo)?;
            let sig = tool_signature("git-aos");
            let mut buf = gix::date::parse::TimeBuf::default();
            let sig = sig.to_ref(&mut buf);
            let commit = repo
                .new_commit_as(sig, sig, "Notes added by 'git aos'\n", tree, old)?
                .id;
            let expected = match old {
                Some(c) => PreviousValue::MustExistAndMatch(Target::Object(c)),
                None => PreviousValue::MustNotExist,
            };
            match self.move_ref(&repo, refs::NOTES, commit, expected, &event)? {
                Cas::Done => return Ok(()),
                Cas::Lost | Cas::Locked => {
                    // A writer killed mid-update leaves `refs/notes/aos.lock` behind.
                    self.clear_stale_ref_lock(refs::NOTES);
                    std::thread::sleep(std::time::Duration::from_micros(
                        500 + fastrand::u64(0..2000) * u64::from(attempt.min(8)),
                    ));
                }
            }
        }
        anyhow::bail!("too much contention on `{}`", refs::NOTES)
    }

    /// Returns the note of a commit, if it has one.
    pub fn note_get(&self, commit: &str) -> anyhow::Result<Option<String>> {
        Ok(self.notes_get(&[commit.to_owned()])?.pop().flatten())
    }

    /// Returns the notes of many commits, in order (`None` for a commit without one).
    pub fn notes_get(&self, commits: &[String]) -> anyhow::Result<Vec<Option<String>>> {
        let repo = self.repo();
        let Some(notes_commit) = ref_target(&repo, refs::NOTES)? else {
            return Ok(vec![None; commits.len()]);
        };
        let root = repo.find_commit(notes_commit)?.tree_id()?.detach();
        let mut state = gix::note::plumbing::State::new(root, &repo)?;
        let mut out = Vec::with_capacity(commits.len());
        for commit in commits {
            let target = ObjectId::from_hex(commit.as_bytes())
                .with_context(|| format!("`{commit}` is not a commit id"))?;
            out.push(match state.get(&target, &repo)? {
                Some(blob) => {
                    Some(String::from_utf8_lossy(&repo.find_blob(blob)?.data).into_owned())
                }
                None => None,
            });
        }
        Ok(out)
    }
}
