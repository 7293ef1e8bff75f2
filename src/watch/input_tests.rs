//! Keys to effects, and moving through the list.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, Confirm, Item, Key, Level, Mode, Purpose};
use super::fixtures;
use super::input::{Effect, handle};

fn press(app: &mut App, board: &super::board::Board, code: KeyCode) -> Effect {
    handle(app, board, KeyEvent::new(code, KeyModifiers::NONE))
}

fn typed(app: &mut App, board: &super::board::Board, text: &str) {
    for c in text.chars() {
        assert_eq!(press(app, board, KeyCode::Char(c)), Effect::None);
    }
}

fn select(app: &mut App, ws: &str) {
    app.selected = Some(Key {
        ws: ws.into(),
        task: None,
    });
}

#[test]
fn moving_skips_headings_and_stops_at_the_ends() {
    let board = fixtures::board();
    let mut app = App::new(false);
    let items = app.items(&board);
    assert!(matches!(items[0], Item::Heading(..)));
    assert_eq!(app.selected_row(&board).unwrap().name, "auth-limiter");
    press(&mut app, &board, KeyCode::Char('k'));
    assert_eq!(app.selected_row(&board).unwrap().name, "auth-limiter");
    for _ in 0..4 {
        press(&mut app, &board, KeyCode::Down);
    }
    // billing, signup, ui-revamp, then past RUNNING's heading.
    assert_eq!(app.selected_row(&board).unwrap().name, "exports");
    press(&mut app, &board, KeyCode::End);
    assert_eq!(app.selected_row(&board).unwrap().name, "cleanup");
}

#[test]
fn approve_asks_and_y_approves() {
    let board = fixtures::board();
    let mut app = App::new(false);
    select(&mut app, "auth-limiter");
    assert_eq!(press(&mut app, &board, KeyCode::Char('a')), Effect::None);
    assert!(matches!(app.mode, Mode::Confirm(Confirm::Approve { .. })));
    assert_eq!(
        press(&mut app, &board, KeyCode::Char('y')),
        Effect::Approve("auth-limiter".into(), Some("T2".into()))
    );
    assert_eq!(app.mode, Mode::Home);
    press(&mut app, &board, KeyCode::Char('a'));
    assert_eq!(press(&mut app, &board, KeyCode::Char('n')), Effect::None);
}

#[test]
fn reject_takes_typed_feedback_and_refuses_it_empty() {
    let board = fixtures::board();
    let mut app = App::new(false);
    select(&mut app, "auth-limiter");
    press(&mut app, &board, KeyCode::Char('r'));
    assert!(matches!(
        app.mode,
        Mode::Input(ref i) if matches!(i.purpose, Purpose::Reject { .. })
    ));
    assert_eq!(press(&mut app, &board, KeyCode::Enter), Effect::None);
    assert!(matches!(app.message, Some((Level::Error, _))));
    typed(&mut app, &board, "use a sliding windoww");
    press(&mut app, &board, KeyCode::Backspace);
    assert_eq!(
        press(&mut app, &board, KeyCode::Enter),
        Effect::Reject(
            "auth-limiter".into(),
            Some("T2".into()),
            "use a sliding window".into()
        )
    );
}

#[test]
fn with_several_tasks_at_the_gate_the_selected_one_is_decided() {
    let mut board = fixtures::board();
    let row = &mut board.rows[0];
    assert_eq!(row.name, "auth-limiter");
    let mut second = row.waiting[0].clone();
    second.task = Some("T3".into());
    row.waiting.push(second);
    let mut app = App::new(false);
    select(&mut app, "auth-limiter");
    assert_eq!(press(&mut app, &board, KeyCode::Char('a')), Effect::None);
    assert_eq!(app.mode, Mode::Home);
    let said = &app.message.as_ref().unwrap().1;
    assert!(said.contains("2 tasks of `auth-limiter` wait"), "{said}");
    app.expanded.insert("auth-limiter".into());
    app.selected = Some(Key {
        ws: "auth-limiter".into(),
        task: Some("T3".into()),
    });
    press(&mut app, &board, KeyCode::Char('a'));
    assert_eq!(
        press(&mut app, &board, KeyCode::Char('y')),
        Effect::Approve("auth-limiter".into(), Some("T3".into()))
    );
    press(&mut app, &board, KeyCode::Char('r'));
    typed(&mut app, &board, "no");
    assert_eq!(
        press(&mut app, &board, KeyCode::Enter),
        Effect::Reject("auth-limiter".into(), Some("T3".into()), "no".into())
    );
    // On a task, retry is the command's to refuse or do.
    assert_eq!(
        press(&mut app, &board, KeyCode::Char('R')),
        Effect::Retry("auth-limiter".into(), Some("T3".into()))
    );
}

