//! git aos: coding agents on parallel git workstreams, with the repository as the database.
//!
//! Layers, top to bottom: `cli` -> `pipeline`/`workstream` -> {`agent`, `gate`, `store`,
//! `git`, `plan`, `lock`, `config`}. Only `store` uses gix; only `git` spawns `git`.
#![deny(unsafe_code)]

pub mod cli;
pub mod error;
pub mod ids;
pub mod plan;
pub mod ui;
