//! Three-way merge of TOML documents, value by value: tables key by key, arrays of
//! tables with an `id` by id, arrays that only grew on both sides keep both growths,
//! anything else changed on both sides comes from the newer side.

use toml::{Table, Value};

/// What a TOML file holds, where one kind needs more than the generic rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Generic rules only.
    Plain,
    /// A question (`gates/clarify/<id>.toml`): two different answers are both kept.
    Question,
}

/// Merges three TOML texts; `None` when one of them does not parse (the caller then
/// falls back to the newer side's bytes).
pub(super) fn merge_toml(
    base: Option<&[u8]>,
    older: &[u8],
    newer: &[u8],
    kind: Kind,
) -> Option<Vec<u8>> {
    let parse = |b: &[u8]| -> Option<Table> { toml::from_str(std::str::from_utf8(b).ok()?).ok() };
    let base = match base {
        Some(b) => Some(parse(b)?),
        None => None,
    };
    let (o, n) = (parse(older)?, parse(newer)?);
    let mut merged = merge_table(base.as_ref(), &o, &n);
    if kind == Kind::Question {
        keep_both_answers(&o, &n, &mut merged);
    }
    toml::to_string(&merged).ok().map(String::into_bytes)
}

/// Merges two tables that both changed from `base`.
pub(super) fn merge_table(base: Option<&Table>, older: &Table, newer: &Table) -> Table {
    let mut out = Table::new();
    let keys: std::collections::BTreeSet<&String> = older.keys().chain(newer.keys()).collect();
    for key in keys {
        let b = base.and_then(|t| t.get(key));
        if let Some(v) = merge_value(b, older.get(key), newer.get(key)) {
            out.insert(key.clone(), v);
        }
    }
    out
}

/// Merges one value; `None` means absent in the result.
pub(super) fn merge_value(
    base: Option<&Value>,
    older: Option<&Value>,
    newer: Option<&Value>,
) -> Option<Value> {
    if older == newer || base == older {
        return newer.cloned();
    }
    if base == newer {
        return older.cloned();
    }
    match (older, newer) {
        (Some(Value::Table(o)), Some(Value::Table(n))) => {
            let b = base.and_then(Value::as_table);
            Some(Value::Table(merge_table(b, o, n)))
        }
        (Some(Value::Array(o)), Some(Value::Array(n))) => {
            let b = base.and_then(Value::as_array);
            Some(Value::Array(merge_array(b, o, n)))
        }
        // Changed on one side, removed on the other: keep what was changed.
        (Some(o), None) => Some(o.clone()),
        (None, Some(n)) | (Some(_), Some(n)) => Some(n.clone()),
        (None, None) => None,
    }
}