#[test]
fn c_answers_the_open_question_by_its_id() {
    let board = fixtures::board();
    let mut app = App::new(false);
    select(&mut app, "billing");
    press(&mut app, &board, KeyCode::Char('c'));
    typed(&mut app, &board, "EUR");
    assert_eq!(
        press(&mut app, &board, KeyCode::Enter),
        Effect::Answer("billing".into(), "q1".into(), "EUR".into())
    );
}

#[test]
fn keys_that_do_not_apply_say_why_and_do_nothing() {
    let board = fixtures::board();
    let mut app = App::new(false);
    select(&mut app, "search");
    for key in ['a', 'r', 'c', 'm', 'R', 's'] {
        app.message = None;
        assert_eq!(
            press(&mut app, &board, KeyCode::Char(key)),
            Effect::None,
            "{key}"
        );
        assert!(matches!(app.message, Some((Level::Error, _))), "{key}");
        assert_eq!(app.mode, Mode::Home, "{key}");
    }
}

#[test]
fn merge_retry_skip_diff_and_log_by_state() {
    let board = fixtures::board();
    let mut app = App::new(false);
    select(&mut app, "cleanup");
    press(&mut app, &board, KeyCode::Char('m'));
    assert_eq!(
        press(&mut app, &board, KeyCode::Char('y')),
        Effect::Merge("cleanup".into())
    );
    select(&mut app, "ui-revamp");
    assert_eq!(
        press(&mut app, &board, KeyCode::Char('R')),
        Effect::Retry("ui-revamp".into(), None)
    );
    app.selected = Some(Key {
        ws: "ui-revamp".into(),
        task: Some("T3".into()),
    });
    app.expanded.insert("ui-revamp".into());
    assert_eq!(
        press(&mut app, &board, KeyCode::Char('s')),
        Effect::Skip("ui-revamp".into(), "T3".into())
    );
    assert_eq!(
        press(&mut app, &board, KeyCode::Char('d')),
        Effect::Diff("ui-revamp".into(), Some("T3".into()))
    );
    assert_eq!(app.mode, Mode::Diff(None));
    press(&mut app, &board, KeyCode::Esc);
    assert_eq!(
        press(&mut app, &board, KeyCode::Char('l')),
        Effect::Follow(Some(("ui-revamp".into(), Some("T3".into()))))
    );
    assert_eq!(
        press(&mut app, &board, KeyCode::Char('q')),
        Effect::Follow(None)
    );
    assert_eq!(app.mode, Mode::Home);
}

#[test]
fn enter_shows_and_hides_tasks_and_the_selection_survives() {
    let board = fixtures::board();
    let mut app = App::new(false);
    select(&mut app, "search");
    press(&mut app, &board, KeyCode::Enter);
    press(&mut app, &board, KeyCode::Down);
    assert_eq!(app.selected_task(&board).as_deref(), Some("T1"));
    press(&mut app, &board, KeyCode::Enter);
    assert!(!app.expanded.contains("search"));
    assert_eq!(app.selected_row(&board).unwrap().name, "search");
    assert_eq!(app.selected_task(&board), None);
}

#[test]
fn slash_filters_as_you_type_and_esc_clears() {
    let board = fixtures::board();
    let mut app = App::new(false);
    press(&mut app, &board, KeyCode::Char('/'));
    typed(&mut app, &board, "bill");
    let names: Vec<String> = app
        .items(&board)
        .iter()
        .filter_map(|i| App::key_of(&board, i).map(|k| k.ws))
        .collect();
    assert_eq!(names, ["billing"]);
    press(&mut app, &board, KeyCode::Enter);
    assert_eq!(app.filter, "bill");
    press(&mut app, &board, KeyCode::Esc);
    assert!(app.filter.is_empty());
}

#[test]
fn q_quits_at_once_unless_this_dashboard_drives_agents() {
    let board = fixtures::board();
    let mut app = App::new(false);
    press(&mut app, &board, KeyCode::Char('q'));
    assert!(app.quit);
    let mut app = App::new(true);
    press(&mut app, &board, KeyCode::Char('q'));
    assert!(!app.quit);
    press(&mut app, &board, KeyCode::Char('y'));
    assert!(app.quit);
    let mut app = App::new(false);
    handle(
        &mut app,
        &board,
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
    );
    assert!(app.quit);
}

#[test]
fn the_diff_view_pages_through_files() {
    let board = fixtures::board();
    let mut app = App::new(false);
    app.mode = Mode::Diff(Some(super::app::DiffView {
        ws: "w".into(),
        what: "x".into(),
        files: vec![
            ("a".into(), vec!["l".into(); 50]),
            ("b".into(), vec!["l".into(); 5]),
        ],
        file: 0,
        scroll: 0,
    }));
    press(&mut app, &board, KeyCode::PageDown);
    press(&mut app, &board, KeyCode::Right);
    press(&mut app, &board, KeyCode::PageDown);
    let Mode::Diff(Some(view)) = &app.mode else {
        panic!("{:?}", app.mode)
    };
    assert_eq!((view.file, view.scroll), (1, 4));
}
