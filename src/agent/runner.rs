//! The one place that spawns agent processes: in the worktree, in a process group of
//! their own, with the prompt on stdin, output streamed to the live log, a wall-clock
//! limit, a no-output watchdog, and the whole group killed at the end.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::Error;
use super::capture::DEFAULT_CAP_BYTES;
use super::group::ProcessGroup;
use super::invocation::Invocation;
use super::redact::Redactor;
use super::sandbox::{self, SandboxReport};
use super::session::{End, Session, describe_end};
use super::spec::AgentSpec;
use super::stream::{self, Stream};
use super::transcript::Transcript;

/// A result file larger than this is cut (and will not parse).
const RESULT_MAX: u64 = 1024 * 1024;

/// Limits and destinations of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunLimits {
    /// Wall-clock limit; zero means none.
    pub timeout: Duration,
    /// Longest stretch without output on stdout or stderr; zero means none.
    pub idle_timeout: Duration,
    /// Bytes kept per stream (head and tail, with a marker between).
    pub cap_bytes: usize,
    /// Time between SIGTERM and SIGKILL when the group is stopped.
    pub grace: Duration,
    /// File that receives the redacted output live (`<git-common-dir>/aos/live/<ws>.log`).
    pub live_log: Option<PathBuf>,
    /// File that records the agent's process group while it runs, so a later process can
    /// end a group that outlived a killed runner (`group::end_recorded`).
    pub group_file: Option<PathBuf>,
}

impl Default for RunLimits {
    /// Returns 20 minutes wall clock, 5 minutes idle, 256 KiB per stream, 2 s grace.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20 * 60),
            idle_timeout: Duration::from_secs(5 * 60),
            cap_bytes: DEFAULT_CAP_BYTES,
            grace: Duration::from_secs(2),
            live_log: None,
            group_file: None,
        }
    }
}

impl RunLimits {
    /// Returns the defaults with the spec's timeouts.
    pub fn for_spec(spec: &AgentSpec) -> Self {
        Self {
            timeout: spec.timeout,
            idle_timeout: spec.idle_timeout,
            ..Self::default()
        }
    }
}

/// What a finished run left behind; everything textual is redacted and capped.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    /// Exit code of the leader, if it exited normally.
    pub exit_code: Option<i32>,
    /// Signal that killed the leader, if one did.
    pub signal: Option<i32>,
    /// Kept stdout.
    pub stdout: String,
    /// Kept stderr.
    pub stderr: String,
    /// Contents of the result file, if the agent wrote one.
    pub result_text: Option<String>,
    /// From spawn to the end of the group.
    pub duration: Duration,
    /// The wall-clock limit fired.
    pub timed_out: bool,
    /// The no-output watchdog fired.
    pub idle_killed: bool,
    /// Whether the agent ran confined, and what was put back after it.
    pub sandbox: SandboxReport,
}

/// Runs an invocation to its end and returns what it left behind.
///
/// The prompt is written to `prompt_file` and on stdin (then stdin is closed); a stale
/// result file is removed first. When the leader exits, the limit or the watchdog
/// fires, or Ctrl-C arrives, the whole process group gets SIGTERM, then SIGKILL after
/// `grace`; output still buffered is read, but pipes held open by processes outside
/// the group are abandoned. Dropping the future kills the group at once.
///
/// The agent has its own process group, so a terminal's Ctrl-C does not reach it: the
/// runner listens for SIGINT, SIGTERM and SIGHUP (`interrupt`) and returns
/// `Error::Interrupted`. Once a run has listened, those signals no longer end the process
/// by default; callers stop on that error (or on `interrupt::requested`) instead.
pub async fn run(
    inv: &Invocation,
    limits: &RunLimits,
    redactor: &Redactor,
) -> Result<RunOutput, Error> {
    if !inv.cwd.is_dir() {
        return Err(Error::NoWorkdir(inv.cwd.clone()));
    }
    prepare(inv)?;
    // Signal handlers first: a Ctrl-C, SIGTERM or SIGHUP from now on ends the agent too.
    let _ = super::interrupt::listen();
    let mut confined = sandbox::prepare(inv)?;
    let transcript = Transcript::open(inv, limits.live_log.as_deref(), limits.cap_bytes, redactor)?;

    let mut cmd = Command::new(&inv.program);
    cmd.args(&inv.args)
        .current_dir(&inv.cwd)
        .envs(&inv.env)
        .stdin(if inv.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    for name in &inv.env_remove {
        cmd.env_remove(name);
    }
    confined.apply(&mut cmd);
    let started = Instant::now();
    let mut child = confined.spawn(&mut cmd).map_err(|source| {
        let program = inv.program.clone();
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound { program }
        } else {
            Error::Spawn { program, source }
        }
    })?;
    let mut group = ProcessGroup::new(child.id());
    if let Some(path) = &limits.group_file {
        super::group::record(path, child.id());
    }

    // Dropping the set aborts the readers and the stdin writer with the run.
    let mut tasks = JoinSet::new();
    let (tx, rx) = mpsc::channel(256);
    if let Some(out) = child.stdout.take() {
        tasks.spawn(stream::forward(out, Stream::Stdout, tx.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tasks.spawn(stream::forward(err, Stream::Stderr, tx));
    }
    if let (Some(mut pipe), Some(text)) = (child.stdin.take(), inv.stdin.clone()) {
        tasks.spawn(async move {
            // An agent that exits without reading its prompt is judged by its output.
            let _ = pipe.write_all(text.as_bytes()).await;
        });
    }

    let mut session = Session {
        child,
        rx,
        open: true,
        status: None,
        transcript,
    };
    let end = session.watch(limits).await?;
    session.stop(&group, limits.grace).await?;
    group.disarm();
    if let Some(path) = &limits.group_file {
        let _ = std::fs::remove_file(path);
    }
    tasks.abort_all();
    let duration = started.elapsed();
    let sandbox = confined.finish();

    let Session {
        status, transcript, ..
    } = session;
    let (stdout, stderr) = transcript.finish(&describe_end(end, status, duration, limits));
    if end == End::Interrupted {
        return Err(Error::Interrupted);
    }
    Ok(RunOutput {
        exit_code: status.and_then(|s| s.code()),
        signal: status.and_then(|s| s.signal()),
        stdout,
        stderr,
        result_text: read_result(&inv.result_file, redactor),
        duration,
        timed_out: end == End::TimedOut,
        idle_killed: end == End::Idle,
        sandbox,
    })
}

/// Writes the prompt and helper files and removes a stale result. Small local files:
/// plain blocking writes cost less than a trip to the blocking pool.
fn prepare(inv: &Invocation) -> Result<(), Error> {
    let write = |path: &Path, contents: &str| {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        std::fs::write(path, contents).map_err(io)
    };
    write(&inv.prompt_file, &inv.prompt)?;
    for (path, contents) in &inv.files {
        write(path, contents)?;
    }
    match std::fs::remove_file(&inv.result_file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Io {
            path: inv.result_file.clone(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Returns the redacted result file, if the agent wrote one; only its first
/// `RESULT_MAX` bytes are read, whatever the agent wrote.
fn read_result(path: &Path, redactor: &Redactor) -> Option<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).ok()?;
    file.take(RESULT_MAX).read_to_end(&mut bytes).ok()?;
    Some(redactor.redact(&String::from_utf8_lossy(&bytes)))
}
