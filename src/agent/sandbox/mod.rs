//! Agents confined to their worktree (DESIGN §6.3): with Landlock, an agent and all it
//! starts may read anything but write only its worktree, the worktree's git admin dir,
//! the objects, its scratch and private temp dirs, devices, its CLI's own files, caches
//! and `sandbox_allow`. The runner prepares this before the spawn and finishes it after.

mod admin;
mod grants;
mod kernel;
mod tmpdir;

use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::OnceLock;

use serde::Serialize;

pub use grants::{AgentEnv, Grant, GrantKind, Source, expand, shared};

use super::Error;
use super::invocation::Invocation;
use super::spec::SandboxMode;

/// Set to `1` in git aos's environment, it behaves as on a kernel without Landlock (the
/// tests use it to exercise the unconfined path).
pub const SIMULATE_UNAVAILABLE_ENV: &str = "GIT_AOS_TEST_NO_LANDLOCK";

/// Whether this machine can confine agents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// Landlock is there, with this ABI version.
    Available {
        /// The kernel's Landlock ABI version (1 = Linux 5.13 … 7 = Linux 6.15).
        abi: i32,
    },
    /// It is not; the text says why.
    Unavailable {
        /// Why, in words.
        reason: String,
    },
}

/// Returns whether agents can be confined here (the kernel is asked once per process).
pub fn availability() -> Availability {
    static ABI: OnceLock<Result<i32, String>> = OnceLock::new();
    if std::env::var_os(SIMULATE_UNAVAILABLE_ENV).is_some_and(|v| v == "1") {
        return Availability::Unavailable {
            reason: format!("Landlock is switched off by `{SIMULATE_UNAVAILABLE_ENV}=1`"),
        };
    }
    match ABI.get_or_init(kernel::abi) {
        Ok(abi) => Availability::Available { abi: *abi },
        Err(reason) => Availability::Unavailable {
            reason: reason.clone(),
        },
    }
}

/// Returns whether an agent with this sandbox will run confined here. An adapter whose
/// CLI has a sandbox of its own can lean on this one instead: Codex's bubblewrap cannot
/// map user ids under Landlock, and its `workspace-write` mode makes the worktree's admin
/// dir read-only, so `git add` fails there; under Landlock `danger-full-access` is safe.
pub fn will_confine(sandbox: &super::spec::Sandbox) -> bool {
    sandbox.mode == SandboxMode::Worktree
        && matches!(availability(), Availability::Available { .. })
}

/// How one invocation ran, as the run record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Confinement {
    /// Confined by Landlock.
    Worktree,
    /// It should have been confined but could not be; the text says why.
    Unconfined {
        /// Why.
        reason: String,
    },
    /// Not confined, as configured (`sandbox = "off"`, or a project command).
    Off,
}

impl Confinement {
    /// Returns the word the run record and the note use: `worktree`, `unconfined`, `off`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Worktree => "worktree",
            Self::Unconfined { .. } => "unconfined",
            Self::Off => "off",
        }
    }

    /// Returns whether the agent could write anywhere.
    pub fn is_confined(&self) -> bool {
        matches!(self, Self::Worktree)
    }
}

/// What confinement did around one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxReport {
    /// How it ran.
    pub confinement: Confinement,
    /// Admin-dir files the agent changed and that were put back (`config.worktree`, …).
    pub restored: Vec<String>,
}

impl SandboxReport {
    /// Returns the report of an unconfined invocation.
    pub fn off() -> Self {
        Self {
            confinement: Confinement::Off,
            restored: Vec::new(),
        }
    }
}

/// Everything set up for one confined spawn; finished after the agent's group is gone.
#[derive(Debug)]
pub(crate) struct Prepared {
    confinement: Confinement,
    ruleset: Option<OwnedFd>,
    tmpdir: Option<tmpdir::TempSlot>,
    guard: Option<admin::AdminGuard>,
}

