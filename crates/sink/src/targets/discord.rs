//! Discord webhook: a short `content` and one embed; mentions disabled so
//! error text cannot ping anyone; `?wait=true` so a 200 means it was saved.

use super::{headline, mark, AttentionView, Kind};
use crate::text::{cut_chars, escape_within, one_line, short_session, Facts, Unit};
use crate::time::event_time;
use crate::{Notification, Rendered, Severity, Status};
use serde_json::{json, Value};

const CONTENT_MAX: usize = 2000;
const TITLE_MAX: usize = 256;
const DESCRIPTION_MAX: usize = 4096;
const FIELDS_MAX: usize = 25;
const FIELD_NAME_MAX: usize = 256;
const FIELD_VALUE_MAX: usize = 1024;
const FOOTER_MAX: usize = 2048;
/// All embed text of a message together.
const EMBED_TOTAL_MAX: usize = 6000;

pub(crate) fn render(url: &str, n: &Notification, now_unix_s: i64) -> Result<Rendered, String> {
    let body = serde_json::to_vec(&payload(n, now_unix_s)).map_err(|e| e.to_string())?;
    Ok(Rendered::Http {
        method: "POST".to_string(),
        url: with_wait(url),
        headers: vec![("Content-Type".to_string(), "application/json".to_string())],
        body,
    })
}

/// Adds `wait=true`, keeping whatever query the URL has (`thread_id=…`).
pub(crate) fn with_wait(url: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let mut out = match base.split_once('?') {
        Some((_, q)) if q.split('&').any(|p| p.starts_with("wait=")) => base.to_string(),
        Some((_, "")) => format!("{base}wait=true"),
        Some(_) => format!("{base}&wait=true"),
        None => format!("{base}?wait=true"),
    };
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

fn color(n: &Notification) -> u32 {
    match (n.status, n.severity) {
        (Status::Resolved, _) => 0x2ECC71,
        (_, Severity::Critical) => 0x992D22,
        (_, Severity::Error) => 0xE74C3C,
        (_, Severity::Warning) => 0xF1C40F,
        (_, Severity::Info) => 0x3498DB,
    }
}

/// Code blocks end at three backticks; the text must not.
fn code(s: &str, max: usize) -> String {
    let inner = cut_chars(&s.trim_end().replace("```", "'''"), max.saturating_sub(8));
    format!("```\n{inner}\n```")
}

struct Field {
    name: String,
    value: String,
    inline: bool,
}

/// Discord markdown in free text: a message that says `snake_case` or
/// `<@123>` is shown as written, not as italics or a mention.
fn markdown_escape(c: char) -> Option<&'static str> {
    Some(match c {
        '\\' => "\\\\",
        '*' => "\\*",
        '_' => "\\_",
        '~' => "\\~",
        '`' => "\\`",
        '|' => "\\|",
        '>' => "\\>",
        '<' => "\\<",
        '#' => "\\#",
        '[' => "\\[",
        ']' => "\\]",
        '@' => "\\@",
        _ => return None,
    })
}

/// Colour by kind: green done, amber needs you, blue-grey idle, red
/// failed.
fn attention_color(kind: Kind) -> u32 {
    match kind {
        Kind::Done => 0x2ECC71,
        Kind::NeedsYou => 0xF39C12,
        Kind::Idle => 0x607D8B,
        Kind::Failed => 0xE74C3C,
        Kind::Other => 0x3498DB,
    }
}

/// Claude is done, needs you, is idle or failed: the message as the
/// description, the turn's facts and the place as inline fields, the
/// failure's hint in the footer.
fn attention(n: &Notification, v: &AttentionView, now_unix_s: i64) -> Value {
    let title = cut_chars(&v.title, TITLE_MAX);
    let content = cut_chars(&title, CONTENT_MAX.min(300));
    let mut fields: Vec<Value> = Vec::new();
    let mut used = title.chars().count();
    // Field values render markdown too: a branch called `__init__` must
    // not turn bold.
    let mut add = |name: &str, value: &str, used: &mut usize| {
        let name = cut_chars(name, FIELD_NAME_MAX);
        let value = escape_within(value, FIELD_VALUE_MAX, Unit::Chars, markdown_escape);
        *used += name.chars().count() + value.chars().count();
        fields.push(json!({"name": name, "value": value, "inline": true}));
    };
    if let Some(line) = v.failure_line() {
        add("Failure", &line, &mut used);
    }
    for f in v.turn.iter().chain(&v.place) {
        add(f.name, &f.value, &mut used);
    }
    let footer = cut_chars(
        &match v.failure {
            Some(a) => format!("Details: {} · hookwatch", a.show_hint()),
            None => "hookwatch".to_string(),
        },
        FOOTER_MAX,
    );
    used += footer.chars().count();
    let mut embed = json!({
        "title": title,
        "color": attention_color(v.kind),
        "timestamp": event_time(n.created_us, now_unix_s),
        "footer": {"text": footer},
        "fields": fields,
    });
    if let Some(m) = &v.message {
        let room = DESCRIPTION_MAX.min(EMBED_TOTAL_MAX.saturating_sub(used));
        let description = escape_within(m, room, Unit::Chars, markdown_escape);
        if !description.is_empty() {
            embed["description"] = Value::String(description);
        }
    }
    json!({
        "content": content,
        "embeds": [embed],
        "allowed_mentions": {"parse": []},
    })
}

