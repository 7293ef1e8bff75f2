//! Merging `tasks.toml`: task by task, in plan order. A task changed on both sides takes
//! the record of its latest run (run ids are ULIDs, so they sort by time); two records
//! of the same run merge field by field, and a task done on either side stays done.

use toml::{Table, Value};

use super::value;

/// Merges `tasks.toml` changed on both sides; unparsable input yields the newer side.
pub(super) fn merge(base: Option<&[u8]>, older: &[u8], newer: &[u8]) -> Vec<u8> {
    let parse = |b: &[u8]| -> Option<Vec<Table>> {
        let t: Table = toml::from_str(std::str::from_utf8(b).ok()?).ok()?;
        match t.get("task") {
            None => Some(Vec::new()),
            Some(Value::Array(a)) => a.iter().map(|v| v.as_table().cloned()).collect(),
            Some(_) => None,
        }
    };
    let (Some(o), Some(n)) = (parse(older), parse(newer)) else {
        return newer.to_vec();
    };
    let b = base.and_then(parse).unwrap_or_default();
    let id = |t: &Table| t.get("id").and_then(Value::as_str).map(str::to_owned);
    let mut order: Vec<String> = o.iter().filter_map(id).collect();
    for key in n.iter().filter_map(id) {
        if !order.contains(&key) {
            order.push(key);
        }
    }
    fn find<'t>(side: &'t [Table], key: &str) -> Option<&'t Table> {
        side.iter()
            .find(|t| t.get("id").and_then(Value::as_str) == Some(key))
    }
    let mut out = Vec::new();
    for key in &order {
        let merged = one(find(&b, key), find(&o, key), find(&n, key));
        out.extend(merged.map(Value::Table));
    }
    let mut file = Table::new();
    file.insert("task".into(), Value::Array(out));
    toml::to_string(&file)
        .map(String::into_bytes)
        .unwrap_or_else(|_| newer.to_vec())
}

/// Merges one task's record.
fn one(base: Option<&Table>, older: Option<&Table>, newer: Option<&Table>) -> Option<Table> {
    let (o, n) = match (older, newer) {
        _ if older == newer || base == older => return newer.cloned(),
        _ if base == newer => return older.cloned(),
        (Some(o), Some(n)) => (o, n),
        (o, n) => return o.or(n).cloned(),
    };
    let run = |t: &Table| t.get("last_run").and_then(Value::as_str).map(str::to_owned);
    let done = |t: &Table| t.get("status").and_then(Value::as_str) == Some("done");
    if done(o) != done(n) {
        return Some(if done(o) { o.clone() } else { n.clone() });
    }
    match run(o).cmp(&run(n)) {
        std::cmp::Ordering::Greater => Some(o.clone()),
        std::cmp::Ordering::Less => Some(n.clone()),
        std::cmp::Ordering::Equal => {
            let mut merged = value::merge_table(base, o, n);
            let attempts = |t: &Table| t.get("attempts").and_then(Value::as_integer).unwrap_or(0);
            merged.insert(
                "attempts".into(),
                Value::Integer(attempts(o).max(attempts(n))),
            );
            Some(merged)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids_and(out: &[u8], field: &str) -> Vec<(String, String)> {
        let t: Table = toml::from_str(std::str::from_utf8(out).unwrap()).unwrap();
        t["task"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["id"].as_str().unwrap().to_owned(),
                    v.get(field).map(|f| f.to_string()).unwrap_or_default(),
                )
            })
            .collect()
    }

    #[test]
    fn the_record_of_the_latest_run_wins() {
        let base = "[[task]]\nid = \"T1\"\nstatus = \"running\"\nlast_run = \"01A\"\n";
        let o = "[[task]]\nid = \"T1\"\nstatus = \"blocked\"\nlast_run = \"01B\"\n";
        let n = "[[task]]\nid = \"T1\"\nstatus = \"running\"\nlast_run = \"01A\"\nattempts = 2\n";
        let out = merge(Some(base.as_bytes()), o.as_bytes(), n.as_bytes());
        assert_eq!(ids_and(&out, "last_run"), [("T1".into(), "\"01B\"".into())]);
    }

    #[test]
    fn a_done_task_stays_done_and_new_tasks_are_appended() {
        let base = "[[task]]\nid = \"T1\"\nstatus = \"pending\"\n";
        let o = "[[task]]\nid = \"T1\"\nstatus = \"done\"\nlast_run = \"01A\"\n";
        let n = "[[task]]\nid = \"T1\"\nstatus = \"running\"\nlast_run = \"01Z\"\n\n[[task]]\nid = \"FIX-1\"\nstatus = \"pending\"\n";
        let out = merge(Some(base.as_bytes()), o.as_bytes(), n.as_bytes());
        assert_eq!(
            ids_and(&out, "status"),
            [
                ("T1".into(), "\"done\"".into()),
                ("FIX-1".into(), "\"pending\"".into())
            ]
        );
    }
}