/// Merges two arrays that both changed.
fn merge_array(base: Option<&Vec<Value>>, older: &[Value], newer: &[Value]) -> Vec<Value> {
    if let Some(merged) = merge_by_id(base, older, newer) {
        return merged;
    }
    let empty = Vec::new();
    let base = base.unwrap_or(&empty);
    let grew = |side: &[Value]| side.len() >= base.len() && side[..base.len()] == base[..];
    if !(grew(older) && grew(newer)) {
        return newer.to_vec();
    }
    // Both appended: the base, then what each side added, the older side's first.
    let mut out = older.to_vec();
    for v in &newer[base.len()..] {
        if !older[base.len()..].contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// Merges arrays of tables that all carry a string `id`, element by element; `None`
/// when the arrays are not of that shape.
fn merge_by_id(base: Option<&Vec<Value>>, older: &[Value], newer: &[Value]) -> Option<Vec<Value>> {
    fn id(v: &Value) -> Option<&str> {
        v.as_table()?.get("id")?.as_str()
    }
    let keyed = |side: &[Value]| side.iter().all(|v| id(v).is_some());
    if older.is_empty() && newer.is_empty() || !keyed(older) || !keyed(newer) {
        return None;
    }
    let empty = Vec::new();
    let base = base.unwrap_or(&empty);
    if !keyed(base) {
        return None;
    }
    let find = |side: &[Value], key: &str| side.iter().find(|v| id(v) == Some(key)).cloned();
    let mut order: Vec<&str> = older.iter().filter_map(id).collect();
    for key in newer.iter().filter_map(id) {
        if !order.contains(&key) {
            order.push(key);
        }
    }
    let mut out = Vec::new();
    for key in order {
        let (b, o, n) = (find(base, key), find(older, key), find(newer, key));
        if let Some(v) = merge_value(b.as_ref(), o.as_ref(), n.as_ref()) {
            out.push(v);
        }
    }
    Some(out)
}

/// A question answered differently on both sides keeps both answers, the earlier first.
fn keep_both_answers(older: &Table, newer: &Table, merged: &mut Table) {
    let answer = |t: &Table| {
        let text = t.get("answer")?.as_str()?.to_owned();
        let by = t
            .get("answered_by")
            .and_then(Value::as_str)
            .unwrap_or("someone")
            .to_owned();
        let at = t
            .get("answered_at")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Some((at, by, text))
    };
    let (Some(mut first), Some(mut second)) = (answer(older), answer(newer)) else {
        return;
    };
    if first.2 == second.2 {
        return;
    }
    if second < first {
        std::mem::swap(&mut first, &mut second);
    }
    let text = format!(
        "{}\n\n(also answered by {}: {})",
        first.2, second.1, second.2
    );
    merged.insert("answer".into(), Value::String(text));
    merged.insert("answered_by".into(), Value::String(first.1));
    merged.insert("answered_at".into(), Value::String(first.0));
    // Whoever runs next must hear the combined answer.
    merged.insert("delivered".into(), Value::Boolean(false));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(base: Option<&str>, o: &str, n: &str) -> String {
        String::from_utf8(
            merge_toml(
                base.map(str::as_bytes),
                o.as_bytes(),
                n.as_bytes(),
                Kind::Plain,
            )
            .unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn keys_changed_on_one_side_each_are_both_kept() {
        let out = m(Some("a = 1\nb = 1\n"), "a = 2\nb = 1\n", "a = 1\nb = 3\n");
        assert_eq!(out, "a = 2\nb = 3\n");
    }

    #[test]
    fn arrays_that_grew_on_both_sides_keep_both_growths() {
        let out = m(Some("x = [1]\n"), "x = [1, 2]\n", "x = [1, 3]\n");
        assert_eq!(out, "x = [1, 2, 3]\n");
        // Replaced (not grown) on both sides: the newer side's.
        let out = m(Some("x = [1]\n"), "x = [2]\n", "x = [3]\n");
        assert_eq!(out, "x = [3]\n");
    }

    #[test]
    fn arrays_of_tables_merge_by_id() {
        let base = "[[task]]\nid = \"a\"\nn = 1\n";
        let o = "[[task]]\nid = \"a\"\nn = 2\n\n[[task]]\nid = \"b\"\nn = 1\n";
        let n = "[[task]]\nid = \"a\"\nn = 1\nm = 5\n\n[[task]]\nid = \"c\"\nn = 1\n";
        let out: Table = toml::from_str(&m(Some(base), o, n)).unwrap();
        let ids: Vec<_> = out["task"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(out["task"][0]["n"].as_integer(), Some(2));
        assert_eq!(out["task"][0]["m"].as_integer(), Some(5));
    }

    #[test]
    fn two_answers_to_one_question_are_both_kept() {
        let base = "id = \"q1\"\nquestion = \"which?\"\n";
        let o = "id = \"q1\"\nquestion = \"which?\"\nanswer = \"red\"\nanswered_by = \"ann\"\nanswered_at = \"2026-01-01T00:00:02Z\"\n";
        let n = "id = \"q1\"\nquestion = \"which?\"\nanswer = \"blue\"\nanswered_by = \"bob\"\nanswered_at = \"2026-01-01T00:00:01Z\"\n";
        let out = merge_toml(
            Some(base.as_bytes()),
            o.as_bytes(),
            n.as_bytes(),
            Kind::Question,
        )
        .unwrap();
        let t: Table = toml::from_str(std::str::from_utf8(&out).unwrap()).unwrap();
        assert_eq!(
            t["answer"].as_str(),
            Some("blue\n\n(also answered by ann: red)")
        );
        assert_eq!(t["answered_by"].as_str(), Some("bob"));
    }
}
