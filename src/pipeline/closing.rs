//! After the last task, before `complete`: the final review when the profile asks for
//! one, then user acceptance when `[uat]` is on.

use crate::error::UserError;
use crate::store::{Snapshot, TaskStatus};

use super::{Pipeline, WsOutcome, final_review, uat};

/// Runs what stands between a workstream whose tasks are all done and `complete`;
/// `None` lets it complete.
pub(super) async fn run(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<Option<WsOutcome>> {
    let tasks = p.store.tasks(snap)?;
    if tasks.tasks.is_empty() || tasks.tasks.iter().any(|t| t.status != TaskStatus::Done) {
        return Ok(None);
    }
    let profile = p.cfg.profile(&snap.ws.profile).map_err(UserError::from)?;
    if profile.final_review
        && let Some(stop) = final_review::run(p, snap).await?
    {
        return Ok(Some(stop));
    }
    if p.cfg.uat.enabled {
        let snap = p.store.find(&snap.ws.name)?;
        return uat::open(p, &snap).map(Some);
    }
    Ok(None)
}
