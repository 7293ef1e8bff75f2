//! Workstream lifecycle above the store: create, close, reopen, check — where state,
//! branches and worktrees must change together.

mod checkout;
mod close;
mod conflicts;
mod create;
pub mod fsck;
mod gate;
mod landing;
pub mod leftovers;
mod merge;
mod message;
mod order;
pub mod plan_file;
mod preflight;
mod refresh;
pub mod setup;
mod site;
pub mod task_prompt;
mod touched;

pub use checkout::{CheckedOut, checkout_here};
pub use close::{Drift, close, drift, open};
pub use conflicts::{Report as ConflictReport, check as conflicts};
pub use create::{NewWorkstream, PlanSnapshot, create};
pub use gate::Verdict as GateVerdict;
pub use merge::{MergeRequest, Merged, Strategy, merge};
pub use message::plan_title;
pub use refresh::{REFRESH_FILE, Refresh, refresh};
pub use site::{is_ours, worktree_path};
pub use touched::{Touched, touched};
