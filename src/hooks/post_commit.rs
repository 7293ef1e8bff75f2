//! `post-commit`: record a person's commit in the workstream's state chain (event
//! `manual-commit`, the task's `manual_commit`) and note it on `refs/notes/aos`.

use super::note;
use super::probe::Site;
use super::task;
use super::verdict;
use crate::ids::TaskId;
use crate::store::{Actor, Event, Store, trailer};

/// Records the commit `HEAD` now points at.
pub fn run(site: &Site) -> anyhow::Result<()> {
    let store = Store::discover(&site.top)?;
    let verification = verdict::take(&site.git_dir)?;
    let Some(commit) = store.try_find_commit("HEAD")? else {
        return Ok(());
    };
    if commit.parents.len() > 1 {
        // A merge brings other work in; it is no task's work.
        return Ok(());
    }
    let name = &site.workstream;
    let snap = store.find(name)?;
    let tasks = store.tasks(&snap)?;
    // The message's own `Aos-Task` wins when it names a task of the plan.
    let task = trailer(&commit.message, "Aos-Task")
        .and_then(|t| t.parse::<TaskId>().ok())
        .filter(|t| tasks.get(t).is_some())
        .or_else(|| task::current(&snap.ws, &tasks));
    let short = &commit.id[..commit.id.len().min(10)];
    let mut event = Event::new(
        "manual-commit",
        match &task {
            Some(t) => format!("{t}: commit {short} by {}", commit.author),
            None => format!("commit {short} by {}", commit.author),
        },
    )
    .by(Actor::Person);
    if let Some(t) = &task {
        event = event.task(t);
    }
    event = event.trailer("Aos-Commit", &commit.id);
    store.update(name, &event, |tx| {
        if let Some(t) = &task {
            let mut all = tx.tasks()?;
            if let Some(record) = all.get_mut(t) {
                record.manual_commit = Some(commit.id.clone());
                tx.set_tasks(&all)?;
            }
        }
        Ok(())
    })?;
    let mut pairs = vec![("workstream", name.to_string())];
    if let Some(t) = &task {
        pairs.push(("task", t.to_string()));
    }
    pairs.push(("by", commit.author.clone()));
    pairs.push(("verification", verification.as_str().to_owned()));
    let existing = store.note_get(&commit.id)?;
    store.note_set(&commit.id, &note::set(existing.as_deref(), &pairs))
}
