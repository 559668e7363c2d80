//! What the three signals share: ids derived from the session, attribute
//! lists that honour `exclude_attributes`, and the facts of one stored
//! event read once.

use hookwatch_store::spool::Outcome;
use hookwatch_store::EventRow;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use serde_json::Value;

/// Longest string attribute sent (commands, error texts): backends cap
/// attribute sizes, and these are already in the local store in full.
pub const MAX_TEXT: usize = 4096;

/// A session is a trace: the same 16 bytes on every machine and resend.
pub fn trace_id(session: &str) -> Vec<u8> {
    hash(&["trace", session], 16)
}

pub fn span_id(parts: &[&str]) -> Vec<u8> {
    hash(parts, 8)
}

fn hash(parts: &[&str], n: usize) -> Vec<u8> {
    let mut h = blake3::Hasher::new();
    h.update(b"hookwatch.otel\0");
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let mut out = h.finalize().as_bytes()[..n].to_vec();
    // All-zero ids are invalid in OTLP.
    if out.iter().all(|&b| b == 0) {
        out[0] = 1;
    }
    out
}

/// The root span of a session's trace.
pub fn session_span(session: &str) -> Vec<u8> {
    span_id(&["session", session])
}

/// A turn's span: by its prompt id (every event of the turn carries it).
pub fn turn_span(session: &str, prompt_id: &str) -> Vec<u8> {
    span_id(&["turn", session, prompt_id])
}

pub fn tool_span(session: &str, tool_use_id: &str) -> Vec<u8> {
    span_id(&["tool", session, tool_use_id])
}

/// An attribute list that leaves out what the config excludes.
pub struct Attrs<'a> {
    keep: &'a dyn Fn(&str) -> bool,
    pub list: Vec<KeyValue>,
}

pub fn kv(key: &str, v: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.to_string(),
        value: Some(AnyValue { value: Some(v) }),
        ..Default::default()
    }
}

impl<'a> Attrs<'a> {
    pub fn new(keep: &'a dyn Fn(&str) -> bool) -> Attrs<'a> {
        Attrs {
            keep,
            list: Vec::new(),
        }
    }

    pub fn str(&mut self, key: &str, v: &str) {
        if (self.keep)(key) {
            self.list
                .push(kv(key, any_value::Value::StringValue(cap(v, MAX_TEXT))));
        }
    }

    pub fn opt(&mut self, key: &str, v: Option<&str>) {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            self.str(key, v);
        }
    }

    pub fn int(&mut self, key: &str, v: i64) {
        if (self.keep)(key) {
            self.list.push(kv(key, any_value::Value::IntValue(v)));
        }
    }

    pub fn bool(&mut self, key: &str, v: bool) {
        if (self.keep)(key) {
            self.list.push(kv(key, any_value::Value::BoolValue(v)));
        }
    }

    pub fn done(self) -> Vec<KeyValue> {
        self.list
    }
}

/// At most `max` characters, marked when cut.
pub fn cap(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub(3);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

pub fn first_line(s: &str, max: usize) -> String {
    cap(
        s.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim(),
        max,
    )
}

pub fn resource(attrs: &[(String, String)], keep: &dyn Fn(&str) -> bool) -> Resource {
    let mut a = Attrs::new(keep);
    for (k, v) in attrs {
        a.str(k, v);
    }
    Resource {
        attributes: a.done(),
        ..Default::default()
    }
}

pub fn scope() -> InstrumentationScope {
    InstrumentationScope {
        name: "hookwatch".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        ..Default::default()
    }
}

/// One stored event, its payload and the hook's outcome parsed once.
pub struct Facts<'a> {
    pub row: &'a EventRow,
    pub payload: Value,
    pub outcome: Outcome,
}

impl<'a> Facts<'a> {
    pub fn new(row: &'a EventRow) -> Facts<'a> {
        Facts {
            row,
            payload: row
                .payload
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok())
                .unwrap_or(Value::Null),
            outcome: row
                .outcome
                .as_deref()
                .and_then(|o| serde_json::from_str(o).ok())
                .unwrap_or_default(),
        }
    }

    /// A top-level string field of the payload.
    pub fn field(&self, key: &str) -> Option<&str> {
        self.payload.get(key).and_then(Value::as_str)
    }

    pub fn session(&self) -> Option<&str> {
        self.row.session_id.as_deref().filter(|s| !s.is_empty())
    }

    pub fn prompt_id(&self) -> Option<&str> {
        self.field("prompt_id").filter(|s| !s.is_empty())
    }

    pub fn project(&self) -> &str {
        self.row.project.as_deref().unwrap_or("")
    }

    /// The tool call's command, file or URL: what a person recognises.
    pub fn tool_subject(&self) -> Option<&str> {
        let input = self.payload.get("tool_input")?;
        ["command", "file_path", "url", "pattern", "path", "query"]
            .iter()
            .find_map(|k| input.get(k).and_then(Value::as_str))
    }

    pub fn guard_policy(&self) -> Option<&str> {
        self.outcome
            .guard
            .as_ref()
            .map(|g| g.policy.as_str())
            .filter(|p| !p.is_empty())
    }

    /// The event's own name, `unparseable` for input that was not JSON.
    pub fn event_name(&self) -> &str {
        if self.row.event.is_empty() {
            "unparseable"
        } else {
            &self.row.event
        }
    }

    pub fn is_failure(&self) -> bool {
        self.row.event == "PostToolUseFailure"
    }

    pub fn advice_given(&self) -> bool {
        self.outcome
            .failure
            .as_ref()
            .is_some_and(|f| !f.advice.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(trace_id("s1"), trace_id("s1"));
        assert_ne!(trace_id("s1"), trace_id("s2"));
        assert_eq!(trace_id("s1").len(), 16);
        assert_eq!(session_span("s1").len(), 8);
        assert_ne!(turn_span("s", "p"), tool_span("s", "p"));
        // Length-prefixed parts: ("ab","c") is not ("a","bc").
        assert_ne!(span_id(&["ab", "c"]), span_id(&["a", "bc"]));
    }

    #[test]
    fn cap_cuts_on_a_char_boundary() {
        assert_eq!(cap("abc", 5), "abc");
        assert_eq!(cap("ééééé", 6), "é...");
        assert_eq!(first_line("\n  one \ntwo", 50), "one");
    }
}
