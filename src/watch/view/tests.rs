//! Every screen and state, drawn on a `TestBackend` and compared with its snapshot.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use super::message::wrap;
use super::{Theme, list_height, render};
use crate::watch::actions::split_files;
use crate::watch::app::{App, Confirm, DiffView, Input, Key, Level, Mode, Purpose};
use crate::watch::board::Board;
use crate::watch::fixtures::{self, now};

fn draw(
    app: &mut App,
    board: &Board,
    width: u16,
    height: u16,
    color: bool,
) -> Terminal<TestBackend> {
    app.scroll_to_selection(board, list_height(app, board, width, height));
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| render(f, app, board, now(), Theme { color }))
        .unwrap();
    t
}

fn screen(app: &mut App, board: &Board) -> String {
    draw(app, board, 80, 24, false).backend().to_string()
}

fn select(app: &mut App, ws: &str, task: Option<&str>) {
    app.selected = Some(Key {
        ws: ws.into(),
        task: task.map(str::to_owned),
    });
}

#[test]
fn home_puts_what_needs_you_first_then_running_then_the_rest() {
    let mut app = App::new(false);
    insta::assert_snapshot!(screen(&mut app, &fixtures::board()));
}

#[test]
fn home_with_a_running_row_selected_and_its_tasks_shown() {
    let mut app = App::new(true);
    select(&mut app, "search", None);
    app.expanded.insert("search".into());
    insta::assert_snapshot!(screen(&mut app, &fixtures::board()));
}

#[test]
fn home_keys_follow_the_selection_failed_and_complete() {
    let board = fixtures::board();
    let mut app = App::new(false);
    select(&mut app, "ui-revamp", None);
    let failed = screen(&mut app, &board);
    assert!(failed.contains("R retry  s skip"), "{failed}");
    insta::assert_snapshot!("home_failed_selected", failed);
    select(&mut app, "cleanup", None);
    let complete = screen(&mut app, &board);
    assert!(complete.contains("m merge"), "{complete}");
    insta::assert_snapshot!("home_complete_selected", complete);
    select(&mut app, "billing", None);
    let question = screen(&mut app, &board);
    assert!(question.contains("c answer"), "{question}");
    assert!(!question.contains("a approve"), "{question}");
    insta::assert_snapshot!("home_question_selected", question);
    select(&mut app, "signup", None);
    insta::assert_snapshot!("home_uat_selected", screen(&mut app, &board));
    select(&mut app, "docs", None);
    insta::assert_snapshot!("home_stopped_selected", screen(&mut app, &board));
}

#[test]
fn a_failed_workstream_shows_its_tasks_for_retry_and_skip() {
    let board = fixtures::board();
    let mut app = App::new(false);
    app.expanded.insert("ui-revamp".into());
    select(&mut app, "ui-revamp", Some("T3"));
    insta::assert_snapshot!(screen(&mut app, &board));
}

#[test]
fn hundreds_of_workstreams_scroll_with_the_selection() {
    let board = fixtures::many(300);
    let mut app = App::new(false);
    app.move_by(&board, 150);
    insta::assert_snapshot!(screen(&mut app, &board));
}

#[test]
fn a_filter_narrows_the_list_while_typed() {
    let board = fixtures::board();
    let mut app = App::new(false);
    app.filter = "re".into();
    app.mode = Mode::Input(Input {
        purpose: Purpose::Filter,
        text: "re".into(),
    });
    insta::assert_snapshot!(screen(&mut app, &board));
}

#[test]
fn a_filter_that_matches_nothing_says_so() {
    let board = fixtures::board();
    let mut app = App::new(false);
    app.filter = "zzz".into();
    insta::assert_snapshot!(screen(&mut app, &board));
}

#[test]
fn an_empty_repository_says_how_to_start() {
    let mut app = App::new(false);
    insta::assert_snapshot!(screen(&mut app, &Board::default()));
}

#[test]
fn the_diff_shows_one_file_at_a_time() {
    let text = "diff --git a/src/limit.rs b/src/limit.rs\n--- a/src/limit.rs\n+++ b/src/limit.rs\n@@ -1,3 +1,4 @@\n use std::time::Duration;\n-const MAX: u32 = 5;\n+const MAX: u32 = 10;\n+const WINDOW: Duration = Duration::from_secs(60);\n fn check() {}\ndiff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1 +1,2 @@\n # app\n+Logins are rate-limited.\n";
    let mut app = App::new(false);
    app.mode = Mode::Diff(Some(DiffView {
        ws: "auth-limiter".into(),
        what: "T2 at the gate: the tested tree against the run's base".into(),
        files: split_files(text),
        file: 0,
        scroll: 0,
    }));
    let board = fixtures::board();
    let first = screen(&mut app, &board);
    insta::assert_snapshot!(first);
    if let Mode::Diff(Some(view)) = &mut app.mode {
        view.file = 1;
    }
    let second = screen(&mut app, &board);
    assert!(second.contains("file 2/2: README.md"), "{second}");
    assert!(second.contains("+Logins are rate-limited."), "{second}");
    insta::assert_snapshot!("the_diff_second_file", second);
}

