//! One module per target format. Each renders from a scrubbed notification
//! and keeps within its target's documented limits by cutting text, never
//! by failing: an alert that arrives shortened beats one that never does.

pub(crate) mod command;
pub(crate) mod desktop;
pub(crate) mod discord;
pub(crate) mod ntfy;
pub(crate) mod pagerduty;
pub(crate) mod sentry;
pub(crate) mod slack;
pub(crate) mod telegram;
pub(crate) mod webhook;

use crate::text::{class_of, cut_bytes, duration_ms, one_line, short_session, tool_of, Facts};
use crate::{AlertItem, Attention, Notification, Status};

/// What the turn did: "12m 30s · 14 tool calls · 3 files written · 1
/// failure" (the parts that are known).
pub(crate) fn attention_facts(a: &Attention) -> Option<String> {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    if let Some(ms) = a.turn_ms {
        parts.push(duration_ms(ms));
    }
    if let Some(n) = a.tool_calls {
        parts.push(plural(n, "tool call", "tool calls"));
    }
    if let Some(n) = a.files_written.filter(|n| *n > 0) {
        parts.push(plural(n, "file written", "files written"));
    }
    if let Some(n) = a.failures.filter(|n| *n > 0) {
        parts.push(plural(n, "failure", "failures"));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Where it happened: "myproj · main · fix-login-bug".
pub(crate) fn attention_where(n: &Notification, a: &Attention) -> Option<String> {
    let project = n.project.as_deref().map(|p| {
        let p = p.trim_end_matches('/');
        p.rsplit('/').next().unwrap_or(p).to_string()
    });
    let parts: Vec<String> = [project, a.branch.clone(), a.session_name.clone()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .map(|s| one_line(&s))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Plain text of an attention notification: the message first (what a
/// person acts on), then what the turn did, then where; within
/// `max_bytes`, the message giving way.
pub(crate) fn attention_text(n: &Notification, a: &Attention, max_bytes: usize) -> String {
    let mut tail = String::new();
    for line in [attention_facts(a), attention_where(n, a)]
        .into_iter()
        .flatten()
    {
        tail.push('\n');
        tail.push_str(&line);
    }
    let message = a.message.as_deref().unwrap_or("").trim();
    let room = max_bytes.saturating_sub(tail.len());
    let out = format!("{}{tail}", cut_bytes(message, room));
    cut_bytes(out.trim(), max_bytes)
}

/// The emoji-tag of a kind (ntfy tags, chat prefixes).
pub(crate) fn kind_tag(kind: &str) -> &'static str {
    match kind {
        "done" => "white_check_mark",
        "needs_you" => "raising_hand",
        "idle" => "hourglass",
        "failed" => "x",
        _ => "bell",
    }
}

/// "PostToolUseFailure · Bash · missing_dependency · 3×".
pub(crate) fn headline(a: &AlertItem) -> String {
    let mut parts = Vec::new();
    if !a.event.is_empty() {
        parts.push(one_line(&a.event));
    }
    if let Some(t) = tool_of(a) {
        parts.push(one_line(&t));
    }
    if let Some(c) = class_of(a) {
        parts.push(one_line(c));
    }
    if a.count > 1 {
        parts.push(format!("{}×", a.count));
    }
    if parts.is_empty() {
        parts.push("alert".to_string());
    }
    parts.join(" · ")
}

/// "Project: p · Session: abcd1234 · Route: r" (what is known of it).
pub(crate) fn where_line(n: &Notification, f: &Facts) -> String {
    let mut parts = Vec::new();
    if let Some(p) = f.project {
        parts.push(format!("Project: {}", one_line(p)));
    }
    if let Some(s) = f.session {
        parts.push(format!("Session: {}", short_session(s)));
    }
    if f.total > 1 {
        parts.push(format!("Count: {}", f.total));
    }
    if !n.route.is_empty() {
        parts.push(format!("Route: {}", one_line(&n.route)));
    }
    parts.join(" · ")
}

/// Plain text for targets that take text (ntfy body, desktop body, Sentry
/// message): the context first and every `hookwatch show` hint kept; the
/// error excerpts share what room is left.
pub(crate) fn plain_text(
    n: &Notification,
    with_title: bool,
    max_bytes: usize,
    max_alerts: usize,
) -> String {
    let f = Facts::of(n);
    let mut head = String::new();
    if with_title {
        head.push_str(&f.title);
        head.push('\n');
    }
    if n.status == Status::Resolved {
        head.push_str("Resolved.\n");
    }
    let w = where_line(n, &f);
    if !w.is_empty() {
        head.push_str(&w);
        head.push('\n');
    }
    let shown: Vec<&AlertItem> = n.alerts.iter().rev().take(max_alerts).collect();
    let hidden = n.alerts.len() - shown.len() + n.omitted as usize;
    let blocks: Vec<(String, Option<&str>, String)> = shown
        .iter()
        .rev()
        .map(|a| {
            let mut top = headline(a);
            top.push('\n');
            if let Some(c) = &a.command {
                top.push_str("$ ");
                top.push_str(&cut_bytes(&one_line(c), 400));
                top.push('\n');
            }
            (top, a.error.as_deref(), format!("→ {}\n", a.show_hint()))
        })
        .collect();
    let tail = if hidden > 0 {
        format!("(+{hidden} more not shown)\n")
    } else {
        String::new()
    };
    let fixed = head.len()
        + tail.len()
        + blocks
            .iter()
            .map(|(t, _, h)| t.len() + h.len() + 1)
            .sum::<usize>();
    let with_error = blocks.iter().filter(|b| b.1.is_some()).count().max(1);
    let room = max_bytes.saturating_sub(fixed) / with_error;
    let mut out = head;
    for (top, err, hint) in blocks {
        out.push_str(&top);
        if let Some(e) = err {
            if room >= 8 {
                out.push_str(&cut_bytes(e.trim_end(), room - 1));
                out.push('\n');
            }
        }
        out.push_str(&hint);
    }
    out.push_str(&tail);
    cut_bytes(out.trim_end(), max_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_keeps_hints_and_bound() {
        let n = Notification {
            title: "Bash failed".into(),
            project: Some("proj".into()),
            alerts: (1..=3)
                .map(|i| AlertItem {
                    event_id: i,
                    event: "PostToolUseFailure".into(),
                    tool: Some("Bash".into()),
                    command: Some("cargo build".into()),
                    error: Some("x".repeat(5000)),
                    count: 1,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let t = plain_text(&n, true, 4096, 10);
        assert!(t.len() <= 4096, "{}", t.len());
        for i in 1..=3 {
            assert!(t.contains(&format!("hookwatch show {i}")));
        }
        assert!(t.starts_with("Bash failed\nProject: proj"));
    }
}
