//! The dashboard's own state — selection, scrolling, filter, the open view, text being
//! typed, the last message — and the lines of the home list it selects among.

use std::collections::BTreeSet;

use super::board::{Board, Section, WsRow};

/// What the selection points at: a workstream, or one of its tasks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    /// The workstream.
    pub ws: String,
    /// The task, on a task line.
    pub task: Option<String>,
}

/// One line of the home list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A heading, with how many rows it holds.
    Heading(Section, usize),
    /// A workstream: its index in `Board::rows`.
    Ws(usize),
    /// A task: the workstream's index and the task's index.
    Task(usize, usize),
}

/// The diff of one workstream, file by file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiffView {
    /// The workstream.
    pub ws: String,
    /// What the diff is between, in words.
    pub what: String,
    /// (path, lines of its diff).
    pub files: Vec<(String, Vec<String>)>,
    /// The file shown.
    pub file: usize,
    /// First line shown.
    pub scroll: usize,
}

/// Text being typed, and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// What Enter does with it.
    pub purpose: Purpose,
    /// The text so far.
    pub text: String,
}

/// What typed text is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// Feedback for `reject` (of a task's change when `task` is set).
    Reject { ws: String, task: Option<String> },
    /// The answer to a question.
    Answer {
        /// The workstream.
        ws: String,
        /// The question's id.
        id: String,
        /// The question, shown above the input.
        question: String,
    },
    /// The home list's filter.
    Filter,
}

/// An action that waits for `y`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    /// Approve what waits at the gate (a task's change when `task` is set).
    Approve {
        ws: String,
        task: Option<String>,
        what: String,
    },
    /// Merge into the base.
    Merge { ws: String },
    /// Quit while `watch --run` drives workstreams.
    Quit,
}

/// Which screen is open.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// The list of workstreams.
    Home,
    /// The help.
    Help,
    /// A diff (`None` while it is being read).
    Diff(Option<DiffView>),
    /// The followed live log; `scroll` lines up from the end (0 follows).
    Log { scroll: usize },
    /// Typing text.
    Input(Input),
    /// Waiting for `y` or `n`.
    Confirm(Confirm),
}

/// How a message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something is under way.
    Working,
    /// It went well.
    Done,
    /// It did not; the text says why.
    Error,
}

/// The dashboard's state besides the board.
#[derive(Debug, Clone)]
pub struct App {
    /// The selected line.
    pub selected: Option<Key>,
    /// First list line shown.
    pub offset: usize,
    /// Workstreams whose tasks are shown.
    pub expanded: BTreeSet<String>,
    /// Only workstreams whose name or status contains this are shown.
    pub filter: String,
    /// The open screen.
    pub mode: Mode,
    /// The latest message for the status line.
    pub message: Option<(Level, String)>,
    /// Whether `watch --run` drives the pipeline in this process.
    pub driving: bool,
    /// Set when the dashboard should close.
    pub quit: bool,
}

impl App {
    /// Returns a dashboard on the home list with nothing selected yet.
    pub fn new(driving: bool) -> Self {
        Self {
            selected: None,
            offset: 0,
            expanded: BTreeSet::new(),
            filter: String::new(),
            mode: Mode::Home,
            message: None,
            driving,
            quit: false,
        }
    }

    /// Returns the lines of the home list: headings, workstreams passing the filter,
    /// and the tasks of expanded ones.
    pub fn items(&self, board: &Board) -> Vec<Item> {
        let filter = self.filter.to_lowercase();
        let shown: Vec<usize> = (0..board.rows.len())
            .filter(|&i| filter.is_empty() || matches_filter(&board.rows[i], &filter))
            .collect();
        let mut items = Vec::with_capacity(shown.len() + 3);
        let mut section = None;
        for &i in &shown {
            let row = &board.rows[i];
            let s = row.attention.section();
            if section != Some(s) {
                let count = shown
                    .iter()
                    .filter(|&&j| board.rows[j].attention.section() == s)
                    .count();
                items.push(Item::Heading(s, count));
                section = Some(s);
            }
            items.push(Item::Ws(i));
            if self.expanded.contains(&row.name) {
                items.extend((0..row.tasks.len()).map(|t| Item::Task(i, t)));
            }
        }
        items
    }

    /// Returns the key of a list line (none for a heading).
    pub fn key_of(board: &Board, item: &Item) -> Option<Key> {
        match *item {
            Item::Heading(..) => None,
            Item::Ws(i) => Some(Key {
                ws: board.rows[i].name.clone(),
                task: None,
            }),
            Item::Task(i, t) => Some(Key {
                ws: board.rows[i].name.clone(),
                task: Some(board.rows[i].tasks[t].id.clone()),
            }),
        }
    }

    /// Returns the index of the selected line, keeping a selection that vanished (its
    /// row filtered out or gone) on the first selectable line.
    pub fn selected_index(&self, board: &Board, items: &[Item]) -> Option<usize> {
        let found = self.selected.as_ref().and_then(|sel| {
            items
                .iter()
                .position(|it| Self::key_of(board, it).as_ref() == Some(sel))
                .or_else(|| {
                    // A task line collapsed: its workstream.
                    items.iter().position(|it| {
                        Self::key_of(board, it).is_some_and(|k| k.ws == sel.ws && k.task.is_none())
                    })
                })
        });
        found.or_else(|| items.iter().position(|it| !matches!(it, Item::Heading(..))))
    }

    /// Returns the selected workstream's row.
    pub fn selected_row<'b>(&self, board: &'b Board) -> Option<&'b WsRow> {
        let items = self.items(board);
        let i = self.selected_index(board, &items)?;
        match items[i] {
            Item::Ws(w) | Item::Task(w, _) => board.rows.get(w),
            Item::Heading(..) => None,
        }
    }

    /// Returns the selected task's id, on a task line.
    pub fn selected_task(&self, board: &Board) -> Option<String> {
        let items = self.items(board);
        let i = self.selected_index(board, &items)?;
        Self::key_of(board, &items[i]).and_then(|k| k.task)
    }

    /// Moves the selection by `delta` selectable lines.
    pub fn move_by(&mut self, board: &Board, delta: isize) {
        let items = self.items(board);
        let selectable: Vec<usize> = (0..items.len())
            .filter(|&i| !matches!(items[i], Item::Heading(..)))
            .collect();
        if selectable.is_empty() {
            return;
        }
        let now = self
            .selected_index(board, &items)
            .and_then(|i| selectable.iter().position(|&s| s == i))
            .unwrap_or(0);
        let next = (now as isize + delta).clamp(0, selectable.len() as isize - 1) as usize;
        self.selected = Self::key_of(board, &items[selectable[next]]);
    }

    /// Keeps the selected line inside a window of `height` lines.
    pub fn scroll_to_selection(&mut self, board: &Board, height: usize) {
        let items = self.items(board);
        let Some(i) = self.selected_index(board, &items) else {
            self.offset = 0;
            return;
        };
        // The heading above the first row stays in view with it.
        let top = if i > 0 && matches!(items[i - 1], Item::Heading(..)) {
            i - 1
        } else {
            i
        };
        if top < self.offset {
            self.offset = top;
        } else if height > 0 && i >= self.offset + height {
            self.offset = i + 1 - height;
        }
        self.offset = self.offset.min(items.len().saturating_sub(height.max(1)));
    }

    /// Sets the status line.
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        self.message = Some((level, text.into()));
    }
}

fn matches_filter(row: &WsRow, filter: &str) -> bool {
    row.name.to_lowercase().contains(filter)
        || row.status.contains(filter)
        || row.attention.label().contains(filter)
}
