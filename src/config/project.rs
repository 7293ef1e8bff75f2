//! `[project]`, `[notify]`, `[secrets]` and `[uat]`: the plain settings, with their defaults.

use super::error::Error;
use super::file::{Names, RawMerge, RawNotify, RawProject, RawRemote, RawSecrets, RawUat, Size};
use super::source::Source;
use super::units::{parse_duration, parse_size};

/// Default `[project] worktrees`: a sibling directory of the repository.
pub const DEFAULT_WORKTREES: &str = "../{repo}.aos";
/// Default `[project] log_cap`: 256 KiB per stage log.
pub const DEFAULT_LOG_CAP: u64 = 256 * 1024;

/// `[project]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Branch new workstreams start from; `None` leaves the choice to the caller (the
    /// branch `HEAD` is on).
    pub base: Option<String>,
    /// The project's test command (TEST stage and merge gate), if any.
    pub test: Option<String>,
    /// Commands run once in each new worktree.
    pub setup: Vec<String>,
    /// Where worktrees go; `{repo}` is the repository's directory name.
    pub worktrees: String,
    /// Standing instructions added to every agent prompt.
    pub directives: Vec<String>,
    /// Whether `merge` deletes the workstream branch.
    pub delete_branch_on_merge: bool,
    /// Most bytes kept of one stage log.
    pub log_cap: u64,
    /// A fast check (lint, build) run before the full test, if any.
    pub quick_check: Option<String>,
    /// Most agents running at once across every workstream of one `run`.
    pub max_agents: u32,
    /// Paths every confined agent may write besides its worktree (absolute or `~/…`).
    pub sandbox_allow: Vec<String>,
}

/// Default `[project] max_agents`.
pub const DEFAULT_MAX_AGENTS: u32 = 10;

impl Default for Project {
    fn default() -> Self {
        Self {
            base: None,
            test: None,
            setup: Vec::new(),
            worktrees: DEFAULT_WORKTREES.to_owned(),
            directives: Vec::new(),
            delete_branch_on_merge: false,
            log_cap: DEFAULT_LOG_CAP,
            quick_check: None,
            max_agents: DEFAULT_MAX_AGENTS,
            sandbox_allow: Vec::new(),
        }
    }
}

/// `[notify]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    /// Show a desktop notification when one can be shown.
    pub desktop: bool,
    /// Shell command run with `AOS_EVENT`, `AOS_WORKSTREAM`, `AOS_MESSAGE` set, if any.
    pub command: Option<String>,
}

impl Default for Notify {
    fn default() -> Self {
        Self {
            desktop: true,
            command: None,
        }
    }
}

/// `[secrets]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secrets {
    /// Environment variables whose values are redacted from everything stored.
    pub env: Vec<String>,
    /// Files of `NAME=value` lines whose values are redacted, relative to the worktree.
    pub env_files: Vec<String>,
}

impl Default for Secrets {
    fn default() -> Self {
        Self {
            env: Vec::new(),
            env_files: vec![".env".to_owned()],
        }
    }
}

/// `[uat]`: user acceptance after the last task. Off when the table is absent, on when it
/// is present unless it says `enabled = false`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uat {
    /// Whether a workstream waits for user acceptance before it is complete.
    pub enabled: bool,
    /// What the person is asked to try.
    pub scenarios: Vec<String>,
}

/// `[merge]`: how a task whose change conflicts with what landed meanwhile is merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merge {
    /// Merge programs tried in order on each conflicting file, each an argv with
    /// `{base}`, `{left}`, `{right}`, `{out}` and `{path}` filled in; one not on `PATH`
    /// is skipped. Without `{out}` the program's stdout is the merged file.
    pub resolvers: Vec<Vec<String>>,
}

/// Builds `[merge]`: every resolver names a program.
pub(super) fn resolve_merge(raw: RawMerge, source: &Source<'_>) -> Result<Merge, Error> {
    let Some(list) = raw.resolvers else {
        return Ok(Merge::default());
    };
    let span = list.span();
    let mut resolvers = Vec::new();
    for argv in list.into_inner() {
        if argv.first().is_none_or(|a| a.get_ref().trim().is_empty()) {
            return Err(source.invalid(
                &span,
                "`merge.resolvers` has an empty command".to_owned(),
                Some(
                    "write each as an argv, e.g. `[\"mergiraf\", \"merge\", \"{base}\", \"{left}\", \"{right}\", \"-o\", \"{out}\"]`"
                        .into(),
                ),
            ));
        }
        resolvers.push(argv.into_iter().map(toml::Spanned::into_inner).collect());
    }
    Ok(Merge { resolvers })
}

