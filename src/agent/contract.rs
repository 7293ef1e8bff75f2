//! The agent result contract of DESIGN §6.1: what an agent reports (`AgentResult`) and
//! what a reviewer answers (`ReviewVerdict`), parsed leniently from JSON text.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// How an agent says its task went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultStatus {
    /// The work is done.
    Done,
    /// The agent needs an answer from a person (`question`).
    Blocked,
    /// The agent gave up.
    Failed,
}

/// An agent's report, read from `AOS_RESULT` or an ```` ```aos-result ```` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentResult {
    /// How the task went.
    pub status: ResultStatus,
    /// What the agent did, in a few sentences.
    #[serde(default, deserialize_with = "text")]
    pub summary: String,
    /// The question for a person when `status` is `blocked`.
    #[serde(default, deserialize_with = "optional_text")]
    pub question: Option<String>,
    /// Named outputs that later tasks reference as `${ID.outputs.name}`.
    #[serde(default, deserialize_with = "string_map")]
    pub outputs: BTreeMap<String, String>,
    /// Things worth remembering for later tasks.
    #[serde(default, deserialize_with = "string_list")]
    pub learnings: Vec<String>,
    /// Decisions the agent took.
    #[serde(default, deserialize_with = "string_list")]
    pub decisions: Vec<String>,
    /// Problems the agent noticed and left.
    #[serde(default, deserialize_with = "string_list")]
    pub issues: Vec<String>,
}

/// A reviewer's decision on a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The change can go ahead.
    Approve,
    /// The implementer must change something first.
    #[serde(alias = "changes_requested", alias = "request-changes")]
    RequestChanges,
    /// The change must not land; a person decides.
    Block,
}

/// How much a review comment matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Must be fixed.
    #[serde(
        alias = "critical",
        alias = "blocker",
        alias = "major",
        alias = "error"
    )]
    High,
    /// Should be fixed.
    #[serde(alias = "warning", alias = "moderate")]
    Medium,
    /// Could be fixed.
    #[serde(alias = "minor", alias = "nit", alias = "info", alias = "trivial")]
    Low,
}

/// One remark of a reviewer, optionally tied to a place in the diff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewComment {
    /// How much it matters.
    pub severity: Severity,
    /// File the remark is about.
    #[serde(default)]
    pub path: Option<String>,
    /// Line in that file.
    #[serde(default)]
    pub line: Option<u64>,
    /// The remark.
    #[serde(default, alias = "body", deserialize_with = "text")]
    pub message: String,
}

/// A reviewer's answer, read from `AOS_RESULT`, an ```` ```aos-review ```` block, or the
/// final message itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewVerdict {
    /// The decision.
    pub verdict: Verdict,
    /// Why, in a few sentences.
    #[serde(default, deserialize_with = "text")]
    pub summary: String,
    /// Remarks on the diff.
    #[serde(default)]
    pub comments: Vec<ReviewComment>,
}

impl ResultStatus {
    /// Returns the status as the contract spells it (`done`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Blocked => "blocked",
            Self::Failed => "failed",
        }
    }
}

impl Verdict {
    /// Returns the verdict as the contract spells it (`request_changes`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::RequestChanges => "request_changes",
            Self::Block => "block",
        }
    }
}

impl Severity {
    /// Returns the severity as the contract spells it (`high`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
}

impl AgentResult {
    /// Returns the result parsed from JSON text, or why it is not one.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text.trim()).map_err(|e| format!("not a valid agent result: {e}"))
    }
}

impl ReviewVerdict {
    /// Returns the verdict parsed from JSON text, or why it is not one.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text.trim()).map_err(|e| format!("not a valid review verdict: {e}"))
    }
}

/// Returns the body of the last fenced block whose info string is `info`
/// (```` ```aos-result ````), if the text has one.
pub fn fenced_block<'a>(text: &'a str, info: &str) -> Option<&'a str> {
    let mut found = None;
    let mut open: Option<(usize, usize)> = None; // (fence length, body start)
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        let ticks = trimmed.bytes().take_while(|&b| b == b'`').count();
        match open {
            None if ticks >= 3 && trimmed[ticks..].trim() == info => {
                open = Some((ticks, offset + line.len()));
            }
            Some((len, start)) if ticks >= len && trimmed.len() == ticks => {
                found = Some(&text[start..offset]);
                open = None;
            }
            _ => {}
        }
        offset += line.len();
    }
    found
}

