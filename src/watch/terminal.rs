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

/// Returns whether the terminal went away (its window closed, its tmux server killed):
/// stdin then reads end-of-file forever, and crossterm would wait on it for ever.
pub fn hung_up() -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let stdin = std::io::stdin();
    let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::POLLIN)];
    if !matches!(poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0) {
        return false;
    }
    let gone = PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL;
    fds[0].revents().is_some_and(|r| r.intersects(gone))
}

/// How long a dashboard whose terminal went away has to end by itself (its agents
/// stopped by the hangup like by Ctrl-C) before it is ended.
const HANGUP_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Watches for the terminal going away. crossterm then reads end-of-file in a loop and
/// never returns to the screen loop, so this thread raises SIGHUP (the run's agents end
/// as on Ctrl-C), and ends the process after [`HANGUP_GRACE`] if it is still there, its
/// agents' process groups killed first.
pub fn end_on_hangup() {
    let spawned = std::thread::Builder::new()
        .name("watch-hangup".into())
        .spawn(|| {
            while !hung_up() {
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
            let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGHUP);
            std::thread::sleep(HANGUP_GRACE);
            for group in crate::agent::interrupt::running_groups() {
                let _ = nix::sys::signal::killpg(
                    nix::unistd::Pid::from_raw(group),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            std::process::exit(129);
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot watch the terminal for a hangup: {e}");
    }
}
