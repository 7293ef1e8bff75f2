//! Boards for tests: one workstream in every state, and many for scrolling.

use super::board::{Activity, Attention, Board, Gate, LogPane, TaskRow, Waiting, WsRow, order};

/// The time every fixture is seen at.
pub fn now() -> jiff::Timestamp {
    "2026-01-01T12:00:00Z".parse().unwrap()
}

fn row(name: &str, attention: Attention, status: &str, updated: &str) -> WsRow {
    WsRow {
        name: name.into(),
        attention,
        status: status.into(),
        done: 1,
        total: 3,
        waiting: Vec::new(),
        activity: None,
        reason: None,
        tasks: vec![
            task("T1", "Parse the config", "done", 1, Some("codex")),
            task("T2", "Rate-limit logins", "running", 2, Some("claude")),
            task("T3", "Document the limits", "pending", 0, None),
        ],
        updated_at: updated.into(),
    }
}

fn task(id: &str, title: &str, status: &str, attempts: u32, agent: Option<&str>) -> TaskRow {
    TaskRow {
        id: id.into(),
        title: title.into(),
        status: status.into(),
        attempts,
        agent: agent.map(str::to_owned),
    }
}

/// Returns one workstream in each state, ordered as the reader orders them.
pub fn board() -> Board {
    let mut review = row(
        "auth-limiter",
        Attention::Review,
        "awaiting_review",
        "2026-01-01T11:50:00Z",
    );
    review.waiting.push(Waiting {
        gate: Gate::Change,
        task: Some("T2".into()),
        text: "review: approve · tests pass · 3 files".into(),
        question: None,
    });
    let mut question = row(
        "billing",
        Attention::Question,
        "blocked",
        "2026-01-01T11:55:00Z",
    );
    question.waiting.push(Waiting {
        gate: Gate::Question,
        task: Some("T1".into()),
        text: "Which currency should invoices use by default?".into(),
        question: Some("q1".into()),
    });
    let mut uat = row(
        "signup",
        Attention::Uat,
        "awaiting_uat",
        "2026-01-01T11:40:00Z",
    );
    uat.waiting.push(Waiting {
        gate: Gate::Uat,
        task: None,
        text: "user acceptance u1: `git aos uat pass|fail signup`".into(),
        question: None,
    });
    let mut failed = row(
        "ui-revamp",
        Attention::Failed,
        "failed",
        "2026-01-01T10:00:00Z",
    );
    failed.reason = Some("T3 failed at test: `npm test` exited 1 three times".into());
    let mut running = row(
        "search",
        Attention::Running,
        "running",
        "2026-01-01T11:58:00Z",
    );
    running.activity = Some(Activity {
        task: "T2".into(),
        stage: "implement".into(),
        agent: Some("codex".into()),
        attempt: 2,
        since: Some("2026-01-01T11:58:48Z".into()),
        cost_usd: Some(0.42),
        last_line: Some("Bash: cargo test --lib search::index".into()),
        more: 0,
    });
    let mut testing = row(
        "exports",
        Attention::Running,
        "running",
        "2026-01-01T11:59:00Z",
    );
    testing.activity = Some(Activity {
        task: "T1".into(),
        stage: "test".into(),
        agent: None,
        attempt: 1,
        since: Some("2026-01-01T11:59:55Z".into()),
        cost_usd: None,
        last_line: None,
        more: 1,
    });
    let mut stopped = row(
        "docs",
        Attention::Interrupted,
        "running",
        "2026-01-01T09:00:00Z",
    );
    stopped.activity = Some(Activity {
        task: "T1".into(),
        stage: "review".into(),
        ..Activity::default()
    });
    let idle = row("reports", Attention::Idle, "active", "2026-01-01T08:00:00Z");
    let mut done = row(
        "cleanup",
        Attention::Complete,
        "complete",
        "2026-01-01T07:00:00Z",
    );
    done.done = 3;
    let mut rows = vec![
        review, question, uat, failed, running, testing, stopped, idle, done,
    ];
    order(&mut rows);
    Board {
        rows,
        error: None,
        log: None,
    }
}

/// Returns `n` idle workstreams and one that waits, for scrolling.
pub fn many(n: usize) -> Board {
    let mut rows: Vec<WsRow> = (0..n)
        .map(|i| {
            row(
                &format!("ws-{i:03}"),
                Attention::Idle,
                "active",
                &format!("2026-01-01T00:{:02}:{:02}Z", i / 60 % 60, i % 60),
            )
        })
        .collect();
    let mut waiting = row(
        "needs-me",
        Attention::Review,
        "awaiting_review",
        "2026-01-01T11:00:00Z",
    );
    waiting.waiting.push(Waiting {
        gate: Gate::Change,
        task: Some("T1".into()),
        text: "review: request_changes · tests failing · 1 file".into(),
        question: None,
    });
    rows.push(waiting);
    order(&mut rows);
    Board {
        rows,
        error: None,
        log: None,
    }
}

/// Returns a followed log pane.
pub fn log(ended: bool) -> LogPane {
    let mut lines =
        vec!["# git-aos: codex (codex, implement) started 2026-01-01T11:58:48Z in /w".to_owned()];
    lines.extend((1..=30).map(|i| format!("step {i}: editing src/search/index.rs")));
    LogPane {
        title: "`search`".into(),
        path: "/r/.git/aos/live/search.log".into(),
        lines,
        ended: ended.then(|| "exited 0".into()),
    }
}