/// Returns the JSON Schema of a review verdict, strict enough for codex `--output-schema`
/// (every property required, no extra properties).
pub fn review_schema() -> String {
    let schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "git-aos review verdict",
        "type": "object",
        "additionalProperties": false,
        "required": ["verdict", "summary", "comments"],
        "properties": {
            "verdict": {"type": "string", "enum": ["approve", "request_changes", "block"]},
            "summary": {"type": "string"},
            "comments": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["severity", "path", "line", "message"],
                    "properties": {
                        "severity": {"type": "string", "enum": ["high", "medium", "low"]},
                        "path": {"type": ["string", "null"]},
                        "line": {"type": ["integer", "null"]},
                        "message": {"type": "string"}
                    }
                }
            }
        }
    });
    format!("{schema:#}\n")
}

/// Returns a value as text: strings as they are, `null` as empty, anything else as JSON.
fn value_text(v: Value) -> String {
    match v {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(value_text(Value::deserialize(d)?))
}

fn optional_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = value_text(Value::deserialize(d)?);
    Ok((!s.trim().is_empty()).then_some(s))
}

/// Accepts a list, a single string or `null`.
fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items.into_iter().map(value_text).collect(),
        Value::Null => Vec::new(),
        other => vec![value_text(other)],
    })
}

/// Accepts an object of any scalar values, or `null`.
fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Object(map) => Ok(map.into_iter().map(|(k, v)| (k, value_text(v))).collect()),
        Value::Null => Ok(BTreeMap::new()),
        _ => Err(serde::de::Error::custom("`outputs` must be an object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_read_leniently() {
        let r = AgentResult::from_json(
            r#"{"status":"done","summary":null,"question":"","outputs":{"path":"src/a.rs","n":3},
                "learnings":"one","decisions":null,"extra":true}"#,
        )
        .unwrap();
        assert_eq!(r.status, ResultStatus::Done);
        assert_eq!(r.summary, "");
        assert_eq!(r.question, None);
        assert_eq!(r.outputs["n"], "3");
        assert_eq!(r.learnings, ["one"]);
        assert!(r.decisions.is_empty() && r.issues.is_empty());
    }

    #[test]
    fn a_result_without_a_known_status_is_refused() {
        assert!(AgentResult::from_json(r#"{"status":"success"}"#).is_err());
        assert!(AgentResult::from_json(r#"{"summary":"x"}"#).is_err());
        assert!(AgentResult::from_json("not json").is_err());
    }

    #[test]
    fn verdicts_accept_common_synonyms() {
        let v = ReviewVerdict::from_json(
            r#"{"verdict":"changes_requested","summary":"s",
                "comments":[{"severity":"nit","path":"a.rs","line":3,"message":"m"},
                            {"severity":"critical","body":"b"}]}"#,
        )
        .unwrap();
        assert_eq!(v.verdict, Verdict::RequestChanges);
        assert_eq!(v.comments[0].severity, Severity::Low);
        assert_eq!(v.comments[1].severity, Severity::High);
        assert_eq!(v.comments[1].message, "b");
        assert!(ReviewVerdict::from_json(r#"{"verdict":"maybe"}"#).is_err());
    }

    #[test]
    fn the_last_fenced_block_with_the_info_string_wins() {
        let text = "intro\n```aos-result\n{\"a\":1}\n```\nmore\n````aos-result\n{\"b\":2}\n```\n````\n```json\n{}\n```\n";
        assert_eq!(fenced_block(text, "aos-result"), Some("{\"b\":2}\n```\n"));
        assert_eq!(
            fenced_block("```aos-result\nunclosed\n", "aos-result"),
            None
        );
        assert_eq!(fenced_block(text, "aos-review"), None);
    }

    #[test]
    fn the_review_schema_is_valid_json_requiring_every_property() {
        let schema: Value = serde_json::from_str(&review_schema()).unwrap();
        assert_eq!(
            schema["required"],
            serde_json::json!(["verdict", "summary", "comments"])
        );
        assert_eq!(
            schema["properties"]["verdict"]["enum"][1],
            "request_changes"
        );
    }
}
