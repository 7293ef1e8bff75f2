//! Gates: the points where the pipeline waits for a person — the review gate before a
//! commit, clarification questions, a plan to approve, the final review's concerns, user
//! acceptance. Each is a TOML file in the state tree.

pub mod clarify;
pub mod final_review;
pub mod plan;
pub mod review;
pub mod uat;
