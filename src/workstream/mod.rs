//! Workstream lifecycle above the store: create, close, reopen, check — where state,
//! branches and worktrees must change together.

mod close;
mod create;
pub mod fsck;
pub mod plan_file;
mod setup;
pub mod task_prompt;

pub use close::{close, open};
pub use create::{NewWorkstream, PlanSnapshot, create};
