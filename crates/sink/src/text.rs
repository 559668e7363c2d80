//! Text shared by the formats: scrubbing, truncation that never fails,
//! redaction of credentials in URLs, stable hashes.

use crate::{AlertItem, Attention, Notification};
use sha2::{Digest, Sha256};

pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

pub(crate) fn user_agent() -> String {
    format!("hookwatch/{VERSION}")
}

/// The notification is scrubbed when the outbox builds it; sinks scrub
/// again because what leaves the machine is the last place to catch a
/// secret a newer rule knows about.
pub(crate) fn scrub(s: &str) -> String {
    hookwatch_scrub::scrub_str(s).into_owned()
}

fn scrub_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(scrub)
}

/// Every string of the notification scrubbed; renderers only see this copy.
pub(crate) fn scrubbed(n: &Notification) -> Notification {
    Notification {
        key: scrub(&n.key),
        group_key: scrub(&n.group_key),
        title: scrub(&n.title),
        route: scrub(&n.route),
        project: scrub_opt(&n.project),
        session: scrub_opt(&n.session),
        labels: n.labels.iter().map(|(k, v)| (scrub(k), scrub(v))).collect(),
        alerts: n
            .alerts
            .iter()
            .map(|a| AlertItem {
                event: scrub(&a.event),
                tool: scrub_opt(&a.tool),
                mcp_server: scrub_opt(&a.mcp_server),
                command: scrub_opt(&a.command),
                error: scrub_opt(&a.error),
                error_type: scrub_opt(&a.error_type),
                class: scrub_opt(&a.class),
                fingerprint: scrub_opt(&a.fingerprint),
                labels: a.labels.iter().map(|(k, v)| (scrub(k), scrub(v))).collect(),
                ..a.clone()
            })
            .collect(),
        attention: n.attention.as_ref().map(|a| Attention {
            kind: scrub(&a.kind),
            cause: scrub(&a.cause),
            session_name: scrub_opt(&a.session_name),
            branch: scrub_opt(&a.branch),
            message: scrub_opt(&a.message),
            sound: scrub_opt(&a.sound),
            ..a.clone()
        }),
        ..n.clone()
    }
}

/// `45s`, `12m 30s`, `2h 5m`.
pub(crate) fn duration_ms(ms: i64) -> String {
    let s = (ms.max(0) + 500) / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 if s % 60 == 0 => format!("{}m", s / 60),
        60..=3599 => format!("{}m {}s", s / 60, s % 60),
        _ => format!("{}h {}m", s / 3600, (s % 3600) / 60),
    }
}

/// At most `max` characters; a cut text ends with "…" (counted).
pub(crate) fn cut_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// At most `max` bytes, cut on a character boundary; a cut text ends with
/// "…" (counted).
pub(crate) fn cut_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let ell = "…";
    if max < ell.len() {
        return String::new();
    }
    let mut end = max - ell.len();
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ell}", &s[..end])
}

/// Newlines and tabs to spaces, for one-line fields (titles, summaries).
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What an error message may say about a URL whose path or userinfo can be
/// the credential (Slack, Discord, Sentry DSN): scheme, host and port.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<redacted>".to_string();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return "<redacted>".to_string();
    }
    let more = if authority.len() < rest.len() {
        "/…"
    } else {
        ""
    };
    format!("{scheme}://{host}{more}")
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Lowercase hex of SHA-256 over a domain tag and the input, so ids derived
/// for different purposes from one key never coincide.
pub(crate) fn sha256_hex(domain: &str, input: &str) -> String {
    let mut h = Sha256::new();
    h.update(domain.as_bytes());
    h.update([0u8]);
    h.update(input.as_bytes());
    hex(&h.finalize())
}

/// The facts every format shows, taken from a scrubbed notification.
pub(crate) struct Facts<'a> {
    pub title: String,
    pub project: Option<&'a str>,
    pub session: Option<&'a str>,
    /// The newest alert: the one a reader acts on.
    pub newest: Option<&'a AlertItem>,
    /// Occurrences over all alerts (an alert stands for `count` of them).
    pub total: u64,
}

impl<'a> Facts<'a> {
    pub fn of(n: &'a Notification) -> Facts<'a> {
        let newest = n.alerts.last();
        let title = one_line(&n.title);
        let title = if title.is_empty() {
            match newest {
                Some(a) => format!(
                    "{} {}",
                    a.tool.as_deref().unwrap_or(&a.event),
                    if n.status == crate::Status::Resolved {
                        "resolved"
                    } else {
                        "failed"
                    }
                ),
                None => "hookwatch alert".to_string(),
            }
        } else {
            title
        };
        Facts {
            title,
            project: n
                .project
                .as_deref()
                .or_else(|| newest.and_then(|a| a.labels.get("project").map(String::as_str))),
            session: n.session.as_deref(),
            newest,
            total: n.alerts.iter().map(|a| a.count.max(1)).sum::<u64>(),
        }
    }
}

/// Short session id as people see it in `hookwatch` listings.
pub(crate) fn short_session(s: &str) -> &str {
    match s.char_indices().nth(8) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// "Bash", or "mcp__server__tool (server)" when the tool is an MCP one.
pub(crate) fn tool_of(a: &AlertItem) -> Option<String> {
    match (&a.tool, &a.mcp_server) {
        (Some(t), Some(s)) if !t.contains(s.as_str()) => Some(format!("{t} ({s})")),
        (Some(t), _) => Some(t.clone()),
        (None, Some(s)) => Some(format!("MCP {s}")),
        (None, None) => None,
    }
}

/// The class, or the StopFailure error type when there is no class.
pub(crate) fn class_of(a: &AlertItem) -> Option<&str> {
    a.class.as_deref().or(a.error_type.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutting_never_exceeds_and_marks() {
        assert_eq!(cut_chars("abcdef", 6), "abcdef");
        assert_eq!(cut_chars("abcdef", 4), "abc…");
        assert_eq!(cut_chars("ééééé", 3), "éé…");
        assert_eq!(cut_bytes("abcdef", 5), "ab…");
        assert_eq!(cut_bytes("ééé", 5), "é…");
        assert_eq!(cut_bytes("ééé", 4), "…");
        assert_eq!(cut_bytes("ééé", 6), "ééé");
        assert!(cut_bytes("éééé", 7).len() <= 7);
    }

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(
            redact_url("https://hooks.slack.com/services/T1/B2/SECRET"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            redact_url("https://pubkey:seckey@o1.ingest.sentry.io/42"),
            "https://o1.ingest.sentry.io/…"
        );
        assert_eq!(redact_url("http://127.0.0.1:9"), "http://127.0.0.1:9");
        assert_eq!(redact_url("not a url SECRET"), "<redacted>");
    }
}