#[test]
fn the_diff_says_when_it_is_being_read() {
    let mut app = App::new(false);
    app.mode = Mode::Diff(None);
    let s = screen(&mut app, &fixtures::board());
    assert!(s.contains("reading the diff…"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn the_live_log_follows_its_end_and_says_when_the_agent_ended() {
    let mut board = fixtures::board();
    board.log = Some(fixtures::log(false));
    let mut app = App::new(false);
    app.mode = Mode::Log { scroll: 0 };
    insta::assert_snapshot!(screen(&mut app, &board));
    board.log = Some(fixtures::log(true));
    let ended = screen(&mut app, &board);
    assert!(
        ended.contains("— the agent's run ended: exited 0 —"),
        "{ended}"
    );
    insta::assert_snapshot!("the_live_log_ended", ended);
    app.mode = Mode::Log { scroll: 10 };
    let up = screen(&mut app, &board);
    assert!(up.contains("10 lines up (G follows)"), "{up}");
    assert!(!up.contains("exited 0 —"), "{up}");
    insta::assert_snapshot!("the_live_log_scrolled_up", up);
}

#[test]
fn help_lists_every_key() {
    let mut app = App::new(false);
    app.mode = Mode::Help;
    insta::assert_snapshot!(screen(&mut app, &fixtures::board()));
}

#[test]
fn reject_asks_for_the_feedback() {
    let mut app = App::new(false);
    app.mode = Mode::Input(Input {
        purpose: Purpose::Reject {
            ws: "auth-limiter".into(),
            task: Some("T2".into()),
        },
        text: "use a sliding window".into(),
    });
    insta::assert_snapshot!(screen(&mut app, &fixtures::board()));
}

#[test]
fn an_answer_shows_the_question_above_the_input() {
    let mut app = App::new(false);
    select(&mut app, "billing", None);
    app.mode = Mode::Input(Input {
        purpose: Purpose::Answer {
            ws: "billing".into(),
            id: "q1".into(),
            question: "Which currency should invoices use by default?".into(),
        },
        text: "EUR".into(),
    });
    insta::assert_snapshot!(screen(&mut app, &fixtures::board()));
}

#[test]
fn approving_asks_first_and_the_result_shows_in_the_status_line() {
    let board = fixtures::board();
    let mut app = App::new(false);
    app.mode = Mode::Confirm(Confirm::Approve {
        ws: "auth-limiter".into(),
        task: Some("T2".into()),
        what: "T2: commit its change on `aos/auth-limiter`".into(),
    });
    insta::assert_snapshot!("confirm_approve", screen(&mut app, &board));
    app.mode = Mode::Home;
    app.say(
        Level::Done,
        "approved T2 of `auth-limiter`: committed 8a589026d287 on `aos/auth-limiter`",
    );
    insta::assert_snapshot!("approved", screen(&mut app, &board));
    app.say(
        Level::Error,
        "busy (exit 5): workstream `search` is busy: held by pid 4242 on box since 2026-01-01T11:58:00Z; try again when it stops",
    );
    let busy = screen(&mut app, &board);
    assert!(busy.contains("busy (exit 5)"), "{busy}");
    insta::assert_snapshot!("busy", busy);
}

#[test]
fn merging_asks_first() {
    let mut app = App::new(false);
    select(&mut app, "cleanup", None);
    app.mode = Mode::Confirm(Confirm::Merge {
        ws: "cleanup".into(),
    });
    insta::assert_snapshot!(screen(&mut app, &fixtures::board()));
}

#[test]
fn quitting_while_driving_asks_first() {
    let mut app = App::new(true);
    app.mode = Mode::Confirm(Confirm::Quit);
    let s = screen(&mut app, &fixtures::board());
    assert!(
        s.contains("Quit? The agents this dashboard runs are stopped"),
        "{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn a_failed_read_is_shown_and_the_last_board_stays() {
    let mut board = fixtures::board();
    board.error = Some("could not read `refs/aos/ws/`: Permission denied".into());
    let mut app = App::new(false);
    let s = screen(&mut app, &board);
    assert!(s.contains("cannot read the state: could not read"), "{s}");
    assert!(s.contains("auth-limiter"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn no_color_draws_no_colour_and_colour_draws_some() {
    let board = fixtures::board();
    let mut app = App::new(false);
    let plain = draw(&mut app, &board, 80, 24, false);
    let colored = |t: &Terminal<TestBackend>| {
        t.backend()
            .buffer()
            .content()
            .iter()
            .any(|c| c.fg != Color::Reset || c.bg != Color::Reset)
    };
    assert!(!colored(&plain));
    assert!(colored(&draw(&mut app, &board, 80, 24, true)));
}

#[test]
fn a_tiny_window_says_so_instead_of_panicking() {
    let mut app = App::new(false);
    let t = draw(&mut app, &fixtures::board(), 10, 3, false);
    assert!(t.backend().to_string().contains("window to"));
    insta::assert_snapshot!(t.backend().to_string());
    for (w, h) in [(20, 4), (40, 6), (200, 60)] {
        draw(&mut app, &fixtures::board(), w, h, true);
    }
    // A message of three rows on a window that barely has them.
    app.say(Level::Error, "word ".repeat(100));
    for (w, h) in [(20, 4), (20, 5), (40, 6)] {
        draw(&mut app, &fixtures::board(), w, h, true);
    }
}

#[test]
fn a_long_message_wraps_at_spaces_up_to_three_rows() {
    assert_eq!(wrap("approved `a`", 80), ["approved `a`"]);
    assert_eq!(wrap("", 80), [""]);
    assert_eq!(wrap("one two three four", 9), ["one two", "three", "four"]);
    assert_eq!(wrap("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
    assert_eq!(
        wrap("aaaa bbbb cccc dddd eeee", 4),
        ["aaaa", "bbbb", "ccc…"]
    );
}
