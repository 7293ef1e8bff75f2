//! The screen as a pure function of the board, the dashboard's state and the time:
//! a title line, the open screen (home list, diff, live log, help), a message line and
//! the keys that apply. Colour only when asked for (`NO_COLOR` turns it off).

mod message;
mod panes;
#[cfg(test)]
mod tests;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::app::{App, Item, Mode};
use super::board::{Attention, Board, Gate, WsRow};

/// Colours, or none.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// Whether to colour at all.
    pub color: bool,
}

impl Theme {
    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    fn attention(self, a: Attention) -> Style {
        match a {
            Attention::Review | Attention::Question | Attention::Uat => self.fg(Color::Yellow),
            Attention::Failed => self.fg(Color::Red),
            Attention::Running => self.fg(Color::Cyan),
            Attention::Interrupted => self.fg(Color::Magenta),
            Attention::Idle => Style::default(),
            Attention::Complete => self.fg(Color::Green),
        }
    }
}

/// Returns how many list lines fit on a screen of `width` × `height`.
pub fn list_height(app: &App, board: &Board, width: u16, height: u16) -> usize {
    (height as usize).saturating_sub(2 + message::rows(app, board, width))
}

/// Draws the whole screen.
pub fn render(frame: &mut Frame, app: &App, board: &Board, now: jiff::Timestamp, theme: Theme) {
    let area = frame.area();
    if area.height < 4 || area.width < 20 {
        let text = Paragraph::new("window too small").wrap(Wrap { trim: true });
        frame.render_widget(text, area);
        return;
    }
    let body_height = list_height(app, board, area.width, area.height) as u16;
    let body = Rect::new(area.x, area.y + 1, area.width, body_height);
    let message = Rect::new(
        area.x,
        area.y + 1 + body_height,
        area.width,
        area.height - 2 - body_height,
    );
    let keys = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
    frame.render_widget(
        title(app, board, theme),
        Rect::new(area.x, area.y, area.width, 1),
    );
    match &app.mode {
        Mode::Diff(view) => panes::diff(frame, body, view.as_ref(), theme),
        Mode::Log { scroll } => panes::log(frame, body, board, *scroll, theme),
        _ => home(frame, body, app, board, now, theme),
    }
    match &app.mode {
        Mode::Help => panes::help(frame, body, app.driving),
        Mode::Input(input) => panes::input(frame, body, input, theme),
        Mode::Confirm(what) => panes::confirm(frame, body, what),
        _ => {}
    }
    frame.render_widget(message::status(app, board, area.width, theme), message);
    frame.render_widget(
        Paragraph::new(panes::keys(app, board)).style(Style::default().add_modifier(Modifier::DIM)),
        keys,
    );
}

fn title<'a>(app: &App, board: &'a Board, theme: Theme) -> Paragraph<'a> {
    let need = board
        .rows
        .iter()
        .filter(|r| r.attention.needs_person())
        .count();
    let running = board
        .rows
        .iter()
        .filter(|r| r.attention == Attention::Running)
        .count();
    let mut spans = vec![
        Span::styled(
            " git aos watch",
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(
            " · {} workstream{} · ",
            board.rows.len(),
            if board.rows.len() == 1 { "" } else { "s" }
        )),
        Span::styled(
            format!("{need} need you"),
            if need > 0 {
                theme.fg(Color::Yellow).add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            },
        ),
        Span::raw(format!(" · {running} running")),
    ];
    if app.driving {
        spans.push(Span::raw(" · driving the pipeline"));
    }
    if !app.filter.is_empty() {
        spans.push(Span::raw(format!(" · filter /{}", app.filter)));
    }
    Paragraph::new(Line::from(spans))
}

