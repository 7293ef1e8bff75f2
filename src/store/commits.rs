//! Reading the commits people make, for the hooks: who wrote one, its parents, its
//! message; and single git config values.

use super::Store;

/// One commit, as the hooks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Its id (hex).
    pub id: String,
    /// Its author as `Name <email>`.
    pub author: String,
    /// Its parents' ids, first parent first.
    pub parents: Vec<String>,
    /// Its full message.
    pub message: String,
}

impl Store {
    /// Returns the commit a revision names (`HEAD`, an id), or `None` when it names none.
    pub fn try_find_commit(&self, rev: &str) -> anyhow::Result<Option<CommitInfo>> {
        let repo = self.repo();
        let Ok(id) = repo.rev_parse_single(rev) else {
            return Ok(None);
        };
        let commit = id.object()?.peel_to_commit()?;
        let author = commit.author()?;
        Ok(Some(CommitInfo {
            id: commit.id.to_string(),
            author: format!("{} <{}>", author.name, author.email),
            parents: commit.parent_ids().map(|p| p.to_string()).collect(),
            message: commit.message_raw()?.to_string(),
        }))
    }

    /// Returns a git config value as text (`core.commentChar`), or `None` when unset.
    pub fn config_string(&self, key: &str) -> Option<String> {
        let repo = self.repo();
        repo.config_snapshot().string(key).map(|v| v.to_string())
    }
}
