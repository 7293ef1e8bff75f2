//! The live log of a running agent (`<git-common-dir>/aos/live/`): where it is, the
//! header and closing lines the runner writes around the output, and reading its end
//! without reading the whole file.
//!
//! A task in a worktree of its own (tasks side by side) has its agents write
//! `live/<ws>/<task>.log` (`path` with a task); a task in the workstream's worktree (one
//! at a time) writes `live/<ws>.log`. Readers of a task look for its own file first and
//! fall back to the workstream's while that task is the current one; readers of a
//! workstream take whichever of its logs was written last.

mod follow;
mod line;

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::ids::{TaskId, WorkstreamName};

pub use follow::{Follower, Line};
pub use line::{readable, summarize};

/// What starts the runner's header and closing lines.
pub const MARK: &str = "# git-aos: ";

/// Bytes read from the end of a log to find its last lines.
const TAIL_BYTES: u64 = 16 * 1024;

/// Returns the directory of live logs.
pub fn dir(common_dir: &Path) -> PathBuf {
    common_dir.join("aos").join("live")
}

/// Returns the live log an agent writes: the workstream's, or with `task` that task's
/// own (for runs that drive several tasks of one workstream at once).
pub fn path(common_dir: &Path, ws: &WorkstreamName, task: Option<&TaskId>) -> PathBuf {
    match task {
        None => dir(common_dir).join(format!("{ws}.log")),
        Some(task) => dir(common_dir)
            .join(ws.as_str())
            .join(format!("{task}.log")),
    }
}

/// Returns the live log that holds the output of `task` (or of the workstream's latest
/// agent with `None`), if there is one: the task's own file, else the workstream's while
/// `task` is the workstream's `current` task.
pub fn find(
    common_dir: &Path,
    ws: &WorkstreamName,
    task: Option<&TaskId>,
    current: Option<&TaskId>,
) -> Option<PathBuf> {
    let Some(task) = task else {
        return all(common_dir, ws)
            .into_iter()
            .max_by_key(|p| stamp(&p.path).and_then(|s| s.1))
            .map(|p| p.path);
    };
    let own = path(common_dir, ws, Some(task));
    if own.is_file() {
        return Some(own);
    }
    if current != Some(task) {
        return None;
    }
    Some(path(common_dir, ws, None)).filter(|p| p.is_file())
}

/// A live log of a workstream, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// The task whose own log it is; `None` for the workstream's.
    pub task: Option<TaskId>,
    /// The file.
    pub path: PathBuf,
}

/// Returns every live log of a workstream: its own, then its tasks' in name order.
pub fn all(common_dir: &Path, ws: &WorkstreamName) -> Vec<Log> {
    let mut logs: Vec<Log> = Vec::new();
    let shared = path(common_dir, ws, None);
    if shared.is_file() {
        logs.push(Log {
            task: None,
            path: shared,
        });
    }
    let Ok(dir) = std::fs::read_dir(dir(common_dir).join(ws.as_str())) else {
        return logs;
    };
    let mut tasks: Vec<Log> = dir
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_str()?.strip_suffix(".log")?.to_owned();
            Some(Log {
                task: Some(name.parse().ok()?),
                path: e.path(),
            })
        })
        .collect();
    tasks.sort_by(|a, b| a.path.cmp(&b.path));
    logs.extend(tasks);
    logs
}

/// What the header line says about the agent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header {
    /// Agent name from `aos.toml`.
    pub agent: String,
    /// Its role (`implement`, `review`, …).
    pub role: String,
    /// When it started (RFC 3339), as written.
    pub started: String,
}

/// The end of a live log, as of one read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tail {
    /// The header, when the file starts with one.
    pub header: Option<Header>,
    /// The last line of output, made readable (`summarize`), if any.
    pub last_line: Option<String>,
    /// The closing line's text (`exited 0`, …) once the agent's run ended.
    pub ended: Option<String>,
    /// File size when read.
    pub len: u64,
    /// Modification time when read.
    pub modified: Option<SystemTime>,
}

impl Tail {
    /// Returns whether the agent still runs (a header and no closing line yet).
    pub fn running(&self) -> bool {
        self.header.is_some() && self.ended.is_none()
    }
}

/// A file's size and modification time: a read of it stays good while they do.
pub type Stamp = (u64, Option<SystemTime>);

/// Returns the file's stamp.
pub fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()))
}

