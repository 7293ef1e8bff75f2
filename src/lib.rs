//! git aos: coding agents on parallel git workstreams, with the repository as the database.
//!
//! Layers, top to bottom: `cli` -> `watch` -> `forge` -> `pipeline`/`workstream` -> {`agent`, `gate`,
//! `store`, `git`, `plan`, `lock`, `config`}. Only `store` uses gix; only `git` spawns
//! `git`; only `forge` spawns `gh`/`glab`.
#![deny(unsafe_code)]

pub mod agent;
pub mod atomic_file;
pub mod cli;
pub mod config;
pub mod ctx;
pub mod demo;
pub mod doctor;
pub mod error;
pub mod forge;
pub mod gate;
pub mod git;
pub mod hooks;
pub mod ids;
pub mod lock;
pub mod manual;
pub mod notify;
pub mod pipeline;
pub mod plan;
pub mod process;
pub mod remote;
pub mod store;
pub mod trust;
pub mod ui;
pub mod watch;
pub mod workstream;
