//! Slack incoming webhook: `text` (the notification fallback) plus Block
//! Kit blocks (header, one section per alert, a context with the hint).

use super::{headline, mark, where_line, AttentionView};
use crate::text::{cut_bytes, cut_chars, entity_escape, escape_within, one_line, Facts, Unit};
use crate::{AlertItem, Notification, Rendered};
use serde_json::{json, Value};

const HEADER_MAX: usize = 150;
const SECTION_MAX: usize = 3000;
/// Slack allows 50 blocks; the rest is header, summary and context.
const MAX_ALERT_SECTIONS: usize = 20;

pub(crate) fn render(url: &str, n: &Notification) -> Result<Rendered, String> {
    let body = serde_json::to_vec(&payload(n)).map_err(|e| e.to_string())?;
    Ok(Rendered::Http {
        method: "POST".to_string(),
        url: url.to_string(),
        headers: vec![("Content-Type".to_string(), "application/json".to_string())],
        body,
    })
}

/// mrkdwn treats these three as control characters (`<!channel>`, links).
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Cut escaped text without leaving half an entity (`&am`) at the end.
fn cut_escaped(s: &str, max: usize) -> String {
    let mut out = cut_chars(s, max);
    if out.ends_with('…') {
        let body = &out[..out.len() - '…'.len_utf8()];
        if let Some(amp) = body.rfind('&') {
            if !body[amp..].contains(';') {
                out = format!("{}…", &body[..amp]);
            }
        }
    }
    out
}

/// Inline code cannot hold a backtick and a code block cannot hold three.
fn code_safe(s: &str) -> String {
    s.replace('`', "'")
}

/// What the push notification shows of the message after the title.
const FALLBACK_EXCERPT: usize = 300;

fn payload(n: &Notification) -> Value {
    if let Some(v) = AttentionView::of(n) {
        return attention(&v);
    }
    let f = Facts::of(n);
    let title = format!("{}{}", mark(n), f.title);
    let mut text = escape(&title);
    if let Some(p) = f.project.filter(|p| !title.contains(*p)) {
        text.push_str(&format!(" ({})", escape(&one_line(p))));
    }
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": cut_chars(&title, HEADER_MAX), "emoji": true},
    })];
    let w = where_line(n, &f);
    if !w.is_empty() {
        blocks.push(section(cut_escaped(&escape(&w), SECTION_MAX)));
    }
    let shown = n.alerts.len().min(MAX_ALERT_SECTIONS);
    for a in &n.alerts[n.alerts.len() - shown..] {
        blocks.push(section(alert_section(a)));
    }
    let mut context = Vec::new();
    if let Some(a) = f.newest {
        context.push(format!("Details: `{}`", a.show_hint()));
    }
    let hidden = n.alerts.len() - shown + n.omitted as usize;
    if hidden > 0 {
        context.push(format!("{hidden} more not shown: `hookwatch alerts list`"));
    }
    context.push("sent by hookwatch".to_string());
    blocks.push(json!({
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": cut_escaped(&context.join(" · "), SECTION_MAX)}],
    }));
    json!({ "text": cut_escaped(&text, SECTION_MAX), "blocks": blocks })
}

/// Claude is done, needs you, is idle or failed: the title as header, the
/// message as a section, the failure (if any) with its hint, and the
/// turn's facts and place as context. `text` carries title and the start
/// of the message, as that is what phones show.
fn attention(v: &AttentionView) -> Value {
    let esc = |s: &str, max| escape_within(s, max, Unit::Chars, entity_escape);
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": cut_chars(&v.title, HEADER_MAX), "emoji": true},
    })];
    let mut text = esc(&v.title, SECTION_MAX);
    if let Some(m) = &v.message {
        blocks.push(section(esc(m, SECTION_MAX)));
        let excerpt = esc(&one_line(m), FALLBACK_EXCERPT);
        text = esc(&v.title, SECTION_MAX - FALLBACK_EXCERPT - 1);
        text.push('\n');
        text.push_str(&excerpt);
    }
    if let (Some(a), Some(line)) = (v.failure, v.failure_line()) {
        blocks.push(section(format!(
            "*{}*\n`{}`",
            esc(&line, SECTION_MAX / 2),
            a.show_hint()
        )));
    }
    let mut context: Vec<String> = [v.turn_line(), v.place_line()]
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| esc(l, SECTION_MAX / 3))
        .collect();
    context.push("sent by hookwatch".to_string());
    blocks.push(json!({
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": context.join(" · ")}],
    }));
    json!({ "text": text, "blocks": blocks })
}

fn section(text: String) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
}

/// Headline, command, error excerpt and hint in at most 3000 characters;
/// the error excerpt gives way first.
fn alert_section(a: &AlertItem) -> String {
    let mut head = format!("*{}*\n", escape(&headline(a)));
    if let Some(c) = &a.command {
        let c = escape(&code_safe(&cut_bytes(&one_line(c), 600)));
        head.push_str(&format!("*Command:* `{c}`\n"));
    }
    let hint = format!("`{}`", a.show_hint());
    let mut out = head;
    if let Some(e) = &a.error {
        let fence = "```\n```\n".chars().count();
        let room = SECTION_MAX.saturating_sub(out.chars().count() + hint.chars().count() + fence);
        if room >= 20 {
            let e = cut_escaped(&escape(&code_safe(e.trim_end())), room);
            out.push_str(&format!("```{e}```\n"));
        }
    }
    out.push_str(&hint);
    cut_escaped(&out, SECTION_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_entities_survive_cuts() {
        assert_eq!(escape("a<b>&c"), "a&lt;b&gt;&amp;c");
        let s = escape(&"<".repeat(100));
        let cut = cut_escaped(&s, 10);
        assert_eq!(cut, "&lt;&lt;…");
    }
}
