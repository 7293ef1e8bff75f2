//! The live block of a terminal: one progress line per running workstream, redrawn in
//! place, each with the time since its text last changed and, while its agent runs,
//! the agent's last line of output. A ticker thread redraws it while time passes.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use crate::agent::live as live_log;

/// How often the ticker looks at the clock and the live logs.
const TICK: Duration = Duration::from_millis(500);

/// Width used when the terminal's cannot be read.
const FALLBACK_WIDTH: usize = 160;

/// Progress lines shown at the bottom of the terminal.
#[derive(Debug, Default)]
pub(super) struct Live {
    rows: Vec<Row>,
    /// Lines drawn now (to erase them, and to skip a redraw that changes nothing).
    drawn: Vec<String>,
    /// Live logs whose path was already announced.
    announced: BTreeSet<PathBuf>,
    ticking: bool,
}

#[derive(Debug)]
struct Row {
    key: String,
    text: String,
    since: Instant,
    log: Option<PathBuf>,
    /// The log's (size, mtime) and what it said then: read again only when it changed.
    tail: Option<(live_log::Stamp, Option<String>)>,
}

impl Live {
    /// Returns an empty block to share between clones of a `Ui`.
    pub(super) fn shared() -> Arc<Mutex<Self>> {
        Arc::new(Mutex::new(Self::default()))
    }

    /// Erases the block (the cursor goes back to where it started).
    pub(super) fn clear(&mut self, err: &mut impl Write) {
        if !self.drawn.is_empty() {
            let _ = write!(err, "\x1b[{}A\x1b[J", self.drawn.len());
            self.drawn.clear();
        }
    }

    /// Draws the block below the cursor.
    pub(super) fn draw(&mut self, err: &mut impl Write) {
        let width = terminal_width();
        let lines: Vec<String> = self.rows.iter_mut().map(|r| r.render(width)).collect();
        for line in &lines {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
        self.drawn = lines;
    }

    /// Removes the line of `key`.
    pub(super) fn remove(&mut self, key: &str) {
        self.rows.retain(|r| r.key != key);
    }

    /// Forgets every line (the block is stale once a command fails).
    pub(super) fn forget_rows(&mut self) {
        self.rows.clear();
    }

    /// Redraws when a line would read differently now (a second passed, new output).
    fn tick(&mut self, err: &mut impl Write) {
        let width = terminal_width();
        let lines: Vec<String> = self.rows.iter_mut().map(|r| r.render(width)).collect();
        if lines != self.drawn {
            self.clear(err);
            self.draw(err);
        }
    }
}

impl Row {
    fn render(&mut self, width: usize) -> String {
        let mut line = format!(
            "{}: {} · {}",
            self.key,
            self.text,
            elapsed(self.since.elapsed())
        );
        if let Some(last) = self.last_output() {
            line.push_str(" │ ");
            line.push_str(&last);
        }
        // A line wider than the terminal wraps, and the block could no longer be erased.
        line.chars().take(width.saturating_sub(1).max(20)).collect()
    }

    /// Returns the agent's last line while it runs.
    fn last_output(&mut self) -> Option<String> {
        let log = self.log.as_deref()?;
        let stamp = live_log::stamp(log)?;
        if let Some((seen, last)) = &self.tail
            && *seen == stamp
        {
            return last.clone();
        }
        let last = live_log::read_tail(log)
            .ok()
            .filter(|t| t.running())
            .and_then(|t| t.last_line);
        self.tail = Some((stamp, last.clone()));
        last
    }
}

/// Sets the text of `key`'s line (a new text restarts its clock) and redraws; starts
/// the ticker on the first line.
pub(super) fn set(live: &Arc<Mutex<Live>>, key: &str, text: String) {
    let mut block = live.lock().unwrap_or_else(|p| p.into_inner());
    let mut err = std::io::stderr().lock();
    block.clear(&mut err);
    match block.rows.iter_mut().find(|r| r.key == key) {
        Some(row) if row.text == text => {}
        Some(row) => {
            row.text = text;
            row.since = Instant::now();
        }
        None => block.rows.push(Row {
            key: key.to_owned(),
            text,
            since: Instant::now(),
            log: None,
            tail: None,
        }),
    }
    block.draw(&mut err);
    if !block.ticking {
        block.ticking = true;
        start_ticker(Arc::downgrade(live));
    }
}

/// Attaches a live log to `key`'s line; returns whether that log was not announced yet.
pub(super) fn attach(live: &Arc<Mutex<Live>>, key: &str, log: &Path) -> bool {
    let mut block = live.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(row) = block.rows.iter_mut().find(|r| r.key == key) {
        row.log = Some(log.to_owned());
        row.tail = None;
    } else {
        block.rows.push(Row {
            key: key.to_owned(),
            text: "starting an agent".into(),
            since: Instant::now(),
            log: Some(log.to_owned()),
            tail: None,
        });
    }
    block.announced.insert(log.to_owned())
}

/// Redraws the block every tick while some `Ui` still holds it.
fn start_ticker(live: Weak<Mutex<Live>>) {
    let spawned = std::thread::Builder::new()
        .name("progress-ticker".into())
        .spawn(move || {
            loop {
                std::thread::sleep(TICK);
                let Some(live) = live.upgrade() else { return };
                let mut block = live.lock().unwrap_or_else(|p| p.into_inner());
                if !block.rows.is_empty() {
                    block.tick(&mut std::io::stderr().lock());
                }
            }
        });
    if let Err(e) = spawned {
        tracing::debug!("no progress ticker: {e}");
    }
}

fn terminal_width() -> usize {
    ratatui::crossterm::terminal::size()
        .map(|(w, _)| w as usize)
        .unwrap_or(FALLBACK_WIDTH)
}

/// Returns a duration as `42s`, `3m05s` or `1h02m`.
pub fn elapsed(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_reads_at_a_glance() {
        assert_eq!(elapsed(Duration::from_secs(42)), "42s");
        assert_eq!(elapsed(Duration::from_secs(185)), "3m05s");
        assert_eq!(elapsed(Duration::from_secs(3720)), "1h02m");
    }

    #[test]
    fn a_line_shows_the_running_agent_last_output_and_fits_the_width() {
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join("w.log");
        std::fs::write(
            &log,
            "# git-aos: a (shell, implement) started t in /w\nwriting T1.txt\n",
        )
        .unwrap();
        let mut row = Row {
            key: "w".into(),
            text: "T1 started".into(),
            since: Instant::now(),
            log: Some(log.clone()),
            tail: None,
        };
        assert_eq!(row.render(200), "w: T1 started · 0s │ writing T1.txt");
        assert_eq!(row.render(24).chars().count(), 23);
        std::fs::write(
            &log,
            "# git-aos: a (shell, implement) started t in /w\nwriting T1.txt\n\n# git-aos: exited 0\n",
        )
        .unwrap();
        row.tail = None;
        assert_eq!(row.render(200), "w: T1 started · 0s");
    }
}