/// Default `[remote] claim_expiry`: how long a runner's claim lasts unless renewed.
pub const DEFAULT_CLAIM_EXPIRY: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// `[remote]`: runners that claim work on a shared remote (`git aos run --remote`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// How long a claim lasts unless renewed; a runner renews it every third of this, and
    /// another runner takes over a workstream whose claim lapsed.
    pub claim_expiry: std::time::Duration,
}

impl Default for Remote {
    fn default() -> Self {
        Self {
            claim_expiry: DEFAULT_CLAIM_EXPIRY,
        }
    }
}

/// Checks `[remote]`.
pub(super) fn resolve_remote(raw: RawRemote, source: &Source<'_>) -> Result<Remote, Error> {
    let claim_expiry = match raw.claim_expiry {
        None => DEFAULT_CLAIM_EXPIRY,
        Some(text) => parse_duration(text.get_ref()).map_err(|why| {
            let hint = "write a duration like `90s` or `5m`".to_owned();
            source.invalid(
                &text.span(),
                format!("`remote.claim_expiry`: {why}"),
                Some(hint),
            )
        })?,
    };
    Ok(Remote { claim_expiry })
}

/// Checks `[project]`.
pub(super) fn resolve_project(raw: RawProject, source: &Source<'_>) -> Result<Project, Error> {
    let defaults = Project::default();
    let worktrees = match raw.worktrees {
        None => defaults.worktrees,
        Some(text) => {
            check_worktrees(text.get_ref()).map_err(|why| {
                let hint = format!("for example `worktrees = \"{DEFAULT_WORKTREES}\"`");
                source.invalid(
                    &text.span(),
                    format!("`project.worktrees` {why}"),
                    Some(hint),
                )
            })?;
            text.into_inner()
        }
    };
    let log_cap = match raw.log_cap {
        None => defaults.log_cap,
        Some(size) => {
            let bytes = match size.get_ref() {
                Size::Bytes(n) => u64::try_from(*n).map_err(|_| format!("`{n}` is not a size")),
                Size::Text(text) => parse_size(text),
            };
            bytes.map_err(|why| {
                let hint = "write a number of bytes or a size like `256KiB` or `1MiB`";
                source.invalid(
                    &size.span(),
                    format!("`project.log_cap`: {why}"),
                    Some(hint.into()),
                )
            })?
        }
    };
    Ok(Project {
        base: non_empty(raw.base),
        test: non_empty(raw.test),
        setup: strings(raw.setup),
        worktrees,
        directives: strings(raw.directives),
        delete_branch_on_merge: raw
            .delete_branch_on_merge
            .unwrap_or(defaults.delete_branch_on_merge),
        log_cap,
        quick_check: non_empty(raw.quick_check),
        max_agents: match raw.max_agents {
            Some(n) if *n.get_ref() == 0 => {
                return Err(source.invalid(
                    &n.span(),
                    "`project.max_agents` must be at least 1".to_owned(),
                    None,
                ));
            }
            Some(n) => n.into_inner(),
            None => defaults.max_agents,
        },
        sandbox_allow: super::sandbox::resolve_allow(
            raw.sandbox_allow,
            "project.sandbox_allow",
            source,
        )?,
    })
}

/// Returns why a worktrees pattern is unusable, if it is.
fn check_worktrees(pattern: &str) -> Result<(), String> {
    if pattern.trim().is_empty() {
        return Err("is empty".to_owned());
    }
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("has an unclosed `{{` in `{pattern}`"))?;
        if &after[..=close] != "{repo}" {
            return Err(format!(
                "has unknown placeholder `{}`; only `{{repo}}` is known",
                &after[..=close]
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Builds `[notify]`; an empty `command` means none.
pub(super) fn resolve_notify(raw: RawNotify) -> Notify {
    Notify {
        desktop: raw.desktop.unwrap_or(true),
        command: non_empty(raw.command),
    }
}

/// Builds `[secrets]`.
pub(super) fn resolve_secrets(raw: RawSecrets) -> Secrets {
    let defaults = Secrets::default();
    Secrets {
        env: strings(raw.env),
        env_files: raw
            .env_files
            .map_or(defaults.env_files, Names::into_strings),
    }
}

/// Builds `[uat]`.
pub(super) fn resolve_uat(raw: Option<RawUat>) -> Uat {
    match raw {
        None => Uat::default(),
        Some(raw) => Uat {
            enabled: raw.enabled.unwrap_or(true),
            scenarios: strings(raw.scenarios),
        },
    }
}

fn strings(names: Option<Names>) -> Vec<String> {
    names.map(Names::into_strings).unwrap_or_default()
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}
