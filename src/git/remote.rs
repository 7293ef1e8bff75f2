//! Talking to a remote: fetch what sync carries into the refs that keep it
//! (`refs/aos/remotes/<remote>/…`, never over local refs), push several refs in one
//! atomic push where each is leased to the value it was last fetched at, and bring a
//! checked-out branch forward.

use std::path::Path;

use anyhow::Context as _;

use super::command;
use crate::error::UserError;
use crate::ids::RemoteName;

/// One ref to push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// The ref on the remote.
    pub dst: String,
    /// The commit to set it to; `None` deletes it.
    pub new: Option<String>,
    /// What the remote must hold for the push to go through; `None`: nothing (create).
    pub expect: Option<String>,
}

/// How an atomic push went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    /// Every ref moved.
    Done,
    /// Nothing moved: at least one lease no longer held (ref, git's reason).
    Rejected(Vec<(String, String)>),
}

/// Returns the remote a repository syncs with when none is named: the current branch's
/// remote, else `origin`; `None` when there is no such remote.
pub fn default_remote(repo: &Path) -> Option<String> {
    let branch = super::read(repo, ["symbolic-ref", "--quiet", "--short", "HEAD"]).ok();
    let configured =
        branch.and_then(|b| super::read(repo, ["config", &format!("branch.{b}.remote")]).ok());
    let candidate = configured
        .filter(|r| r != ".")
        .unwrap_or_else(|| "origin".to_owned());
    exists(repo, &candidate).then_some(candidate)
}

/// Returns whether `name` is a configured remote.
pub fn exists(repo: &Path, name: &str) -> bool {
    super::read(repo, ["remote", "get-url", name]).is_ok()
}

/// Fetches with `refspecs` (pruning refs they map to that the remote no longer has).
pub fn fetch(repo: &Path, remote: &RemoteName, refspecs: &[String]) -> anyhow::Result<()> {
    let mut args = vec![
        "fetch",
        "--quiet",
        "--no-tags",
        "--prune",
        "--no-write-fetch-head",
        "--no-auto-maintenance",
    ];
    args.push(remote.as_str());
    args.extend(refspecs.iter().map(String::as_str));
    let out = command(repo)
        .args(&args)
        .output()
        .context("could not run `git fetch`")?;
    if !out.status.success() {
        return Err(transport_error("fetch from", remote, &out.stderr));
    }
    Ok(())
}

/// Pushes every ref in one `git push --atomic`, each with `--force-with-lease` pinned to
/// its expected value: either all move or none does.
pub fn push(repo: &Path, remote: &RemoteName, pushes: &[Push]) -> anyhow::Result<Pushed> {
    if pushes.is_empty() {
        return Ok(Pushed::Done);
    }
    let mut args: Vec<String> = [
        "push",
        "--atomic",
        "--porcelain",
        "--no-verify",
        remote.as_str(),
    ]
    .map(String::from)
    .to_vec();
    for p in pushes {
        args.push(format!(
            "--force-with-lease={}:{}",
            p.dst,
            p.expect.as_deref().unwrap_or("")
        ));
    }
    for p in pushes {
        args.push(format!("{}:{}", p.new.as_deref().unwrap_or(""), p.dst));
    }
    tracing::debug!(repo = %repo.display(), "git {}", args.join(" "));
    let out = command(repo)
        .args(&args)
        .output()
        .context("could not run `git push`")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let rejected: Vec<(String, String)> = stdout
        .lines()
        .filter_map(|l| {
            let mut parts = l.split('\t');
            let flag = parts.next()?;
            let refs = parts.next()?;
            let reason = parts.next().unwrap_or_default();
            (flag == "!").then(|| {
                let dst = refs.rsplit_once(':').map_or(refs, |(_, d)| d);
                (dst.to_owned(), reason.to_owned())
            })
        })
        .collect();
    if out.status.success() {
        return Ok(Pushed::Done);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("does not support --atomic") {
        return Err(UserError::with_hint(
            format!("remote `{remote}` does not take atomic pushes"),
            "git aos needs a host that supports `git push --atomic` (GitHub, GitLab, Gitea and plain git over ssh do)",
        )
        .into());
    }
    // Only a lease that no longer holds is worth starting over for; anything else (a
    // hook, a permission, a broken connection) is the remote's answer.
    let lost_lease = |r: &str| {
        [
            "stale info",
            "atomic push failed",
            "atomic transaction failed",
            "fetch first",
            "non-fast-forward",
            "already exists",
            "failed to update ref",
            "cannot lock ref",
            "incorrect old value",
        ]
        .iter()
        .any(|m| r.contains(m))
    };
    if !rejected.is_empty() && rejected.iter().all(|(_, r)| lost_lease(r)) {
        return Ok(Pushed::Rejected(rejected));
    }
    let detail = rejected
        .iter()
        .map(|(d, r)| format!("{d}: {r}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut stderr = out.stderr.clone();
    if !detail.is_empty() {
        stderr.extend(format!("\nthe remote refused {detail}").bytes());
    }
    Err(transport_error("push to", remote, &stderr))
}

/// Fast-forwards the branch checked out in `worktree` to `commit`, files included; git
/// refuses (and changes nothing) when that would overwrite local changes.
pub fn fast_forward(worktree: &Path, commit: &str) -> anyhow::Result<()> {
    super::run(
        worktree,
        ["merge", "--ff-only", "--quiet", "--no-edit", commit],
    )
    .map(drop)
}

/// Returns an error for a failed fetch or push, with git's words and what to check.
fn transport_error(what: &str, remote: &RemoteName, stderr: &[u8]) -> anyhow::Error {
    let text = String::from_utf8_lossy(stderr).trim().to_owned();
    let hint = if text.contains("does not appear to be a git repository")
        || text.contains("No such remote")
    {
        format!(
            "add it with `git remote add {remote} <url>`, or name another with `git aos sync <remote>`"
        )
    } else {
        format!("check that `git fetch {remote}` and `git push {remote}` work from this clone")
    };
    anyhow::anyhow!("{text}").context(UserError::with_hint(
        format!("could not {what} `{remote}`"),
        hint,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_to_no_remote_is_an_error_with_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        super::super::run(dir.path(), ["init", "-q"]).unwrap();
        let remote: RemoteName = "nowhere".parse().unwrap();
        let push = Push {
            dst: "refs/aos/ws/a".into(),
            new: None,
            expect: Some("0".repeat(40)),
        };
        let err = push_err(dir.path(), &remote, &[push]);
        assert!(
            crate::error::hint(&err).unwrap().contains("git remote add"),
            "{err:#}"
        );
        assert!(!exists(dir.path(), "nowhere"));
    }

    fn push_err(dir: &Path, remote: &RemoteName, pushes: &[Push]) -> anyhow::Error {
        push(dir, remote, pushes).unwrap_err()
    }
}
