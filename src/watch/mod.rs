//! `git aos watch`: the live dashboard (DESIGN §6.6). Three parts that never wait on
//! each other: a reader thread that turns the refs and live logs into a `Board`, a
//! screen loop that draws it (`view`, a pure function) and maps keys (`input`), and
//! actions on threads of their own that call what the CLI commands call (`actions`).
//! With `--run` the pipeline runs in this process too (`drive`).

mod actions;
mod app;
mod board;
mod drive;
#[cfg(test)]
mod fixtures;
mod gates;
mod input;
#[cfg(test)]
mod input_tests;
mod reader;
#[cfg(test)]
mod reader_tests;
mod terminal;
mod view;

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, Event};

use crate::ctx::Ctx;
use crate::ui::Ui;

use actions::{Actions, Done};
use app::{App, Level, Mode};
use board::Board;
use input::Effect;
use reader::Reader;

/// How often the state is read: four times a second.
const READ_EVERY: Duration = Duration::from_millis(250);
/// Longest the screen waits for a key before looking for news.
const SCREEN_TICK: Duration = Duration::from_millis(100);

/// What `watch` was asked to do.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Drive the pipeline in this process.
    pub drive: bool,
    /// Most workstreams driven at once.
    pub max_parallel: usize,
}

/// What the screen tells the reader.
enum ReaderCmd {
    Follow(Option<reader::FollowTarget>),
    Refresh,
}

/// Runs the dashboard until `q`.
pub async fn run(ctx: Ctx, opts: Options) -> anyhow::Result<()> {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // SIGTERM, SIGHUP or a `kill -INT` end the dashboard like `q` does (the terminal given
    // back, the agents it runs stopped), rather than the default way, which would leave
    // the terminal raw and `--run`'s agents running.
    let _ = crate::agent::interrupt::listen();
    let ui = Ui::captured();
    let (done_tx, done_rx) = mpsc::channel();
    let runtime = tokio::runtime::Handle::current();
    let actions = Actions::new(&ctx, ui.clone(), runtime.clone(), done_tx.clone());
    let driver = if opts.drive {
        let p = crate::pipeline::Pipeline::open(&ctx, &ui)?;
        let d = Arc::new(drive::Driver::new(p, opts.max_parallel, runtime, done_tx));
        d.drive_all()?;
        Some(d)
    } else {
        None
    };
    let common = ctx.common_dir().to_owned();
    let root = ctx.repo_root().ok().map(|r| r.to_owned());
    let latest: Arc<Mutex<Option<Board>>> = Arc::default();
    let (cmd_tx, cmd_rx) = mpsc::channel();
    let reader = Reader::new(ctx.store.clone());
    let reader_latest = latest.clone();
    let reader_thread = std::thread::Builder::new()
        .name("watch-reader".into())
        .spawn(move || read_loop(reader, &reader_latest, &cmd_rx))?;
    let screen_driver = driver.clone();
    let screen = tokio::task::spawn_blocking(move || {
        let mut screen = terminal::Screen::open(&common.join("aos").join("watch.log"))?;
        terminal::end_on_hangup();
        let mut lp = ScreenLoop {
            app: App::new(opts.drive),
            board: Board::default(),
            latest,
            done: done_rx,
            actions,
            reader: cmd_tx,
            driver: screen_driver,
            ui,
            theme: view::Theme { color },
        };
        lp.run(&mut screen)
    });
    let result = screen.await;
    if let Some(d) = driver {
        d.stop().await;
        // As after `run`: pack once loose objects pile up.
        if let Some(root) = &root {
            crate::git::maintenance_auto(root);
        }
    }
    let _ = reader_thread.join();
    result?
}

