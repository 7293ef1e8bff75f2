//! Revisions and branches read in-process: resolve, branch tips, the current branch.

use gix::refs::Target;
use gix::refs::transaction::{PreviousValue, RefEdit};

use super::write::Cas;
use super::{Store, ref_target, refs};

impl Store {
    /// Returns the commit a revision names (`main`, `HEAD~2`, an id), or `None`.
    pub fn resolve(&self, rev: &str) -> anyhow::Result<Option<String>> {
        let repo = self.repo();
        match repo.rev_parse_single(rev) {
            Ok(id) => Ok(Some(id.object()?.peel_to_commit()?.id.to_string())),
            Err(_) => Ok(None),
        }
    }

    /// Returns the tip of a local branch given its short name, or `None`.
    pub fn branch_tip(&self, short: &str) -> anyhow::Result<Option<String>> {
        Ok(ref_target(&self.repo(), &refs::branch(short))?.map(|id| id.to_string()))
    }

    /// Returns the short name of the branch checked out in the current worktree.
    pub fn current_branch(&self) -> anyhow::Result<Option<String>> {
        let repo = self.repo();
        Ok(repo.head_name()?.map(|n| n.shorten().to_string()))
    }

    /// Returns whether `prefix/…` or a ref equal to a prefix of `full` exists, which
    /// would make creating `full` impossible (a directory/file clash).
    pub fn ref_clash(&self, full: &str) -> anyhow::Result<Option<String>> {
        let repo = self.repo();
        let mut path = String::new();
        for part in full.split('/') {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(part);
            if path != full && path.matches('/').count() >= 2 && ref_target(&repo, &path)?.is_some()
            {
                return Ok(Some(path));
            }
        }
        let below = super::list_prefix(&repo, &format!("{full}/"))?;
        Ok(below.first().map(|(rest, _)| format!("{full}/{rest}")))
    }

    /// Deletes a local branch if it still points at `expected`.
    pub fn delete_branch(&self, short: &str, expected: &str) -> anyhow::Result<bool> {
        let repo = self.repo();
        let id = gix::ObjectId::from_hex(expected.as_bytes())?;
        let full = refs::branch(short);
        let delete = RefEdit::delete(
            full.as_str().try_into()?,
            PreviousValue::MustExistAndMatch(Target::Object(id)),
        );
        Ok(matches!(
            self.apply_edits(&repo, vec![delete], &full)?,
            Cas::Done
        ))
    }
}

impl Store {
    /// Creates a local branch at `commit`; fails if it exists.
    pub fn create_branch(&self, short: &str, commit: &str) -> anyhow::Result<()> {
        let repo = self.repo();
        let id = gix::ObjectId::from_hex(commit.as_bytes())?;
        let full = refs::branch(short);
        let event = super::Event::new("branch", format!("recreate {short}"));
        match self.move_ref(&repo, &full, id, PreviousValue::MustNotExist, &event)? {
            Cas::Done => Ok(()),
            Cas::Lost | Cas::Locked => anyhow::bail!("branch `{short}` appeared meanwhile"),
        }
    }
}

impl Store {
    /// Returns who the person running git aos is: `Name <email>` from git config,
    /// else `$USER`, else `someone`.
    pub fn person(&self) -> String {
        let repo = self.repo();
        if let Some(Ok(sig)) = repo.author() {
            return format!("{} <{}>", sig.name, sig.email);
        }
        std::env::var("USER").unwrap_or_else(|_| "someone".into())
    }
}
