//! Whether the remote that `sync` and `run --remote` use takes what they push: a probe
//! ref under `refs/aos/` and one under `refs/notes/` are pushed in one atomic push, then
//! deleted. Some hosts refuse refs outside `refs/heads/` and `refs/tags/`.

use super::{Finding, Level};
use crate::ctx::Ctx;
use crate::git::remote::{self, Push, Pushed};
use crate::ids::RemoteName;
use crate::store::refs;

/// Checks the current branch's remote (else `origin`); no finding when there is none.
pub fn check(ctx: &Ctx) -> Option<Finding> {
    let root = ctx.repo_root().ok()?;
    let name = remote::default_remote(root)?;
    let remote: RemoteName = match name.parse() {
        Ok(r) => r,
        Err(e) => {
            let e: crate::ids::InvalidId = e;
            return Some(Finding::new("remote", name, Level::Warning, e.0));
        }
    };
    Some(probe(ctx, root, &remote))
}

fn probe(ctx: &Ctx, root: &std::path::Path, remote: &RemoteName) -> Finding {
    let tag = format!(
        "{}-{}",
        crate::remote::claim::holder().replace([':', '/'], "-"),
        jiff::Timestamp::now().as_millisecond()
    );
    let commit = match ctx.store.write_probe() {
        Ok(c) => c,
        Err(e) => {
            return Finding::new(
                "remote",
                remote.as_str(),
                Level::Warning,
                format!("could not make a probe commit: {e:#}"),
            );
        }
    };
    let dsts = [refs::probe(&tag), refs::notes_probe(&tag)];
    let create: Vec<Push> = dsts
        .iter()
        .map(|d| Push {
            dst: d.clone(),
            new: Some(commit.clone()),
            expect: None,
        })
        .collect();
    let refused = |why: String| {
        Finding::new(
            "remote",
            remote.as_str(),
            Level::Warning,
            format!("`{remote}` does not take `refs/aos/*` and `refs/notes/*`: {why}; `git aos sync` and `run --remote` cannot work with it"),
        )
        .hint("use a host that accepts custom refs (GitHub, GitLab, Gitea, a bare repository over ssh), or lift the rule that refuses them (a pre-receive hook, a namespace restriction)")
    };
    match remote::push(root, remote, &create) {
        Ok(Pushed::Done) => {}
        Ok(Pushed::Rejected(r)) => return refused(format!("{r:?}")),
        Err(e) => return refused(format!("{e:#}").replace('\n', " ")),
    }
    let delete: Vec<Push> = dsts
        .iter()
        .map(|d| Push {
            dst: d.clone(),
            new: None,
            expect: Some(commit.clone()),
        })
        .collect();
    match remote::push(root, remote, &delete) {
        Ok(Pushed::Done) => Finding::ok(
            "remote",
            remote.as_str(),
            format!("`{remote}` takes `refs/aos/*` and `refs/notes/*` (a probe ref was pushed and deleted)"),
        ),
        _ => Finding::new(
            "remote",
            remote.as_str(),
            Level::Warning,
            format!("`{remote}` took the probe refs but would not delete them: `git aos sync` works, but deleting claims may not"),
        )
        .hint(format!("delete them by hand: `git push {remote} :{} :{}`", dsts[0], dsts[1])),
    }
}
