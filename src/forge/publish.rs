//! `git aos pr <name>`: push `aos/<name>` with a lease and open its request, or bring the
//! request it has up to date — never a second one.
//!
//! Order, so a kill at any point leaves something the next run finishes: the push is
//! leased to the tip recorded at the last push (create-only the first time); the request
//! is created or edited; one state commit records `pr.toml`. A push that landed but was
//! not recorded is found again (the remote already holds the tip, or an ancestor of it);
//! a request that was created but not recorded is found by its head branch and adopted.

use std::path::Path;

use super::client::{Forge, Proposal};
use super::model::RequestState;
use super::record::{PrRecord, RECORD_FILE};
use super::{Target, body, readiness};
use crate::config::Config;
use crate::error::UserError;
use crate::git::publish::{self as git_publish, Pushed};
use crate::ids::{RemoteName, WorkstreamName};
use crate::lock;
use crate::store::{Actor, Event, Snapshot, Store, now_rfc3339, refs};
use crate::ui::Ui;

/// What `git aos pr` was asked for.
#[derive(Debug, Clone)]
pub struct Publish {
    /// The workstream.
    pub name: WorkstreamName,
    /// Open (or keep) the request as a draft even when the workstream is ready.
    pub draft: bool,
    /// The remote to push to (default: `[pr] remote`, `origin`, the only remote).
    pub remote: Option<RemoteName>,
    /// The branch to merge into (default: the one recorded, else the workstream's base).
    pub base: Option<String>,
}

/// What `git aos pr` did.
#[derive(Debug, Clone)]
pub struct Published {
    /// The request as recorded now.
    pub record: PrRecord,
    /// Whether the request was opened now (rather than updated).
    pub opened: bool,
    /// Whether the push moved the remote branch.
    pub moved: bool,
    /// Why it is a draft, when it is one for that reason.
    pub open_gates: Vec<String>,
}

/// Pushes the workstream's branch and opens or updates its request.
pub fn publish(
    store: &Store,
    cfg: &Config,
    repo_root: &Path,
    ui: &Ui,
    req: &Publish,
) -> anyhow::Result<Published> {
    let name = &req.name;
    let _lock = lock::lock_workstream(&store.paths().common_dir, name)?;
    let snap = store.find(name)?;
    let prior: Option<PrRecord> = store.read_toml(&snap, RECORD_FILE)?;
    let gates = readiness::open_gates(store, &snap)?;
    if !gates.is_empty() && !req.draft {
        return Err(UserError::with_hint(
            format!("`{name}` is not ready for review: {}", gates.join("; ")),
            format!(
                "`git aos pr {name} --draft` opens it as a draft now; `git aos show {name}` shows what waits"
            ),
        )
        .into());
    }
    let draft = req.draft || !gates.is_empty();
    let branch = snap.ws.branch.clone();
    let tip = store.branch_tip(&branch)?.ok_or_else(|| {
        UserError::with_hint(
            format!("the branch `{branch}` is gone"),
            format!("`git aos close {name}` archives the workstream"),
        )
    })?;
    if tip == snap.ws.base_commit {
        return Err(UserError::with_hint(
            format!(
                "`{branch}` has no commits beyond `{}` yet: nothing to propose",
                snap.ws.base
            ),
            format!("run the workstream first: `git aos run {name}`"),
        )
        .into());
    }
    let target = match &prior {
        Some(p) => {
            if let Some(r) = &req.remote
                && r.as_str() != p.remote
            {
                return Err(UserError::with_hint(
                    format!(
                        "`{name}` has {} on remote `{}`, not `{r}`",
                        p.reference(),
                        p.remote
                    ),
                    "leave out `--remote`: a workstream has one request",
                )
                .into());
            }
            p.target()
        }
        None => Target::resolve(repo_root, req.remote.as_ref(), &cfg.pr)?,
    };
    let base = base_branch(req, prior.as_ref(), &snap, &target)?;
    let forge = Forge::new(&target, repo_root, cfg.pr.timeout);
    forge.check_auth()?;
    // The request to update: the recorded one, else one an earlier run opened but did
    // not live to record.
    let existing = match &prior {
        Some(p) => Some((p.number, p.url.clone())),
        None => forge.find_open(&branch)?,
    };
    let mut was_draft = prior.as_ref().is_some_and(|p| p.draft);
    if let Some((number, _)) = &existing {
        let view = forge.view(*number)?;
        let reference = target.tool.reference(*number);
        match view.state {
            RequestState::Open => was_draft = view.draft,
            RequestState::Merged => {
                return Err(UserError::with_hint(
                    format!("{reference} of `{name}` was merged on the forge already"),
                    format!("`git aos pr status {name}` records it and archives the workstream"),
                )
                .into());
            }
            RequestState::Closed => {
                return Err(UserError::with_hint(
                    format!("{reference} of `{name}` was closed on the forge"),
                    format!(
                        "reopen it there ({}), then run `git aos pr {name}` again",
                        view.url
                    ),
                )
                .into());
            }
        }
    }
    let expect = prior.as_ref().map(|p| p.head.as_str());
    let moved = push(store, repo_root, ui, &target, &branch, &tip, expect)?;
    let proposal = Proposal {
        branch: branch.clone(),
        base: base.clone(),
        title: body::title(store, &snap)?,
        body_file: body_file(store, name),
        draft,
    };
    write_body(&proposal.body_file, &body::render(store, &snap)?)?;
    let answer = match &existing {
        Some((number, url)) => forge
            .update(*number, &proposal, was_draft)
            .map(|()| (*number, url.clone())),
        None => forge.create(&proposal),
    };
    let _ = std::fs::remove_file(&proposal.body_file);
    let (number, url) = answer?;
    let now = now_rfc3339();
    let record = PrRecord {
        tool: target.tool,
        remote: target.remote.clone(),
        host: target.host.clone(),
        repo: target.repo.clone(),
        number,
        url: url.clone(),
        branch,
        base,
        head: tip.clone(),
        draft,
        state: RequestState::Open,
        opened_at: prior
            .as_ref()
            .map_or_else(|| now.clone(), |p| p.opened_at.clone()),
        updated_at: now,
        merge_commit: None,
        feedback: prior.map(|p| p.feedback).unwrap_or_default(),
    };
    let opened = existing.is_none();
    let verb = match (opened, draft) {
        (true, true) => "opened as a draft",
        (true, false) => "opened",
        (false, _) => "updated",
    };
    let event = Event::new(
        "pr",
        format!(
            "{} {} {verb} at {}",
            target.tool.noun(),
            record.reference(),
            short(&tip)
        ),
    )
    .by(Actor::Person)
    .trailer("Aos-Pr", record.reference())
    .trailer("Aos-Pr-Head", &tip);
    store.update(name, &event, |tx| tx.put_toml(RECORD_FILE, &record))?;
    Ok(Published {
        record,
        opened,
        moved,
        open_gates: gates,
    })
}

