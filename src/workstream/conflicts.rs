//! `conflicts`: which live workstreams touch the same files and, when asked for a deep
//! look, which would really conflict — pairwise and against their base — by three-way
//! merges computed in memory; plus the suggested merge order (`order`).
//!
//! Overlap counts uncommitted work in worktrees; deep merges use the committed tips,
//! since that is what a merge would take.

use serde::Serialize;

use super::order;
use super::touched::{Touched, touched};
use crate::store::Store;

/// Everything `conflicts` found (the `--json` shape; field names are stable).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Whether real merges were computed (else `conflicts` lists are empty).
    pub deep: bool,
    /// Every pair of workstreams that share touched files or would conflict.
    pub pairs: Vec<Pair>,
    /// Each workstream merged with its base now (only with `deep`).
    pub against_base: Vec<AgainstBase>,
    /// Suggested merge order, every live workstream once.
    pub order: Vec<String>,
    /// Workstreams left out, with the reason (their branch or base is gone).
    pub skipped: Vec<Skipped>,
}

/// Two workstreams that touch the same files.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    /// First workstream (by name).
    pub a: String,
    /// Second workstream.
    pub b: String,
    /// Files both touch, committed or not.
    pub overlap: Vec<String>,
    /// The part of `overlap` that one side touches only in uncommitted work.
    pub uncommitted: Vec<String>,
    /// Files that would conflict merging the two committed tips.
    pub conflicts: Vec<String>,
}

/// One workstream merged with its base.
#[derive(Debug, Clone, Serialize)]
pub struct AgainstBase {
    /// The workstream.
    pub workstream: String,
    /// Its base.
    pub base: String,
    /// Files that would conflict merging it into its base now.
    pub conflicts: Vec<String>,
}

/// A workstream that could not be looked at.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// The workstream.
    pub workstream: String,
    /// Why.
    pub reason: String,
}

/// Looks at every live workstream; with `deep`, merges each with its base and each pair
/// with each other, in memory.
pub fn check(store: &Store, deep: bool) -> anyhow::Result<Report> {
    let mut all = Vec::new();
    let mut skipped = Vec::new();
    for snap in store.load_live()? {
        match touched(store, &snap.ws) {
            Ok(t) => all.push(t),
            Err(e) => skipped.push(Skipped {
                workstream: snap.ws.name.to_string(),
                reason: format!("{e:#}"),
            }),
        }
    }
    let mut pairs = Vec::new();
    let mut pair_index = Vec::new();
    for i in 0..all.len() {
        for j in i + 1..all.len() {
            pairs.push(pair(&all[i], &all[j]));
            pair_index.push((i, j));
        }
    }
    let mut against_base = Vec::new();
    if deep {
        let mut jobs: Vec<(String, String)> = all
            .iter()
            .map(|t| (t.base_tip.clone(), t.tip.clone()))
            .collect();
        jobs.extend(
            pair_index
                .iter()
                .map(|&(i, j)| (all[i].tip.clone(), all[j].tip.clone())),
        );
        let mut results = store.preview_merges(&jobs)?.into_iter();
        for t in &all {
            against_base.push(AgainstBase {
                workstream: t.name.to_string(),
                base: t.base.clone(),
                conflicts: results.next().unwrap_or_default(),
            });
        }
        for p in &mut pairs {
            p.conflicts = results.next().unwrap_or_default();
        }
    }
    let blocked: Vec<bool> = against_base
        .iter()
        .map(|b| !b.conflicts.is_empty())
        .collect();
    let blocked = if deep {
        blocked
    } else {
        vec![false; all.len()]
    };
    let edges: Vec<(usize, usize, usize)> = pairs
        .iter()
        .zip(&pair_index)
        .filter_map(|(p, &(i, j))| {
            let weight = if deep {
                p.conflicts.len()
            } else {
                p.overlap.len()
            };
            (weight > 0).then_some((i, j, weight))
        })
        .collect();
    let order = order::suggest(all.len(), &blocked, &edges)
        .into_iter()
        .map(|i| all[i].name.to_string())
        .collect();
    pairs.retain(|p| !p.overlap.is_empty() || !p.conflicts.is_empty());
    Ok(Report {
        deep,
        pairs,
        against_base,
        order,
        skipped,
    })
}

fn pair(a: &Touched, b: &Touched) -> Pair {
    let (fa, fb) = (a.files(), b.files());
    let overlap: Vec<String> = fa.intersection(&fb).map(|f| f.to_string()).collect();
    let uncommitted = overlap
        .iter()
        .filter(|f| a.only_uncommitted(f) || b.only_uncommitted(f))
        .cloned()
        .collect();
    Pair {
        a: a.name.to_string(),
        b: b.name.to_string(),
        overlap,
        uncommitted,
        conflicts: Vec::new(),
    }
}
