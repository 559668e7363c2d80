//! Traces: a session is a trace. Its root span ("session") is sent at
//! SessionEnd; each turn is a span ("turn", from the prompt to Stop or
//! StopFailure) under it; each tool call a span ("execute_tool <tool>",
//! PreToolUse to PostToolUse/PostToolUseFailure) under its turn. Span ids
//! are derived from the session, prompt and tool-use ids, so a span sent
//! before its parent still joins it, and a resend is the same span.
//!
//! Spans are built when their closing event is exported: the start is
//! looked up in the store (the PreToolUse of the call, the turn's prompt).

use crate::common::{self, first_line, Attrs, Facts};
use crate::resource::Resources;
use crate::Settings;
use hookwatch_store::{EventRow, Store};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::span::{Event, SpanKind};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use std::collections::BTreeMap;

pub fn build(
    events: &[EventRow],
    settings: &Settings,
    resources: &mut Resources,
    store: &Store,
) -> (ExportTraceServiceRequest, usize) {
    let keep = |k: &str| settings.keeps_attribute(k);
    let mut by_project: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    let mut n = 0;
    for row in events {
        let f = Facts::new(row);
        if let Some(span) = span(&f, &keep, store) {
            by_project
                .entry(f.project().to_string())
                .or_default()
                .push(span);
            n += 1;
        }
    }
    let resource_spans = by_project
        .into_iter()
        .map(|(project, spans)| ResourceSpans {
            resource: Some(common::resource(resources.of(&project), &keep)),
            scope_spans: vec![ScopeSpans {
                scope: Some(common::scope()),
                spans,
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect();
    (ExportTraceServiceRequest { resource_spans }, n)
}

fn ns(us: i64) -> u64 {
    (us.max(0) as u64) * 1000
}

/// The span an event closes, if any.
fn span(f: &Facts<'_>, keep: &dyn Fn(&str) -> bool, store: &Store) -> Option<Span> {
    let row = f.row;
    let session = f.session()?;
    let turn = || match f.prompt_id() {
        Some(p) => common::turn_span(session, p),
        None => common::session_span(session),
    };
    // A subagent's calls sit under the subagent's span, the rest under
    // their turn.
    let parent_turn = || match row.agent_id.as_deref().filter(|a| !a.is_empty()) {
        Some(agent) => common::span_id(&["agent", session, agent]),
        None => turn(),
    };
    let mut a = Attrs::new(keep);
    a.str("session.id", session);
    a.opt("prompt.id", f.prompt_id());
    match row.event.as_str() {
        "PostToolUse" | "PostToolUseFailure" => {
            let tool_use = row.tool_use_id.as_deref()?;
            let tool = row.tool_name.as_deref().unwrap_or("tool");
            let start = store
                .tool_call_start(session, tool_use, row.id)
                .ok()
                .flatten()
                .or_else(|| row.duration_ms.map(|d| row.time_us - d * 1000))
                .unwrap_or(row.time_us)
                .min(row.time_us);
            tool_attrs(&mut a, f);
            let status = if f.is_failure() {
                let class = row.class.as_deref().unwrap_or("other");
                a.str("error.type", class);
                a.opt("hookwatch.failure.fingerprint", row.fingerprint.as_deref());
                if let Some(e) = row.expected {
                    a.bool("hookwatch.failure.expected", e);
                }
                let err = row.error.as_deref().map(|e| first_line(e, 200));
                Some(Status {
                    code: StatusCode::Error as i32,
                    message: match err.filter(|e| !e.is_empty()) {
                        Some(e) => format!("{class}: {e}"),
                        None => class.to_string(),
                    },
                })
            } else {
                None
            };
            Some(Span {
                trace_id: common::trace_id(session),
                span_id: common::tool_span(session, tool_use),
                parent_span_id: parent_turn(),
                name: format!("execute_tool {tool}"),
                kind: SpanKind::Internal as i32,
                start_time_unix_nano: ns(start),
                end_time_unix_nano: ns(row.time_us),
                attributes: a.done(),
                status,
                ..Default::default()
            })
        }
        // A call the guard stopped never runs: a zero-length span.
        "PreToolUse" if row.guard_decision.as_deref() == Some("deny") => {
            let tool = row.tool_name.as_deref().unwrap_or("tool");
            let id_part = row.id.to_string();
            let span_id = match row.tool_use_id.as_deref() {
                Some(t) => common::tool_span(session, t),
                None => common::span_id(&["event", &id_part]),
            };
            tool_attrs(&mut a, f);
            let policy = f.guard_policy().unwrap_or("policy");
            a.str("hookwatch.guard.decision", "deny");
            a.str("hookwatch.guard.policy", policy);
            a.str("error.type", "guard_denied");
            Some(Span {
                trace_id: common::trace_id(session),
                span_id,
                parent_span_id: parent_turn(),
                name: format!("execute_tool {tool}"),
                kind: SpanKind::Internal as i32,
                start_time_unix_nano: ns(row.time_us),
                end_time_unix_nano: ns(row.time_us),
                attributes: a.done(),
                status: Some(Status {
                    code: StatusCode::Error as i32,
                    message: format!("blocked by guard policy {policy}"),
                }),
                ..Default::default()
            })
        }
        "Stop" | "StopFailure" => {
            let continued =
                f.payload.get("stop_hook_active").and_then(|v| v.as_bool()) == Some(true);
            let start = if continued {
                // From the Stop a hook blocked.
                store.previous_event(session, &["Stop", "StopFailure"], row.id)
            } else {
                store.turn_start(session, row.id)
            }
            .ok()
            .flatten()
            .unwrap_or(row.time_us)
            .min(row.time_us);
            let (span_id, parent, name) = match (continued, f.prompt_id()) {
                // A Stop hook blocked and the turn went on: this part of
                // the turn is its own span under the turn's.
                (true, Some(p)) => (
                    common::span_id(&["turn-continued", session, &row.id.to_string()]),
                    common::turn_span(session, p),
                    "turn.continued",
                ),
                (false, Some(p)) => (
                    common::turn_span(session, p),
                    common::session_span(session),
                    "turn",
                ),
                (_, None) => (
                    common::span_id(&["turn-at", session, &row.id.to_string()]),
                    common::session_span(session),
                    "turn",
                ),
            };
            let mut events = Vec::new();
            let mut status = None;
            if row.event == "StopFailure" {
                let error = row.error.as_deref().unwrap_or("unknown");
                let mut e = Attrs::new(keep);
                e.str("error.type", error);
                if let Ok(Some((state, kind))) = store.recover_decision(row.id) {
                    e.str("hookwatch.recovery.decision", &state);
                    e.str("hookwatch.recovery.kind", &kind);
                }
                if let Some(m) = f.field("last_assistant_message") {
                    e.str("hookwatch.message", &first_line(m, 300));
                }
                events.push(Event {
                    time_unix_nano: ns(row.time_us),
                    name: "stop_failure".into(),
                    attributes: e.done(),
                    ..Default::default()
                });
                a.str("error.type", error);
                status = Some(Status {
                    code: StatusCode::Error as i32,
                    message: format!("API error: {error}"),
                });
            }
            Some(Span {
                trace_id: common::trace_id(session),
                span_id,
                parent_span_id: parent,
                name: name.into(),
                kind: SpanKind::Internal as i32,
                start_time_unix_nano: ns(start),
                end_time_unix_nano: ns(row.time_us),
                attributes: a.done(),
                events,
                status,
                ..Default::default()
            })
        }
        "SubagentStop" => {
            let agent = row.agent_id.as_deref().filter(|a| !a.is_empty())?;
            let start = store
                .subagent_start(session, agent, row.id)
                .ok()
                .flatten()
                .unwrap_or(row.time_us)
                .min(row.time_us);
            a.str("gen_ai.agent.id", agent);
            a.opt("gen_ai.agent.name", f.field("agent_type"));
            Some(Span {
                trace_id: common::trace_id(session),
                span_id: common::span_id(&["agent", session, agent]),
                parent_span_id: turn(),
                name: format!("subagent {}", f.field("agent_type").unwrap_or("agent")),
                kind: SpanKind::Internal as i32,
                start_time_unix_nano: ns(start),
                end_time_unix_nano: ns(row.time_us),
                attributes: a.done(),
                ..Default::default()
            })
        }
        "SessionEnd" => {
            // A session resumed (`claude --resume`, recovery) ends again: the
            // root was sent at its first end; each later run is its own span
            // under it.
            let earlier_end = store
                .previous_event(session, &["SessionEnd"], row.id)
                .ok()
                .flatten();
            let start = match earlier_end {
                Some(t) => Some(t),
                None => store.session_start(session).ok().flatten(),
            }
            .unwrap_or(row.time_us)
            .min(row.time_us);
            let mut a = Attrs::new(keep);
            a.str("session.id", session);
            a.opt("hookwatch.session_end.reason", f.field("reason"));
            let (span_id, parent, name) = match earlier_end {
                None => (common::session_span(session), Vec::new(), "session"),
                Some(_) => (
                    common::span_id(&["session-run", session, &row.id.to_string()]),
                    common::session_span(session),
                    "session.resumed",
                ),
            };
            Some(Span {
                trace_id: common::trace_id(session),
                span_id,
                parent_span_id: parent,
                name: name.into(),
                kind: SpanKind::Internal as i32,
                start_time_unix_nano: ns(start),
                end_time_unix_nano: ns(row.time_us),
                attributes: a.done(),
                ..Default::default()
            })
        }
        _ => None,
    }
}

fn tool_attrs(a: &mut Attrs<'_>, f: &Facts<'_>) {
    let row = f.row;
    a.str("gen_ai.operation.name", "execute_tool");
    a.opt("gen_ai.tool.name", row.tool_name.as_deref());
    a.opt("gen_ai.tool.call.id", row.tool_use_id.as_deref());
    a.opt("gen_ai.agent.id", row.agent_id.as_deref());
    a.opt("hookwatch.mcp_server", row.mcp_server.as_deref());
    a.opt("hookwatch.command_head", row.command_head.as_deref());
    a.int("hookwatch.event_id", row.id);
}
