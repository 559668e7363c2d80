//! Claude Code hook events exactly as they arrive on stdin (contract of CLI
//! 2.1.330, see `../shared/reference/claude-code-hooks.md`), as a typed model.
//!
//! Two rules shape everything here:
//! * **Nothing is rejected.** Claude Code adds fields often. Fields we do not
//!   know, fields whose type is not the one we expect, and events we have
//!   never heard of are all kept (in [`Event::extra`] or as
//!   [`Body::Unknown`]); only bytes that are not a JSON object fail to parse.
//! * **One registry.** [`EVENTS`] is the single list of event names, what
//!   their matcher matches, and whether `hookwatch install` registers a
//!   recorder for them. Everything else (install, docs, tests) walks it.

mod registry;
pub mod transcript;
mod wire;

pub use registry::{event_info, EventInfo, InstallPolicy, EVENTS};
pub use wire::*;

use serde_json::{Map, Value};

/// The MCP server named in a tool name `mcp__<server>__<tool>`.
///
/// ```
/// use hookwatch_event::mcp_server_of;
/// assert_eq!(mcp_server_of("mcp__github__create_issue"), Some("github"));
/// assert_eq!(mcp_server_of("Bash"), None);
/// ```
pub fn mcp_server_of(tool_name: &str) -> Option<&str> {
    let rest = tool_name.strip_prefix("mcp__")?;
    let end = rest.find("__").unwrap_or(rest.len());
    let server = &rest[..end];
    (!server.is_empty()).then_some(server)
}

/// Why bytes could not be read as a hook event at all.
#[derive(Debug)]
pub enum ParseError {
    /// Not JSON (line and column are serde_json's, 1-based).
    NotJson {
        line: usize,
        column: usize,
        msg: String,
    },
    /// Valid JSON, but not an object (`[]`, `"x"`, `null`, ...).
    NotObject,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::NotJson { line, column, msg } => {
                write!(f, "stdin is not JSON (line {line}, column {column}): {msg}")
            }
            ParseError::NotObject => write!(f, "stdin is JSON but not an object"),
        }
    }
}

impl std::error::Error for ParseError {}

/// A hook event: the fields every event carries, the event's own fields, and
/// everything else that came with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `hook_event_name` as sent; empty when the field was missing.
    pub name: String,
    pub common: Common,
    pub body: Body,
    /// Fields no part of the model claimed, including known fields whose
    /// value had an unexpected type. Kept so nothing Claude Code sends is lost.
    pub extra: Map<String, Value>,
}

impl Event {
    /// Parse the JSON text of one hook event.
    pub fn parse(bytes: &[u8]) -> Result<Event, ParseError> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| ParseError::NotJson {
            line: e.line(),
            column: e.column(),
            msg: e.to_string(),
        })?;
        match value {
            Value::Object(map) => Ok(Event::from_map(map)),
            _ => Err(ParseError::NotObject),
        }
    }

    /// Build the model from an already parsed object.
    pub fn from_map(mut map: Map<String, Value>) -> Event {
        let common = Common::take(&mut map);
        let name = common.hook_event_name.clone().unwrap_or_default();
        let body = Body::take(&name, &mut map);
        Event {
            name,
            common,
            body,
            extra: map,
        }
    }

    /// The tool involved, for tool events (and `PostToolBatch`: none).
    pub fn tool_name(&self) -> Option<&str> {
        match &self.body {
            Body::PreToolUse(b) => b.tool.tool_name.as_deref(),
            Body::PostToolUse(b) => b.tool.tool_name.as_deref(),
            Body::PostToolUseFailure(b) => b.tool.tool_name.as_deref(),
            Body::PermissionRequest(b) => b.tool_name.as_deref(),
            Body::PermissionDenied(b) => b.tool.tool_name.as_deref(),
            _ => None,
        }
    }

    /// The shared tool fields of PreToolUse, PostToolUse, PostToolUseFailure
    /// and PermissionDenied.
    pub fn tool_call(&self) -> Option<&ToolCall> {
        match &self.body {
            Body::PreToolUse(b) => Some(&b.tool),
            Body::PostToolUse(b) => Some(&b.tool),
            Body::PostToolUseFailure(b) => Some(&b.tool),
            Body::PermissionDenied(b) => Some(&b.tool),
            _ => None,
        }
    }

    pub fn tool_input(&self) -> Option<&Value> {
        match &self.body {
            Body::PermissionRequest(b) => b.tool_input.as_ref(),
            _ => self.tool_call()?.tool_input.as_ref(),
        }
    }

    /// `mcp_server.name` of an MCP tool event.
    pub fn mcp_server(&self) -> Option<&str> {
        match &self.body {
            Body::PermissionRequest(b) => b.mcp_server.as_ref()?.name.as_deref(),
            _ => self.tool_call()?.mcp_server.as_ref()?.name.as_deref(),
        }
    }

    pub fn tool_use_id(&self) -> Option<&str> {
        match &self.body {
            Body::PreToolUse(b) => b.tool.tool_use_id.as_deref(),
            Body::PostToolUse(b) => b.tool.tool_use_id.as_deref(),
            Body::PostToolUseFailure(b) => b.tool.tool_use_id.as_deref(),
            Body::PermissionDenied(b) => b.tool.tool_use_id.as_deref(),
            _ => None,
        }
    }

    /// The failure text: PostToolUseFailure's `error`, StopFailure's error
    /// type (`rate_limit`, ...).
    pub fn error(&self) -> Option<&str> {
        match &self.body {
            Body::PostToolUseFailure(b) => b.error.as_deref(),
            Body::StopFailure(b) => b.error.as_deref(),
            _ => None,
        }
    }

    pub fn is_interrupt(&self) -> Option<bool> {
        match &self.body {
            Body::PostToolUseFailure(b) => b.is_interrupt,
            _ => None,
        }
    }

    pub fn duration_ms(&self) -> Option<u64> {
        match &self.body {
            Body::PostToolUse(b) => b.duration_ms,
            Body::PostToolUseFailure(b) => b.duration_ms,
            _ => None,
        }
    }

    /// Whether this event's name is one of the 33 of the reference version.
    pub fn is_known(&self) -> bool {
        !matches!(self.body, Body::Unknown)
    }
}

/// Remove `key` from `map` and convert it, leniently: a `null` counts as
/// missing, and a value of the wrong type stays in the map (so it ends up in
/// [`Event::extra`]) instead of failing the event.
pub(crate) fn take<T: serde::de::DeserializeOwned>(
    map: &mut Map<String, Value>,
    key: &str,
) -> Option<T> {
    match map.get(key)? {
        Value::Null => {
            map.remove(key);
            None
        }
        v => match T::deserialize(v) {
            Ok(t) => {
                map.remove(key);
                Some(t)
            }
            Err(_) => None,
        },
    }
}

#[cfg(test)]
mod tests;
