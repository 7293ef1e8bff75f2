//! Workstream lifecycle above the store: create, close, reopen, check — where state,
//! branches and worktrees must change together.

mod close;
mod create;
pub mod fsck;
mod setup;

pub use close::{close, open};
pub use create::{NewWorkstream, PlanSnapshot, create};
