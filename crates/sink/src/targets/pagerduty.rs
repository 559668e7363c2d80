//! PagerDuty Events API v2: trigger with a `dedup_key` derived from the
//! group, so repeated notifications of one group land in one incident and a
//! resolve closes it.

//!
//! Attention notifications: PagerDuty pages people, so only the "failed"
//! kind belongs here (see `accepts_attention`). It renders as the alert it
//! carries, with the attention facts in `custom_details`. Should another
//! kind be sent anyway, it goes out at `info` severity, never higher.

use super::{headline, Kind};
use crate::text::{class_of, cut_chars, one_line, sha256_hex, tool_of, Facts};
use crate::time::event_time;
use crate::{Notification, Rendered, Severity, Status};
use serde_json::{json, Map, Value};

const SUMMARY_MAX: usize = 1024;
const BODY_MAX: usize = 512_000;

pub(crate) fn render(
    url: &str,
    routing_key: &str,
    hostname: &str,
    n: &Notification,
    now_unix_s: i64,
) -> Result<Rendered, String> {
    let body = body(routing_key, hostname, n, now_unix_s);
    Ok(Rendered::Http {
        method: "POST".to_string(),
        url: url.to_string(),
        headers: vec![("Content-Type".to_string(), "application/json".to_string())],
        body,
    })
}

/// ≤ 255 characters and the same for every notification of the group.
pub(crate) fn dedup_key(n: &Notification) -> String {
    let basis = if n.group_key.is_empty() {
        &n.key
    } else {
        &n.group_key
    };
    format!("hookwatch-{}", &sha256_hex("pagerduty-dedup", basis)[..32])
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn body(routing_key: &str, hostname: &str, n: &Notification, now_unix_s: i64) -> Vec<u8> {
    let dedup = dedup_key(n);
    if n.status == Status::Resolved {
        let v = json!({
            "routing_key": routing_key,
            "dedup_key": dedup,
            "event_action": "resolve",
        });
        return serde_json::to_vec(&v).unwrap_or_default();
    }
    let f = Facts::of(n);
    let mut summary = f.title.clone();
    if let Some(p) = f.project {
        if !summary.contains(p) {
            summary.push_str(&format!(" [{}]", one_line(p)));
        }
    }
    let mut payload = Map::new();
    payload.insert("summary".into(), cut_chars(&summary, SUMMARY_MAX).into());
    payload.insert("source".into(), hostname.into());
    let informational = n
        .attention
        .as_ref()
        .is_some_and(|a| Kind::of(&a.kind) != Kind::Failed);
    let sev = if informational {
        Severity::Info
    } else {
        n.severity
    };
    payload.insert("severity".into(), severity(sev).into());
    payload.insert(
        "timestamp".into(),
        event_time(n.created_us, now_unix_s).into(),
    );
    if let Some(t) = f.newest.and_then(tool_of) {
        payload.insert("component".into(), one_line(&t).into());
    }
    if let Some(p) = f.project {
        payload.insert("group".into(), one_line(p).into());
    }
    let class = f
        .newest
        .and_then(class_of)
        .or(n.attention.as_ref().map(|a| a.kind.as_str()))
        .filter(|c| !c.is_empty());
    if let Some(c) = class {
        payload.insert("class".into(), one_line(c).into());
    }
    payload.insert("custom_details".into(), details(n, &f));
    let mut v = json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup,
        "payload": payload,
        "client": "hookwatch",
    });
    let out = serde_json::to_vec(&v).unwrap_or_default();
    if out.len() <= BODY_MAX {
        return out;
    }
    let note = match f.newest {
        Some(a) => format!(
            "details left out: the event was over PagerDuty's 512 kB limit; run `{}`",
            a.show_hint()
        ),
        None => "details left out: the event was over PagerDuty's 512 kB limit".to_string(),
    };
    v["payload"]["custom_details"] = json!({ "note": note });
    serde_json::to_vec(&v).unwrap_or_default()
}

fn details(n: &Notification, f: &Facts) -> Value {
    let alerts: Vec<Value> = n
        .alerts
        .iter()
        .map(|a| {
            json!({
                "summary": headline(a),
                "event_id": a.event_id,
                "event": a.event,
                "tool": tool_of(a),
                "class": class_of(a),
                "command": a.command,
                "error": a.error,
                "count": a.count,
                "details": a.show_hint(),
            })
        })
        .collect();
    let mut d = json!({
        "project": f.project,
        "session": f.session,
        "count": f.total,
        "route": n.route,
        "alerts": alerts,
        "labels": n.labels,
    });
    if n.omitted > 0 {
        d["omitted"] = n.omitted.into();
    }
    if let Some(a) = f.newest {
        d["details"] = a.show_hint().into();
    }
    if n.test {
        d["test"] = true.into();
    }
    if let Some(a) = &n.attention {
        let mut a = a.clone();
        a.message = a.message.map(|m| cut_chars(&m, 4000));
        d["attention"] = serde_json::to_value(a).unwrap_or_default();
    }
    d
}
