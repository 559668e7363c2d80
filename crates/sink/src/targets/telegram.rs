//! Telegram Bot API `sendMessage` with `parse_mode: "HTML"`. HTML because
//! its escaping is three characters (`&`, `<`, `>`) where MarkdownV2 has
//! eighteen; the only tags are the ones written here, around text that is
//! escaped, so a message cannot open a tag or a link of its own. Link
//! previews are off: error text is full of URLs that would otherwise
//! unfurl.

use super::{headline, mark, where_line, AttentionView};
use crate::text::{clean_text, cut_chars, entity_escape, escape_within, one_line, Facts, Unit};
use crate::{AlertItem, Notification, Priority, Rendered, Severity, Status};
use serde_json::{json, Value};

/// Telegram allows 4096 characters after entity parsing. The source is
/// measured instead (tags and entities included, in UTF-16 units as
/// Telegram counts), which is never shorter, so the limit always holds.
const TEXT_MAX: usize = 4096;
const TITLE_MAX: usize = 256;
/// Quotes longer than this start collapsed (`<blockquote expandable>`).
const EXPAND_FROM: usize = 700;
/// Alerts shown in an alert notification, newest last.
const MAX_ALERTS: usize = 5;

pub(crate) fn render(
    url: &str,
    chat_id: &Value,
    message_thread_id: Option<i64>,
    n: &Notification,
) -> Result<Rendered, String> {
    let (text, silent) = match AttentionView::of(n) {
        Some(v) => (attention(&v), v.attention.priority == Priority::Low),
        // Nothing to do about a resolve note or an info alert right away.
        None => (
            alerts(n),
            n.status == Status::Resolved || n.severity == Severity::Info,
        ),
    };
    let mut body = json!({
        "chat_id": chat_id,
        "text": text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": true},
        "disable_notification": silent,
    });
    if let Some(t) = message_thread_id {
        body["message_thread_id"] = t.into();
    }
    Ok(Rendered::Http {
        method: "POST".to_string(),
        url: url.to_string(),
        headers: vec![("Content-Type".to_string(), "application/json".to_string())],
        body: serde_json::to_vec(&body).map_err(|e| e.to_string())?,
    })
}

/// Escaped, in at most `max` UTF-16 units.
fn esc(s: &str, max: usize) -> String {
    escape_within(s, max, Unit::Utf16, entity_escape)
}

fn len(s: &str) -> usize {
    Unit::Utf16.len(s)
}

/// `<b>title</b>`, the message quoted, the failure and its hint, the
/// turn's facts, the place. The quote gets whatever room the rest leaves.
fn attention(v: &AttentionView) -> String {
    let mut head = format!("<b>{}</b>", esc(&v.title, TITLE_MAX));
    let mut tail = String::new();
    if let (Some(a), Some(line)) = (v.failure, v.failure_line()) {
        tail.push_str(&format!(
            "\n<b>{}</b>\n<code>{}</code>",
            esc(&line, 300),
            a.show_hint()
        ));
    }
    for line in [v.turn_line(), v.place_line()] {
        if !line.is_empty() {
            tail.push('\n');
            tail.push_str(&esc(&line, 400));
        }
    }
    if let Some(m) = &v.message {
        let (open, close) = if len(m) > EXPAND_FROM || m.lines().count() > 12 {
            ("<blockquote expandable>", "</blockquote>")
        } else {
            ("<blockquote>", "</blockquote>")
        };
        let fixed = len(&head) + 1 + len(open) + len(close) + len(&tail);
        let quoted = esc(m, TEXT_MAX.saturating_sub(fixed));
        if !quoted.is_empty() {
            head.push('\n');
            head.push_str(open);
            head.push_str(&quoted);
            head.push_str(close);
        }
    }
    head + &tail
}

