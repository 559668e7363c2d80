//! Sentry envelope with one event. The `event_id` derives from the
//! notification key, so a retry is deduplicated by Sentry; the fingerprint
//! derives from the group, so one group is one Sentry issue.

//!
//! Attention notifications: Sentry tracks errors, so only the "failed"
//! kind belongs here (see `accepts_attention`); it renders as the alert it
//! carries, with the attention facts as tags and extra. Should another
//! kind be sent anyway, it goes out at level `info`.

use super::{attention_lines, plain_text, AttentionView, Kind};
use crate::secrets::Dsn;
use crate::text::{
    class_of, cut_bytes, cut_chars, no_escape, sha256_hex, tool_of, user_agent, Facts, Unit,
    VERSION,
};
use crate::time::{event_time, rfc3339_s};
use crate::{Notification, Rendered, Severity, Status};
use serde_json::{json, Map, Value};

const MESSAGE_MAX: usize = 8192;
const TAG_MAX: usize = 200;
/// Sentry keeps extra values up to 16 kB each.
const EXTRA_ITEM_MAX: usize = 16_000;

pub(crate) fn render(
    dsn: &Dsn,
    hostname: &str,
    n: &Notification,
    now_unix_s: i64,
) -> Result<Rendered, String> {
    let event_id = event_id(n);
    let event = serde_json::to_vec(&event(&event_id, dsn, hostname, n, now_unix_s))
        .map_err(|e| e.to_string())?;
    let header = json!({
        "event_id": event_id,
        "sent_at": rfc3339_s(now_unix_s),
        "dsn": dsn.public_dsn,
    });
    let item_header = json!({"type": "event", "length": event.len()});
    let mut body = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
    body.push(b'\n');
    body.extend(serde_json::to_vec(&item_header).map_err(|e| e.to_string())?);
    body.push(b'\n');
    body.extend(&event);
    body.push(b'\n');
    Ok(Rendered::Http {
        method: "POST".to_string(),
        url: dsn.endpoint.clone(),
        headers: vec![
            (
                "X-Sentry-Auth".to_string(),
                format!(
                    "Sentry sentry_version=7, sentry_client=hookwatch/{VERSION}, sentry_key={}",
                    dsn.public_key
                ),
            ),
            (
                "Content-Type".to_string(),
                "application/x-sentry-envelope".to_string(),
            ),
            ("User-Agent".to_string(), user_agent()),
        ],
        body,
    })
}

/// 32 lowercase hex digits, the same on every retry of the notification.
pub(crate) fn event_id(n: &Notification) -> String {
    let basis = if n.key.is_empty() {
        format!("row-{}", n.id)
    } else {
        n.key.clone()
    };
    sha256_hex("sentry-event-id", &basis)[..32].to_string()
}

fn level(n: &Notification) -> &'static str {
    if n.status == Status::Resolved {
        return "info";
    }
    if n.attention
        .as_ref()
        .is_some_and(|a| Kind::of(&a.kind) != Kind::Failed)
    {
        return "info";
    }
    match n.severity {
        Severity::Critical => "fatal",
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn event(event_id: &str, dsn: &Dsn, hostname: &str, n: &Notification, now_unix_s: i64) -> Value {
    let f = Facts::of(n);
    let mut tags = Map::new();
    let mut tag = |k: &str, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            tags.insert(
                k.to_string(),
                cut_chars(&crate::text::one_line(v), TAG_MAX).into(),
            );
        }
    };
    let tool = f.newest.and_then(tool_of);
    tag("tool", tool.as_deref());
    tag("class", f.newest.and_then(class_of));
    tag("project", f.project);
    tag("session", f.session);
    tag("event", f.newest.map(|a| a.event.as_str()));
    tag("route", Some(n.route.as_str()));
    if n.test {
        tag("test", Some("true"));
    }
    if let Some(a) = &n.attention {
        tag("attention", Some(a.kind.as_str()));
        tag("cause", Some(a.cause.as_str()));
        tag("branch", a.branch.as_deref());
        tag("session_name", a.session_name.as_deref());
    }
    let group = if !n.group_key.is_empty() {
        n.group_key.clone()
    } else {
        f.newest
            .and_then(|a| a.fingerprint.clone())
            .unwrap_or_else(|| n.key.clone())
    };
    let mut fingerprint = vec!["hookwatch".to_string(), cut_chars(&group, TAG_MAX)];
    if n.status == Status::Resolved {
        // A resolve note must not reopen the group's issue.
        fingerprint.push("resolved".to_string());
    }
    let mut message = match AttentionView::of(n) {
        Some(v) => {
            let title = cut_bytes(&v.title, 1024);
            let room = MESSAGE_MAX.saturating_sub(title.len() + 1);
            let lines = attention_lines(&v, room, Unit::Bytes, no_escape);
            format!("{title}\n{lines}").trim_end().to_string()
        }
        None => plain_text(n, true, MESSAGE_MAX, 20),
    };
    if n.status == Status::Resolved && !message.starts_with("Resolved") {
        message = cut_chars(&format!("Resolved: {message}"), MESSAGE_MAX);
    }
    let mut ev = json!({
        "event_id": event_id,
        "timestamp": event_time(n.created_us, now_unix_s),
        "platform": "other",
        "level": level(n),
        "logger": "hookwatch",
        "server_name": hostname,
        "message": {"formatted": message},
        "tags": tags,
        "fingerprint": fingerprint,
        "extra": extra(n),
        "sdk": {"name": "hookwatch", "version": VERSION},
    });
    if let Some(env) = &dsn.environment {
        ev["environment"] = cut_chars(env, 64).into();
    }
    ev
}

/// The alerts as structured data, each extra item within Sentry's limit.
fn extra(n: &Notification) -> Value {
    let mut alerts: Vec<Value> = n
        .alerts
        .iter()
        .map(|a| {
            json!({
                "event_id": a.event_id,
                "event": a.event,
                "tool": tool_of(a),
                "class": class_of(a),
                "command": a.command.as_deref().map(|c| cut_chars(c, 1000)),
                "error": a.error.as_deref().map(|e| cut_chars(e, 2000)),
                "count": a.count,
                "details": a.show_hint(),
            })
        })
        .collect();
    let mut omitted = n.omitted;
    while !alerts.is_empty() && serde_json::to_vec(&alerts).map_or(0, |v| v.len()) > EXTRA_ITEM_MAX
    {
        alerts.remove(0);
        omitted += 1;
    }
    let labels: Map<String, Value> = n
        .labels
        .iter()
        .take(50)
        .map(|(k, v)| (cut_chars(k, 100), cut_chars(v, 500).into()))
        .collect();
    let mut extra = json!({
        "alerts": alerts,
        "omitted": omitted,
        "labels": labels,
        "notification_key": cut_chars(&n.key, 200),
    });
    if let Some(a) = &n.attention {
        let mut a = a.clone();
        // Within the 16 kB of one extra item, escapes included.
        a.message = a.message.map(|m| cut_chars(&m, 2000));
        extra["attention"] = serde_json::to_value(a).unwrap_or_default();
    }
    extra
}
