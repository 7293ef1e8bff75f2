//! Following a live log as it grows: each poll returns the complete lines written since
//! the last one, and notices a new invocation (the runner truncates the file and writes
//! a new header) and the closing line of the current one.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::MARK;

/// Most bytes one poll reads: a follower that fell far behind catches up over several.
const CHUNK: u64 = 1024 * 1024;

/// One line of a followed log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The text, as written (without the newline).
    pub text: String,
    /// The runner's header (the first line of an invocation).
    pub header: bool,
    /// The runner's closing line: the invocation ended.
    pub closing: bool,
}

/// Reads a live log from where it was left.
#[derive(Debug)]
pub struct Follower {
    path: PathBuf,
    offset: u64,
    pending: Vec<u8>,
    /// The first line seen, to notice a new invocation that already wrote past `offset`.
    first: Option<String>,
    /// The file was truncated (a new agent started) since the last poll.
    restarted: bool,
}

impl Follower {
    /// Returns a follower at the start of the file at `path` (which may not exist yet).
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            offset: 0,
            pending: Vec::new(),
            first: None,
            restarted: false,
        }
    }

    /// Returns the file followed.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns whether the last poll found the file started over (a new agent).
    pub fn restarted(&self) -> bool {
        self.restarted
    }

    /// Returns the complete lines written since the last poll; none when the file does
    /// not exist (yet).
    pub fn poll(&mut self) -> std::io::Result<Vec<Line>> {
        self.restarted = false;
        let mut file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let len = file.metadata()?.len();
        let first = first_line(&mut file)?;
        if len < self.offset || (self.offset > 0 && first != self.first) {
            self.offset = 0;
            self.pending.clear();
            self.restarted = true;
        }
        self.first = first;
        if len == self.offset {
            return Ok(Vec::new());
        }
        file.seek(SeekFrom::Start(self.offset))?;
        let mut bytes = Vec::new();
        file.take(CHUNK).read_to_end(&mut bytes)?;
        let line_start = self.offset - self.pending.len() as u64;
        self.offset += bytes.len() as u64;
        self.pending.extend_from_slice(&bytes);
        let Some(end) = self.pending.iter().rposition(|b| *b == b'\n') else {
            return Ok(Vec::new());
        };
        let complete: Vec<u8> = self.pending.drain(..=end).collect();
        let text = String::from_utf8_lossy(&complete);
        let mut at = line_start;
        let mut out = Vec::new();
        for raw in text.split_inclusive('\n') {
            let line = raw.trim_end_matches('\n');
            let header = at == 0 && line.starts_with(MARK);
            out.push(Line {
                text: line.to_owned(),
                header,
                closing: at != 0 && line.starts_with(MARK),
            });
            at += raw.len() as u64;
        }
        Ok(out)
    }
}

/// Returns the file's first line, if it has a complete one.
fn first_line(file: &mut std::fs::File) -> std::io::Result<Option<String>> {
    let mut head = Vec::with_capacity(1024);
    file.seek(SeekFrom::Start(0))?;
    file.by_ref().take(1024).read_to_end(&mut head)?;
    Ok(head
        .iter()
        .position(|b| *b == b'\n')
        .map(|end| String::from_utf8_lossy(&head[..end]).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follower_returns_new_complete_lines_and_sees_the_end_and_a_restart() {
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join("w.log");
        let mut f = Follower::new(&log);
        assert!(f.poll().unwrap().is_empty());
        std::fs::write(&log, "# git-aos: a (shell, implement) started t in /w\nhal").unwrap();
        let lines = f.poll().unwrap();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].header && !lines[0].closing);
        std::fs::write(
            &log,
            "# git-aos: a (shell, implement) started t in /w\nhalf a line\n\n# git-aos: exited 0\n",
        )
        .unwrap();
        let lines = f.poll().unwrap();
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["half a line", "", "# git-aos: exited 0"]);
        assert!(lines[2].closing && !lines[2].header);
        std::fs::write(&log, "# git-aos: b (shell, review) started t in /w\n").unwrap();
        let lines = f.poll().unwrap();
        assert!(f.restarted());
        assert!(lines[0].header);
        // A new invocation that already wrote more than the old one is noticed too.
        let long = format!(
            "# git-aos: c (shell, review) started t in /w\n{}\n",
            "x".repeat(200)
        );
        std::fs::write(&log, long).unwrap();
        let lines = f.poll().unwrap();
        assert!(f.restarted());
        assert_eq!(lines.len(), 2);
    }
}
