//! Workstream lifecycle above the store: create, close, reopen, check — where state,
//! branches and worktrees must change together.

pub mod fsck;
