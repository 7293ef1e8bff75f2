//! Where a request goes: the remote to push to, the forge host and project its URL names,
//! and the tool that speaks for that host.
//!
//! The rule: `[pr] tool` when set; else a host with a `github` label (`github.com`,
//! `ssh.github.com`, `github.example.com`) is GitHub (`gh`) and one with a `gitlab` label
//! (`gitlab.com`, `gitlab.example.org`) is GitLab (`glab`); any other host is refused
//! with a hint to set `[pr] tool`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Tool;
use crate::config::Pr;
use crate::error::UserError;
use crate::git::publish;
use crate::ids::RemoteName;

/// A remote and the forge project behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The git remote pushed to.
    pub remote: String,
    /// The forge's host name (`github.com`).
    pub host: String,
    /// The project's path on the forge (`owner/name`, `group/sub/name`).
    pub repo: String,
    /// The tool that speaks for the forge.
    pub tool: Tool,
}

impl Target {
    /// Returns where a remote of the repository at `repo_root` leads: `named`, else
    /// `[pr] remote`, else `origin`, else the only remote.
    pub fn resolve(repo_root: &Path, named: Option<&RemoteName>, cfg: &Pr) -> anyhow::Result<Self> {
        let remote = choose_remote(repo_root, named, cfg)?;
        let url = publish::remote_url(repo_root, &remote)?.unwrap_or_default();
        let Some((host, repo)) = parse_url(&url) else {
            return Err(UserError::with_hint(
                format!("remote `{remote}` is `{url}`, which names no forge project"),
                "pull requests need a remote on GitHub or GitLab: add one with `git remote add <name> <url>` and pass `--remote <name>`",
            )
            .into());
        };
        let tool = match &cfg.tool {
            Some(tool) => tool.parse().map_err(UserError::new)?,
            None => tool_for_host(&host).ok_or_else(|| {
                UserError::with_hint(
                    format!("cannot tell which forge serves `{host}` (remote `{remote}`)"),
                    "set `[pr] tool = \"gh\"` (GitHub Enterprise) or `tool = \"glab\"` (GitLab) in aos.toml, or `git config aos.pr.tool glab`",
                )
            })?,
        };
        Ok(Self {
            remote,
            host,
            repo,
            tool,
        })
    }
}

/// Returns the remote to use, or why none can be chosen.
fn choose_remote(repo_root: &Path, named: Option<&RemoteName>, cfg: &Pr) -> anyhow::Result<String> {
    let all = publish::remotes(repo_root)?;
    let wanted = named
        .map(|n| n.as_str().to_owned())
        .or_else(|| cfg.remote.clone());
    if let Some(name) = wanted {
        if all.contains(&name) {
            return Ok(name);
        }
        return Err(UserError::with_hint(
            format!("no remote named `{name}`"),
            "`git remote -v` lists the remotes; name one with `--remote`",
        )
        .into());
    }
    match all.as_slice() {
        [] => Err(UserError::with_hint(
            "this repository has no remote to push to",
            "add one with `git remote add origin <url>`",
        )
        .into()),
        [only] => Ok(only.clone()),
        _ if all.iter().any(|r| r == "origin") => Ok("origin".to_owned()),
        _ => Err(UserError::with_hint(
            format!(
                "this repository has several remotes ({}) and none is `origin`",
                all.join(", ")
            ),
            "name one with `--remote <name>`, or set `[pr] remote` in aos.toml",
        )
        .into()),
    }
}

/// Returns the tool for a forge host by its labels, or `None` when the host does not say.
pub fn tool_for_host(host: &str) -> Option<Tool> {
    let host = host.to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    if labels.contains(&"github") {
        Some(Tool::Gh)
    } else if labels.contains(&"gitlab") {
        Some(Tool::Glab)
    } else {
        None
    }
}

/// Returns (host, project path) of a remote URL — `https://host/owner/repo.git`,
/// `ssh://git@host:22/owner/repo`, `git@host:owner/repo.git` — or `None` for a local
/// path or anything without both.
pub(super) fn parse_url(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let (authority, path) = if let Some((scheme, rest)) = url.split_once("://") {
        if scheme.eq_ignore_ascii_case("file") {
            return None;
        }
        rest.split_once('/')?
    } else {
        // scp-like `[user@]host:path`: a colon before any slash.
        let (host, path) = url.split_once(':')?;
        if host.contains('/') || host.is_empty() {
            return None;
        }
        (host, path)
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']')?.0,
        None => host.split(':').next()?,
    };
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    let ok_path = path.contains('/')
        && path
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != ".." && !p.starts_with('-'))
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/~".contains(c));
    let ok_host = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c));
    (ok_path && ok_host).then(|| (host.to_ascii_lowercase(), path.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> Option<(String, String)> {
        parse_url(url)
    }

    #[test]
    fn remote_urls_of_every_form_name_host_and_project() {
        let gh = Some(("github.com".to_owned(), "acme/widgets".to_owned()));
        assert_eq!(parsed("https://github.com/acme/widgets.git"), gh);
        assert_eq!(parsed("https://github.com/acme/widgets"), gh);
        assert_eq!(parsed("https://user:tok@github.com/acme/widgets/"), gh);
        assert_eq!(parsed("git@github.com:acme/widgets.git"), gh);
        assert_eq!(parsed("ssh://git@github.com:22/acme/widgets.git"), gh);
        assert_eq!(parsed("ssh://git@GitHub.com/acme/widgets"), gh);
        assert_eq!(
            parsed("https://gitlab.example.org/group/sub/proj.git"),
            Some(("gitlab.example.org".into(), "group/sub/proj".into()))
        );
    }

    #[test]
    fn local_paths_and_odd_urls_name_no_project() {
        for url in [
            "/srv/git/widgets.git",
            "../widgets.git",
            "file:///srv/git/widgets.git",
            "https://github.com/widgets",
            "https://github.com/acme/../x",
            "https://github.com/acme/-x",
            "",
        ] {
            assert_eq!(parsed(url), None, "{url}");
        }
    }

    #[test]
    fn the_host_decides_the_tool_by_its_labels() {
        assert_eq!(tool_for_host("github.com"), Some(Tool::Gh));
        assert_eq!(tool_for_host("ssh.github.com"), Some(Tool::Gh));
        assert_eq!(tool_for_host("github.acme.corp"), Some(Tool::Gh));
        assert_eq!(tool_for_host("gitlab.com"), Some(Tool::Glab));
        assert_eq!(tool_for_host("GitLab.example.org"), Some(Tool::Glab));
        assert_eq!(tool_for_host("git.example.org"), None);
        assert_eq!(tool_for_host("notgithub.com"), None);
    }
}
