//! What every repository command needs: the store, where we stand, the configuration,
//! and which workstream a command means when none is named.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::UserError;
use crate::ids::WorkstreamName;
use crate::store::{Store, refs};

/// The repository a command runs against.
pub struct Ctx {
    /// The aos database.
    pub store: Store,
    /// Directory the command was started in.
    pub cwd: PathBuf,
}

impl Ctx {
    /// Opens the repository containing the current directory.
    pub fn discover() -> anyhow::Result<Self> {
        let cwd = std::env::current_dir()?;
        let store = Store::discover(&cwd)?;
        Ok(Self { store, cwd })
    }

    /// Opens the repository containing `dir`, as if the command started there.
    pub fn at(dir: &Path) -> anyhow::Result<Self> {
        let store = Store::discover(dir)?;
        Ok(Self {
            store,
            cwd: dir.to_path_buf(),
        })
    }

    /// Returns the top of the main worktree, where `aos.toml` lives.
    pub fn repo_root(&self) -> anyhow::Result<&Path> {
        let paths = self.store.paths();
        paths
            .main_workdir
            .as_deref()
            .or(paths.workdir.as_deref())
            .ok_or_else(|| {
                UserError::with_hint(
                    "this repository has no working tree",
                    "run git aos in a non-bare repository",
                )
                .into()
            })
    }

    /// Returns the checked configuration: `aos.toml` at the repository root with the
    /// `aos.*` git config entries applied over it.
    pub fn config(&self) -> anyhow::Result<Config> {
        let file = self.repo_root()?.join(crate::config::FILE_NAME);
        Config::load(&file, &self.store.aos_config()).map_err(|e| UserError::from(e).into())
    }

    /// Returns the common git dir (shared by all worktrees).
    pub fn common_dir(&self) -> &Path {
        &self.store.paths().common_dir
    }

    /// Returns the file that records this worktree's current workstream (`git aos use`).
    pub fn current_file(&self) -> PathBuf {
        self.store.paths().git_dir.join("aos").join("current")
    }

    /// Returns the workstream a command means: the one named, else the one set with
    /// `git aos use` in this worktree, else the one whose worktree we stand in.
    pub fn workstream(&self, named: Option<WorkstreamName>) -> anyhow::Result<WorkstreamName> {
        if let Some(name) = named {
            return Ok(name);
        }
        if let Some(name) = self.current_workstream()? {
            return Ok(name);
        }
        Err(UserError::with_hint(
            "no workstream given, and none is current here",
            "name one (`git aos list` shows them), or set one with `git aos use <name>`",
        )
        .into())
    }

    /// Returns the current workstream of this worktree, if any.
    pub fn current_workstream(&self) -> anyhow::Result<Option<WorkstreamName>> {
        // A workstream set with `use` counts while it is live; a closed one is forgotten.
        if let Ok(text) = std::fs::read_to_string(self.current_file())
            && let Ok(name) = text.trim().parse::<WorkstreamName>()
            && self.store.try_find(&name)?.is_some()
        {
            return Ok(Some(name));
        }
        let branch = self.store.current_branch()?;
        let from_branch = branch
            .as_deref()
            .and_then(|b| b.strip_prefix(refs::DEFAULT_BRANCH_PREFIX))
            .and_then(|n| n.parse::<WorkstreamName>().ok());
        match from_branch {
            Some(name) if self.store.try_find(&name)?.is_some() => Ok(Some(name)),
            _ => Ok(None),
        }
    }
}
