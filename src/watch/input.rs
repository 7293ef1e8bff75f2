//! Keys to what they do: moving and switching screens change the dashboard's state;
//! the rest become an `Effect`, which runs the same function the CLI command runs.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::{App, Confirm, DiffView, Input, Level, Mode, Purpose};
use super::board::{Attention, Board, Gate, Waiting};

/// Lines a page key moves.
const PAGE: isize = 10;

/// What a key asks of the world outside the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing.
    None,
    /// `git aos approve <ws> [<task>]`.
    Approve(String, Option<String>),
    /// `git aos reject <ws> [<task>] -f TEXT`.
    Reject(String, Option<String>, String),
    /// `git aos clarify answer <ws> <id> TEXT`.
    Answer(String, String, String),
    /// `git aos merge <ws>`.
    Merge(String),
    /// Read the diff of the workstream's change (of that task's, when given).
    Diff(String, Option<String>),
    /// Follow the live log of a workstream (and task); `None` stops following.
    Follow(Option<(String, Option<String>)>),
    /// `git aos retry <ws> [<task>]`.
    Retry(String, Option<String>),
    /// `git aos skip <ws> <task>`.
    Skip(String, String),
}

/// Handles one key.
pub fn handle(app: &mut App, board: &Board, key: KeyEvent) -> Effect {
    if key.kind == KeyEventKind::Release {
        return Effect::None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return quit(app);
    }
    match app.mode.clone() {
        Mode::Home => home(app, board, key.code),
        Mode::Help => {
            app.mode = Mode::Home;
            Effect::None
        }
        Mode::Diff(view) => {
            diff(app, view, key.code);
            Effect::None
        }
        Mode::Log { scroll } => log(app, board, scroll, key.code),
        Mode::Input(input) => typing(app, input, key.code),
        Mode::Confirm(what) => confirm(app, what, key.code),
    }
}

fn quit(app: &mut App) -> Effect {
    if app.driving && !app.quit {
        app.mode = Mode::Confirm(Confirm::Quit);
    } else {
        app.quit = true;
    }
    Effect::None
}

fn home(app: &mut App, board: &Board, code: KeyCode) -> Effect {
    let row = app.selected_row(board).cloned();
    let task = app.selected_task(board);
    match code {
        KeyCode::Esc => app.filter.clear(),
        KeyCode::Char('q') => return quit(app),
        KeyCode::Down | KeyCode::Char('j') => app.move_by(board, 1),
        KeyCode::Up | KeyCode::Char('k') => app.move_by(board, -1),
        KeyCode::PageDown => app.move_by(board, PAGE),
        KeyCode::PageUp => app.move_by(board, -PAGE),
        KeyCode::Home | KeyCode::Char('g') => app.move_by(board, -isize::MAX / 2),
        KeyCode::End | KeyCode::Char('G') => app.move_by(board, isize::MAX / 2),
        KeyCode::Char('?') => app.mode = Mode::Help,
        KeyCode::Char('/') => {
            app.mode = Mode::Input(Input {
                purpose: Purpose::Filter,
                text: app.filter.clone(),
            })
        }
        KeyCode::Enter | KeyCode::Right | KeyCode::Left | KeyCode::Char(' ') => {
            if let Some(row) = &row {
                let open = app.expanded.contains(&row.name);
                if open && code != KeyCode::Right {
                    app.expanded.remove(&row.name);
                    app.selected = Some(super::app::Key {
                        ws: row.name.clone(),
                        task: None,
                    });
                } else if code != KeyCode::Left {
                    app.expanded.insert(row.name.clone());
                }
            }
        }
        _ => return act(app, row.as_ref(), task, code),
    }
    Effect::None
}

