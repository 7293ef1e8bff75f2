//! After a merge, what the workstream record says is recomputed from the tasks and the
//! gates: progress counts, `blocked` exactly while a question is open, `complete` only
//! when every task is done, and no current task that is already done.

use std::collections::BTreeMap;

use toml::{Table, Value};

use super::Files;
use crate::store::path;

/// Directory of questions in the state tree (with its trailing slash).
pub(super) const CLARIFY_DIR: &str = "gates/clarify/";

/// Brings `workstream.toml`, `tasks.toml` and the run records in line with the gates.
pub(super) fn recompute(files: &mut Files, notes: &mut Vec<String>) {
    let Some(mut ws) = table(files, path::WORKSTREAM) else {
        return;
    };
    // Open questions: task they are about (or none) -> (id, question).
    let mut open: Vec<(Option<String>, String, String)> = Vec::new();
    for (p, bytes) in files.iter() {
        if p.starts_with(CLARIFY_DIR)
            && let Some(q) = parse(bytes)
            && !q.contains_key("answer")
        {
            let s = |k: &str| q.get(k).and_then(Value::as_str).map(str::to_owned);
            open.push((
                s("task"),
                s("id").unwrap_or_default(),
                s("question").unwrap_or_default(),
            ));
        }
    }
    let asks = |task: &str| open.iter().any(|(t, _, _)| t.as_deref() == Some(task));
    let mut tasks = table(files, path::TASKS);
    let mut status_of: BTreeMap<String, String> = BTreeMap::new();
    if let Some(Value::Array(list)) = tasks.as_mut().and_then(|t| t.get_mut("task")) {
        for t in list.iter_mut().filter_map(Value::as_table_mut) {
            let id = str_of(t, "id");
            if str_of(t, "status") == "blocked" && !asks(&id) {
                t.insert("status".into(), Value::String("running".into()));
            }
            status_of.insert(id, str_of(t, "status"));
        }
    }
    unblock_runs(files, &asks);
    let done = status_of.values().filter(|s| *s == "done").count();
    let total = status_of.len();
    let to_int = |n: usize| Value::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    ws.insert("tasks_done".into(), to_int(done));
    ws.insert("tasks_total".into(), to_int(total));
    let current = str_of(&ws, "current_task");
    if status_of.get(&current).is_some_and(|s| s == "done") {
        ws.remove("current_task");
    }
    let status = str_of(&ws, "status");
    if let Some((_, id, question)) = open.first() {
        if status != "blocked" {
            ws.insert("status".into(), Value::String("blocked".into()));
            ws.insert(
                "reason".into(),
                Value::String(format!("question {id}: {question}")),
            );
            notes.push(format!("blocked: question {id} is open"));
        }
    } else if status == "blocked" {
        ws.insert("status".into(), Value::String("active".into()));
        ws.remove("reason");
        notes.push("every question is answered: the workstream can run again".into());
    } else if status == "complete" && done < total {
        ws.insert("status".into(), Value::String("active".into()));
        ws.remove("reason");
    }
    put(files, path::WORKSTREAM, &ws);
    if let Some(tasks) = tasks {
        put(files, path::TASKS, &tasks);
    }
}

/// A run blocked on a question nobody asks any more runs again (as an answer does).
fn unblock_runs(files: &mut Files, asks: &dyn Fn(&str) -> bool) {
    let runs: Vec<String> = files
        .keys()
        .filter(|p| p.starts_with("runs/") && p.ends_with("/run.toml"))
        .cloned()
        .collect();
    for p in runs {
        let Some(mut run) = table(files, &p) else {
            continue;
        };
        if str_of(&run, "status") == "blocked" && !asks(&str_of(&run, "task")) {
            run.insert("status".into(), Value::String("running".into()));
            put(files, &p, &run);
        }
    }
}

fn str_of(t: &Table, key: &str) -> String {
    t.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn parse(bytes: &[u8]) -> Option<Table> {
    toml::from_str(std::str::from_utf8(bytes).ok()?).ok()
}

fn table(files: &Files, p: &str) -> Option<Table> {
    parse(files.get(p)?)
}

fn put(files: &mut Files, p: &str, t: &Table) {
    if let Ok(text) = toml::to_string(t) {
        files.insert(p.to_owned(), text.into_bytes());
    }
}