fn home(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    board: &Board,
    now: jiff::Timestamp,
    theme: Theme,
) {
    let items = app.items(board);
    if items.is_empty() {
        let text = if board.rows.is_empty() {
            "no live workstream: `git aos new <name> --plan plan.md` makes one"
        } else {
            "no workstream matches the filter (Esc clears it)"
        };
        frame.render_widget(Paragraph::new(format!("  {text}")), area);
        return;
    }
    let selected = app.selected_index(board, &items);
    let height = area.height as usize;
    // The selection stays in view even when the caller did not scroll to it.
    let mut offset = app.offset.min(items.len().saturating_sub(1));
    if let Some(s) = selected {
        if s < offset {
            offset = s;
        } else if s >= offset + height {
            offset = s + 1 - height;
        }
    }
    let name_width = board
        .rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 22);
    let lines: Vec<Line> = items
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, item)| {
            let line = match *item {
                Item::Heading(s, n) => Line::styled(
                    format!("{} ({n})", s.title()),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Item::Ws(w) => ws_line(&board.rows[w], name_width, Some(i) == selected, now, theme),
                Item::Task(w, t) => task_line(&board.rows[w], t, name_width, Some(i) == selected),
            };
            if Some(i) == selected {
                line.patch_style(Style::default().add_modifier(Modifier::REVERSED))
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// Returns the mark of the selected line (seen without colour, and in a text capture).
fn mark(selected: bool) -> &'static str {
    if selected { "› " } else { "  " }
}

fn ws_line<'a>(
    row: &WsRow,
    name_width: usize,
    selected: bool,
    now: jiff::Timestamp,
    theme: Theme,
) -> Line<'a> {
    let name: String = row.name.chars().take(name_width).collect();
    let mut spans = vec![
        Span::raw(format!("{}{name:<name_width$} ", mark(selected))),
        Span::styled(
            format!("{:<9}", row.attention.label()),
            theme.attention(row.attention),
        ),
    ];
    spans.extend(detail(row, now, theme));
    Line::from(spans)
}

/// Returns what a row says after its state word.
fn detail<'a>(row: &WsRow, now: jiff::Timestamp, theme: Theme) -> Vec<Span<'a>> {
    let ws = &row.name;
    let text = match row.attention {
        Attention::Review | Attention::Uat | Attention::Question => row
            .waiting
            .iter()
            .find(|w| row.attention != Attention::Question || w.gate == Gate::Question)
            .map(|w| match (&w.question, &w.task) {
                (Some(id), _) => format!("{id}: {}", w.text),
                (None, Some(task)) => format!("{task} {}", w.text),
                (None, None) => w.text.clone(),
            })
            .unwrap_or_else(|| row.reason.clone().unwrap_or_default()),
        Attention::Failed => row.reason.clone().unwrap_or_else(|| "a task failed".into()),
        Attention::Running => return running(row, now, theme),
        Attention::Interrupted => {
            let at = row
                .activity
                .as_ref()
                .map(|a| format!("{} at {}: ", a.task, a.stage))
                .unwrap_or_default();
            format!("{at}interrupted, `git aos run {ws}` resumes it")
        }
        Attention::Idle => format!("{}/{} tasks · `git aos run {ws}`", row.done, row.total),
        Attention::Complete => format!("{}/{} tasks · ready to merge", row.done, row.total),
    };
    vec![Span::raw(first_line(&text))]
}

/// `T1 implement · codex · #2 · 1m12s · $0.42 │ last line of output`.
fn running<'a>(row: &WsRow, now: jiff::Timestamp, theme: Theme) -> Vec<Span<'a>> {
    let Some(a) = &row.activity else {
        return vec![Span::raw(format!("{}/{} tasks", row.done, row.total))];
    };
    let mut parts = vec![format!("{} {}", a.task, a.stage)];
    if let Some(agent) = &a.agent {
        parts.push(agent.clone());
    }
    parts.push(format!("#{}", a.attempt));
    if let Some(since) = a
        .since
        .as_deref()
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
    {
        let secs = now.duration_since(since).as_secs().max(0) as u64;
        parts.push(crate::ui::elapsed(std::time::Duration::from_secs(secs)));
    }
    if let Some(cost) = a.cost_usd {
        parts.push(format!("${cost:.2}"));
    }
    if a.more > 0 {
        parts.push(format!(
            "+{} task{}",
            a.more,
            if a.more == 1 { "" } else { "s" }
        ));
    }
    let mut spans = vec![Span::raw(parts.join(" · "))];
    if let Some(last) = &a.last_line {
        spans.push(Span::styled(" │ ", theme.fg(Color::DarkGray)));
        spans.push(Span::styled(last.clone(), theme.fg(Color::DarkGray)));
    }
    spans
}

fn task_line<'a>(row: &WsRow, t: usize, name_width: usize, selected: bool) -> Line<'a> {
    let task = &row.tasks[t];
    let mut text = format!(
        "{}{:indent$}{:<6} {:<9} {}",
        mark(selected),
        "",
        task.id,
        task.status,
        task.title,
        indent = name_width.min(4)
    );
    if task.attempts > 0 {
        let agent = task
            .agent
            .as_deref()
            .map(|a| format!(", {a}"))
            .unwrap_or_default();
        text.push_str(&format!(
            " ({} attempt{}{agent})",
            task.attempts,
            plural(task.attempts)
        ));
    }
    Line::raw(text)
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Returns the first line of a text (a screen line never wraps into the next).
pub(super) fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}