/// Keys that act on the selected workstream, each only in a state where its command
/// applies; elsewhere the status line says why not.
fn act(
    app: &mut App,
    row: Option<&super::board::WsRow>,
    task: Option<String>,
    code: KeyCode,
) -> Effect {
    let Some(row) = row else {
        return Effect::None;
    };
    let ws = row.name.clone();
    let refuse = |app: &mut App, text: String| {
        app.say(Level::Error, text);
        Effect::None
    };
    match code {
        KeyCode::Char('a') | KeyCode::Char('r') if row.at_human_gate() => {
            let gate = match gate_of(row, task.as_deref()) {
                Ok(gate) => gate,
                Err(why) => return refuse(app, why),
            };
            let task = gate.task.clone();
            app.mode = if code == KeyCode::Char('a') {
                let what = match &task {
                    Some(t) => format!("{t}: commit its change on `aos/{ws}`"),
                    None => gate.text.clone(),
                };
                Mode::Confirm(Confirm::Approve { ws, task, what })
            } else {
                Mode::Input(Input {
                    purpose: Purpose::Reject { ws, task },
                    text: String::new(),
                })
            };
            Effect::None
        }
        KeyCode::Char('a') | KeyCode::Char('r') => {
            refuse(app, format!("`{ws}` has nothing waiting at the human gate"))
        }
        KeyCode::Char('c') => match row.question() {
            Some(q) => {
                app.mode = Mode::Input(Input {
                    purpose: Purpose::Answer {
                        ws,
                        id: q.question.clone().unwrap_or_default(),
                        question: q.text.clone(),
                    },
                    text: String::new(),
                });
                Effect::None
            }
            None => refuse(app, format!("`{ws}` has no open question")),
        },
        KeyCode::Char('d') => {
            app.mode = Mode::Diff(None);
            Effect::Diff(ws, task)
        }
        KeyCode::Char('l') => {
            app.mode = Mode::Log { scroll: 0 };
            Effect::Follow(Some((ws, task)))
        }
        KeyCode::Char('m') if row.attention == Attention::Complete => {
            app.mode = Mode::Confirm(Confirm::Merge { ws });
            Effect::None
        }
        KeyCode::Char('m') => refuse(
            app,
            format!("`{ws}` is not complete: `git aos merge --force {ws}` merges it anyway"),
        ),
        // On a task the command decides whether it applies (failed, halted, skipped,
        // waiting; anything not done for skip), and says why not.
        KeyCode::Char('R') if task.is_some() || row.attention == Attention::Failed => {
            Effect::Retry(ws, task)
        }
        KeyCode::Char('s') => match task {
            Some(task) => Effect::Skip(ws, task),
            None => refuse(
                app,
                "select the task to skip (Enter shows the tasks)".into(),
            ),
        },
        KeyCode::Char('R') => refuse(
            app,
            format!("`{ws}` has no failed task: select a task to retry (Enter shows the tasks)"),
        ),
        _ => Effect::None,
    }
}

/// Returns the gate that `a` or `r` decides: the selected task's change, else the only
/// one waiting (a task's change, the plan, the final review); several tasks at the gate
/// and none selected ask for a choice.
fn gate_of<'a>(
    row: &'a super::board::WsRow,
    task: Option<&str>,
) -> Result<&'a super::board::Waiting, String> {
    let human = |w: &&Waiting| matches!(w.gate, Gate::Change | Gate::Plan | Gate::FinalReview);
    let gates: Vec<&Waiting> = row.waiting.iter().filter(human).collect();
    if let Some(t) = task
        && let Some(g) = gates.iter().find(|g| g.task.as_deref() == Some(t))
    {
        return Ok(g);
    }
    match gates.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "`{}` has nothing waiting at the human gate",
            row.name
        )),
        _ => Err(format!(
            "{} tasks of `{}` wait at the gate: select one (Enter shows the tasks)",
            gates.len(),
            row.name
        )),
    }
}

