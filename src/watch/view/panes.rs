//! The screens besides the home list — a diff file by file, the followed live log, the
//! help — the boxes for typing and confirming, and the line of keys that apply.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::Theme;
use crate::watch::app::{App, Confirm, DiffView, Input, Mode, Purpose};
use crate::watch::board::{Attention, Board};

/// The keys, for the help screen.
const HELP: &[(&str, &str)] = &[
    ("↑ ↓  j k", "move (PgUp PgDn, g G: page, first, last)"),
    ("Enter → ←", "show or hide a workstream's tasks"),
    ("/", "filter by name or state (Esc clears)"),
    (
        "a",
        "approve what waits at the human gate (git aos approve)",
    ),
    ("r", "reject it with feedback you type (git aos reject -f)"),
    ("c", "answer the open question (git aos clarify answer)"),
    ("d", "the diff, file by file (← → files, ↑ ↓ scroll)"),
    ("l", "follow the agent's live output (git aos logs -f)"),
    ("R  s", "retry a failed task, skip it (git aos retry, skip)"),
    ("m", "merge a complete workstream (git aos merge)"),
    ("?", "this help"),
    ("q  Esc", "back; quit from the list (Ctrl-C too)"),
];

/// Draws the diff screen.
pub(super) fn diff(frame: &mut Frame, area: Rect, view: Option<&DiffView>, theme: Theme) {
    let Some(view) = view else {
        frame.render_widget(Paragraph::new("  reading the diff…"), area);
        return;
    };
    let Some((path, lines)) = view.files.get(view.file) else {
        frame.render_widget(
            Paragraph::new(format!(
                "  `{}`: {}, and no file changed",
                view.ws, view.what
            )),
            area,
        );
        return;
    };
    let head = Line::styled(
        format!(
            "{} · file {}/{}: {path}",
            view.what,
            view.file + 1,
            view.files.len()
        ),
        Style::default().add_modifier(Modifier::BOLD),
    );
    let body = lines
        .iter()
        .skip(view.scroll)
        .take(area.height.saturating_sub(1) as usize)
        .map(|l| {
            let style = match l.as_bytes().first() {
                Some(b'+') if !l.starts_with("+++") => theme.fg(Color::Green),
                Some(b'-') if !l.starts_with("---") => theme.fg(Color::Red),
                Some(b'@') => theme.fg(Color::Cyan),
                _ => Style::default(),
            };
            Line::styled(l.clone(), style)
        });
    let text: Vec<Line> = std::iter::once(head).chain(body).collect();
    frame.render_widget(Paragraph::new(text), area);
}

/// Draws the followed live log, `scroll` lines up from its end.
pub(super) fn log(frame: &mut Frame, area: Rect, board: &Board, scroll: usize, theme: Theme) {
    let Some(pane) = &board.log else {
        frame.render_widget(Paragraph::new("  opening the live log…"), area);
        return;
    };
    let height = area.height.saturating_sub(1) as usize;
    let mut head = format!("live output of {} · {}", pane.title, pane.path);
    if scroll > 0 {
        head.push_str(&format!(" · {scroll} lines up (G follows)"));
    }
    let mut lines: Vec<Line> = vec![Line::styled(
        head,
        Style::default().add_modifier(Modifier::BOLD),
    )];
    let mut body: Vec<Line> = pane.lines.iter().map(|l| Line::raw(l.clone())).collect();
    match &pane.ended {
        Some(end) => body.push(Line::styled(
            format!("— the agent's run ended: {end} —"),
            theme.fg(Color::Green),
        )),
        None if pane.lines.is_empty() => body.push(Line::raw("(no output yet)")),
        None => {}
    }
    let end = body.len().saturating_sub(scroll);
    let start = end.saturating_sub(height);
    lines.extend(body.drain(start..end));
    frame.render_widget(Paragraph::new(lines), area);
}

