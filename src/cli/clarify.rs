//! `git aos clarify`: the clarification queue across workstreams.

use serde::Serialize;

use crate::ctx::Ctx;
use crate::error::UserError;
use crate::gate::clarify::{self, Clarification};
use crate::ids::WorkstreamName;
use crate::pipeline::{Pipeline, recover};
use crate::store::{Actor, Event, WsStatus};
use crate::ui::Ui;

/// Questions that block workstreams until a person answers: list, show, answer, ask
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git aos clarify list\n  git aos clarify answer auth q1 'Use seconds, not milliseconds'"
)]
pub struct ClarifyArgs {
    #[command(subcommand)]
    command: ClarifyCommand,
}

#[derive(clap::Subcommand, Debug)]
enum ClarifyCommand {
    /// List open questions of every live workstream (`--all` adds answered ones)
    #[command(
        after_help = "Examples:\n  git aos clarify list\n  git aos clarify list --all --json"
    )]
    List {
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show the questions of one workstream
    #[command(
        after_help = "Examples:\n  git aos clarify show auth\n  git aos clarify show auth q2 --json"
    )]
    Show {
        name: WorkstreamName,
        /// One question by id (`q1`)
        id: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Answer a question: `answer <ws> [<id>] TEXT` (the id may be left out when one is open)
    #[command(
        after_help = "Examples:\n  git aos clarify answer auth 'Use seconds'          # the one open question\n  git aos clarify answer auth q2 'Keep the old endpoint'"
    )]
    Answer {
        name: WorkstreamName,
        /// `[<id>] TEXT`
        #[arg(num_args = 1..=2, required = true)]
        words: Vec<String>,
    },
    /// Ask a question yourself: the workstream waits until someone answers it
    #[command(
        after_help = "Examples:\n  git aos clarify ask auth 'Which token format do clients send?'"
    )]
    Ask {
        name: WorkstreamName,
        #[arg(value_parser = super::non_empty)]
        question: String,
    },
}

#[derive(Serialize)]
struct Row {
    workstream: String,
    #[serde(flatten)]
    question: Clarification,
}

/// Runs the subcommand.
pub fn run(ui: &Ui, args: ClarifyArgs) -> anyhow::Result<()> {
    let ctx = Ctx::discover()?;
    match args.command {
        ClarifyCommand::List { all, json } => {
            let mut rows = Vec::new();
            for snap in ctx.store.load_live()? {
                for q in questions(&ctx, &snap)? {
                    if all || q.is_open() {
                        rows.push(Row {
                            workstream: snap.ws.name.to_string(),
                            question: q,
                        });
                    }
                }
            }
            if json {
                return ui.json(&rows);
            }
            if rows.is_empty() {
                ui.status("no open questions");
            }
            for r in rows {
                let state = if r.question.is_open() {
                    "open"
                } else {
                    "answered"
                };
                ui.data(format_args!(
                    "{} {}  {state}  {}: {}",
                    r.workstream, r.question.id, r.question.asked_by, r.question.question
                ));
            }
        }
        ClarifyCommand::Show { name, id, json } => {
            let snap = ctx.store.find(&name)?;
            let list: Vec<Clarification> = questions(&ctx, &snap)?
                .into_iter()
                .filter(|q| id.as_ref().is_none_or(|i| &q.id == i))
                .collect();
            if let (Some(id), true) = (&id, list.is_empty()) {
                return Err(UserError::new(format!("`{name}` has no question `{id}`")).into());
            }
            if json {
                return ui.json(&list);
            }
            for q in list {
                ui.data(format_args!(
                    "{} ({}) asked by {} at {}",
                    q.id,
                    q.task.map(|t| t.to_string()).unwrap_or_default(),
                    q.asked_by,
                    q.asked_at
                ));
                ui.data(format_args!("  {}", q.question));
                match &q.answer {
                    Some(a) => ui.data(format_args!(
                        "  answer from {}: {a}",
                        q.answered_by.as_deref().unwrap_or("?")
                    )),
                    None => ui.data(format_args!(
                        "  open: `git aos clarify answer {name} {} TEXT`",
                        q.id
                    )),
                }
            }
        }
        ClarifyCommand::Answer { name, words } => {
            let (id, text) = match words.as_slice() {
                [text] => (None, text.clone()),
                [id, text] => (Some(id.clone()), text.clone()),
                _ => {
                    return Err(UserError::new("give `[<id>] TEXT`: the answer, after the question's id when several are open").into());
                }
            };
            if text.trim().is_empty() {
                return Err(UserError::with_hint(
                    "the answer is empty",
                    format!("write it in quotes: `git aos clarify answer {name} \"…\"`"),
                )
                .into());
            }
            let p = Pipeline::open(&ctx, ui)?;
            let answered = recover::answer(&p, &name, id.as_deref(), &text)?;
            let snap = ctx.store.find(&name)?;
            if snap.ws.status == WsStatus::Blocked {
                ui.status(format_args!(
                    "answered {answered}; `{name}` still has open questions"
                ));
            } else {
                ui.status(format_args!(
                    "answered {answered}; continue with `git aos run {name}`"
                ));
            }
        }
        ClarifyCommand::Ask { name, question } => {
            let by = ctx.store.person();
            let mut asked = String::new();
            let event = Event::new("ask", "question asked").by(Actor::Person);
            ctx.store.update(&name, &event, |tx| {
                asked = clarify::ask(tx, tx.ws().current_task.clone(), &question, &by)?;
                let ws = tx.ws_mut();
                ws.status = WsStatus::Blocked;
                ws.reason = Some(format!("question from {by}: {question}"));
                Ok(())
            })?;
            ui.status(format_args!(
                "asked {asked}; `{name}` waits until `git aos clarify answer {name} {asked} TEXT`"
            ));
        }
    }
    Ok(())
}

fn questions(ctx: &Ctx, snap: &crate::store::Snapshot) -> anyhow::Result<Vec<Clarification>> {
    let mut out = Vec::new();
    for file in ctx.store.list_dir(snap, clarify::DIR)? {
        if let Some(q) = ctx
            .store
            .read_toml::<Clarification>(snap, &format!("{}/{file}", clarify::DIR))?
        {
            out.push(q);
        }
    }
    out.sort_by_key(|q| {
        q.id.trim_start_matches('q')
            .parse::<u32>()
            .unwrap_or(u32::MAX)
    });
    Ok(out)
}
