//! The message above the keys: what the last action or key said, or that the state
//! could not be read; a long one wraps at spaces, up to three rows.

use ratatui::style::{Color, Modifier};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Theme, first_line};
use crate::watch::app::{App, Level};
use crate::watch::board::Board;

/// Most rows the message takes: a long one (an error with its hint, who holds a lock)
/// wraps instead of being cut at the screen's edge.
const MESSAGE_ROWS: usize = 3;

/// Returns how many rows the message takes on a screen `width` wide (one when there is
/// none).
pub(super) fn rows(app: &App, board: &Board, width: u16) -> usize {
    message(app, board).map_or(1, |(text, _)| wrap(&text, width as usize).len())
}

/// Returns the message above the keys and how it reads: a failed read of the state
/// first, else what the last action or key said.
fn message(app: &App, board: &Board) -> Option<(String, Level)> {
    if let Some(err) = &board.error {
        return Some((format!("cannot read the state: {err}"), Level::Error));
    }
    app.message
        .as_ref()
        .map(|(level, text)| (first_line(text), *level))
}

pub(super) fn status<'a>(app: &App, board: &Board, width: u16, theme: Theme) -> Paragraph<'a> {
    let Some((text, level)) = message(app, board) else {
        return Paragraph::new("");
    };
    let style = match level {
        Level::Working => theme.fg(Color::Cyan),
        Level::Done => theme.fg(Color::Green),
        Level::Error => theme.fg(Color::Red).add_modifier(Modifier::BOLD),
    };
    let lines: Vec<Line> = wrap(&text, width as usize)
        .into_iter()
        .map(Line::raw)
        .collect();
    Paragraph::new(lines).style(style)
}

/// Returns `text` in rows of at most `width` characters, broken at spaces where it can,
/// at most `MESSAGE_ROWS` of them (the last ending in `…` when the text goes on).
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(2);
    let mut rows: Vec<String> = Vec::new();
    let mut rest: Vec<char> = text.trim().chars().collect();
    while !rest.is_empty() {
        if rows.len() + 1 == MESSAGE_ROWS && rest.len() > width {
            let mut row: String = rest[..width - 1].iter().collect();
            row.push('…');
            rows.push(row);
            break;
        }
        let cut = if rest.len() <= width {
            rest.len()
        } else {
            // The last space that keeps the row within the width, else a hard break.
            rest[..=width]
                .iter()
                .rposition(|c| *c == ' ')
                .filter(|&i| i > 0)
                .unwrap_or(width)
        };
        rows.push(rest[..cut].iter().collect::<String>().trim_end().to_owned());
        let skip = rest[cut..].iter().take_while(|c| **c == ' ').count();
        rest.drain(..cut + skip);
    }
    if rows.is_empty() {
        rows.push(String::new());
    }
    rows
}
