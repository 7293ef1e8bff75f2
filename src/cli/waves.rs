//! The waves of a workstream's stored plan, as `status` and `report` show them.

use std::collections::BTreeMap;

use crate::ids::TaskId;
use crate::store::{Snapshot, Store};

/// A plan's waves (task ids, wave by wave) and each task's wave.
pub(super) struct Waves {
    /// Task ids of each wave, in order.
    pub waves: Vec<Vec<String>>,
    /// The wave of each task.
    pub wave_of: BTreeMap<TaskId, usize>,
}

/// Returns the waves of the plan the state holds; none when it has no valid plan.
pub(super) fn of(store: &Store, snap: &Snapshot) -> anyhow::Result<Waves> {
    let plan = store
        .read_file(snap, crate::store::path::PLAN)?
        .and_then(|b| crate::plan::check(&String::from_utf8_lossy(&b), "plan.md").ok())
        .map(|c| c.plan);
    Ok(Waves {
        wave_of: plan.as_ref().map(|p| p.wave_of()).unwrap_or_default(),
        waves: plan
            .map(|p| {
                p.waves()
                    .into_iter()
                    .map(|w| w.into_iter().map(|id| id.to_string()).collect())
                    .collect()
            })
            .unwrap_or_default(),
    })
}