/// What `watch --measure-refresh` prints: the time of reading the board, cold and then
/// with nothing changed, in CPU time of this process and in wall time.
#[derive(Debug, serde::Serialize)]
pub struct RefreshReport {
    /// Live workstreams read.
    pub workstreams: usize,
    /// The first read (every workstream's details), wall milliseconds.
    pub first_ms: f64,
    /// Reads after the first.
    pub refreshes: usize,
    /// Median wall milliseconds of one refresh that lists the live refs.
    pub median_ms: f64,
    /// CPU milliseconds (user + system) of one refresh that lists the live refs and
    /// finds nothing changed, on average.
    pub cpu_ms: f64,
    /// CPU milliseconds of one refresh whose fingerprint of the live refs did not move
    /// (what an idle dashboard does between listings), on average; it lists them like
    /// `cpu_ms` while the last change to them is under a second old.
    pub cpu_ms_quiet: f64,
    /// CPU milliseconds of one refresh that builds the whole board again (records from
    /// the records cache, each row's details kept), on average.
    pub cpu_ms_rebuilt: f64,
}

/// Reads the board `n` times (the first cold) without a screen.
pub fn measure_refresh(ctx: &Ctx, n: usize) -> anyhow::Result<RefreshReport> {
    let mut reader = Reader::new(ctx.store.clone());
    let t = Instant::now();
    let board = reader.read()?.unwrap_or_default();
    let first_ms = t.elapsed().as_secs_f64() * 1e3;
    let cpu0 = cpu_time();
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        reader.relist();
        reader.read()?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let cpu_ms = (cpu_time() - cpu0).as_secs_f64() * 1e3 / n.max(1) as f64;
    reader.read()?;
    let cpu_quiet = cpu_time();
    for _ in 0..n {
        reader.read()?;
    }
    let cpu_ms_quiet = (cpu_time() - cpu_quiet).as_secs_f64() * 1e3 / n.max(1) as f64;
    let cpu1 = cpu_time();
    for _ in 0..n {
        reader.invalidate();
        reader.read()?;
    }
    let cpu_ms_rebuilt = (cpu_time() - cpu1).as_secs_f64() * 1e3 / n.max(1) as f64;
    times.sort_by(f64::total_cmp);
    Ok(RefreshReport {
        workstreams: board.rows.len(),
        first_ms,
        refreshes: n,
        median_ms: times.get(n / 2).copied().unwrap_or(0.0),
        cpu_ms,
        cpu_ms_quiet,
        cpu_ms_rebuilt,
    })
}

/// Returns the CPU time this process used so far.
fn cpu_time() -> Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_SELF).map_or(Duration::ZERO, |u| {
        let tv = |t: nix::sys::time::TimeVal| {
            Duration::new(t.tv_sec().max(0) as u64, (t.tv_usec().max(0) as u32) * 1000)
        };
        tv(u.user_time()) + tv(u.system_time())
    })
}