/// An alert notification: title, where, then the newest alerts (headline,
/// command, error excerpt, hint); the error excerpts share what room the
/// rest leaves.
fn alerts(n: &Notification) -> String {
    let f = Facts::of(n);
    let mut head = format!(
        "<b>{}</b>",
        esc(&format!("{}{}", mark(n), f.title), TITLE_MAX)
    );
    let w = where_line(n, &f);
    if !w.is_empty() {
        head.push('\n');
        head.push_str(&esc(&w, 600));
    }
    let shown: Vec<&AlertItem> = n.alerts.iter().rev().take(MAX_ALERTS).rev().collect();
    let hidden = n.alerts.len() - shown.len() + n.omitted as usize;
    let blocks: Vec<(String, Option<String>, String)> = shown
        .iter()
        .map(|a| {
            let mut top = format!("\n\n<b>{}</b>", esc(&headline(a), 300));
            if let Some(c) = &a.command {
                top.push_str(&format!(
                    "\n<code>{}</code>",
                    esc(&cut_chars(&one_line(c), 300), 400)
                ));
            }
            let error = a.error.as_deref().map(clean_text).filter(|e| !e.is_empty());
            (top, error, format!("\n<code>{}</code>", a.show_hint()))
        })
        .collect();
    let tail = if hidden > 0 {
        format!("\n\n(+{hidden} more not shown)")
    } else {
        String::new()
    };
    const PRE: usize = "\n<pre></pre>".len();
    let fixed = len(&head)
        + len(&tail)
        + blocks
            .iter()
            .map(|(t, e, h)| len(t) + len(h) + if e.is_some() { PRE } else { 0 })
            .sum::<usize>();
    let with_error = blocks.iter().filter(|b| b.1.is_some()).count().max(1);
    let room = TEXT_MAX.saturating_sub(fixed) / with_error;
    let mut out = head;
    for (top, error, hint) in blocks {
        out.push_str(&top);
        if let Some(e) = error {
            let e = esc(&e, room);
            if !e.is_empty() {
                out.push_str("\n<pre>");
                out.push_str(&e);
                out.push_str("</pre>");
            }
        }
        out.push_str(&hint);
    }
    out + &tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Attention;

    fn text_of(n: &Notification) -> String {
        let Rendered::Http { body, .. } =
            render("http://x/bot1:t/sendMessage", &json!(5), None, n).unwrap()
        else {
            panic!()
        };
        let v: Value = serde_json::from_slice(&body).unwrap();
        v["text"].as_str().unwrap().to_string()
    }

    /// Tags as written here, and nothing that opens another one.
    fn well_formed(t: &str) {
        let allowed = [
            "<b>",
            "</b>",
            "<code>",
            "</code>",
            "<pre>",
            "</pre>",
            "<blockquote>",
            "<blockquote expandable>",
            "</blockquote>",
        ];
        let mut rest = t;
        while let Some(i) = rest.find('<') {
            let tag = allowed
                .iter()
                .find(|a| rest[i..].starts_with(**a))
                .unwrap_or_else(|| panic!("stray < at {:?}", &rest[i..rest.len().min(i + 30)]));
            rest = &rest[i + tag.len()..];
        }
        for (i, _) in t.match_indices('&') {
            let e = &t[i..];
            assert!(
                e.starts_with("&amp;") || e.starts_with("&lt;") || e.starts_with("&gt;"),
                "cut entity: {:?}",
                &e[..e.len().min(8)]
            );
        }
    }

    #[test]
    fn attention_is_escaped_and_bounded() {
        let n = Notification {
            title: "Claude needs your permission in <proj> & co".into(),
            project: Some("proj".into()),
            attention: Some(Attention {
                kind: "needs_you".into(),
                message: Some(format!("<b>x</b> & {}", "é😀<".repeat(5000))),
                ..Default::default()
            }),
            ..Default::default()
        };
        let t = text_of(&n);
        assert!(len(&t) <= TEXT_MAX, "{}", len(&t));
        assert!(t.starts_with(
            "<b>Claude needs your permission in &lt;proj&gt; &amp; co</b>\n\
             <blockquote expandable>&lt;b&gt;x&lt;/b&gt; &amp; é😀&lt;"
        ));
        assert!(
            t.ends_with("…</blockquote>\nproj"),
            "{}",
            &t[t.len() - 40..]
        );
        well_formed(&t);
    }

    #[test]
    fn alerts_keep_every_hint_within_the_limit() {
        let n = Notification {
            title: "Bash failed".into(),
            alerts: (1..=8)
                .map(|i| AlertItem {
                    event_id: i,
                    event: "PostToolUseFailure".into(),
                    command: Some("a < b && c".into()),
                    error: Some("<&>".repeat(3000)),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let t = text_of(&n);
        assert!(len(&t) <= TEXT_MAX, "{}", len(&t));
        for i in 4..=8 {
            assert!(
                t.contains(&format!("<code>hookwatch show {i}</code>")),
                "{i}"
            );
        }
        assert!(t.contains("<code>a &lt; b &amp;&amp; c</code>"));
        assert!(t.ends_with("(+3 more not shown)"));
        well_formed(&t);
    }
}