/// Returns what the spawn of `inv` needs: a ruleset and a private temp dir when the
/// agent is to be confined and can be, else the reason it runs unconfined.
pub(crate) fn prepare(inv: &Invocation) -> Result<Prepared, Error> {
    let unconfined = |confinement| Prepared {
        confinement,
        ruleset: None,
        tmpdir: None,
        guard: None,
    };
    if inv.sandbox.mode == SandboxMode::Off {
        return Ok(unconfined(Confinement::Off));
    }
    if let Availability::Unavailable { reason } = availability() {
        return Ok(unconfined(Confinement::Unconfined { reason }));
    }
    let refuse = |reason: String| Error::Sandbox {
        agent: inv.agent.clone(),
        reason,
    };
    let common = inv.sandbox.git_common_dir.as_deref();
    if let Some(common) = common
        && kernel::contains(&inv.cwd, common)
    {
        return Err(refuse(format!(
            "its working directory `{}` holds the repository's git directory, so refs, hooks \
             and config would be writable",
            inv.cwd.display()
        )));
    }
    let admin_dir = common.and_then(|c| admin::find(c, &inv.cwd));
    if common.is_some() && admin_dir.is_none() {
        // A CLI asked for its help or version runs in a scratch directory: no index there.
        tracing::debug!(
            "`{}` is no linked worktree of the repository: git cannot write its index there",
            inv.cwd.display()
        );
    }
    let env = AgentEnv { set: &inv.env };
    let mut all = shared(inv.adapter, &inv.sandbox, env);
    for grant in all.iter().filter(|g| g.create) {
        if let Err(e) = std::fs::create_dir_all(&grant.path) {
            tracing::warn!("could not create `{}`: {e}", grant.path.display());
        }
    }
    let tmpdir =
        tmpdir::TempSlot::take().map_err(|e| refuse(format!("no private temp dir: {e}")))?;
    all.extend(grants::invocation(
        &inv.cwd,
        admin_dir.as_deref(),
        &inv.scratch_dir,
        tmpdir.path(),
        inv.role != super::spec::Role::Review,
    ));
    let ruleset = match kernel::ruleset(&all) {
        Ok((fd, missing)) => {
            for g in missing {
                tracing::debug!("not granted (missing): `{}` ({})", g.path.display(), g.why);
            }
            fd
        }
        Err(reason) => return Err(refuse(reason)),
    };
    Ok(Prepared {
        confinement: Confinement::Worktree,
        ruleset: Some(ruleset),
        tmpdir: Some(tmpdir),
        guard: admin_dir.as_deref().zip(common).map(|(dir, common)| {
            admin::AdminGuard::snapshot(dir, &common.join("aos").join("guard"))
        }),
    })
}

impl Prepared {
    /// Gives the command its temp dir and tells it how it runs (`AOS_SANDBOX`).
    pub(crate) fn apply(&self, cmd: &mut tokio::process::Command) {
        if let Some(tmp) = &self.tmpdir {
            cmd.env("TMPDIR", tmp.path());
        }
        cmd.env("AOS_SANDBOX", self.confinement.as_str());
    }

    /// Spawns the command, inside the ruleset when there is one; the ruleset is closed
    /// afterwards (the child keeps its confinement; the parent needs it no more).
    pub(crate) fn spawn(
        &mut self,
        cmd: &mut tokio::process::Command,
    ) -> std::io::Result<tokio::process::Child> {
        match self.ruleset.take() {
            Some(fd) => kernel::spawn_confined(cmd, &fd),
            None => cmd.spawn(),
        }
    }

    /// Puts back guarded admin files, removes the temp dir, and reports.
    pub(crate) fn finish(mut self) -> SandboxReport {
        let restored = self.guard.take().map(|g| g.restore()).unwrap_or_default();
        if !restored.is_empty() {
            tracing::warn!("the agent changed {}; put back", restored.join(", "));
        }
        drop(self.tmpdir.take());
        SandboxReport {
            confinement: self.confinement.clone(),
            restored,
        }
    }
}

impl Drop for Prepared {
    /// A run that ends early (an error, Ctrl-C) still gets the guarded files back.
    fn drop(&mut self) {
        if let Some(guard) = self.guard.take() {
            guard.restore();
        }
    }
}

/// Returns the grants of an invocation in `worktree` as `doctor` describes them, with
/// the per-invocation ones named rather than resolved.
pub fn describe_invocation(common_dir: Option<&Path>) -> Vec<String> {
    let mut lines = vec!["the worktree".to_owned()];
    if let Some(common) = common_dir {
        lines.push(format!(
            "its admin dir `{}/<id>` (index, HEAD)",
            common.join("worktrees").display()
        ));
    }
    lines.push("the invocation's scratch dir (prompt, result)".into());
    lines.push("a private temp dir ($TMPDIR)".into());
    lines
}
