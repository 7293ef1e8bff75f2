//! Merging two diverged histories of `refs/notes/aos` as `git notes merge -s
//! cat_sort_uniq` does: a note changed on one side only takes that side's; a note both
//! changed becomes the sorted, de-duplicated lines of both.

use std::collections::{BTreeMap, BTreeSet};

use gix::ObjectId;

use super::Store;
use super::write::tool_signature;

impl Store {
    /// Writes the notes commit that merges `ours` and `theirs` (parents in that order) and
    /// returns it; no ref moves.
    pub fn merge_notes(&self, ours: &str, theirs: &str) -> anyhow::Result<String> {
        let repo = self.repo();
        let (o, t) = (parse(ours)?, parse(theirs)?);
        let tree = |c: ObjectId| -> anyhow::Result<ObjectId> {
            Ok(repo.find_commit(c)?.tree_id()?.detach())
        };
        let base = match repo.merge_base(o, t)? {
            Some(b) => notes_in(&repo, tree(b.detach())?)?,
            None => BTreeMap::new(),
        };
        let ours_root = tree(o)?;
        let (mine, theirs_notes) = (notes_in(&repo, ours_root)?, notes_in(&repo, tree(t)?)?);
        let mut state = gix::note::plumbing::State::new(ours_root, &repo)?;
        let targets: BTreeSet<&ObjectId> = mine.keys().chain(theirs_notes.keys()).collect();
        for target in targets {
            let (b, m, th) = (base.get(target), mine.get(target), theirs_notes.get(target));
            let merged = match (m, th) {
                _ if m == th || b == th => continue,
                _ if b == m => th.copied(),
                (Some(m), Some(th)) => Some(cat_sort_uniq(&repo, *m, *th)?),
                (m, th) => m.or(th).copied(),
            };
            if merged.as_ref() != m {
                state.edit(*target, merged, &repo)?;
            }
        }
        let tree = state.write(&repo)?;
        let sig = tool_signature("git-aos");
        let mut buf = gix::date::parse::TimeBuf::default();
        let sig = sig.to_ref(&mut buf);
        let commit =
            repo.new_commit_as(sig, sig, "Notes merged by 'git aos sync'\n", tree, [o, t])?;
        Ok(commit.id.to_string())
    }
}

/// Returns (annotated object -> note blob) of a notes tree in git's fanout layout.
fn notes_in(
    repo: &gix::Repository,
    root: ObjectId,
) -> anyhow::Result<BTreeMap<ObjectId, ObjectId>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![(String::new(), root)];
    while let Some((prefix, id)) = stack.pop() {
        for entry in repo.find_tree(id)?.decode()?.entries {
            let hex = format!("{prefix}{}", entry.filename);
            if entry.mode.is_tree() {
                stack.push((hex, entry.oid.to_owned()));
            } else if let Ok(target) = ObjectId::from_hex(hex.as_bytes()) {
                out.insert(target, entry.oid.to_owned());
            }
        }
    }
    Ok(out)
}

/// Writes the note made of both notes' lines, sorted, each once.
fn cat_sort_uniq(repo: &gix::Repository, a: ObjectId, b: ObjectId) -> anyhow::Result<ObjectId> {
    let mut lines = BTreeSet::new();
    for id in [a, b] {
        let blob = repo.find_blob(id)?;
        for line in String::from_utf8_lossy(&blob.data).lines() {
            if !line.is_empty() {
                lines.insert(line.to_owned());
            }
        }
    }
    let mut text = lines.into_iter().collect::<Vec<_>>().join("\n");
    text.push('\n');
    Ok(repo.write_blob(text.as_bytes())?.detach())
}

fn parse(hex: &str) -> anyhow::Result<ObjectId> {
    Ok(ObjectId::from_hex(hex.as_bytes())?)
}
