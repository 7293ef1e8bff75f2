//! Reads the board off the screen's thread: the live refs' fingerprint every tick, the
//! refs themselves when it moved (or every few seconds), and only what changed after
//! that — a workstream's details when its state commit moved (records through the
//! store's records cache), a live log when its size or mtime did.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::agent::live::{self, Follower, Tail};
use crate::ids::{TaskId, WorkstreamName};
use crate::pipeline::record::RunRecord;
use crate::store::{LiveStamp, Snapshot, Store, TaskStatus, WsStatus};

use super::board::{Activity, Attention, Board, LogPane, TaskRow, WsRow, order};
use super::gates;

/// Lines of a followed log kept for the log view.
const LOG_LINES: usize = 5000;

/// Longest the live refs go unlisted while their fingerprint says nothing moved (a
/// safety net: the fingerprint is what notices a change).
const LIST_AT_LEAST: Duration = Duration::from_secs(2);

/// A row as read from its state commit, before the live parts (lock, log) are added.
struct Known {
    commit: String,
    row: WsRow,
}

/// A live log to follow for the log view, found by the reader: looking for a file is a
/// disk access, which the screen never waits for.
#[derive(Debug)]
pub struct FollowTarget {
    /// What the view's title calls it.
    pub title: String,
    /// The workstream.
    pub ws: WorkstreamName,
    /// The task asked for, if any.
    pub task: Option<TaskId>,
    /// The workstream's current task, as the board showed it.
    pub current: Option<TaskId>,
}

/// Builds boards, remembering what it read.
pub struct Reader {
    store: Store,
    common: PathBuf,
    known: HashMap<String, Known>,
    logs: HashMap<PathBuf, (live::Stamp, Tail)>,
    follow: Option<(String, Follower, LogPane)>,
    /// The followed log as the last board showed it.
    followed: Option<LogPane>,
    /// Whether a board was read yet.
    read_once: bool,
    /// The live refs' fingerprint when they were last listed, and when, if it was
    /// settled enough then to prove later that nothing moved.
    listed: Option<(LiveStamp, Instant)>,
}

impl Reader {
    /// Returns a reader of the repository's state.
    pub fn new(store: Store) -> Self {
        let common = store.paths().common_dir.clone();
        Self {
            store,
            common,
            known: HashMap::new(),
            logs: HashMap::new(),
            follow: None,
            followed: None,
            read_once: false,
            listed: None,
        }
    }

    /// Follows the live log of `target` for the log view (`None` stops following): the
    /// task's own, else the workstream's (waited for when there is none yet).
    pub fn follow(&mut self, target: Option<FollowTarget>) {
        self.follow = target.map(|t| {
            let ws = &t.ws;
            let path = live::find(&self.common, ws, t.task.as_ref(), t.current.as_ref())
                .unwrap_or_else(|| live::path(&self.common, ws, t.task.as_ref()));
            let title = t.title;
            let pane = LogPane {
                title: title.clone(),
                path: path.display().to_string(),
                ..LogPane::default()
            };
            (title, Follower::new(&path), pane)
        });
    }

    /// Makes the next read build a board even if nothing changed (after a failed read,
    /// whose error the screen shows until then).
    pub fn invalidate(&mut self) {
        self.read_once = false;
        self.listed = None;
    }

    /// Makes the next read list the live refs even if their fingerprint did not move.
    pub fn relist(&mut self) {
        self.listed = None;
    }

    /// Reads the board: refs first, then whatever changed. Returns `None` when nothing
    /// can have changed since the last board (no state commit moved, nothing runs, the
    /// followed log did not grow), without building one.
    pub fn read(&mut self) -> anyhow::Result<Option<Board>> {
        let running = |known: &HashMap<String, Known>| {
            known
                .values()
                .any(|k| k.row.attention == Attention::Running)
        };
        // The fingerprint first: a ref written after it moves it again.
        let stamp = self.store.live_refs_stamp();
        let quiet = self
            .listed
            .as_ref()
            .is_some_and(|(s, at)| *s == stamp && at.elapsed() < LIST_AT_LEAST);
        if quiet && self.read_once && self.follow.is_none() && !running(&self.known) {
            return Ok(None);
        }
        let live = self.store.list_live()?;
        if !quiet {
            self.listed = stamp.settled().then(|| (stamp, Instant::now()));
        }
        let changed = !self.read_once
            || live.len() != self.known.len()
            || live
                .iter()
                .any(|(n, c)| self.known.get(n.as_str()).is_none_or(|k| &k.commit != c));
        if changed {
            self.reload()?;
        }
        self.read_once = true;
        let log = self.read_followed();
        if !changed && !running(&self.known) && log == self.followed {
            return Ok(None);
        }
        self.followed = log.clone();
        let mut rows: Vec<WsRow> = live
            .iter()
            .filter_map(|(n, _)| self.known.get(n.as_str()).map(|k| k.row.clone()))
            .collect();
        for row in &mut rows {
            self.add_live_parts(row);
        }
        order(&mut rows);
        Ok(Some(Board {
            rows,
            error: None,
            log,
        }))
    }

    /// Reads the workstreams whose state commit moved (the records cache serves the
    /// records of those that did not), and forgets the ones that are gone.
    fn reload(&mut self) -> anyhow::Result<()> {
        let snaps = self.store.load_live()?;
        let mut next = HashMap::with_capacity(snaps.len());
        for snap in snaps {
            let name = snap.ws.name.to_string();
            let known = match self.known.remove(&name) {
                Some(k) if k.commit == snap.commit => k,
                _ => Known {
                    commit: snap.commit.clone(),
                    row: self.row(&snap)?,
                },
            };
            next.insert(name, known);
        }
        self.known = next;
        Ok(())
    }

