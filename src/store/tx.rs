//! A change to one workstream's state: a view of the old state tree with pending edits.
//! Reads fall through to the old tree (one blob read each); writes are collected and
//! turned into one new tree by `write_tree`.

use std::collections::BTreeMap;

use anyhow::Context as _;
use gix::ObjectId;
use gix::object::tree::EntryKind;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::model::{TasksFile, WorkstreamRecord, path};

/// The state of one workstream being changed. Handed to the closure of `Store::update`.
pub struct StateTx<'r> {
    repo: &'r gix::Repository,
    base_tree: Option<ObjectId>,
    /// Path -> new content (`None`: remove, including a whole directory).
    edits: BTreeMap<String, Option<Vec<u8>>>,
    ws: WorkstreamRecord,
}

impl<'r> StateTx<'r> {
    pub(super) fn new(
        repo: &'r gix::Repository,
        base_tree: Option<ObjectId>,
        ws: WorkstreamRecord,
    ) -> Self {
        Self {
            repo,
            base_tree,
            edits: BTreeMap::new(),
            ws,
        }
    }

    /// Returns the workstream record as it will be written.
    pub fn ws(&self) -> &WorkstreamRecord {
        &self.ws
    }

    /// Returns the workstream record for changing.
    pub fn ws_mut(&mut self) -> &mut WorkstreamRecord {
        &mut self.ws
    }

    /// Returns a file's content: the pending edit if any, else the old tree's blob.
    pub fn read(&self, rela: &str) -> anyhow::Result<Option<Vec<u8>>> {
        if let Some(edit) = self.edits.get(rela) {
            return Ok(edit.clone());
        }
        if self.removed_by_parent(rela) {
            return Ok(None);
        }
        match self.base_tree {
            Some(tree) => super::read::blob_at(self.repo, tree, rela),
            None => Ok(None),
        }
    }

    /// Returns a file parsed as TOML, or `None` when it does not exist.
    pub fn read_toml<T: DeserializeOwned>(&self, rela: &str) -> anyhow::Result<Option<T>> {
        match self.read(rela)? {
            Some(bytes) => {
                let text = String::from_utf8(bytes)
                    .with_context(|| format!("state file `{rela}` is not UTF-8"))?;
                Ok(Some(toml::from_str(&text).with_context(|| {
                    format!("state file `{rela}` does not parse")
                })?))
            }
            None => Ok(None),
        }
    }

    /// Returns `tasks.toml` (empty when absent).
    pub fn tasks(&self) -> anyhow::Result<TasksFile> {
        Ok(self.read_toml(path::TASKS)?.unwrap_or_default())
    }

    /// Replaces `tasks.toml` and the progress counters of `workstream.toml`.
    pub fn set_tasks(&mut self, tasks: &TasksFile) -> anyhow::Result<()> {
        (self.ws.tasks_done, self.ws.tasks_total) = tasks.progress();
        self.put_toml(path::TASKS, tasks)
    }

    /// Returns the new content of a file this change writes, if it writes it.
    pub(super) fn written(&self, rela: &str) -> Option<&[u8]> {
        self.edits.get(rela)?.as_deref()
    }

    /// Sets a file's content.
    pub fn put(&mut self, rela: &str, bytes: impl Into<Vec<u8>>) {
        self.edits.insert(rela.to_owned(), Some(bytes.into()));
    }

    /// Sets a file to a value serialised as TOML.
    pub fn put_toml<T: Serialize>(&mut self, rela: &str, value: &T) -> anyhow::Result<()> {
        let text =
            toml::to_string(value).with_context(|| format!("could not serialise `{rela}`"))?;
        self.put(rela, text);
        Ok(())
    }

    /// Removes a file or a whole directory.
    pub fn remove(&mut self, rela: &str) {
        let rela = rela.trim_end_matches('/');
        let prefix = format!("{rela}/");
        self.edits.retain(|k, _| !k.starts_with(&prefix));
        self.edits.insert(rela.to_owned(), None);
    }

    /// Returns the names of the files directly inside `dir`, sorted.
    pub fn list_dir(&self, dir: &str) -> anyhow::Result<Vec<String>> {
        let dir = dir.trim_end_matches('/');
        let mut names: std::collections::BTreeSet<String> = match self.base_tree {
            Some(tree)
                if !self.removed_by_parent(&format!("{dir}/x"))
                    && !matches!(self.edits.get(dir), Some(None)) =>
            {
                super::read::names_in(self.repo, tree, dir)?
                    .into_iter()
                    .collect()
            }
            _ => Default::default(),
        };
        let prefix = format!("{dir}/");
        for (path, edit) in &self.edits {
            if let Some(rest) = path.strip_prefix(&prefix) {
                let name = rest.split('/').next().unwrap_or(rest).to_owned();
                match edit {
                    Some(_) => names.insert(name),
                    None if !rest.contains('/') => names.remove(&name),
                    None => false,
                };
            }
        }
        Ok(names.into_iter().collect())
    }

    /// Returns whether a pending edit removed a directory that contains `rela`.
    fn removed_by_parent(&self, rela: &str) -> bool {
        let mut p = rela;
        while let Some((parent, _)) = p.rsplit_once('/') {
            if matches!(self.edits.get(parent), Some(None)) {
                return true;
            }
            p = parent;
        }
        false
    }

    /// Writes the new tree: old tree plus edits, with `format` and `workstream.toml` refreshed.
    pub(super) fn write_tree(mut self) -> anyhow::Result<ObjectId> {
        let ws_text = toml::to_string(&self.ws).context("could not serialise workstream.toml")?;
        self.put(path::WORKSTREAM, ws_text);
        self.put(path::FORMAT, format!("{}\n", super::model::FORMAT));
        let mut editor = match self.base_tree {
            Some(tree) => self.repo.edit_tree(tree)?,
            None => self
                .repo
                .edit_tree(ObjectId::empty_tree(self.repo.object_hash()))?,
        };
        // Removals first so that `remove dir` + `put dir/file` in one change keeps the file.
        for (path, edit) in &self.edits {
            if edit.is_none() {
                editor.remove(path.as_str())?;
            }
        }
        for (path, edit) in &self.edits {
            if let Some(bytes) = edit {
                let blob = self.repo.write_blob(bytes)?.detach();
                editor.upsert(path.as_str(), EntryKind::Blob, blob)?;
            }
        }
        Ok(editor.write()?.detach())
    }
}