fn payload(n: &Notification, now_unix_s: i64) -> Value {
    if let Some(v) = AttentionView::of(n) {
        return attention(n, &v, now_unix_s);
    }
    let f = Facts::of(n);
    let title = cut_chars(&format!("{}{}", mark(n), f.title), TITLE_MAX);
    let content = cut_chars(&title, CONTENT_MAX.min(300));

    let mut description = String::new();
    if let Some(a) = f.newest {
        description.push_str(&format!("**{}**\n", cut_chars(&headline(a), 256)));
        if let Some(c) = &a.command {
            description.push_str(&code(&one_line(c), 700));
            description.push('\n');
        }
    }
    let error = f.newest.and_then(|a| a.error.as_deref());

    let mut fields = Vec::new();
    let mut add = |name: &str, value: String, inline: bool| {
        if !value.is_empty() {
            fields.push(Field {
                name: cut_chars(name, FIELD_NAME_MAX),
                value: cut_chars(&value, FIELD_VALUE_MAX),
                inline,
            });
        }
    };
    if let Some(p) = f.project {
        add("Project", one_line(p), true);
    }
    if let Some(s) = f.session {
        add("Session", short_session(s).to_string(), true);
    }
    if f.total > 1 {
        add("Count", f.total.to_string(), true);
    }
    if !n.route.is_empty() {
        add("Route", one_line(&n.route), true);
    }
    // Older alerts of the group, newest first, as far as the limits allow.
    for a in n.alerts.iter().rev().skip(1) {
        let mut v = String::new();
        if let Some(c) = &a.command {
            v.push_str(&format!(
                "`{}`\n",
                cut_chars(&one_line(c), 200).replace('`', "'")
            ));
        }
        if let Some(e) = &a.error {
            v.push_str(&cut_chars(&one_line(e), 300));
            v.push('\n');
        }
        v.push_str(&format!("`{}`", a.show_hint()));
        add(&headline(a), v, false);
    }
    let hidden = n.omitted as usize;
    fields.truncate(FIELDS_MAX);

    let footer = cut_chars(
        &match f.newest {
            Some(a) => format!("Details: {} · hookwatch", a.show_hint()),
            None => "hookwatch".to_string(),
        },
        FOOTER_MAX,
    );

    // Keep the total under 6000: the oldest alerts' fields give way until
    // the newest error excerpt has some room, and the excerpt takes the rest.
    let count = |s: &str| s.chars().count();
    let used = |fields: &[Field], footer: &str, description: &str| {
        count(&title)
            + count(footer)
            + count(description)
            + fields
                .iter()
                .map(|f| count(&f.name) + count(&f.value))
                .sum::<usize>()
    };
    const MORE_RESERVE: usize = 40;
    let want = if error.is_some() { 300 } else { 0 };
    let mut dropped = 0;
    while !fields.is_empty()
        && used(&fields, &footer, &description) + MORE_RESERVE + want > EMBED_TOTAL_MAX
    {
        fields.pop();
        dropped += 1;
    }
    let mut footer = footer;
    if hidden + dropped > 0 {
        footer.push_str(&format!(" · {} more not shown", hidden + dropped));
    }
    let room = EMBED_TOTAL_MAX
        .saturating_sub(used(&fields, &footer, &description))
        .min(DESCRIPTION_MAX.saturating_sub(count(&description)));
    if let Some(e) = error {
        if room >= 40 {
            description.push_str(&code(e, room));
        }
    }
    let description = cut_chars(&description, DESCRIPTION_MAX);

    let mut embed = json!({
        "title": title,
        "color": color(n),
        "timestamp": event_time(n.created_us, now_unix_s),
        "footer": {"text": footer},
        "fields": fields
            .iter()
            .map(|f| json!({"name": f.name, "value": f.value, "inline": f.inline}))
            .collect::<Vec<_>>(),
    });
    if !description.is_empty() {
        embed["description"] = Value::String(description);
    }
    json!({
        "content": content,
        "embeds": [embed],
        "allowed_mentions": {"parse": []},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_shown_as_written() {
        assert_eq!(
            escape_within("a_b *c* <@1> \\", 100, Unit::Chars, markdown_escape),
            "a\\_b \\*c\\* \\<\\@1\\> \\\\"
        );
        // A cut never leaves a lone backslash.
        assert_eq!(
            escape_within("ab**", 4, Unit::Chars, markdown_escape),
            "ab…"
        );
    }

    #[test]
    fn wait_is_added_once() {
        assert_eq!(
            with_wait("https://d/api/webhooks/1/t"),
            "https://d/api/webhooks/1/t?wait=true"
        );
        assert_eq!(
            with_wait("https://d/api/webhooks/1/t?thread_id=5"),
            "https://d/api/webhooks/1/t?thread_id=5&wait=true"
        );
        assert_eq!(with_wait("https://d/x?wait=true"), "https://d/x?wait=true");
    }
}
