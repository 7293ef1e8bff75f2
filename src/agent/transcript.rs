//! Where an agent's output goes while it runs: redacted, appended to the live log for
//! `tail -f`, and kept capped per stream for the state.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use super::Error;
use super::capture::Capture;
use super::invocation::Invocation;
use super::redact::Redactor;
use super::stream::{Piece, Stream};

/// The redacted, capped record of one run's output.
pub(crate) struct Transcript<'a> {
    redactor: &'a Redactor,
    live: Option<File>,
    stdout: Capture,
    stderr: Capture,
}

impl<'a> Transcript<'a> {
    /// Returns a transcript; the live log (if any) is truncated and starts with a header
    /// naming the agent, so `tail -f` shows one invocation at a time.
    pub(crate) fn open(
        inv: &Invocation,
        live_log: Option<&Path>,
        cap_bytes: usize,
        redactor: &'a Redactor,
    ) -> Result<Self, Error> {
        let live = match live_log {
            Some(path) => {
                let io = |source| Error::Io {
                    path: path.to_owned(),
                    source,
                };
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                let mut file = File::create(path).map_err(io)?;
                let header = format!(
                    "{}{} ({}, {}) started {} in {}\n",
                    super::live::MARK,
                    inv.agent,
                    inv.adapter,
                    inv.role,
                    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ"),
                    inv.cwd.display()
                );
                file.write_all(redactor.redact(&header).as_bytes())
                    .map_err(io)?;
                Some(file)
            }
            None => None,
        };
        Ok(Self {
            redactor,
            live,
            stdout: Capture::new(cap_bytes),
            stderr: Capture::new(cap_bytes),
        })
    }

    /// Records a piece of output.
    pub(crate) fn push(&mut self, piece: &Piece) {
        let text = self.redactor.redact(&piece.text);
        self.write_live(&text);
        match piece.stream {
            Stream::Stdout => self.stdout.push(&text),
            Stream::Stderr => self.stderr.push(&text),
        }
    }

    /// Writes a closing line to the live log and returns the kept stdout and stderr.
    pub(crate) fn finish(mut self, end: &str) -> (String, String) {
        self.write_live(&format!("\n{}{end}\n", super::live::MARK));
        (self.stdout.finish(), self.stderr.finish())
    }

    fn write_live(&mut self, text: &str) {
        if let Some(file) = &mut self.live
            && let Err(e) = file.write_all(text.as_bytes())
        {
            // The kept output still has everything; a full disk must not kill the agent.
            tracing::warn!("live log write failed, no more live output for this run: {e}");
            self.live = None;
        }
    }
}
