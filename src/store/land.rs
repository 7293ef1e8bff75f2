//! Landing a workstream on its base: the commits of a branch, result commits written
//! with the person's identity, replaying commits cherry-pick style, and the
//! compare-and-swap that moves the base branch.

use anyhow::Context as _;
use gix::ObjectId;
use gix::refs::Target;
use gix::refs::transaction::PreviousValue;

use super::diff::parse_id;
use super::event::Event;
use super::merge::{MergeResult, merge_trees_in};
use super::write::{Cas, tool_signature};
use super::{Store, refs};

/// One commit of a branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchCommit {
    /// Commit id (hex).
    pub id: String,
    /// How many parents it has (2+ is a merge commit).
    pub parents: usize,
    /// First line of its message.
    pub summary: String,
}

/// What replaying a branch onto a new base did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// Every commit applied.
    Done {
        /// The last replayed commit (or the base, when every commit was dropped).
        tip: String,
        /// (original, replayed) for every commit that got a new id, oldest first.
        rewritten: Vec<(String, String)>,
        /// Commits dropped because the base already had their changes.
        dropped: Vec<String>,
    },
    /// This commit did not apply cleanly; nothing was written.
    Conflict {
        /// The commit that conflicts.
        commit: String,
        /// Paths in conflict.
        files: Vec<String>,
    },
}

impl Store {
    /// Returns the commits reachable from `tip` but not from `base`, oldest first.
    pub fn commits_between(&self, base: &str, tip: &str) -> anyhow::Result<Vec<BranchCommit>> {
        let repo = self.cached_repo();
        let mut out = Vec::new();
        for info in repo
            .rev_walk([parse_id(tip)?])
            .with_hidden([parse_id(base)?])
            .all()?
        {
            let commit = info?.object()?;
            out.push(BranchCommit {
                id: commit.id.to_string(),
                parents: commit.parent_ids().count(),
                summary: commit.message()?.summary().to_string(),
            });
        }
        out.reverse();
        Ok(out)
    }

    /// Returns the tree of a commit (hex).
    pub fn tree_of(&self, commit: &str) -> anyhow::Result<String> {
        let repo = self.repo();
        Ok(repo.find_commit(parse_id(commit)?)?.tree_id()?.to_string())
    }

    /// Writes a commit as the person running git aos (author and committer from git
    /// config, else git aos's own identity) and returns its id. No ref moves.
    pub fn write_commit(
        &self,
        tree: &str,
        parents: &[String],
        message: &str,
    ) -> anyhow::Result<String> {
        let repo = self.repo();
        let parents = parents
            .iter()
            .map(|p| parse_id(p))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let committer = person(&repo, false);
        let author = person(&repo, true);
        let (mut b1, mut b2) = Default::default();
        let id = repo
            .new_commit_as(
                committer.to_ref(&mut b1),
                author.to_ref(&mut b2),
                message,
                parse_id(tree)?,
                parents,
            )
            .context("could not write the merge result commit")?
            .id;
        Ok(id.to_string())
    }

    /// Replays `commits` (oldest first, one parent each) onto `onto` with cherry-pick
    /// semantics: each commit's change (its tree against its parent's) is merged into the
    /// new tip, keeping its author and message. A commit whose parent already is the tip
    /// is kept as it is; one whose change the tip already has is dropped.
    ///
    /// Runs in memory first and writes objects only when every commit applies.
    pub fn replay(&self, onto: &str, commits: &[String]) -> anyhow::Result<Replay> {
        let onto = parse_id(onto)?;
        let commits = commits
            .iter()
            .map(|c| parse_id(c))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let dry = replay_in(&self.memory_repo(), onto, &commits)?;
        if let Replay::Conflict { .. } = dry {
            return Ok(dry);
        }
        replay_in(&self.cached_repo(), onto, &commits)
    }

    /// Moves local branch `short` from `expected` to `new` by compare-and-swap; returns
    /// `false` (and changes nothing) when the branch no longer points at `expected`.
    pub fn move_branch(
        &self,
        short: &str,
        new: &str,
        expected: &str,
        why: &str,
    ) -> anyhow::Result<bool> {
        let repo = self.repo();
        let event = Event::new("merge", why);
        let refname = refs::branch(short);
        let deadline = std::time::Instant::now() + super::write::MAX_WAIT;
        for attempt in 0.. {
            let previous = PreviousValue::MustExistAndMatch(Target::Object(parse_id(expected)?));
            match self.move_ref(&repo, &refname, parse_id(new)?, previous, &event)? {
                Cas::Done => return Ok(true),
                Cas::Lost => return Ok(false),
                // Another writer holds the ref, or one killed mid-update left its lock:
                // wait for it, clearing a lock only a dead writer could have left.
                Cas::Locked if std::time::Instant::now() < deadline => {
                    self.clear_stale_ref_lock(&refname);
                    super::write::backoff(attempt);
                }
                Cas::Locked => break,
            }
        }
        anyhow::bail!(
            "`{refname}` stayed locked for {} s; if no git command runs, remove `{refname}.lock`",
            super::write::MAX_WAIT.as_secs()
        )
    }
}

fn replay_in(
    repo: &gix::Repository,
    onto: ObjectId,
    commits: &[ObjectId],
) -> anyhow::Result<Replay> {
    let mut tip = onto;
    let mut rewritten = Vec::new();
    let mut dropped = Vec::new();
    for &id in commits {
        let commit = repo.find_commit(id)?;
        let parent = commit
            .parent_ids()
            .next()
            .with_context(|| format!("commit {id} has no parent to replay against"))?
            .detach();
        if parent == tip {
            tip = id;
            continue;
        }
        let tree = commit.tree_id()?.detach();
        let parent_tree = repo.find_commit(parent)?.tree_id()?.detach();
        let tip_tree = repo.find_commit(tip)?.tree_id()?.detach();
        let merged = match merge_trees_in(repo, parent_tree, tip_tree, tree)? {
            MergeResult::Clean(t) => parse_id(&t)?,
            MergeResult::Conflicts(files) => {
                return Ok(Replay::Conflict {
                    commit: id.to_string(),
                    files,
                });
            }
        };
        // Like `git rebase`: a change the base already has leaves nothing to replay,
        // while a commit that was empty to begin with is kept.
        if merged == tip_tree && tree != parent_tree {
            dropped.push(id.to_string());
            continue;
        }
        let decoded = commit.decode()?;
        let committer = person(repo, false);
        let mut buf = gix::date::parse::TimeBuf::default();
        let new = repo
            .new_commit_as(
                committer.to_ref(&mut buf),
                decoded.author()?,
                // gix takes messages as UTF-8; a message in another encoding is converted.
                String::from_utf8_lossy(decoded.message).as_ref(),
                merged,
                [tip],
            )
            .with_context(|| format!("could not write the replay of {id}"))?
            .id;
        rewritten.push((id.to_string(), new.to_string()));
        tip = new;
    }
    Ok(Replay::Done {
        tip: tip.to_string(),
        rewritten,
        dropped,
    })
}

/// Returns the person's author (or committer) identity from git config, else git aos's.
fn person(repo: &gix::Repository, author: bool) -> gix::actor::Signature {
    let sig = if author {
        repo.author()
    } else {
        repo.committer()
    };
    match sig {
        Some(Ok(sig)) => gix::actor::Signature {
            name: sig.name.to_owned(),
            email: sig.email.to_owned(),
            time: sig
                .time()
                .unwrap_or_else(|_| gix::date::Time::now_local_or_utc()),
        },
        _ => tool_signature("git-aos"),
    }
}
