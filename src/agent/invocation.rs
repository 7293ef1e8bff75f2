//! From an agent spec and a request to a fully described process (`Invocation`):
//! program, argv, environment, stdin and the files around it. Building never spawns.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::outcome::SessionTotals;
use super::spec::{Adapter, AgentSpec, Role, Sandbox};
use super::{Error, claude, codex, command, shell};
use crate::ids::TaskId;

/// File name of the prompt in the scratch directory.
const PROMPT_FILE: &str = "prompt.md";
/// File name of the result the agent writes, in the scratch directory.
const RESULT_FILE: &str = "result.json";

/// What the pipeline asks of an agent this time.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The part the agent plays; a `review` answers with a verdict.
    pub role: Role,
    /// The full prompt.
    pub prompt: String,
    /// The worktree the agent works in (its working directory).
    pub worktree: PathBuf,
    /// The task, if the invocation is about one.
    pub task: Option<TaskId>,
    /// A directory for this invocation's prompt, result and helper files.
    pub scratch_dir: PathBuf,
    /// Session (claude) or thread (codex) to continue.
    pub resume_session: Option<String>,
    /// The running totals that session reached at its last call, so this call's share
    /// of what the CLI reports can be told apart.
    pub session_totals: Option<SessionTotals>,
    /// For a codex review: pass the verdict JSON Schema with `--output-schema`.
    pub review_schema: bool,
    /// The task's `Run` script, for the `shell` adapter.
    pub run_script: Option<String>,
}

impl Request {
    /// Returns a request with no task, no session, no script and the review schema on.
    pub fn new(
        role: Role,
        prompt: impl Into<String>,
        worktree: impl Into<PathBuf>,
        scratch_dir: impl Into<PathBuf>,
    ) -> Self {
        Self {
            role,
            prompt: prompt.into(),
            worktree: worktree.into(),
            task: None,
            scratch_dir: scratch_dir.into(),
            resume_session: None,
            session_totals: None,
            review_schema: true,
            run_script: None,
        }
    }
}

/// How to read what the process prints on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// Claude Code stream-json (or json).
    Claude,
    /// Codex JSONL events.
    Codex,
    /// Free text; the whole stdout is the final message.
    Plain,
}

/// A process to run, fully described; only the runner turns it into a process.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// Agent name (`AOS_AGENT`).
    pub agent: String,
    /// Which adapter built it.
    pub adapter: Adapter,
    /// The role it plays; decides whether a result or a verdict is expected.
    pub role: Role,
    /// Program to run, looked up on `PATH` (the child's, if `env` sets one).
    pub program: String,
    /// Arguments after the program.
    pub args: Vec<String>,
    /// Variables set for the child, on top of the inherited environment.
    pub env: BTreeMap<String, String>,
    /// Inherited variables removed for the child.
    pub env_remove: Vec<String>,
    /// Working directory: the worktree.
    pub cwd: PathBuf,
    /// What to write on stdin before closing it; `None` gives `/dev/null`.
    pub stdin: Option<String>,
    /// The prompt, written to `prompt_file` before the start.
    pub prompt: String,
    /// Where the prompt is written (`AOS_PROMPT_FILE`).
    pub prompt_file: PathBuf,
    /// Where the agent writes its result (`AOS_RESULT`); removed before the start.
    pub result_file: PathBuf,
    /// The invocation's scratch directory.
    pub scratch_dir: PathBuf,
    /// Helper files (path, contents) written before the start.
    pub files: Vec<(PathBuf, String)>,
    /// How to read stdout.
    pub output_kind: OutputKind,
    /// Running totals of the resumed session before this call, if one is resumed.
    pub previous_totals: Option<SessionTotals>,
    /// Where the process may write; the runner applies it.
    pub sandbox: Sandbox,
}

