//! One line of an agent's output made fit for a one-line display: terminal escapes and
//! control characters removed, and a JSON event of a CLI's stream (claude's
//! `stream-json`, codex's `--json`) turned into what it says or does.

use serde_json::Value;

/// Keys whose text says what an event is about, most telling first.
const TELLING: [&str; 5] = ["text", "command", "result", "message", "error"];

/// Returns `line` without terminal escape sequences and control characters; of a line
/// redrawn with carriage returns, only what was drawn last.
pub fn readable(line: &str) -> String {
    let line = line
        .rsplit('\r')
        .find(|s| !s.trim().is_empty())
        .unwrap_or("");
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.next() {
                // CSI: parameters, then one final byte in @..~.
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC: up to BEL or ESC \.
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// Returns what a line of output says, on one line, or `None` when it says nothing to a
/// person (an empty line, a JSON event with no text such as a usage report).
pub fn summarize(line: &str) -> Option<String> {
    let text = readable(line);
    if text.is_empty() {
        return None;
    }
    if !text.starts_with('{') {
        return Some(text);
    }
    let Ok(value) = serde_json::from_str::<Value>(&text) else {
        return Some(text);
    };
    if let Some(tool) = tool_use(&value) {
        return Some(tool);
    }
    TELLING
        .iter()
        .find_map(|key| find_text(&value, key))
        .map(|s| one_line(&s))
        .filter(|s| !s.is_empty())
}

/// Returns `name: input` of a tool call in a claude event (`content[].type == tool_use`).
fn tool_use(value: &Value) -> Option<String> {
    let content = value.get("message")?.get("content")?.as_array()?;
    let call = content
        .iter()
        .rev()
        .find(|c| c.get("type").and_then(Value::as_str) == Some("tool_use"))?;
    let name = call.get("name")?.as_str()?;
    let input = call.get("input");
    let what = input
        .and_then(|i| {
            ["command", "file_path", "path", "pattern", "description"]
                .iter()
                .find_map(|k| i.get(k).and_then(Value::as_str))
        })
        .unwrap_or_default();
    Some(one_line(&format!("{name}: {what}")))
}

/// Returns the first non-empty string under `key`, searching depth first.
fn find_text(value: &Value, key: &str) -> Option<String> {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(s)) = map.get(key)
                && !s.trim().is_empty()
            {
                return Some(s.clone());
            }
            map.values().find_map(|v| find_text(v, key))
        }
        Value::Array(items) => items.iter().rev().find_map(|v| find_text(v, key)),
        _ => None,
    }
}

/// Returns the last non-empty line of a multi-line text, made readable.
fn one_line(text: &str) -> String {
    text.lines()
        .rev()
        .map(readable)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_control_characters_go_and_the_last_redraw_stays() {
        assert_eq!(readable("\x1b[1;32mok\x1b[0m\tdone"), "ok done");
        assert_eq!(readable("\x1b]0;title\x07hello\x08"), "hello");
        assert_eq!(readable("10%\r50%\r100%"), "100%");
        assert_eq!(readable("done\r"), "done");
    }

    #[test]
    fn claude_and_codex_events_say_what_they_do() {
        let tool = r#"{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Bash","input":{"command":"cargo test"}}]}}"#;
        assert_eq!(summarize(tool).as_deref(), Some("Bash: cargo test"));
        let text = r#"{"type":"assistant","message":{"content":[{"type":"text","text":"Now the tests.\nAll green."}]}}"#;
        assert_eq!(summarize(text).as_deref(), Some("All green."));
        let codex = r#"{"type":"item.started","item":{"type":"command_execution","command":"bash -lc ls"}}"#;
        assert_eq!(summarize(codex).as_deref(), Some("bash -lc ls"));
        let usage = r#"{"type":"turn.completed","usage":{"input_tokens":10}}"#;
        assert_eq!(summarize(usage), None);
        assert_eq!(summarize("  "), None);
        assert_eq!(summarize("{not json"), Some("{not json".into()));
    }
}