/// Reads the header and the last lines of a live log.
pub fn read_tail(path: &Path) -> std::io::Result<Tail> {
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let len = meta.len();
    let mut head = vec![0u8; 1024.min(len as usize)];
    file.read_exact(&mut head)?;
    let head = String::from_utf8_lossy(&head);
    let header = head.lines().next().and_then(parse_header);
    let from = len.saturating_sub(TAIL_BYTES);
    file.seek(SeekFrom::Start(from))?;
    let mut tail = Vec::with_capacity((len - from) as usize);
    file.take(TAIL_BYTES).read_to_end(&mut tail)?;
    let text = String::from_utf8_lossy(&tail);
    let mut lines: Vec<&str> = text.lines().collect();
    if from > 0 && !lines.is_empty() {
        lines.remove(0); // cut in the middle
    } else if header.is_some() && !lines.is_empty() {
        lines.remove(0);
    }
    let ended = lines
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix(MARK))
        .map(|s| s.trim().to_owned());
    let last_line = lines
        .iter()
        .rev()
        .filter(|l| !l.starts_with(MARK))
        .find_map(|l| summarize(l));
    Ok(Tail {
        header,
        last_line,
        ended,
        len,
        modified: meta.modified().ok(),
    })
}

/// Parses `# git-aos: <agent> (<adapter>, <role>) started <time> in <dir>`.
fn parse_header(line: &str) -> Option<Header> {
    let rest = line.strip_prefix(MARK)?;
    let (agent, rest) = rest.split_once(" (")?;
    let (kinds, rest) = rest.split_once(") started ")?;
    let role = kinds.split(", ").nth(1).unwrap_or_default();
    let started = rest.split(' ').next().unwrap_or_default();
    Some(Header {
        agent: agent.to_owned(),
        role: role.to_owned(),
        started: started.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(s: &str) -> WorkstreamName {
        s.parse().unwrap()
    }

    #[test]
    fn a_task_has_its_own_log_next_to_the_workstream_log() {
        let common = Path::new("/r/.git");
        let t1: TaskId = "T1".parse().unwrap();
        assert_eq!(
            path(common, &ws("a.b"), None),
            Path::new("/r/.git/aos/live/a.b.log")
        );
        assert_eq!(
            path(common, &ws("a.b"), Some(&t1)),
            Path::new("/r/.git/aos/live/a.b/T1.log")
        );
    }

    #[test]
    fn find_prefers_the_task_file_and_falls_back_only_for_the_current_task() {
        let tmp = tempfile::tempdir().unwrap();
        let (t1, t2): (TaskId, TaskId) = ("T1".parse().unwrap(), "T2".parse().unwrap());
        let w = ws("w");
        let shared = path(tmp.path(), &w, None);
        std::fs::create_dir_all(shared.parent().unwrap()).unwrap();
        std::fs::write(&shared, "x").unwrap();
        assert_eq!(
            find(tmp.path(), &w, Some(&t1), Some(&t1)),
            Some(shared.clone())
        );
        assert_eq!(find(tmp.path(), &w, Some(&t2), Some(&t1)), None);
        assert_eq!(find(tmp.path(), &w, None, None), Some(shared));
        let own = path(tmp.path(), &w, Some(&t2));
        std::fs::create_dir_all(own.parent().unwrap()).unwrap();
        std::fs::write(&own, "y").unwrap();
        assert_eq!(
            find(tmp.path(), &w, Some(&t2), Some(&t1)),
            Some(own.clone())
        );
        // Without a task: whichever was written last.
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .append(true)
            .open(&own)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(find(tmp.path(), &w, None, None), Some(own.clone()));
        let logs = all(tmp.path(), &w);
        assert_eq!(logs.len(), 2);
        assert_eq!(logs[1].task, Some(t2));
        assert_eq!(logs[1].path, own);
    }

    #[test]
    fn the_tail_tells_the_agent_the_last_line_and_whether_it_ended() {
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join("w.log");
        let header = "# git-aos: codex (codex, implement) started 2026-01-01T00:00:00Z in /w\n";
        std::fs::write(
            &log,
            format!("{header}editing src/lib.rs\n\nrunning tests\n"),
        )
        .unwrap();
        let tail = read_tail(&log).unwrap();
        assert!(tail.running());
        assert_eq!(tail.last_line.as_deref(), Some("running tests"));
        let h = tail.header.unwrap();
        assert_eq!((h.agent.as_str(), h.role.as_str()), ("codex", "implement"));
        assert_eq!(h.started, "2026-01-01T00:00:00Z");
        std::fs::write(&log, format!("{header}done\n\n# git-aos: exited 0\n")).unwrap();
        let tail = read_tail(&log).unwrap();
        assert!(!tail.running());
        assert_eq!(tail.ended.as_deref(), Some("exited 0"));
        assert_eq!(tail.last_line.as_deref(), Some("done"));
    }

    #[test]
    fn a_long_log_is_read_from_its_end_only() {
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join("w.log");
        let mut text = String::from("# git-aos: a (shell, implement) started t in /w\n");
        for i in 0..20_000 {
            text.push_str(&format!("line {i}\n"));
        }
        std::fs::write(&log, text).unwrap();
        let tail = read_tail(&log).unwrap();
        assert!(tail.running());
        assert_eq!(tail.last_line.as_deref(), Some("line 19999"));
    }
}