fn diff(app: &mut App, view: Option<DiffView>, code: KeyCode) {
    let Some(mut view) = view else {
        if matches!(code, KeyCode::Esc | KeyCode::Char('q')) {
            app.mode = Mode::Home;
        }
        return;
    };
    let lines = view.files.get(view.file).map_or(0, |f| f.1.len());
    match code {
        KeyCode::Esc | KeyCode::Char('q') => {
            app.mode = Mode::Home;
            return;
        }
        KeyCode::Down | KeyCode::Char('j') => view.scroll += 1,
        KeyCode::Up | KeyCode::Char('k') => view.scroll = view.scroll.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => view.scroll += PAGE as usize * 2,
        KeyCode::PageUp => view.scroll = view.scroll.saturating_sub(PAGE as usize * 2),
        KeyCode::Right | KeyCode::Tab | KeyCode::Char('n') if view.file + 1 < view.files.len() => {
            view.file += 1;
            view.scroll = 0;
        }
        KeyCode::Left | KeyCode::BackTab | KeyCode::Char('p') if view.file > 0 => {
            view.file -= 1;
            view.scroll = 0;
        }
        _ => {}
    }
    view.scroll = view.scroll.min(lines.saturating_sub(1));
    app.mode = Mode::Diff(Some(view));
}

fn log(app: &mut App, board: &Board, scroll: usize, code: KeyCode) -> Effect {
    let lines = board.log.as_ref().map_or(0, |l| l.lines.len());
    let scroll = match code {
        KeyCode::Esc | KeyCode::Char('q') => {
            app.mode = Mode::Home;
            return Effect::Follow(None);
        }
        KeyCode::Up | KeyCode::Char('k') => scroll + 1,
        KeyCode::Down | KeyCode::Char('j') => scroll.saturating_sub(1),
        KeyCode::PageUp => scroll + PAGE as usize * 2,
        KeyCode::PageDown | KeyCode::Char(' ') => scroll.saturating_sub(PAGE as usize * 2),
        KeyCode::End | KeyCode::Char('G') | KeyCode::Char('f') => 0,
        KeyCode::Home | KeyCode::Char('g') => lines,
        _ => scroll,
    };
    app.mode = Mode::Log {
        scroll: scroll.min(lines),
    };
    Effect::None
}

fn typing(app: &mut App, mut input: Input, code: KeyCode) -> Effect {
    match code {
        KeyCode::Esc => {
            if input.purpose == Purpose::Filter {
                app.filter.clear();
            }
            app.mode = Mode::Home;
            return Effect::None;
        }
        KeyCode::Enter => return submit(app, input),
        KeyCode::Backspace => {
            input.text.pop();
        }
        KeyCode::Char(c) => input.text.push(c),
        _ => {}
    }
    if input.purpose == Purpose::Filter {
        app.filter = input.text.clone();
    }
    app.mode = Mode::Input(input);
    Effect::None
}

fn submit(app: &mut App, input: Input) -> Effect {
    let text = input.text.trim().to_owned();
    if text.is_empty() && input.purpose != Purpose::Filter {
        app.say(Level::Error, "it is empty: type the text, or Esc to cancel");
        app.mode = Mode::Input(input);
        return Effect::None;
    }
    app.mode = Mode::Home;
    match input.purpose {
        Purpose::Filter => {
            app.filter = text;
            Effect::None
        }
        Purpose::Reject { ws, task } => Effect::Reject(ws, task, text),
        Purpose::Answer { ws, id, .. } => Effect::Answer(ws, id, text),
    }
}

fn confirm(app: &mut App, what: Confirm, code: KeyCode) -> Effect {
    app.mode = Mode::Home;
    if !matches!(code, KeyCode::Char('y') | KeyCode::Char('Y')) {
        app.say(Level::Done, "cancelled");
        return Effect::None;
    }
    match what {
        Confirm::Approve { ws, task, .. } => Effect::Approve(ws, task),
        Confirm::Merge { ws } => Effect::Merge(ws),
        Confirm::Quit => {
            app.quit = true;
            Effect::None
        }
    }
}
