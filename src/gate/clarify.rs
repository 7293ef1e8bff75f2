//! `gates/clarify/<id>.toml`: questions that block a workstream until a person answers.

use serde::{Deserialize, Serialize};

use crate::ids::TaskId;
use crate::store::StateTx;

/// Directory of clarifications in the state tree.
pub const DIR: &str = "gates/clarify";

/// One question and, once given, its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clarification {
    /// Short id, unique within the workstream (`q1`, `q2`, …).
    pub id: String,
    /// The task it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskId>,
    /// The question.
    pub question: String,
    /// Who asked (an agent name, or a person).
    pub asked_by: String,
    /// When (RFC 3339).
    pub asked_at: String,
    /// The answer, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Who answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<String>,
    /// When (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
    /// Whether the answer was handed to the agent already.
    #[serde(default)]
    pub delivered: bool,
}

impl Clarification {
    /// Returns whether it still waits for an answer.
    pub fn is_open(&self) -> bool {
        self.answer.is_none()
    }
}

/// Returns the path of a clarification.
pub fn path(id: &str) -> String {
    format!("{DIR}/{id}.toml")
}

/// Returns every clarification of the workstream, oldest first.
pub fn all(tx: &StateTx<'_>) -> anyhow::Result<Vec<Clarification>> {
    let mut out = Vec::new();
    for file in tx.list_dir(DIR)? {
        if let Some(c) = tx.read_toml::<Clarification>(&format!("{DIR}/{file}"))? {
            out.push(c);
        }
    }
    out.sort_by_key(|c| {
        c.id.trim_start_matches('q')
            .parse::<u32>()
            .unwrap_or(u32::MAX)
    });
    Ok(out)
}

/// Records a new question; returns its id.
pub fn ask(
    tx: &mut StateTx<'_>,
    task: Option<TaskId>,
    question: &str,
    asked_by: &str,
) -> anyhow::Result<String> {
    let next = all(tx)?
        .iter()
        .filter_map(|c| c.id.trim_start_matches('q').parse::<u32>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    let id = format!("q{next}");
    let c = Clarification {
        id: id.clone(),
        task,
        question: question.to_owned(),
        asked_by: asked_by.to_owned(),
        asked_at: crate::store::now_rfc3339(),
        answer: None,
        answered_by: None,
        answered_at: None,
        delivered: false,
    };
    tx.put_toml(&path(&id), &c)?;
    Ok(id)
}