/// Returns the invocation for a spec and a request: the adapter's argv, the `AOS_*`
/// environment and the scratch files.
///
/// Paths are made absolute, because the agent runs in the worktree.
pub fn build(spec: &AgentSpec, req: &Request) -> Result<Invocation, Error> {
    let scratch_dir = absolute(&req.scratch_dir)?;
    let cwd = absolute(&req.worktree)?;
    let prompt_file = scratch_dir.join(PROMPT_FILE);
    let result_file = result_file(&scratch_dir);

    let mut env = spec.env.clone();
    env.insert("AOS_AGENT".into(), spec.name.clone());
    env.insert("AOS_ROLE".into(), req.role.to_string());
    env.insert("AOS_RESULT".into(), result_file.display().to_string());
    env.insert("AOS_PROMPT_FILE".into(), prompt_file.display().to_string());
    env.insert("AOS_WORKTREE".into(), cwd.display().to_string());
    // Agents run git themselves; aos's hooks must run for them, so never inherit the
    // marker that switches hooks off for aos's own git commands.
    env.remove("AOS_INTERNAL");
    let mut env_remove = vec!["AOS_INTERNAL".to_owned()];
    match &req.task {
        Some(task) => {
            env.insert("AOS_TASK".into(), task.to_string());
        }
        None => env_remove.push("AOS_TASK".into()),
    }

    let mut inv = Invocation {
        agent: spec.name.clone(),
        adapter: spec.adapter,
        role: req.role,
        program: String::new(),
        args: Vec::new(),
        env,
        env_remove,
        cwd,
        stdin: None,
        prompt: req.prompt.clone(),
        prompt_file,
        result_file,
        scratch_dir,
        files: Vec::new(),
        output_kind: OutputKind::Plain,
        previous_totals: req.resume_session.as_ref().and(req.session_totals),
        sandbox: spec.sandbox.clone(),
    };
    match spec.adapter {
        Adapter::Claude => claude::build(spec, req, &mut inv),
        Adapter::Codex => codex::build(spec, req, &mut inv),
        Adapter::Command => command::build(spec, req, &mut inv)?,
        Adapter::Shell => shell::build(spec, req, &mut inv)?,
    }
    Ok(inv)
}

/// Returns where an invocation with this scratch directory expects the agent's result
/// (`AOS_RESULT`), so a prompt can name it before the invocation is built.
pub fn result_file(scratch_dir: &Path) -> PathBuf {
    scratch_dir.join(RESULT_FILE)
}

/// Returns the program and leading arguments: the spec's `command` when set (a binary
/// override such as `["npx", "claude"]`), else the CLI's usual name.
pub(crate) fn binary(spec: &AgentSpec, default: &str) -> (String, Vec<String>) {
    match spec.command.split_first() {
        Some((program, rest)) => (program.clone(), rest.to_vec()),
        None => (default.to_owned(), Vec::new()),
    }
}

fn absolute(path: &Path) -> Result<PathBuf, Error> {
    std::path::absolute(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_invocation_tells_the_agent_where_things_are() {
        let mut spec = AgentSpec::new("mine", Adapter::Claude);
        spec.env.insert("AOS_INTERNAL".into(), "1".into());
        spec.env.insert("AOS_RESULT".into(), "/elsewhere".into());
        spec.env.insert("FOO".into(), "bar".into());
        let mut req = Request::new(Role::Implement, "p", "/wt", "/run/1");
        req.task = Some("T1".parse().unwrap());
        let inv = build(&spec, &req).unwrap();
        assert_eq!(inv.env["AOS_AGENT"], "mine");
        assert_eq!(inv.env["AOS_RESULT"], "/run/1/result.json");
        assert_eq!(inv.env["AOS_PROMPT_FILE"], "/run/1/prompt.md");
        assert_eq!(inv.env["AOS_WORKTREE"], "/wt");
        assert_eq!(inv.env["AOS_TASK"], "T1");
        assert_eq!(inv.env["FOO"], "bar");
        assert!(!inv.env.contains_key("AOS_INTERNAL"));
        assert_eq!(inv.env_remove, ["AOS_INTERNAL"]);
        assert_eq!(inv.cwd, Path::new("/wt"));
    }

    #[test]
    fn without_a_task_an_inherited_aos_task_is_removed() {
        let spec = AgentSpec::new("c", Adapter::Claude);
        let inv = build(&spec, &Request::new(Role::Plan, "p", "/wt", "/run")).unwrap();
        assert!(inv.env_remove.contains(&"AOS_TASK".to_owned()));
    }

    #[test]
    fn relative_paths_become_absolute() {
        let spec = AgentSpec::new("c", Adapter::Claude);
        let inv = build(&spec, &Request::new(Role::Plan, "p", "wt", "run")).unwrap();
        assert!(inv.cwd.is_absolute() && inv.result_file.is_absolute());
    }

    #[test]
    fn a_binary_override_keeps_its_leading_arguments() {
        let mut spec = AgentSpec::new("c", Adapter::Claude);
        spec.command = vec!["npx".into(), "claude".into()];
        assert_eq!(
            binary(&spec, "claude"),
            ("npx".to_owned(), vec!["claude".to_owned()])
        );
    }
}