/// Reads the board every `READ_EVERY` (or when asked) until the screen goes away.
fn read_loop(mut reader: Reader, latest: &Mutex<Option<Board>>, cmds: &Receiver<ReaderCmd>) {
    let mut last: Option<Board> = None;
    loop {
        let board = match reader.read() {
            Ok(Some(b)) => Some(b),
            Ok(None) => None,
            Err(e) => {
                reader.invalidate();
                Some(Board {
                    error: Some(format!("{e:#}")),
                    ..last.clone().unwrap_or_default()
                })
            }
        };
        if let Some(board) = board
            && last.as_ref() != Some(&board)
        {
            *latest.lock().unwrap_or_else(|p| p.into_inner()) = Some(board.clone());
            last = Some(board);
        }
        match cmds.recv_timeout(READ_EVERY) {
            Ok(ReaderCmd::Follow(target)) => reader.follow(target),
            Ok(ReaderCmd::Refresh) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

struct ScreenLoop {
    app: App,
    board: Board,
    latest: Arc<Mutex<Option<Board>>>,
    done: Receiver<Done>,
    actions: Actions,
    reader: Sender<ReaderCmd>,
    driver: Option<Arc<drive::Driver>>,
    ui: Ui,
    theme: view::Theme,
}

impl ScreenLoop {
    fn run(&mut self, screen: &mut terminal::Screen) -> anyhow::Result<()> {
        let mut dirty = true;
        let mut drawn_second = 0;
        let started = Instant::now();
        loop {
            dirty |= self.take_news();
            let second = started.elapsed().as_secs();
            // Elapsed times change once a second while something runs.
            let ticking = second != drawn_second
                && self
                    .board
                    .rows
                    .iter()
                    .any(|r| r.attention == board::Attention::Running);
            if dirty || ticking {
                let size = screen.terminal.size()?;
                let height = view::list_height(&self.app, &self.board, size.width, size.height);
                self.app.scroll_to_selection(&self.board, height);
                let now = jiff::Timestamp::now();
                let (app, board, theme) = (&self.app, &self.board, self.theme);
                screen
                    .terminal
                    .draw(|f| view::render(f, app, board, now, theme))?;
                dirty = false;
                drawn_second = second;
            }
            // Its terminal gone, the dashboard ends as on `q` (a closed window is no
            // reason to leave it reading end-of-file for ever).
            if self.app.quit
                || crate::agent::interrupt::requested().is_some()
                || terminal::hung_up()
            {
                return Ok(());
            }
            if event::poll(SCREEN_TICK)? {
                match event::read()? {
                    Event::Key(key) => {
                        let effect = input::handle(&mut self.app, &self.board, key);
                        self.apply(effect);
                        dirty = true;
                    }
                    Event::Resize(..) => dirty = true,
                    _ => {}
                }
            }
        }
    }

    /// Takes a new board, what the pipeline printed and what actions sent back;
    /// returns whether anything changed.
    fn take_news(&mut self) -> bool {
        let mut changed = false;
        if let Some(board) = self.latest.lock().unwrap_or_else(|p| p.into_inner()).take() {
            self.board = board;
            changed = true;
        }
        if let Some(line) = self.ui.take_messages().pop() {
            let level = if line.starts_with("error:") || line.starts_with("warning:") {
                Level::Error
            } else {
                Level::Done
            };
            self.app.say(level, line);
            changed = true;
        }
        while let Ok(done) = self.done.try_recv() {
            changed = true;
            match done {
                Done::Message(level, text) => self.app.say(level, text),
                Done::Diff(view) if self.app.mode == Mode::Diff(None) => {
                    self.app.mode = Mode::Diff(Some(view));
                }
                Done::Diff(_) => {}
                Done::Resolved(ws) => {
                    let _ = self.reader.send(ReaderCmd::Refresh);
                    if let (Some(d), Ok(name)) = (&self.driver, ws.parse()) {
                        d.drive(&name);
                    }
                }
            }
        }
        changed
    }

    fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::Follow(Some((ws, task))) => {
                let current = self
                    .board
                    .rows
                    .iter()
                    .find(|r| r.name == ws)
                    .and_then(|r| r.activity.as_ref().map(|a| a.task.clone()));
                let Ok(name) = ws.parse() else { return };
                // A workstream's row follows the task it shows at work.
                let task = task.or_else(|| current.clone());
                let target = reader::FollowTarget {
                    title: match &task {
                        Some(t) => format!("`{ws}` {t}"),
                        None => format!("`{ws}`"),
                    },
                    ws: name,
                    task: task.as_deref().and_then(|t| t.parse().ok()),
                    current: current.and_then(|t| t.parse().ok()),
                };
                self.board.log = None;
                let _ = self.reader.send(ReaderCmd::Follow(Some(target)));
            }
            Effect::Follow(None) => {
                let _ = self.reader.send(ReaderCmd::Follow(None));
            }
            Effect::None => {}
            other => self.actions.start(other),
        }
        if self.app.quit
            && let Some(d) = &self.driver
            && d.busy() > 0
        {
            self.app.say(Level::Working, "stopping the agents…");
        }
    }
}