    /// Reads one workstream's row from its state commit.
    fn row(&self, snap: &Snapshot) -> anyhow::Result<WsRow> {
        let tasks = self.store.tasks(snap)?;
        let waiting = gates::open(&self.store, snap)?;
        let ws = &snap.ws;
        let human = |w: &super::board::Waiting| {
            use super::board::Gate;
            matches!(w.gate, Gate::Change | Gate::Plan | Gate::FinalReview)
        };
        let attention = match ws.status {
            _ if waiting
                .iter()
                .any(|w| w.gate == super::board::Gate::Question) =>
            {
                Attention::Question
            }
            // A task can wait at the gate while others of the workstream run.
            _ if waiting.iter().any(human) => Attention::Review,
            WsStatus::AwaitingReview => Attention::Review,
            WsStatus::Blocked => Attention::Question,
            WsStatus::AwaitingUat => Attention::Uat,
            WsStatus::Failed => Attention::Failed,
            WsStatus::Running => Attention::Running,
            WsStatus::Complete | WsStatus::Closed | WsStatus::Merged => Attention::Complete,
            WsStatus::Active => Attention::Idle,
        };
        // The task in the workstream's worktree, else the first of those running beside.
        let running: Vec<_> = tasks
            .tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Running)
            .collect();
        let current = ws
            .current_task
            .as_ref()
            .and_then(|id| tasks.get(id))
            .filter(|t| t.status != TaskStatus::Done)
            .or(running.first().copied());
        let activity = match current.and_then(|t| t.last_run.as_ref()) {
            Some(run) => self
                .store
                .read_toml::<RunRecord>(snap, &RunRecord::path(run))?
                .map(|r| Activity {
                    more: running.iter().filter(|t| t.id != r.task).count(),
                    ..activity(&r)
                }),
            None => None,
        };
        Ok(WsRow {
            name: ws.name.to_string(),
            attention,
            status: ws.status.as_str().to_owned(),
            done: ws.tasks_done,
            total: ws.tasks_total,
            waiting,
            activity,
            reason: ws.reason.clone(),
            tasks: tasks
                .tasks
                .iter()
                .map(|t| TaskRow {
                    id: t.id.to_string(),
                    title: t.title.clone(),
                    status: t.status.as_str().to_owned(),
                    attempts: t.attempts,
                    agent: t.agent.clone(),
                })
                .collect(),
            updated_at: ws.updated_at.clone(),
        })
    }

    /// Adds what is not in the state: whether a process runs the workstream now, and
    /// its agent's live output.
    fn add_live_parts(&mut self, row: &mut WsRow) {
        if row.attention != Attention::Running {
            return;
        }
        let Ok(name) = row.name.parse::<WorkstreamName>() else {
            return;
        };
        let lock = crate::lock::workstream_path(&self.common, &name);
        if !matches!(crate::lock::probe(&lock), Ok(Some(_))) {
            row.attention = Attention::Interrupted;
            return;
        }
        let Some(activity) = row.activity.as_mut() else {
            return;
        };
        // A task beside others writes its own log; one at a time, the workstream's.
        let task = activity.task.parse().ok();
        let own = task.map(|t| live::path(&self.common, &name, Some(&t)));
        let shared = live::path(&self.common, &name, None);
        let tail = own
            .into_iter()
            .chain([shared])
            .filter_map(|p| self.tail(&p))
            .find(Tail::running);
        if let Some(tail) = tail
            && let Some(h) = &tail.header
        {
            activity.agent = Some(h.agent.clone());
            activity.stage = h.role.clone();
            activity.since = Some(h.started.clone());
            activity.last_line = tail.last_line.clone();
        }
    }

    /// Returns the tail of a live log, read again only when its size or mtime moved.
    fn tail(&mut self, path: &Path) -> Option<Tail> {
        let stamp = live::stamp(path)?;
        if let Some((seen, tail)) = self.logs.get(path)
            && *seen == stamp
        {
            return Some(tail.clone());
        }
        let tail = live::read_tail(path).ok()?;
        self.logs.insert(path.to_owned(), (stamp, tail.clone()));
        Some(tail)
    }

    /// Reads what the followed log gained since the last read.
    fn read_followed(&mut self) -> Option<LogPane> {
        let (_, follower, pane) = self.follow.as_mut()?;
        match follower.poll() {
            Ok(lines) => {
                if follower.restarted() {
                    pane.lines.clear();
                    pane.ended = None;
                }
                for line in lines {
                    if line.header {
                        pane.ended = None;
                    }
                    if line.closing {
                        // Shown once, as the pane's own last line.
                        pane.ended = line.text.strip_prefix(live::MARK).map(str::to_owned);
                        continue;
                    }
                    pane.lines.push(live::readable(&line.text));
                }
                let extra = pane.lines.len().saturating_sub(LOG_LINES);
                pane.lines.drain(..extra);
            }
            Err(e) => pane.ended = Some(format!("cannot read it: {e}")),
        }
        Some(pane.clone())
    }
}

/// Returns what a run is doing, from its record.
fn activity(run: &RunRecord) -> Activity {
    let spend = run.spend();
    Activity {
        task: run.task.to_string(),
        stage: run.next.as_str().to_owned(),
        agent: run.agent.clone(),
        attempt: run.attempt,
        since: Some(
            run.stages
                .last()
                .map_or_else(|| run.started_at.clone(), |s| s.ended_at.clone()),
        ),
        cost_usd: spend.cost_usd,
        last_line: None,
        more: 0,
    }
}
