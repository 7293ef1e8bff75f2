//! Gates: the points where the pipeline waits for a person — the review gate before a
//! commit, clarification questions, user acceptance. Each is a TOML file in the state tree.

pub mod clarify;
pub mod review;
