//! Reading state: one ref lookup, then only the blobs asked for. Never a history walk.

use anyhow::Context as _;
use gix::ObjectId;

use super::model::{FORMAT, WorkstreamRecord, path};
use crate::error::UserError;

/// A workstream's state as of one state commit.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The state commit (hex).
    pub commit: String,
    /// The workstream record.
    pub ws: WorkstreamRecord,
    pub(super) commit_id: ObjectId,
    pub(super) tree: ObjectId,
}

/// Returns the blob at `rela` inside `tree`, or `None` when there is no such file.
pub(super) fn blob_at(
    repo: &gix::Repository,
    tree: ObjectId,
    rela: &str,
) -> anyhow::Result<Option<Vec<u8>>> {
    let tree = repo.find_tree(tree)?;
    match tree.lookup_entry_by_path(rela)? {
        Some(entry) if entry.mode().is_blob() => Ok(Some(repo.find_blob(entry.oid())?.take_data())),
        _ => Ok(None),
    }
}

/// Returns the entry names inside directory `dir` of `tree` (empty when there is none).
pub(super) fn names_in(
    repo: &gix::Repository,
    tree: ObjectId,
    dir: &str,
) -> anyhow::Result<Vec<String>> {
    let tree = repo.find_tree(tree)?;
    let Some(entry) = tree.lookup_entry_by_path(dir)? else {
        return Ok(Vec::new());
    };
    if !entry.mode().is_tree() {
        return Ok(Vec::new());
    }
    let sub = repo.find_tree(entry.oid())?;
    let decoded = sub.decode()?;
    Ok(decoded
        .entries
        .iter()
        .map(|e| e.filename.to_string())
        .collect())
}

/// Loads the snapshot of the state commit `commit`; `what` names it in errors.
///
/// Costs the commit, its root tree (decoded once) and the `workstream.toml` blob; the
/// `format` blob is read only when its id is not the id of the current format's text.
pub(super) fn snapshot(
    repo: &gix::Repository,
    commit_id: ObjectId,
    what: &str,
) -> anyhow::Result<Snapshot> {
    let commit = repo
        .find_commit(commit_id)
        .with_context(|| format!("{what}: state commit {commit_id} is missing"))?;
    let tree = commit.tree_id()?.detach();
    let (format_id, ws_id) = {
        let tree_obj = repo.find_tree(tree)?;
        let decoded = tree_obj.decode()?;
        let find = |name: &str| {
            decoded
                .entries
                .iter()
                .find(|e| e.filename == name && e.mode.is_blob())
                .map(|e| e.oid.to_owned())
        };
        (find(path::FORMAT), find(path::WORKSTREAM))
    };
    let format_id =
        format_id.with_context(|| format!("{what}: state tree has no `format` file"))?;
    check_format(repo, format_id, what)?;
    let ws_id = ws_id.with_context(|| {
        format!(
            "{what}: state commit {commit_id} has no `{}`",
            path::WORKSTREAM
        )
    })?;
    let bytes = repo.find_blob(ws_id)?.take_data();
    let text = String::from_utf8(bytes)
        .with_context(|| format!("{what}: `{}` is not UTF-8", path::WORKSTREAM))?;
    let ws: WorkstreamRecord = toml::from_str(&text)
        .with_context(|| format!("{what}: `{}` does not parse", path::WORKSTREAM))?;
    Ok(Snapshot {
        commit: commit_id.to_string(),
        ws,
        commit_id,
        tree,
    })
}

/// Refuses a state tree whose `format` is newer than this binary understands.
///
/// The common case costs no blob read: the entry's id is compared with the id of `"1\n"`.
fn check_format(repo: &gix::Repository, format_id: ObjectId, what: &str) -> anyhow::Result<()> {
    let known = gix::objs::compute_hash(
        repo.object_hash(),
        gix::objs::Kind::Blob,
        format!("{FORMAT}\n").as_bytes(),
    )?;
    if format_id == known {
        return Ok(());
    }
    let data = repo.find_blob(format_id)?.take_data();
    let text = String::from_utf8_lossy(&data);
    match text.trim().parse::<u32>() {
        Ok(v) if v <= FORMAT => Ok(()),
        Ok(v) => Err(UserError::with_hint(
            format!(
                "{what} has state format {v}, newer than this git-aos understands (format {FORMAT})"
            ),
            "upgrade git-aos (`cargo install --path .` in a newer checkout); nothing was changed",
        )
        .into()),
        Err(_) => anyhow::bail!(
            "{what}: `format` holds `{}`, not a version number",
            text.trim()
        ),
    }
}
