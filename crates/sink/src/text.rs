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
        attention: n.attention.as_ref().map(scrubbed_attention),
        ..n.clone()
    }
}

/// Taken apart field by field, so that a text field added to `Attention`
/// does not compile until someone decides how it is scrubbed.
fn scrubbed_attention(a: &Attention) -> Attention {
    let Attention {
        kind,
        cause,
        session_name,
        branch,
        message,
        turn_ms,
        tool_calls,
        files_written,
        failures,
        priority,
        sound,
    } = a;
    Attention {
        kind: scrub(kind),
        cause: scrub(cause),
        session_name: scrub_opt(session_name),
        branch: scrub_opt(branch),
        message: scrub_opt(message),
        turn_ms: *turn_ms,
        tool_calls: *tool_calls,
        files_written: *files_written,
        failures: *failures,
        priority: *priority,
        sound: scrub_opt(sound),
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

/// Free text (an assistant message, a question) made fit for any format:
/// control characters and bidirectional overrides removed (they can
/// garble or disguise what a reader sees), tabs to spaces, lines trimmed at
/// the end, at most one blank line in a row, no blank lines around.
pub(crate) fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_run = 0;
    for line in s.lines() {
        let line: String = line
            .chars()
            .filter_map(|c| match c {
                '\t' => Some(' '),
                '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => None,
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}

/// How a target counts the length of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Chars,
    Bytes,
    /// Telegram counts in UTF-16 code units, as JavaScript does.
    Utf16,
}

impl Unit {
    pub fn len(self, s: &str) -> usize {
        match self {
            Unit::Chars => s.chars().count(),
            Unit::Bytes => s.len(),
            Unit::Utf16 => s.encode_utf16().count(),
        }
    }

    fn len_char(self, c: char) -> usize {
        match self {
            Unit::Chars => 1,
            Unit::Bytes => c.len_utf8(),
            Unit::Utf16 => c.len_utf16(),
        }
    }
}

/// A character's escape in some markup (`&` → `&amp;`); `None`: as is.
pub(crate) type Escape = fn(char) -> Option<&'static str>;

/// No markup: every character as is.
pub(crate) fn no_escape(_: char) -> Option<&'static str> {
    None
}

/// `&`, `<`, `>` as entities: Slack mrkdwn, Telegram HTML, the markup
/// subset of desktop notification bodies.
pub(crate) fn entity_escape(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        _ => None,
    }
}

/// `s` escaped, in at most `max` units; a cut text ends with "…"
/// (counted). The cut falls between the escapes of two characters, so it
/// never leaves half an entity or a lone backslash.
pub(crate) fn escape_within(s: &str, max: usize, unit: Unit, esc: Escape) -> String {
    let piece_len = |c: char| esc(c).map_or(unit.len_char(c), |e| unit.len(e));
    let total: usize = s.chars().map(piece_len).sum();
    let mut out = String::with_capacity(s.len().min(max * 4));
    let fits_whole = total <= max;
    let room = if fits_whole {
        max
    } else {
        let ell = unit.len_char('…');
        if max < ell {
            return String::new();
        }
        max - ell
    };
    let mut used = 0;
    for c in s.chars() {
        let l = piece_len(c);
        if used + l > room {
            break;
        }
        used += l;
        match esc(c) {
            Some(e) => out.push_str(e),
            None => out.push(c),
        }
    }
    if !fits_whole {
        out.push('…');
    }
    out
}

/// What an error message may say about a URL whose path or userinfo can be
/// the credential (Slack, Discord, Sentry DSN): scheme, host and port.
pub fn redact_url(url: &str) -> String {
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
        let project = n
            .project
            .as_deref()
            .or_else(|| newest.and_then(|a| a.labels.get("project").map(String::as_str)));
        let title = if title.is_empty() {
            match (&n.attention, newest) {
                (Some(at), _) => {
                    let what = match at.kind.as_str() {
                        "done" => "Claude is done",
                        "needs_you" => "Claude needs you",
                        "idle" => "Claude is waiting for you",
                        "failed" => "Claude stopped on an error",
                        _ => "Claude wants your attention",
                    };
                    match project {
                        Some(p) => format!("{what} in {}", one_line(p)),
                        None => what.to_string(),
                    }
                }
                (None, Some(a)) => format!(
                    "{} {}",
                    a.tool.as_deref().unwrap_or(&a.event),
                    if n.status == crate::Status::Resolved {
                        "resolved"
                    } else {
                        "failed"
                    }
                ),
                (None, None) => "hookwatch alert".to_string(),
            }
        } else {
            title
        };
        Facts {
            title,
            project,
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
        assert_eq!(
            redact_url("https://api.telegram.org/bot123456:AAHsecret/sendMessage"),
            "https://api.telegram.org/…"
        );
    }

    #[test]
    fn clean_text_drops_controls_and_blank_runs() {
        assert_eq!(
            clean_text("\n\n a\tb\u{7}c \r\n\n\n\nd\u{202E}e\u{1b}[31m  \n\n"),
            " a bc\n\nde[31m"
        );
        assert_eq!(clean_text(""), "");
    }

    #[test]
    fn escape_within_never_splits_an_escape() {
        assert_eq!(
            escape_within("a<b", 10, Unit::Chars, entity_escape),
            "a&lt;b"
        );
        // "a&lt;" would be 5, the ellipsis 1: the entity does not fit whole.
        assert_eq!(
            escape_within("a<bcdef", 5, Unit::Chars, entity_escape),
            "a…"
        );
        assert_eq!(
            escape_within("a<bcdef", 6, Unit::Chars, entity_escape),
            "a&lt;…"
        );
        assert_eq!(escape_within("ééé", 5, Unit::Bytes, no_escape), "é…");
        assert_eq!(escape_within("😀😀😀", 5, Unit::Utf16, no_escape), "😀😀…");
        assert_eq!(escape_within("😀😀", 4, Unit::Utf16, no_escape), "😀😀");
        assert_eq!(escape_within("abc", 0, Unit::Chars, no_escape), "");
        for max in 0..40 {
            let s = escape_within(
                "<&>é😀x".repeat(5).as_str(),
                max,
                Unit::Utf16,
                entity_escape,
            );
            assert!(Unit::Utf16.len(&s) <= max, "{max}: {s}");
            assert!(!s.contains("&l…") && !s.contains("&a…") && !s.contains("&g…"));
        }
    }
}
