//! Publishing a branch to a remote for a pull request: the configured remotes and their
//! URLs as written, the tip a remote holds for a ref, and a push leased to the value the
//! remote must still hold — never a bare force.

use std::path::Path;

use anyhow::Context as _;

use super::command;
use crate::error::UserError;

/// How a leased push went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    /// The remote ref moved to the commit (or was created at it).
    Done,
    /// The remote ref held the commit already.
    UpToDate,
    /// The lease no longer held: the remote ref is not what we expected; nothing moved.
    Stale(String),
}

/// Returns the names of the configured remotes, in git's order.
pub fn remotes(repo: &Path) -> anyhow::Result<Vec<String>> {
    let text = super::read(repo, ["remote"])?;
    Ok(text.lines().map(str::to_owned).collect())
}

/// Returns the URL of `remote` as configured (`remote.<name>.url`, before any
/// `insteadOf` rewriting), or `None` when there is no such remote.
pub fn remote_url(repo: &Path, remote: &str) -> anyhow::Result<Option<String>> {
    let out = command(repo)
        .args(["config", "--get", &format!("remote.{remote}.url")])
        .output()
        .context("could not run `git config`")?;
    match out.status.code() {
        Some(0) => Ok(Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())),
        Some(1) => Ok(None),
        _ => anyhow::bail!(
            "`git config --get remote.{remote}.url` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    }
}

/// Returns the commit `remote` holds for the full ref `dst`, or `None` when it has none.
pub fn remote_tip(repo: &Path, remote: &str, dst: &str) -> anyhow::Result<Option<String>> {
    let out = command(repo)
        .args(["ls-remote", "--refs", "--", remote, dst])
        .output()
        .context("could not run `git ls-remote`")?;
    if !out.status.success() {
        return Err(transport_error("read from", remote, &out.stderr));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().find_map(|l| {
        let (id, name) = l.split_once('\t')?;
        (name == dst).then(|| id.to_owned())
    }))
}

/// Pushes `commit` to the full ref `dst` on `remote`, leased to `expect`: the push goes
/// through only while the remote ref holds `expect` (`None`: while it does not exist).
/// The user's `pre-push` hook runs, as for any push of theirs.
pub fn push_leased(
    repo: &Path,
    remote: &str,
    commit: &str,
    dst: &str,
    expect: Option<&str>,
) -> anyhow::Result<Pushed> {
    let lease = format!("--force-with-lease={dst}:{}", expect.unwrap_or(""));
    let refspec = format!("{commit}:{dst}");
    let args = ["push", "--porcelain", &lease, "--", remote, &refspec];
    tracing::debug!(repo = %repo.display(), "git {}", args.join(" "));
    let out = command(repo)
        .args(args)
        .output()
        .context("could not run `git push`")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    // `--porcelain` prints `<flag>\t<from>:<to>\t<summary>` per ref: `!` is a rejection,
    // `=` up to date.
    let line = stdout.lines().find_map(|l| {
        let mut parts = l.split('\t');
        let flag = parts.next()?;
        let refs = parts.next()?;
        let summary = parts.next().unwrap_or_default();
        refs.ends_with(&format!(":{dst}"))
            .then(|| (flag.to_owned(), summary.to_owned()))
    });
    match line {
        Some((flag, _)) if flag == "=" && out.status.success() => Ok(Pushed::UpToDate),
        Some((flag, _)) if flag != "!" && out.status.success() => Ok(Pushed::Done),
        None if out.status.success() => Ok(Pushed::Done),
        Some((_, why)) if is_lost_lease(&why) => Ok(Pushed::Stale(why)),
        Some((_, why)) => {
            let mut stderr = out.stderr.clone();
            stderr.extend(format!("\nthe remote refused `{dst}`: {why}").bytes());
            Err(transport_error("push to", remote, &stderr))
        }
        None => Err(transport_error("push to", remote, &out.stderr)),
    }
}

/// Returns whether git's reason for a rejection means the lease did not hold.
fn is_lost_lease(why: &str) -> bool {
    [
        "stale info",
        "already exists",
        "fetch first",
        "non-fast-forward",
    ]
    .iter()
    .any(|m| why.contains(m))
}

/// Returns an error for a failed talk with a remote, with git's words and what to check.
fn transport_error(what: &str, remote: &str, stderr: &[u8]) -> anyhow::Error {
    let text = String::from_utf8_lossy(stderr).trim().to_owned();
    anyhow::anyhow!("{text}").context(UserError::with_hint(
        format!("could not {what} `{remote}`"),
        format!("check that `git push {remote}` works from this repository"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        super::super::read(dir, args).unwrap()
    }

    /// Returns (clone with one commit on `main`, bare remote `origin`).
    fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let bare = tmp.path().join("remote.git");
        let work = tmp.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        git(
            tmp.path(),
            &["init", "-q", "--bare", bare.to_str().unwrap()],
        );
        git(&work, &["init", "-q", "-b", "main"]);
        for (k, v) in [("user.name", "T"), ("user.email", "t@example.com")] {
            git(&work, &["config", k, v]);
        }
        git(&work, &["commit", "-q", "--allow-empty", "-m", "one"]);
        git(&work, &["remote", "add", "origin", bare.to_str().unwrap()]);
        (tmp, work, bare)
    }

    #[test]
    fn a_first_push_creates_and_a_second_create_only_push_is_stale() {
        let (_tmp, work, _bare) = setup();
        let one = git(&work, &["rev-parse", "HEAD"]);
        let dst = "refs/heads/aos/w";
        assert_eq!(remote_tip(&work, "origin", dst).unwrap(), None);
        assert_eq!(
            push_leased(&work, "origin", &one, dst, None).unwrap(),
            Pushed::Done
        );
        assert_eq!(remote_tip(&work, "origin", dst).unwrap(), Some(one.clone()));
        git(&work, &["commit", "-q", "--allow-empty", "-m", "two"]);
        let two = git(&work, &["rev-parse", "HEAD"]);
        assert!(matches!(
            push_leased(&work, "origin", &two, dst, None).unwrap(),
            Pushed::Stale(_)
        ));
        assert_eq!(
            push_leased(&work, "origin", &two, dst, Some(&one)).unwrap(),
            Pushed::Done
        );
        // Pushing what is there already is no error.
        assert_eq!(
            push_leased(&work, "origin", &two, dst, Some(&two)).unwrap(),
            Pushed::UpToDate
        );
    }

    #[test]
    fn a_lease_on_an_old_tip_moves_nothing() {
        let (_tmp, work, _bare) = setup();
        let one = git(&work, &["rev-parse", "HEAD"]);
        let dst = "refs/heads/aos/w";
        push_leased(&work, "origin", &one, dst, None).unwrap();
        git(&work, &["commit", "-q", "--allow-empty", "-m", "two"]);
        let two = git(&work, &["rev-parse", "HEAD"]);
        push_leased(&work, "origin", &two, dst, Some(&one)).unwrap();
        // A rewritten history pushed with the old lease is refused: the remote holds `two`.
        git(
            &work,
            &["commit", "-q", "--amend", "--allow-empty", "-m", "other"],
        );
        let other = git(&work, &["rev-parse", "HEAD"]);
        assert!(matches!(
            push_leased(&work, "origin", &other, dst, Some(&one)).unwrap(),
            Pushed::Stale(_)
        ));
        assert_eq!(remote_tip(&work, "origin", dst).unwrap(), Some(two));
    }

    #[test]
    fn remotes_and_their_urls_are_read_as_configured() {
        let (_tmp, work, bare) = setup();
        git(
            &work,
            &[
                "config",
                &format!("url.{}.insteadOf", bare.display()),
                "https://github.com/acme/widgets.git",
            ],
        );
        git(
            &work,
            &["remote", "add", "up", "https://github.com/acme/widgets.git"],
        );
        assert_eq!(remotes(&work).unwrap(), vec!["origin", "up"]);
        assert_eq!(
            remote_url(&work, "up").unwrap().as_deref(),
            Some("https://github.com/acme/widgets.git")
        );
        assert_eq!(remote_url(&work, "nope").unwrap(), None);
        let err = push_leased(&work, "nowhere", "HEAD", "refs/heads/x", None).unwrap_err();
        assert!(crate::error::hint(&err).is_some(), "{err:#}");
    }
}