/// Returns the branch the request merges into: `--base`, else the recorded one, else the
/// workstream's base (without a `<remote>/` prefix); a bare commit id is refused.
fn base_branch(
    req: &Publish,
    prior: Option<&PrRecord>,
    snap: &Snapshot,
    target: &Target,
) -> anyhow::Result<String> {
    if let Some(b) = req.base.as_ref().or(prior.map(|p| &p.base)) {
        return Ok(b.clone());
    }
    let base = &snap.ws.base;
    let base = base
        .strip_prefix(&format!("{}/", target.remote))
        .unwrap_or(base);
    let is_commit = base.len() >= 7 && base.chars().all(|c| c.is_ascii_hexdigit());
    if is_commit || base.is_empty() {
        return Err(UserError::with_hint(
            format!(
                "`{}` started from commit `{base}`, which is no branch to merge into",
                snap.ws.name
            ),
            "name the branch with `--base <branch>`",
        )
        .into());
    }
    Ok(base.to_owned())
}

/// Pushes `tip` to the remote's `branch`, leased to `expect` (the tip recorded at the last
/// push; `None`: create-only). When the lease fails because the remote already holds the
/// tip or an ancestor of it (a push that was not recorded, commits merged in here), the
/// push is leased again to what the remote holds; anything else is refused. Returns
/// whether the remote branch moved.
fn push(
    store: &Store,
    repo_root: &Path,
    ui: &Ui,
    target: &Target,
    branch: &str,
    tip: &str,
    expect: Option<&str>,
) -> anyhow::Result<bool> {
    let remote = &target.remote;
    let dst = refs::branch(branch);
    let why = match git_publish::push_leased(repo_root, remote, tip, &dst, expect)? {
        Pushed::Done => {
            ui.status(format_args!(
                "pushed `{branch}` to `{remote}` at {}",
                short(tip)
            ));
            return Ok(true);
        }
        Pushed::UpToDate => return Ok(false),
        Pushed::Stale(why) => why,
    };
    let now = git_publish::remote_tip(repo_root, remote, &dst)?;
    if now.as_deref() == Some(tip) {
        return Ok(false);
    }
    let known_ancestor = match &now {
        Some(t) => store.try_find_commit(t)?.is_some() && store.is_ancestor(t, tip)?,
        None => true,
    };
    if known_ancestor
        && matches!(
            git_publish::push_leased(repo_root, remote, tip, &dst, now.as_deref())?,
            Pushed::Done | Pushed::UpToDate
        )
    {
        ui.status(format_args!(
            "pushed `{branch}` to `{remote}` at {} (it held {}, which `{branch}` contains)",
            short(tip),
            now.as_deref().map_or("nothing", short)
        ));
        return Ok(true);
    }
    let held = now
        .as_deref()
        .map_or("nothing".to_owned(), |t| short(t).to_owned());
    Err(UserError::with_hint(
        format!(
            "`{remote}` has `{branch}` at {held}, not where git aos last pushed it, and `{branch}` does not contain it ({why}); nothing was pushed"
        ),
        format!(
            "someone pushed to it: `git fetch {remote} {branch}` and look with `git log {branch}..FETCH_HEAD`; merge what you keep into the workstream's worktree, then run `git aos pr` again"
        ),
    )
    .into())
}

/// Returns the file the request body is written to for the tools to read.
fn body_file(store: &Store, name: &WorkstreamName) -> std::path::PathBuf {
    store
        .paths()
        .common_dir
        .join("aos")
        .join("scratch")
        .join("pr")
        .join(format!("{name}.md"))
}

fn write_body(file: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::atomic_file::replace(file, text, None)
}

/// Returns the first ten hex digits of an object id.
fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}
