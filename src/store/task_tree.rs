//! The trees a task's change is made of, read and written in-process: the files that
//! differ between two trees, blobs inside a tree, a tree with one file replaced, and the
//! task's commit on its workstream branch.

use anyhow::Context as _;
use gix::ObjectId;
use gix::objs::tree::EntryKind;

use super::Store;
use super::diff::{changed_trees_in, parse_id};
use super::write::tool_signature;

impl Store {
    /// Returns the tree of a commit, or the id itself when it already names a tree.
    pub fn tree_of_any(&self, id: &str) -> anyhow::Result<String> {
        let repo = self.repo();
        let object = repo.find_object(parse_id(id)?)?;
        Ok(match object.kind {
            gix::objs::Kind::Tree => object.id.to_string(),
            _ => object.peel_to_tree()?.id.to_string(),
        })
    }

    /// Returns the files that differ between two trees (or commits), sorted; a rename
    /// gives both paths.
    pub fn changed_between(&self, from: &str, to: &str) -> anyhow::Result<Vec<String>> {
        let repo = self.cached_repo();
        let from = parse_id(&self.tree_of_any(from)?)?;
        let to = parse_id(&self.tree_of_any(to)?)?;
        changed_trees_in(&repo, from, to)
    }

    /// Returns the file at `path` inside a tree (or commit), or `None` when there is none.
    pub fn file_in(&self, tree: &str, path: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let repo = self.repo();
        super::read::blob_at(&repo, parse_id(&self.tree_of_any(tree)?)?, path)
    }

    /// Returns the blob id of each of `paths` inside a tree; absent files are left out.
    pub fn blob_ids(
        &self,
        tree: &str,
        paths: &[String],
    ) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
        let repo = self.repo();
        let tree = repo.find_tree(parse_id(&self.tree_of_any(tree)?)?)?;
        let mut out = std::collections::BTreeMap::new();
        for path in paths {
            if let Some(entry) = tree.lookup_entry_by_path(path)?
                && entry.mode().is_blob()
            {
                out.insert(path.clone(), entry.oid().to_string());
            }
        }
        Ok(out)
    }

    /// Returns `tree` with the file at `path` set to `bytes` (created if missing).
    pub fn tree_with_file(&self, tree: &str, path: &str, bytes: &[u8]) -> anyhow::Result<String> {
        let repo = self.repo();
        let blob = repo.write_blob(bytes)?.detach();
        let mut editor = repo.edit_tree(parse_id(tree)?)?;
        editor.upsert(path, EntryKind::Blob, blob)?;
        Ok(editor.write()?.detach().to_string())
    }

    /// Returns `tree` with each `(path, bytes)` written in (files created if missing).
    pub fn tree_with_files(
        &self,
        tree: &str,
        files: &[(String, Vec<u8>)],
    ) -> anyhow::Result<String> {
        let repo = self.repo();
        let mut editor = repo.edit_tree(parse_id(&self.tree_of_any(tree)?)?)?;
        for (path, bytes) in files {
            let blob = repo.write_blob(bytes)?.detach();
            editor.upsert(path.as_str(), EntryKind::Blob, blob)?;
        }
        Ok(editor.write()?.detach().to_string())
    }

    /// Writes the commit that lands a task: `tree` on top of `parent`, authored by
    /// `<agent> via git-aos`, committed by git aos. No ref moves.
    pub fn write_task_commit(
        &self,
        tree: &str,
        parent: &str,
        message: &str,
        agent: &str,
    ) -> anyhow::Result<String> {
        let repo = self.repo();
        let committer = tool_signature("git-aos");
        let author = tool_signature(&format!("{agent} via git-aos"));
        let (mut b1, mut b2) = Default::default();
        let id: ObjectId = repo
            .new_commit_as(
                committer.to_ref(&mut b1),
                author.to_ref(&mut b2),
                message,
                parse_id(tree)?,
                [parse_id(parent)?],
            )
            .context("could not write the task's commit")?
            .id;
        Ok(id.to_string())
    }

    /// Returns the full message of a commit.
    pub fn commit_message(&self, commit: &str) -> anyhow::Result<String> {
        let repo = self.repo();
        let commit = repo.find_commit(parse_id(commit)?)?;
        Ok(String::from_utf8_lossy(commit.message_raw()?).into_owned())
    }
}
