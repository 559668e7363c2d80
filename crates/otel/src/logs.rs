//! Logs: one record per stored event, with hookwatch's labels as
//! attributes and the session's trace and span ids, so a backend links the
//! record to the span of its tool call or turn.

use crate::common::{self, cap, first_line, Attrs, Facts};
use crate::resource::Resources;
use crate::Settings;
use hookwatch_store::{EventRow, Store};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs, SeverityNumber};
use std::collections::BTreeMap;

/// The request for a batch of events (events the config leaves out are
/// skipped), and how many records it holds.
pub fn build(
    events: &[EventRow],
    settings: &Settings,
    resources: &mut Resources,
    store: &Store,
    now_us: i64,
) -> (ExportLogsServiceRequest, usize) {
    let keep = |k: &str| settings.keeps_attribute(k);
    let mut by_project: BTreeMap<String, Vec<LogRecord>> = BTreeMap::new();
    let mut n = 0;
    for row in events {
        let f = Facts::new(row);
        if !settings.logs_event(f.event_name()) {
            continue;
        }
        let record = record(&f, settings, &keep, store, now_us);
        by_project
            .entry(f.project().to_string())
            .or_default()
            .push(record);
        n += 1;
    }
    let resource_logs = by_project
        .into_iter()
        .map(|(project, log_records)| ResourceLogs {
            resource: Some(common::resource(resources.of(&project), &keep)),
            scope_logs: vec![ScopeLogs {
                scope: Some(common::scope()),
                log_records,
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect();
    (ExportLogsServiceRequest { resource_logs }, n)
}

fn severity(f: &Facts<'_>) -> SeverityNumber {
    let row = f.row;
    match row.event.as_str() {
        "StopFailure" => SeverityNumber::Error,
        // The failure's own severity (class default or a user rule):
        // expected failures are info, what the agent can fix a warning.
        "PostToolUseFailure" => match row.severity.as_deref() {
            Some("info") => SeverityNumber::Info,
            Some("warning") => SeverityNumber::Warn,
            Some("critical") => SeverityNumber::Fatal,
            _ => SeverityNumber::Error,
        },
        "" => SeverityNumber::Warn,
        "HookRun" => {
            let hook = f.payload.get("hook");
            let code = hook
                .and_then(|h| h.get("exit_code"))
                .and_then(|c| c.as_i64());
            let cancelled = hook
                .and_then(|h| h.get("cancelled"))
                .is_some_and(|c| !c.is_null());
            if cancelled || code.is_some_and(|c| c != 0) {
                SeverityNumber::Warn
            } else {
                SeverityNumber::Info
            }
        }
        _ => match row.guard_decision.as_deref() {
            Some("deny") | Some("error") => SeverityNumber::Warn,
            _ => SeverityNumber::Info,
        },
    }
}

fn severity_text(s: SeverityNumber) -> &'static str {
    match s {
        SeverityNumber::Fatal => "FATAL",
        SeverityNumber::Error => "ERROR",
        SeverityNumber::Warn => "WARN",
        _ => "INFO",
    }
}

/// A short line a person reads in a log view.
pub fn summary(f: &Facts<'_>, include_prompts: bool) -> String {
    let row = f.row;
    let tool = row.tool_name.as_deref().unwrap_or("tool");
    let subject = f.tool_subject().map(|s| first_line(s, 120));
    let with_subject = |head: String| match &subject {
        Some(s) if !s.is_empty() => format!("{head}: {s}"),
        _ => head,
    };
    match row.event.as_str() {
        "PostToolUseFailure" => {
            let class = row.class.as_deref().unwrap_or("other");
            let err = row.error.as_deref().map(|e| first_line(e, 200));
            match err.filter(|e| !e.is_empty()) {
                Some(e) => format!("{tool} failed ({class}): {e}"),
                None => format!("{tool} failed ({class})"),
            }
        }
        "PostToolUse" => with_subject(format!("{tool} ran")),
        "PreToolUse" => match (row.guard_decision.as_deref(), f.guard_policy()) {
            (Some(d @ ("deny" | "ask")), policy) => with_subject(format!(
                "guard {} {tool} ({})",
                if d == "deny" { "denied" } else { "asked about" },
                policy.unwrap_or("policy")
            )),
            _ => with_subject(format!("{tool} requested")),
        },
        "StopFailure" => format!(
            "turn stopped on an API error: {}",
            row.error.as_deref().unwrap_or("unknown")
        ),
        "Notification" => format!(
            "notification: {}",
            first_line(f.field("message").unwrap_or(""), 200)
        ),
        "UserPromptSubmit" if include_prompts => {
            format!(
                "prompt: {}",
                first_line(f.field("prompt").unwrap_or(""), 200)
            )
        }
        "HookRun" => {
            let hook = f.payload.get("hook");
            let get = |k: &str| hook.and_then(|h| h.get(k));
            format!(
                "{} hook exited {} in {} ms: {}",
                get("event").and_then(|v| v.as_str()).unwrap_or("?"),
                get("exit_code").map_or("?".into(), |v| v.to_string()),
                get("duration_ms").map_or("?".into(), |v| v.to_string()),
                first_line(get("command").and_then(|v| v.as_str()).unwrap_or(""), 120)
            )
        }
        "" => "input that was not JSON".into(),
        other => other.to_string(),
    }
}

fn record(
    f: &Facts<'_>,
    settings: &Settings,
    keep: &dyn Fn(&str) -> bool,
    store: &Store,
    now_us: i64,
) -> LogRecord {
    let row = f.row;
    let sev = severity(f);
    let mut a = Attrs::new(keep);
    a.opt("session.id", f.session());
    a.opt("prompt.id", f.prompt_id());
    a.str("hookwatch.event", f.event_name());
    a.int("hookwatch.event_id", row.id);
    a.opt("gen_ai.tool.name", row.tool_name.as_deref());
    a.opt("gen_ai.tool.call.id", row.tool_use_id.as_deref());
    a.opt("gen_ai.agent.id", row.agent_id.as_deref());
    a.opt("hookwatch.mcp_server", row.mcp_server.as_deref());
    a.opt("hookwatch.cwd", row.cwd.as_deref());
    if let Some(d) = row.duration_ms {
        a.int("hookwatch.duration_ms", d);
    }
    if f.is_failure() {
        a.opt("error.type", row.class.as_deref());
        a.opt("hookwatch.failure.class", row.class.as_deref());
        if let Some(e) = row.expected {
            a.bool("hookwatch.failure.expected", e);
        }
        a.opt("hookwatch.failure.fingerprint", row.fingerprint.as_deref());
        a.opt("hookwatch.failure.severity", row.severity.as_deref());
        a.opt("hookwatch.error", row.error.as_deref());
        if let Some(i) = row.is_interrupt {
            a.bool("hookwatch.is_interrupt", i);
        }
        if let Some(fo) = &f.outcome.failure {
            if !fo.advice.is_empty() {
                a.str("hookwatch.advice", &fo.advice.join(","));
            }
            if fo.occurrence > 0 {
                a.int("hookwatch.failure.occurrence", fo.occurrence as i64);
            }
        }
    }
    a.opt("hookwatch.command_head", row.command_head.as_deref());
    if row.tool_name.as_deref() == Some("Bash") {
        a.opt("hookwatch.command", f.tool_subject());
    } else {
        a.opt("hookwatch.tool_subject", f.tool_subject());
    }
    if let Some(g) = &f.outcome.guard {
        a.opt("hookwatch.guard.decision", Some(g.decision.as_str()));
        a.opt("hookwatch.guard.policy", Some(g.policy.as_str()));
        a.opt("hookwatch.guard.reason", Some(g.reason.as_str()));
    } else {
        a.opt("hookwatch.guard.decision", row.guard_decision.as_deref());
    }
    if row.event == "StopFailure" {
        a.opt("error.type", row.error.as_deref());
        a.opt("hookwatch.stop_failure.error_type", row.error.as_deref());
        if let Ok(Some((state, kind))) = store.recover_decision(row.id) {
            a.str("hookwatch.recovery.decision", &state);
            a.str("hookwatch.recovery.kind", &kind);
        }
    }
    a.opt("hookwatch.notification_type", f.field("notification_type"));
    if settings.include_prompts && row.event == "UserPromptSubmit" {
        a.opt("hookwatch.prompt", f.field("prompt"));
    }
    if row.truncated {
        a.bool("hookwatch.truncated", true);
    }
    let (trace_id, span_id) = match f.session() {
        Some(s) => {
            let span = match (row.tool_use_id.as_deref(), f.prompt_id()) {
                (Some(t), _) if row.tool_name.is_some() => common::tool_span(s, t),
                (_, Some(p)) => common::turn_span(s, p),
                _ => common::session_span(s),
            };
            (common::trace_id(s), span)
        }
        None => (Vec::new(), Vec::new()),
    };
    LogRecord {
        time_unix_nano: (row.time_us.max(0) as u64) * 1000,
        observed_time_unix_nano: (now_us.max(0) as u64) * 1000,
        severity_number: sev as i32,
        severity_text: severity_text(sev).into(),
        body: Some(AnyValue {
            value: Some(any_value::Value::StringValue(cap(
                &summary(f, settings.include_prompts),
                common::MAX_TEXT,
            ))),
        }),
        attributes: a.done(),
        trace_id,
        span_id,
        event_name: format!("hookwatch.{}", f.event_name()),
        ..Default::default()
    }
}
