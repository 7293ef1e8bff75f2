//! Reading a child's stdout or stderr as lines (long lines in bounded slices), so the
//! runner can log, redact and watch output without holding unbounded memory.

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::mpsc;

/// Longest piece sent at once: a line longer than this is sent in slices.
const MAX_PIECE: usize = 64 * 1024;

/// Which output stream a piece came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// A line (with its newline, if any) or a slice of a long line.
#[derive(Debug)]
pub(crate) struct Piece {
    /// Where it came from.
    pub stream: Stream,
    /// The text, invalid UTF-8 replaced.
    pub text: String,
}

/// Sends the stream's lines to `tx` until end of file, a read error, or the receiver
/// going away.
pub(crate) async fn forward<R>(reader: R, stream: Stream, tx: mpsc::Sender<Piece>)
where
    R: AsyncRead + Unpin,
{
    let mut reader = BufReader::with_capacity(MAX_PIECE, reader);
    let mut line: Vec<u8> = Vec::new();
    // A read error ends the stream like end of file: what was read is still sent.
    while let Ok(buf) = reader.fill_buf().await {
        if buf.is_empty() {
            break;
        }
        let (take, complete) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        line.extend_from_slice(&buf[..take]);
        reader.consume(take);
        if complete {
            if !send(&tx, stream, std::mem::take(&mut line)).await {
                return;
            }
        } else if line.len() >= MAX_PIECE {
            let rest = line.split_off(utf8_cut(&line, MAX_PIECE));
            if !send(&tx, stream, std::mem::replace(&mut line, rest)).await {
                return;
            }
        }
    }
    if !line.is_empty() {
        send(&tx, stream, line).await;
    }
}

async fn send(tx: &mpsc::Sender<Piece>, stream: Stream, bytes: Vec<u8>) -> bool {
    let text = String::from_utf8_lossy(&bytes).into_owned();
    tx.send(Piece { stream, text }).await.is_ok()
}

/// Returns an index at most `max` that does not split a UTF-8 sequence (for valid
/// UTF-8; anything else is replaced later anyway).
fn utf8_cut(bytes: &[u8], max: usize) -> usize {
    let mut cut = max.min(bytes.len());
    let floor = cut.saturating_sub(3);
    while cut > floor && cut < bytes.len() && (bytes[cut] & 0b1100_0000) == 0b1000_0000 {
        cut -= 1;
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pieces(input: Vec<u8>) -> Vec<String> {
        let (tx, mut rx) = mpsc::channel(1024);
        forward(&input[..], Stream::Stdout, tx).await;
        let mut out = Vec::new();
        while let Some(p) = rx.recv().await {
            out.push(p.text);
        }
        out
    }

    #[tokio::test]
    async fn splits_on_newlines_and_keeps_a_last_partial_line() {
        assert_eq!(
            pieces(b"a\nb\n\nc".to_vec()).await,
            ["a\n", "b\n", "\n", "c"]
        );
    }

    #[tokio::test]
    async fn long_lines_come_in_slices_that_join_back() {
        let long = "é".repeat(MAX_PIECE); // 2 bytes each
        let got = pieces(format!("{long}\n").into_bytes()).await;
        assert!(got.len() >= 2);
        assert!(got.iter().all(|p| p.len() <= MAX_PIECE));
        assert_eq!(got.concat(), format!("{long}\n"));
    }
}
