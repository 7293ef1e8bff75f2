//! Working across machines through one git remote, the only shared service: `sync`
//! (fetch, reconcile every workstream, push with leases), runners' claims on
//! workstreams, and publishing a claimed workstream's state as its run goes.

pub mod claim;
mod decide;
mod forward;
mod publish;
pub mod sync;

pub use decide::{Action, Entry};
pub use publish::publish;
pub use sync::{Report, Request, sync};

use std::path::Path;

use crate::error::UserError;
use crate::ids::RemoteName;

/// Returns the remote to use: the one named, else the current branch's remote, else
/// `origin`; an error with a hint when there is none.
pub fn resolve(repo: &Path, named: Option<&str>) -> anyhow::Result<RemoteName> {
    let name = match named {
        Some(n) => n.to_owned(),
        None => crate::git::remote::default_remote(repo).ok_or_else(|| {
            UserError::with_hint(
                "no remote to sync with: the current branch has none and there is no `origin`",
                "add one with `git remote add origin <url>`, or name one: `git aos sync <remote>`",
            )
        })?,
    };
    let remote: RemoteName = name
        .parse()
        .map_err(|e: crate::ids::InvalidId| UserError::new(e.0))?;
    if !crate::git::remote::exists(repo, remote.as_str()) {
        return Err(UserError::with_hint(
            format!("no remote named `{remote}`"),
            format!("`git remote -v` lists them; add it with `git remote add {remote} <url>`"),
        )
        .into());
    }
    Ok(remote)
}
