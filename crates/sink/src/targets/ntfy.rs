//! ntfy: the message as the body, metadata in headers.

use super::{attention_lines, mark, plain_text, AttentionView, Kind};
use crate::text::{cut_chars, no_escape, Facts, Unit};
use crate::{Notification, Priority, Rendered, Severity, Status};
use base64::Engine as _;

/// ntfy turns longer messages into attachments.
const MESSAGE_MAX: usize = 4096;

pub(crate) fn render(
    url: &str,
    token: Option<&str>,
    priority: Option<&str>,
    n: &Notification,
) -> Result<Rendered, String> {
    if let Some(v) = AttentionView::of(n) {
        return Ok(attention(url, token, priority, &v));
    }
    let f = Facts::of(n);
    let title = format!("{}{}", mark(n), f.title);
    let default_priority = match (n.status, n.severity) {
        (Status::Resolved, _) => "2",
        (_, Severity::Critical) => "5",
        (_, Severity::Error) => "4",
        (_, Severity::Warning) => "3",
        (_, Severity::Info) => "2",
    };
    let tag = match (n.status, n.severity) {
        (Status::Resolved, _) => "white_check_mark",
        (_, Severity::Critical) => "rotating_light",
        (_, Severity::Error) => "x",
        (_, Severity::Warning) => "warning",
        (_, Severity::Info) => "information_source",
    };
    Ok(request(
        url,
        token,
        &title,
        priority.unwrap_or(default_priority),
        tag,
        plain_text(n, false, MESSAGE_MAX, 10),
    ))
}

/// Claude is done, needs you, is idle or failed: the priority is the one
/// the worker chose (a configured `priority` still wins), the tag shows the
/// kind at a glance on the lock screen.
fn attention(
    url: &str,
    token: Option<&str>,
    priority: Option<&str>,
    v: &AttentionView,
) -> Rendered {
    let default_priority = match v.attention.priority {
        Priority::Low => "2",
        Priority::Default => "3",
        Priority::High => "4",
        Priority::Urgent => "5",
    };
    let tag = match v.kind {
        Kind::Done => "white_check_mark",
        Kind::NeedsYou => "raising_hand",
        Kind::Idle => "hourglass",
        Kind::Failed => "x",
        Kind::Other => "bell",
    };
    let mut body = attention_lines(v, MESSAGE_MAX, Unit::Bytes, no_escape);
    if body.is_empty() {
        // ntfy shows "triggered" for an empty body.
        body = cut_chars(&v.title, 250);
    }
    request(
        url,
        token,
        &v.title,
        priority.unwrap_or(default_priority),
        tag,
        body,
    )
}

fn request(
    url: &str,
    token: Option<&str>,
    title: &str,
    priority: &str,
    tag: &str,
    body: String,
) -> Rendered {
    let mut headers = vec![
        ("Title".to_string(), header_text(&cut_chars(title, 250))),
        ("Priority".to_string(), priority.to_string()),
        ("Tags".to_string(), format!("{tag},hookwatch")),
        (
            "Content-Type".to_string(),
            "text/plain; charset=utf-8".to_string(),
        ),
    ];
    if let Some(t) = token {
        headers.push(("Authorization".to_string(), format!("Bearer {t}")));
    }
    Rendered::Http {
        method: "POST".to_string(),
        url: url.to_string(),
        headers,
        body: body.into_bytes(),
    }
}

/// Header values are ASCII; ntfy decodes RFC 2047 encoded words for the rest
/// ("Bash failed 3×").
pub(crate) fn header_text(s: &str) -> String {
    let s = crate::text::one_line(s);
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        s
    } else {
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
        )
    }
}
