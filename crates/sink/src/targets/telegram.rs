//! Telegram Bot API `sendMessage`: the text in Telegram's HTML subset, the
//! bot token in the request path (never shown: `endpoint_redacted` and
//! every error keep scheme and host only).

use super::plain_text;
use crate::text::{one_line, Facts};
use crate::{Notification, Priority, Rendered, Status};
use serde_json::json;

/// Telegram's limit: 4096 characters of the message after entities are
/// parsed, counted in UTF-16 code units. Kept a little under it.
const TEXT_MAX: usize = 4000;

pub(crate) fn render(
    api_url: &str,
    token: &str,
    chat_id: &serde_json::Value,
    thread: Option<i64>,
    n: &Notification,
) -> Result<Rendered, String> {
    let f = Facts::of(n);
    let mark = match (n.status, n.test) {
        (_, true) => "[test] ",
        (Status::Resolved, _) => "Resolved: ",
        _ => "",
    };
    let title = cut_utf16(&format!("{mark}{}", one_line(&f.title)), 250);
    // Only the plain text is cut, before escaping: a cut never splits an
    // entity (`&amp;`) or a tag.
    let room = TEXT_MAX.saturating_sub(utf16_len(&title) + 1);
    let (message, extra) = match &n.attention {
        Some(a) => {
            let tail: Vec<String> = [super::attention_facts(a), super::attention_where(n, a)]
                .into_iter()
                .flatten()
                .collect();
            let tail = tail.join("\n");
            let room = room.saturating_sub(utf16_len(&tail) + 1);
            (
                cut_utf16(a.message.as_deref().unwrap_or("").trim(), room),
                tail,
            )
        }
        None => (
            cut_utf16(&plain_text(n, false, TEXT_MAX * 2, 10), room),
            String::new(),
        ),
    };
    let mut text = format!("<b>{}</b>", escape(&title));
    if !message.is_empty() {
        text.push('\n');
        text.push_str(&escape(&message));
    }
    if !extra.is_empty() {
        text.push_str(&format!("\n<i>{}</i>", escape(&extra)));
    }
    let quiet = n
        .attention
        .as_ref()
        .is_some_and(|a| a.priority == Priority::Low);
    let mut body = json!({
        "chat_id": chat_id,
        "text": text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": true},
        "disable_notification": quiet,
    });
    if let Some(t) = thread {
        body["message_thread_id"] = t.into();
    }
    Ok(Rendered::Http {
        method: "POST".to_string(),
        url: format!("{api_url}/bot{token}/sendMessage"),
        headers: vec![("Content-Type".to_string(), "application/json".to_string())],
        body: serde_json::to_vec(&body).map_err(|e| e.to_string())?,
    })
}

/// The three characters Telegram's HTML mode needs escaped.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// At most `max` UTF-16 code units, ending in "…" when cut.
pub(crate) fn cut_utf16(s: &str, max: usize) -> String {
    if utf16_len(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 1; // the ellipsis
    for c in s.chars() {
        if used + c.len_utf16() > max {
            break;
        }
        used += c.len_utf16();
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_count_utf16_and_never_split_entities() {
        assert_eq!(cut_utf16("abc", 3), "abc");
        assert_eq!(cut_utf16("abcd", 3), "ab…");
        // Emoji are two code units each.
        assert_eq!(utf16_len(&cut_utf16(&"😀".repeat(10), 7)), 7);
        assert_eq!(escape("a<b>&c"), "a&lt;b&gt;&amp;c");
    }
}