/// Draws the help over the screen.
pub(super) fn help(frame: &mut Frame, area: Rect, driving: bool) {
    let mut lines: Vec<Line> = HELP
        .iter()
        .map(|(k, what)| Line::raw(format!(" {k:<10} {what}")))
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::raw(if driving {
        " This dashboard drives the pipeline too (watch --run)."
    } else {
        " The pipeline runs elsewhere (git aos run --loop); this shows it."
    }));
    lines.push(Line::raw(" Any key closes the help."));
    let box_ = centered(area, 78, lines.len() as u16 + 2);
    frame.render_widget(Clear, box_);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" keys ")),
        box_,
    );
}

/// Draws the box where text is typed.
pub(super) fn input(frame: &mut Frame, area: Rect, input: &Input, theme: Theme) {
    if input.purpose == Purpose::Filter {
        let line = Rect::new(
            area.x,
            area.y + area.height.saturating_sub(1),
            area.width,
            1,
        );
        frame.render_widget(Clear, line);
        frame.render_widget(Paragraph::new(format!("/{}█", input.text)), line);
        return;
    }
    let (title, above) = match &input.purpose {
        Purpose::Reject { ws, task } => {
            let whose = task.as_ref().map(|t| format!(" {t}")).unwrap_or_default();
            (
                format!(" reject `{ws}`{whose}: what must change? "),
                String::new(),
            )
        }
        Purpose::Answer { ws, id, question } => {
            (format!(" answer {id} of `{ws}` "), question.clone())
        }
        Purpose::Filter => return,
    };
    let mut lines = Vec::new();
    if !above.is_empty() {
        lines.push(Line::styled(above, theme.fg(Color::Yellow)));
        lines.push(Line::raw(""));
    }
    lines.push(Line::raw(format!("> {}█", input.text)));
    lines.push(Line::styled(
        "Enter sends · Esc cancels",
        Style::default().add_modifier(Modifier::DIM),
    ));
    let box_ = centered(area, 76, 8);
    frame.render_widget(Clear, box_);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title)),
        box_,
    );
}

/// Draws the box that asks for `y`.
pub(super) fn confirm(frame: &mut Frame, area: Rect, what: &Confirm) {
    let text = match what {
        Confirm::Approve { ws, what, .. } => format!("Approve `{ws}`? {what}"),
        Confirm::Merge { ws } => {
            format!("Merge `{ws}` into its base? The merge gate runs the project's test first.")
        }
        Confirm::Quit => {
            "Quit? The agents this dashboard runs are stopped; `git aos run` resumes them."
                .to_owned()
        }
    };
    let lines = vec![
        Line::raw(text),
        Line::raw(""),
        Line::styled(
            "y yes · any other key: no",
            Style::default().add_modifier(Modifier::DIM),
        ),
    ];
    let box_ = centered(area, 70, 6);
    frame.render_widget(Clear, box_);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" confirm ")),
        box_,
    );
}

/// Returns the keys that apply now, most useful first.
pub(super) fn keys(app: &App, board: &Board) -> String {
    let keys: &[&str] = match &app.mode {
        Mode::Diff(_) => &["← → file", "↑ ↓ PgUp PgDn scroll", "q back"],
        Mode::Log { .. } => &["↑ ↓ PgUp PgDn scroll", "G follow", "q back"],
        Mode::Help => &["any key closes the help"],
        Mode::Input(_) => &["Enter send", "Esc cancel"],
        Mode::Confirm(_) => &["y yes", "n no"],
        Mode::Home => {
            let mut keys: Vec<&str> = Vec::new();
            if let Some(row) = app.selected_row(board) {
                if row.at_human_gate() {
                    keys.extend(["a approve", "r reject"]);
                }
                if row.question().is_some() {
                    keys.push("c answer");
                }
                if row.attention == Attention::Failed {
                    keys.extend(["R retry", "s skip"]);
                }
                if row.attention == Attention::Complete {
                    keys.push("m merge");
                }
                keys.extend(["d diff", "l log", "⏎ tasks"]);
            }
            keys.extend(["/ filter", "? help", "q quit"]);
            return format!(" {}", keys.join("  "));
        }
    };
    format!(" {}", keys.join("  "))
}

/// Returns a box of at most `width` × `height` in the middle of `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
