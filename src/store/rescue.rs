//! What an agent did to refs on its own: the branches before and after it ran, and the
//! commits it made, kept under `refs/aos/rescue/<name>/<run>` so nothing is lost while
//! none of it lands as it is.

use std::collections::BTreeMap;

use anyhow::Context as _;
use gix::ObjectId;
use gix::refs::Target;
use gix::refs::transaction::{PreviousValue, RefEdit};

use super::diff::parse_id;
use super::event::Event;
use super::write::{Cas, tool_signature};
use super::{Store, list_prefix, ref_target, refs};
use crate::ids::{RunId, WorkstreamName};

/// Every local branch and its tip, by full ref name.
pub type Heads = BTreeMap<String, String>;

impl Store {
    /// Returns every local branch (`refs/heads/…`) with its tip.
    pub fn heads(&self) -> anyhow::Result<Heads> {
        Ok(list_prefix(&self.repo(), refs::HEADS_PREFIX)?
            .into_iter()
            .map(|(rest, id)| (format!("{}{rest}", refs::HEADS_PREFIX), id.to_string()))
            .collect())
    }

    /// Keeps `tips` (commits an agent made) reachable from the run's rescue ref: one new
    /// commit whose parents are the ref's previous value (if any) and the tips, its tree
    /// the last tip's, its message `why`. Returns the rescue ref's name.
    pub fn rescue(
        &self,
        name: &WorkstreamName,
        run: &RunId,
        tips: &[String],
        why: &str,
    ) -> anyhow::Result<String> {
        let repo = self.repo();
        let full = refs::rescue(name, run);
        let tips = tips
            .iter()
            .map(|t| parse_id(t))
            .collect::<anyhow::Result<Vec<ObjectId>>>()?;
        let last = *tips.last().context("nothing to rescue")?;
        let tree = repo.find_commit(last)?.tree_id()?.detach();
        let event = Event::new("rescue", why);
        for _ in 0..20 {
            let previous = ref_target(&repo, &full)?;
            let parents: Vec<ObjectId> = previous.into_iter().chain(tips.iter().copied()).collect();
            let sig = tool_signature("git-aos");
            let (mut b1, mut b2) = Default::default();
            let commit = repo
                .new_commit_as(
                    sig.to_ref(&mut b1),
                    sig.to_ref(&mut b2),
                    format!("{why}\n"),
                    tree,
                    parents,
                )
                .context("could not write a rescue commit")?
                .id;
            let expected = match previous {
                Some(p) => PreviousValue::MustExistAndMatch(Target::Object(p)),
                None => PreviousValue::MustNotExist,
            };
            if let Cas::Done = self.move_ref(&repo, &full, commit, expected, &event)? {
                return Ok(full);
            }
        }
        anyhow::bail!("could not update `{full}`: it kept changing")
    }

    /// Returns the rescue refs of a workstream with their targets.
    pub fn rescues(&self, name: &WorkstreamName) -> anyhow::Result<Vec<(String, String)>> {
        let prefix = refs::rescue_of(name);
        Ok(list_prefix(&self.repo(), &prefix)?
            .into_iter()
            .map(|(rest, id)| (format!("{prefix}{rest}"), id.to_string()))
            .collect())
    }

    /// Deletes the rescue refs of one run (`Some`) or of the whole workstream (`None`).
    pub fn drop_rescues(&self, name: &WorkstreamName, run: Option<&RunId>) -> anyhow::Result<()> {
        let repo = self.repo();
        let wanted = run.map(|r| refs::rescue(name, r));
        let edits: Vec<RefEdit> = self
            .rescues(name)?
            .into_iter()
            .filter(|(full, _)| wanted.as_ref().is_none_or(|w| w == full))
            .map(|(full, id)| -> anyhow::Result<RefEdit> {
                Ok(RefEdit::delete(
                    full.as_str().try_into()?,
                    PreviousValue::MustExistAndMatch(Target::Object(parse_id(&id)?)),
                ))
            })
            .collect::<anyhow::Result<_>>()?;
        if edits.is_empty() {
            return Ok(());
        }
        match self.apply_edits(&repo, edits, "rescue refs")? {
            Cas::Done => Ok(()),
            // Someone rescued more meanwhile: keep it; the next landing drops it.
            Cas::Lost | Cas::Locked => Ok(()),
        }
    }
}
