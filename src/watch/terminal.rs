//! The terminal while the dashboard owns it: raw mode on the alternate screen, and
//! stderr sent to a file so nothing another part of the program (or a child process)
//! writes there draws over the screen. Everything is put back on drop and on a panic.

use std::fs::OpenOptions;
use std::io::Stdout;
use std::os::fd::OwnedFd;
use std::path::Path;

use anyhow::Context as _;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{cursor, execute, terminal};

/// The dashboard's terminal; dropping it gives the terminal back.
pub struct Screen {
    /// What draws.
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
    saved_stderr: Option<OwnedFd>,
}

impl Screen {
    /// Takes over the terminal; stderr goes to `stderr_file` meanwhile.
    pub fn open(stderr_file: &Path) -> anyhow::Result<Self> {
        let saved_stderr = redirect_stderr(stderr_file);
        terminal::enable_raw_mode().context("could not put the terminal in raw mode")?;
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            hook(info);
        }));
        let mut out = std::io::stdout();
        execute!(out, terminal::EnterAlternateScreen, cursor::Hide)
            .context("could not switch to the alternate screen")?;
        let terminal = Terminal::new(CrosstermBackend::new(out))?;
        Ok(Self {
            terminal,
            saved_stderr,
        })
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
        if let Some(fd) = self.saved_stderr.take()
            && let Err(e) = nix::unistd::dup2_stderr(&fd)
        {
            tracing::debug!("could not give stderr back: {e}");
        }
    }
}

/// Leaves the alternate screen and raw mode (idempotent).
fn restore() {
    let _ = execute!(
        std::io::stdout(),
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
}

/// Points stderr at `file` and returns the original, or `None` when it cannot (then
/// stray output may draw over the screen until the next full redraw, nothing worse).
fn redirect_stderr(file: &Path) -> Option<OwnedFd> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).ok()?;
    }
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .ok()?;
    let saved = nix::unistd::dup(std::io::stderr()).ok()?;
    nix::unistd::dup2_stderr(&log).ok()?;
    Some(saved)
}
