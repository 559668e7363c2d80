//! ntfy: the message as the body, metadata in headers.

use super::plain_text;
use crate::text::{cut_chars, Facts};
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
    let f = Facts::of(n);
    let title = match (n.status, n.test) {
        (_, true) => format!("[test] {}", f.title),
        (Status::Resolved, _) => format!("Resolved: {}", f.title),
        _ => f.title.clone(),
    };
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
    // An attention notification: its own priority and a tag per kind.
    let (default_priority, tag) = match &n.attention {
        Some(a) => (
            match a.priority {
                Priority::Low => "2",
                Priority::Default => "3",
                Priority::High => "4",
                Priority::Urgent => "5",
            },
            super::kind_tag(&a.kind),
        ),
        None => (default_priority, tag),
    };
    let body = match &n.attention {
        Some(a) => super::attention_text(n, a, MESSAGE_MAX),
        None => plain_text(n, false, MESSAGE_MAX, 10),
    };
    let mut headers = vec![
        ("Title".to_string(), header_text(&cut_chars(&title, 250))),
        (
            "Priority".to_string(),
            priority.unwrap_or(default_priority).to_string(),
        ),
        ("Tags".to_string(), format!("{tag},hookwatch")),
        (
            "Content-Type".to_string(),
            "text/plain; charset=utf-8".to_string(),
        ),
    ];
    if let Some(t) = token {
        headers.push(("Authorization".to_string(), format!("Bearer {t}")));
    }
    Ok(Rendered::Http {
        method: "POST".to_string(),
        url: url.to_string(),
        headers,
        body: body.into_bytes(),
    })
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
