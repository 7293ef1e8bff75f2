//! `prepare-commit-msg`: add `Aos-Workstream` and `Aos-Task` trailers to a person's commit
//! message in a workstream worktree.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Context as _;

use super::probe::Site;
use super::{task, trailers, verdict};
use crate::store::Store;

/// Message sources (git's second argument) that get no trailers: a merge or squash
/// message describes other people's commits, and a template the person has not edited
/// yet must stay untouched so that git can still abort on it.
const SKIPPED_SOURCES: &[&str] = &["merge", "squash", "template"];

/// Adds the trailers the message lacks; `args` are git's: file, source, commit.
pub fn run(site: &Site, args: &[OsString]) -> anyhow::Result<()> {
    let file = args
        .first()
        .map(PathBuf::from)
        .context("git passed no message file")?;
    let source = args.get(1).and_then(|s| s.to_str());
    let store = Store::discover(&site.top)?;
    let head = store.resolve("HEAD")?;
    verdict::claim(&site.git_dir, head.as_deref())?;
    if source.is_some_and(|s| SKIPPED_SOURCES.contains(&s)) {
        return Ok(());
    }
    let snap = store.find(&site.workstream)?;
    let tasks = store.tasks(&snap)?;
    let ws = site.workstream.to_string();
    let task = task::current(&snap.ws, &tasks).map(|t| t.to_string());
    let mut pairs = vec![("Aos-Workstream", ws.as_str())];
    if let Some(task) = &task {
        pairs.push(("Aos-Task", task.as_str()));
    }
    let path = site.top.join(file);
    let message = std::fs::read_to_string(&path)
        .with_context(|| format!("could not read `{}`", path.display()))?;
    let comment = comment_prefix(&store, &message);
    if let Some(new) = trailers::add(&message, &pairs, &comment) {
        std::fs::write(&path, new)
            .with_context(|| format!("could not write `{}`", path.display()))?;
    }
    Ok(())
}

/// Returns the comment prefix git uses in the message file: `core.commentString` or
/// `core.commentChar`, `#` by default; for `auto`, the character the message's last
/// comment line starts with.
fn comment_prefix(store: &Store, message: &str) -> String {
    let setting = store
        .config_string("core.commentString")
        .or_else(|| store.config_string("core.commentChar"));
    match setting.as_deref() {
        None | Some("") => "#".to_owned(),
        Some("auto") => {
            let last = message.lines().rev().find(|l| !l.trim().is_empty());
            last.and_then(|l| l.chars().next())
                .filter(|c| "#;@!$%^&|:".contains(*c))
                .unwrap_or('#')
                .to_string()
        }
        Some(prefix) => prefix.to_owned(),
    }
}
